// Live end-to-end test with the REAL Linux audit subsystem (issue 5 "Acceptance"): start auditd (unless it
// runs), enable auditing, load contrib/auditd/tern.rules, run `tern run --follow --format auditd` on
// /var/log/audit/audit.log with the seed rule, build a .so in /dev/shm with the real compiler, and expect
// the seed rule's alert naming the linker and the file within seconds. Everything it added (rules, files,
// the daemon it started, the enabled flag) is removed in `finally`. It skips, saying why, only where audit
// is refused: not root, no auditctl/auditd/gcc after scripts/setup-system.sh, `auditctl -s` failing,
// auditing locked (enabled 2).

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, delimiter, isAbsolute, join } from "node:path";
import { randomBytes } from "node:crypto";
import { REPO_ROOT, SEED_DIR } from "../../src/testing/paths.js";

const AUDIT_LOG = "/var/log/audit/audit.log";
const RULES = join(REPO_ROOT, "contrib", "auditd", "tern.rules");

function run(cmd: string, args: string[]): { ok: boolean; out: string } {
  try {
    return { ok: true, out: execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 }) };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return { ok: false, out: `${err.stdout ?? ""}${err.stderr ?? ""}` || err.message };
  }
}

function which(name: string): string | undefined {
  if (isAbsolute(name)) return existsSync(name) ? name : undefined;
  const dirs = (process.env.PATH ?? "").split(delimiter).concat(["/usr/sbin", "/sbin"]);
  for (const d of dirs) if (d !== "" && existsSync(join(d, name))) return join(d, name);
  return undefined;
}

function auditStatus(): { enabled: number; pid: number } | string {
  const s = run(which("auditctl") ?? "auditctl", ["-s"]);
  if (!s.ok) return `auditctl -s fails: ${s.out.trim()}`;
  const num = (k: string) => Number(new RegExp(`^${k} (\\d+)`, "m").exec(s.out)?.[1] ?? "NaN");
  return { enabled: num("enabled"), pid: num("pid") };
}

function skipReason(): string | undefined {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "not root: the audit subsystem needs CAP_AUDIT_CONTROL";
  for (const b of ["auditctl", "auditd", "gcc"]) if (which(b) === undefined) return `no ${b} binary (run scripts/setup-system.sh)`;
  const st = auditStatus();
  if (typeof st === "string") return st;
  if (st.enabled === 2) return "auditing is locked (enabled 2): rules cannot be changed";
  return undefined;
}

async function waitFor<T>(probe: () => T | undefined, ms: number, what: string): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function exited(p: ChildProcess, ms: number): Promise<boolean> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(true);
  return new Promise((res) => {
    const t = setTimeout(() => res(false), ms);
    p.once("exit", () => {
      clearTimeout(t);
      res(true);
    });
  });
}

type Alert = { process?: { name?: string; executable?: string }; file?: { path?: string }; "kibana.alert.rule.rule_id"?: string };

test("live auditd: a .so built by gcc in /dev/shm makes the seed rule alert through tern run --follow", { timeout: 60_000 }, async (t) => {
  const why = skipReason();
  if (why !== undefined) {
    t.skip(why);
    return;
  }
  const auditctl = which("auditctl") ?? "auditctl";
  const tag = randomBytes(6).toString("hex");
  const work = mkdtempSync(join(tmpdir(), "tern-live-"));
  const target = `/dev/shm/libtern-live-${tag}.so`;
  const added: string[][] = [];
  let daemon: ChildProcess | undefined;
  let tern: ChildProcess | undefined;
  let enabledBefore = -1;
  let stdout = "";
  let stderr = "";
  try {
    const st0 = auditStatus();
    if (typeof st0 === "string") throw new Error(st0);
    enabledBefore = st0.enabled;
    if (st0.pid === 0) {
      // Not running: start our own, in the foreground so it dies with the test's cleanup.
      daemon = spawn(which("auditd") ?? "auditd", ["-n", "-l"], { stdio: "ignore" });
      await waitFor(() => {
        const s = auditStatus();
        return typeof s !== "string" && s.pid !== 0 && existsSync(AUDIT_LOG) ? true : undefined;
      }, 10_000, "auditd to start");
    }
    if (enabledBefore !== 1) assert.ok(run(auditctl, ["-e", "1"]).ok, "auditctl -e 1");
    for (const line of readFileSync(RULES, "utf8").split("\n")) {
      if (!line.startsWith("-a ")) continue;
      const args = line.trim().split(/\s+/);
      // A rule already in the kernel (or a dir= missing here) is not ours to remove.
      if (run(auditctl, args).ok) added.push(args);
    }
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
    for (const args of added) run(auditctl, ["-d", ...args.slice(1)]);
    if (enabledBefore === 0) run(auditctl, ["-e", "0"]);
    if (daemon !== undefined) {
      daemon.kill("SIGTERM");
      if (!(await exited(daemon, 5000))) daemon.kill("SIGKILL");
    }
    rmSync(target, { force: true });
    rmSync(work, { recursive: true, force: true });
  }
});
