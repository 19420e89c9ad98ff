// `tern run --follow` as a process (issue 5 "Conversion and follow"): run on the first part of the real
// auditd capture, stop (SIGTERM or SIGINT: exit 0 after flushing; SIGKILL: after the position was committed),
// append the rest, restart → exactly the new alert, none twice. The capture's first 144 lines hold the
// ld, cp and mv .so creations; the rest holds python3's (and dpkg's, which the seed rule excludes).

import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { REALDATA_DIR, SEED_DIR } from "../../src/testing/paths.js";
import { spawnTern, type TernProcess } from "../../src/testing/process.js";

const SEED = join(SEED_DIR, "shared_object_new_terms.toml");
const CAPTURE = join(REALDATA_DIR, "tern-capture", "audit-debian12-so-activity.log");
const SPLIT = 144;

type Proc = TernProcess;

function start(log: string, state: string): Proc {
  return spawnTern(["run", SEED, "--follow", "--format", "auditd", "-e", log, "--state", state, "--poll-interval-ms", "50"]);
}

type Alert = { _id?: string; "kibana.alert.uuid": string; process: { name: string }; file: { path: string } };
const alerts = (s: string): Alert[] => s.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Alert);
const pairs = (s: string) => alerts(s).map((a) => [a.process.name, a.file.path]);

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The committed read offset of the followed file (undefined before the first commit). */
function committedOffset(state: string): number | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(state, { readonly: true, fileMustExist: true });
    const r = db.prepare<[], { offset: number }>("SELECT offset FROM checkpoints WHERE source_key LIKE 'follow:auditd:%'").get();
    return r?.offset;
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}

function setup(): { dir: string; log: string; state: string; rest: string } {
  const dir = mkdtempSync(join(tmpdir(), "tern-runfollow-"));
  const lines = readFileSync(CAPTURE, "utf8").split("\n");
  const log = join(dir, "audit.log");
  writeFileSync(log, lines.slice(0, SPLIT).join("\n") + "\n");
  return { dir, log, state: join(dir, "state", "state.db"), rest: lines.slice(SPLIT).join("\n") };
}

async function kill(p: Proc): Promise<void> {
  if (p.p.exitCode === null && p.p.signalCode === null) p.p.kill("SIGKILL");
  await p.exit;
}

for (const signal of ["SIGTERM", "SIGINT", "SIGKILL"] as const) {
  test(`restart after ${signal}: exactly the new alert, none twice`, { timeout: 60_000 }, async () => {
    const { dir, log, state, rest } = setup();
    const procs: Proc[] = [];
    try {
      const first = start(log, state);
      procs.push(first);
      await until(() => alerts(first.out()).length === 3, "the first 3 alerts");
      if (signal === "SIGKILL") {
        // Killed only once the position of everything read is committed (the engine's guarantee point).
        await until(() => committedOffset(state) === statSync(log).size, "the committed position");
      }
      first.p.kill(signal);
      const e1 = await first.exit;
      if (signal !== "SIGKILL") {
        assert.deepEqual(e1, { code: 0, signal: null });
        assert.match(first.err(), /^tern run: stream mode, 1 rule run\n {2}lines read: {5}144 \(/);
      } else assert.deepEqual(e1, { code: null, signal: "SIGKILL" });
      assert.equal(committedOffset(state), statSync(log).size);

      appendFileSync(log, rest);
      const second = start(log, state);
      procs.push(second);
      await until(() => alerts(second.out()).length >= 1 && committedOffset(state) === statSync(log).size, "the new alert and position");
      second.p.kill("SIGTERM");
      assert.deepEqual(await second.exit, { code: 0, signal: null });

      assert.deepEqual(pairs(first.out()), [["ld", "/dev/shm/libfoo.so"], ["cp", "/usr/lib/libfoo_copy.so"], ["mv", "/usr/lib/libmoved.so"]]);
      assert.deepEqual(pairs(second.out()), [["python3", "/dev/shm/py_payload.so"]]);
      const ids = [...alerts(first.out()), ...alerts(second.out())].map((a) => a["kibana.alert.uuid"]);
      assert.equal(new Set(ids).size, 4);
      assert.match(second.err(), /lines read: {5}1,439 \(/);
    } finally {
      for (const p of procs) await kill(p);
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
