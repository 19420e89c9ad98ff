// Live end-to-end test with the REAL Linux audit subsystem (issue 5 "Acceptance"): start auditd (unless it
// runs), enable auditing, load contrib/auditd/tern.rules, run `tern run --follow --format auditd` on
// /var/log/audit/audit.log with the seed rule, build a .so in /dev/shm with the real compiler, and expect
// the seed rule's alert naming the linker and the file within seconds. Everything it added (rules, files,
// the daemon it started, the enabled flag) is removed in `finally`. It skips, saying why, only where audit
// is refused: not root, no auditctl/auditd/gcc after scripts/setup-system.sh, `auditctl -s` failing,
// auditing locked (enabled 2).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { randomBytes } from "node:crypto";
import { REPO_ROOT, SEED_DIR } from "../../src/testing/paths.js";
import { AUDIT_LOG, AuditSession, exited, run, skipReason, waitFor, which } from "./support.js";

const RULES = join(REPO_ROOT, "contrib", "auditd", "tern.rules");

type Alert = { process?: { name?: string; executable?: string }; file?: { path?: string }; "kibana.alert.rule.rule_id"?: string };

test("live auditd: a .so built by gcc in /dev/shm makes the seed rule alert through tern run --follow", { timeout: 60_000 }, async (t) => {
  const why = skipReason();
  if (why !== undefined) {
    t.skip(why);
    return;
  }
  const tag = randomBytes(6).toString("hex");
  const work = mkdtempSync(join(tmpdir(), "tern-live-"));
  const target = `/dev/shm/libtern-live-${tag}.so`;
  let audit: AuditSession | undefined;
  let tern: ChildProcess | undefined;
  let stdout = "";
  let stderr = "";
  try {
    audit = await AuditSession.open((path) => spawn(path, ["-n", "-l"], { stdio: "ignore" }));
    const added = audit.load(readFileSync(RULES, "utf8"));
    assert.ok(added.some((a) => a.includes("dir=/dev/shm")), `the /dev/shm watch loaded (added: ${JSON.stringify(added)})`);

    const seed = join(SEED_DIR, "shared_object_new_terms.toml");
    tern = spawn(process.execPath, [join(REPO_ROOT, "bin", "tern.js"), "run", seed, "--follow", "--format", "auditd", "-e", AUDIT_LOG, "--state", join(work, "state.db"), "--poll-interval-ms", "100"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    tern.stdout?.on("data", (b: Buffer) => (stdout += b.toString("utf8")));
    tern.stderr?.on("data", (b: Buffer) => (stderr += b.toString("utf8")));

    // The linker gcc runs: the name collect2 executes (comm, as the kernel reports it) and the real binary.
    const ldName = run("gcc", ["-print-prog-name=ld"]).out.trim();
    const ldPath = which(ldName);
    assert.ok(ldPath !== undefined, `gcc's linker ${ldName} is on PATH`);
    const ldReal = realpathSync(ldPath);
    writeFileSync(join(work, "t.c"), "int tern_live(void) { return 42; }\n");
    const cc = run("gcc", ["-shared", "-fPIC", "-o", target, join(work, "t.c")]);
    assert.ok(cc.ok, `gcc: ${cc.out}`);

    const alert = await waitFor(() => {
      for (const l of stdout.split("\n")) {
        if (l.trim() === "") continue;
        const a = JSON.parse(l) as Alert;
        if (a.file?.path === target) return a;
      }
      return undefined;
    }, 20_000, `the alert for ${target} (tern stderr: ${stderr})`);
    assert.equal(alert.file?.path, target);
    assert.equal(alert.process?.executable, ldReal);
    assert.equal(alert.process?.name, basename(ldPath).slice(0, 15));
    assert.equal(alert["kibana.alert.rule.rule_id"], "aebaa51f-2a91-4f6a-850b-b601db2293f4");

    // SIGTERM stops tern cleanly: exit 0 and the summary on stderr.
    tern.kill("SIGTERM");
    assert.equal(await exited(tern, 10_000), true, "tern exits after SIGTERM");
    assert.equal(tern.exitCode, 0, stderr);
    assert.match(stderr, /tern run: stream mode, 1 rule run/);
  } finally {
    if (tern !== undefined && tern.exitCode === null && tern.signalCode === null) {
      tern.kill("SIGTERM");
      if (!(await exited(tern, 5000))) tern.kill("SIGKILL");
    }
    await audit?.close();
    rmSync(target, { force: true });
    rmSync(work, { recursive: true, force: true });
  }
});
