// Coverage: what a query needs of every matching event (KQL and EQL), the verdict against a source's
// capabilities, and those capabilities checked against what tern really writes for real logs.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseKql } from "../lang/kql/index.js";
import { parseEql } from "../lang/eql/index.js";
import { FORMAT_CAPABILITIES, coverageOf, eqlStatementBlockers, kqlBlockers, type Blockers } from "./coverage.js";
import { openAuditdSource } from "./auditd/index.js";
import { openSysmonSource } from "./sysmon/index.js";
import { REALDATA_DIR } from "../testing/paths.js";
import type { EventSource } from "./types.js";

const caps = FORMAT_CAPABILITIES.auditd;
const show = (b: Blockers | undefined) => (b === undefined ? "ok" : { fields: [...b.fields].sort(), values: b.values });
const kql = (q: string) => show(kqlBlockers(parseKql(q), caps));
const eql = (q: string, category?: string) => show(eqlStatementBlockers(parseEql(q), caps, category));

test("KQL: and needs every part, or one branch, not nothing; vocabulary values must be ones the source writes", () => {
  assert.equal(kql("event.category:process and event.action:(exec or ptrace) and process.name:bash and not process.entry_leader.entry_meta.type:x"), "ok");
  assert.deepEqual(kql("event.action:(ptrace or load) and process.name:bash"), { fields: [], values: ["event.action ptrace", "event.action load"] });
  assert.deepEqual(kql("process.entry_leader.entry_meta.type:CAP_SYS_ADMIN or process.session_leader.name:CAP_SYS_ADMIN"), {
    fields: ["process.entry_leader.entry_meta.type", "process.session_leader.name"],
    values: [],
  });
  assert.equal(kql("process.entry_leader.entry_meta.type:x or process.name:bash"), "ok");
  assert.deepEqual(kql("process.env_vars >= 3 and x*:y and free text"), { fields: ["process.env_vars"], values: [] });
});

test("EQL: comparisons with a missing field are false, so != and not in need it too; ?optional and == null do not; the category is a value", () => {
  assert.equal(eql('process where event.action in ("exec", "fork") and process.parent.name != "sshd" and ?process.title == "x" and process.env_vars == null'), "ok");
  assert.deepEqual(eql('process where process.env_vars != "x"'), { fields: ["process.env_vars"], values: [] });
  assert.deepEqual(eql('process where process.tty.char_device.major not in ("a")'), { fields: ["process.tty.char_device.major"], values: [] });
  assert.deepEqual(eql('process where startsWith(process.title, "x")'), { fields: ["process.title"], values: [] });
  assert.deepEqual(eql("registry where true"), { fields: [], values: ["event.category registry"] });
  // a sequence needs every stage and its join keys; a missing-event stage needs nothing
  assert.deepEqual(eql('sequence by process.entry_leader.entity_id with maxspan=1m [process where event.type == "start"] [network where true] ![library where true]'), {
    fields: ["process.entry_leader.entity_id"],
    values: [],
  });
  assert.deepEqual(eql("process where true", "event.dataset"), { fields: ["event.dataset"], values: [] });
});

test("verdicts: the index first, then the blocking fields and values", () => {
  const blockers = (q: string) => eqlStatementBlockers(parseEql(q), caps);
  assert.deepEqual(coverageOf(["logs-endpoint.events.process*"], caps, blockers('process where event.action == "exec" and process.parent.name == "bash"')), { canFire: true });
  assert.deepEqual(coverageOf(["auditbeat-*"], caps, blockers("process where true")), { canFire: true });
  assert.deepEqual(coverageOf(["logs-aws.*"], caps, undefined), { canFire: false, reason: "needs an index tern never writes for this source (logs-aws.*)", missingFields: [] });
  assert.deepEqual(coverageOf(undefined, caps, blockers('process where process.entry_leader.entry_meta.type : "CAP_SYS_ADMIN" and event.action == "ptrace"')), {
    canFire: false,
    reason: "needs process.entry_leader.entry_meta.type; event.action ptrace",
    missingFields: ["process.entry_leader.entry_meta.type"],
  });
});

async function fieldsOf(source: EventSource): Promise<{ fields: Set<string>; values: Map<string, Set<string>> }> {
  const fields = new Set<string>();
  const values = new Map<string, Set<string>>();
  const walk = (v: unknown, p: string): void => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, p));
    if (typeof v === "object" && v !== null) return Object.entries(v).forEach(([k, x]) => walk(x, p === "" ? k : `${p}.${k}`));
    fields.add(p);
    if (["event.category", "event.type", "event.action", "host.os.type"].includes(p)) values.set(p, (values.get(p) ?? new Set()).add(String(v)));
  };
  for await (const b of source.batches()) for (const e of b) walk(e._source, "");
  return { fields, values };
}

test("the capability lists are what tern writes: every field and value of converted real logs is listed", async () => {
  const R = (...p: string[]) => join(REALDATA_DIR, ...p);
  const audit = await fieldsOf(
    openAuditdSource(
      [
        R("tern-capture", "audit-debian12-so-activity.log"),
        R("laurel", "src", "testdata", "proc-trace-dpkg-l.txt"),
        R("laurel", "src", "testdata", "record-connect.txt"),
        R("go-libaudit", "testdata", "normal.log"),
        R("audit-userspace", "auparse", "test", "test4.log"),
      ],
      { onBadLine: () => undefined, hostname: "h" },
    ),
  );
  assert.deepEqual([...audit.fields].filter((f) => !caps.fields.has(f)), []);
  for (const [f, vs] of audit.values) assert.deepEqual([...vs].filter((v) => !caps.values.get(f)?.has(v)), [], f);
  // the real logs show most of the list (uid/gid changes, accepts and renamed-from paths are in unit tests)
  assert.ok(audit.fields.size >= 50, String(audit.fields.size));
  const sysmon = await fieldsOf(openSysmonSource([R("integrations", "packages", "sysmon_linux", "_dev", "deploy", "docker", "sample_logs", "sysmon.log")], { onBadLine: () => undefined, hostname: "h" }));
  const scaps = FORMAT_CAPABILITIES["sysmon-linux"];
  assert.deepEqual([...sysmon.fields].filter((f) => !scaps.fields.has(f)), []);
  for (const [f, vs] of sysmon.values) assert.deepEqual([...vs].filter((v) => !scaps.values.get(f)?.has(v)), [], f);
});
