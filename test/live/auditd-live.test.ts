// Live end-to-end test with the REAL Linux audit subsystem (issue 5 "Acceptance"): start auditd (unless it
// runs), enable auditing, load contrib/auditd/tern.rules, run `tern run --follow --format auditd` on
// /var/log/audit/audit.log with the seed rule, build a .so in /dev/shm with the real compiler, and expect
// the seed rule's alert naming the linker and the file within seconds. Everything it added (rules, files,
// the daemon it started, the enabled flag) is removed in `finally`. It skips, saying why, only where audit
// is refused: not root, no auditctl/auditd/gcc after scripts/setup-system.sh, `auditctl -s` failing,
// auditing locked (enabled 2).
// The second test does attack-like behaviours with real commands, each next to a look-alike that must not
// alert, then runs the unchanged corpus Linux rules over what auditd wrote (`tern run --format auditd`,
// replay): three of the rules are EQL sequences that join on the process tree tern builds. The tests share
// the audit subsystem, so they live in this one file and run one after the other.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { randomBytes } from "node:crypto";
import { CORPUS_DIR, REPO_ROOT, SEED_DIR } from "../../src/testing/paths.js";
import { AUDIT_LOG, AuditSession, exited, logSince, markLog, run, skipReason, waitFor, which } from "./support.js";

const RULES = join(REPO_ROOT, "contrib", "auditd", "tern.rules");


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


/** The corpus rules the behaviours exercise (unchanged files), by rule_id. */
const RULE_FILES: Record<string, string> = {
  "ff10d4d8-fea7-422d-afb1-e5a2702369a9": "rules/linux/persistence_cron_job_creation.toml",
  "17b0a495-4d9f-414c-8ad0-92f018b8e001": "rules/linux/persistence_systemd_service_creation.toml",
  "931e25a5-0f5e-4ae0-ba0d-9e94eff7e3a4": "rules/cross-platform/privilege_escalation_sudoers_file_mod.toml",
  "3f3f9fe2-d095-11ec-95dc-f661ea17fbce": "rules/linux/execution_process_started_in_shared_memory_directory.toml",
  "640f79d1-571d-4f96-a9af-1194fc8cf763": "rules/linux/defense_evasion_dynamic_linker_file_creation.toml",
  "28f6f34b-8e16-487a-b5fd-9d22eb903db8": "rules/linux/persistence_shell_configuration_modification.toml",
  "5bdad1d5-5001-4a13-ae99-fa8619500f1a": "rules/linux/defense_evasion_interpreter_launched_from_decoded_payload.toml",
  "702a2046-ea74-4bdc-b8ea-b185471f64c8": "rules/linux/defense_evasion_execution_followed_by_self_deletion.toml",
  "09bc6c90-7501-494d-b015-5d988dc3f233": "rules/linux/execution_file_execution_followed_by_deletion.toml",
  "9b80cb26-9966-44b5-abbf-764fbdbc3586": "rules/linux/privilege_escalation_suspicious_uid_guid_elevation.toml",
};

interface Alert {
  "kibana.alert.rule.rule_id"?: string;
  "kibana.alert.group.index"?: number;
  "kibana.alert.building_block_type"?: string;
  process?: { executable?: string; name?: string; command_line?: string; entity_id?: string; parent?: { entity_id?: string }; thread?: { capabilities?: { effective?: string[] } } };
  event?: { action?: string };
  user?: { id?: string };
  file?: { path?: string };
}

function sh(script: string): void {
  execFileSync("/bin/bash", ["-c", script], { stdio: "ignore", timeout: 20_000 });
}

test("live auditd: ten behaviours fire their Elastic Linux rules (four sequences on the process tree); their look-alikes do not", { timeout: 120_000 }, async (t) => {
  const why = skipReason(["auditctl", "auditd", "curl", "base64", "python3", "gcc", "setcap", "runuser"]);
  if (why !== undefined) {
    t.skip(why);
    return;
  }
  const tag = randomBytes(3).toString("hex");
  const work = mkdtempSync(join(tmpdir(), "tern-linux-live-"));
  const rulesDir = join(work, "rules");
  mkdirSync(rulesDir);
  // Names kept short: process.name is the kernel's comm, 15 characters at most.
  const p = {
    cron: `/etc/cron.d/tern-${tag}`,
    unit: `/etc/systemd/system/tern-${tag}.service`,
    unitConf: `/etc/systemd/system/tern-${tag}.conf`,
    sudoers: `/etc/sudoers.d/tern-${tag}`,
    sudoersPy: `/etc/sudoers.d/tern-py-${tag}`,
    shm: `/dev/shm/tx-${tag}`,
    tmpExec: `/tmp/tx-${tag}`,
    profile: `/etc/profile.d/tern-${tag}.sh`,
    profileMoved: `/etc/profile.d/tern-mv-${tag}.sh`,
    selfRm: `/tmp/trm-${tag}`,
    otherRm: `/tmp/tro-${tag}`,
    otherFile: `/tmp/tro-${tag}-file`,
    dl: `/tmp/tdl-${tag}`,
    dlControl: `/tmp/tdc-${tag}`,
    capSu: `/tmp/tsu-${tag}`,
    capControl: `/tmp/tsc-${tag}`,
  };
  const created = Object.values(p);
  const preloadExisted = (() => {
    try {
      statSync("/etc/ld.so.preload");
      return true;
    } catch {
      return false;
    }
  })();
  let audit: AuditSession | undefined;
  try {
    for (const [id, rel] of Object.entries(RULE_FILES)) {
      const text = readFileSync(join(CORPUS_DIR, rel), "utf8");
      assert.match(text, new RegExp(`rule_id = "${id}"`), rel);
      copyFileSync(join(CORPUS_DIR, rel), join(rulesDir, rel.split("/").pop() ?? id));
    }
    for (const d of ["/etc/cron.d", "/etc/systemd/system", "/etc/sudoers.d", "/etc/profile.d", "/dev/shm"]) mkdirSync(d, { recursive: true });
    audit = await AuditSession.open((path) => spawn(path, ["-n", "-l"], { stdio: "ignore" }));
    const added = audit.load(readFileSync(RULES, "utf8"));
    for (const need of ["dir=/tmp", "dir=/etc/cron.d", "dir=/etc/sudoers.d", "tern_exec"]) assert.ok(added.some((a) => a.some((x) => x.includes(need))), `${need} loaded (added: ${JSON.stringify(added)})`);
    // a program that makes itself root with setuid(0), built before the log segment starts
    const source = join(work, "su0.c");
    writeFileSync(source, "#include <unistd.h>\nint main(void) { return setuid(0) == 0 ? 0 : 1; }\n");
    execFileSync("gcc", ["-o", p.capSu, source]);
    copyFileSync(p.capSu, p.capControl);
    const mark = markLog();
    const segment = join(work, "audit.log");

    // 1. cron persistence; look-alike: deleting a cron file
    sh(`echo '* * * * * root true' > ${p.cron}; rm -f ${p.cron}`);
    // 2. a systemd service unit; look-alike: a .conf in the same directory
    sh(`printf '[Service]\\nExecStart=/bin/true\\n' > ${p.unit}; echo x > ${p.unitConf}`);
    // 3. sudoers; look-alike: written by python (a configuration manager the rule excludes)
    sh(`echo 'nobody ALL=(ALL) NOPASSWD: ALL' > ${p.sudoers}`);
    execFileSync("python3", ["-c", `open(${JSON.stringify(p.sudoersPy)}, "w").write("# managed\\n")`]);
    // 4. a binary run from /dev/shm as root; look-alike: the same binary run from /tmp
    sh(`cp /bin/true ${p.shm} && ${p.shm}; cp /bin/true ${p.tmpExec} && ${p.tmpExec}`);
    // 5. /etc/ld.so.preload created; look-alike: deleting it again
    if (!preloadExisted) sh(`: > /etc/ld.so.preload; rm -f /etc/ld.so.preload`);
    // 6. a shell start-up file created; look-alike: renaming it (the rule wants creations)
    sh(`echo 'true' > ${p.profile}; mv ${p.profile} ${p.profileMoved}`);
    // 7. sequence by process.parent.entity_id: base64 -d piped to sh; look-alike: piped to cat. The rule
    //    wants base64 to start first; in a plain pipeline the shell's exec may win the race, so the reading
    //    side waits a moment, then becomes sh (exec: still a child of the same bash as base64).
    sh(`echo dHJ1ZQo= | base64 -d | { sleep 0.3; exec sh; }`);
    sh(`echo dHJ1ZQo= | base64 -d | cat`);
    // 8. sequence by process.entity_id: a program in /tmp deletes its own file; look-alike: it deletes another
    sh(`cp /usr/bin/rm ${p.selfRm} && ${p.selfRm} ${p.selfRm}`);
    sh(`cp /usr/bin/rm ${p.otherRm} && touch ${p.otherFile} && ${p.otherRm} ${p.otherFile}; /usr/bin/rm -f ${p.otherRm}`);
    // 9. sequence by user.id: curl writes a file to /tmp, a shell runs it, a non-rm process deletes it;
    //    look-alike: the same, deleted by rm (the rule excludes rm)
    sh(`curl -s -o ${p.dl} file:///bin/true && chmod +x ${p.dl} && bash -c ${p.dl} && unlink ${p.dl}`);
    // 10. sequence by process.entity_id: a user without privileges runs a binary given cap_setuid, which
    //     becomes root; look-alike: the same binary without the capability (its setuid(0) fails)
    sh(`${which("setcap")} cap_setuid+ep ${p.capSu} && ${which("runuser")} -u nobody -- ${p.capSu}`);
    sh(`${which("runuser")} -u nobody -- ${p.capControl} || true`);
    sh(`curl -s -o ${p.dlControl} file:///bin/true && chmod +x ${p.dlControl} && bash -c ${p.dlControl} && rm -f ${p.dlControl}`);

    // auditd writes asynchronously: wait until the look-alike cradle's deletion (the last behaviour) is in the log
    await waitFor(() => {
      const part = logSince(mark).toString("latin1");
      return part.includes(`"${p.dlControl}"`) && /nametype=DELETE/.test(part.slice(part.lastIndexOf(`"${p.dlControl}"`) - 400)) ? true : undefined;
    }, 15_000, "auditd to write the behaviours");
    await new Promise((r) => setTimeout(r, 500));
    writeFileSync(segment, logSince(mark));

    const out = join(work, "alerts.ndjson");
    const r = spawnSyncTern(["run", rulesDir, "--format", "auditd", "--events", segment, "--state", join(work, "state.db"), "--output", out]);
    assert.equal(r.status, 0, r.stderr);
    const alerts = readFileSync(out, "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Alert);
    const of = (id: string) => alerts.filter((a) => a["kibana.alert.rule.rule_id"] === id);
    const paths = (id: string) => of(id).map((a) => a.file?.path ?? a.process?.executable);

    assert.deepEqual(paths("ff10d4d8-fea7-422d-afb1-e5a2702369a9"), [p.cron]);
    assert.deepEqual(paths("17b0a495-4d9f-414c-8ad0-92f018b8e001"), [p.unit]);
    assert.deepEqual(paths("931e25a5-0f5e-4ae0-ba0d-9e94eff7e3a4"), [p.sudoers]);
    assert.deepEqual(paths("3f3f9fe2-d095-11ec-95dc-f661ea17fbce"), [p.shm]);
    assert.deepEqual(paths("640f79d1-571d-4f96-a9af-1194fc8cf763"), preloadExisted ? [] : ["/etc/ld.so.preload"]);
    assert.deepEqual(paths("28f6f34b-8e16-487a-b5fd-9d22eb903db8"), [p.profile]);

    // Sequences: a shell alert and one building block per event, the blocks joined as the rule says.
    const blocks = (id: string) => of(id).filter((a) => a["kibana.alert.group.index"] !== undefined);
    const b64 = blocks("5bdad1d5-5001-4a13-ae99-fa8619500f1a");
    assert.deepEqual(b64.map((a) => a.process?.name), ["base64", "sh"]);
    assert.equal(b64[0].process?.parent?.entity_id, b64[1].process?.parent?.entity_id);
    assert.equal(of("5bdad1d5-5001-4a13-ae99-fa8619500f1a").length, 3);
    const self = blocks("702a2046-ea74-4bdc-b8ea-b185471f64c8");
    assert.deepEqual(self.map((a) => a.file?.path ?? a.process?.executable), [p.selfRm, p.selfRm]);
    assert.equal(self[0].process?.entity_id, self[1].process?.entity_id);
    assert.equal(of("702a2046-ea74-4bdc-b8ea-b185471f64c8").length, 3);
    const cradle = blocks("09bc6c90-7501-494d-b015-5d988dc3f233");
    assert.deepEqual(cradle.map((a) => [a.process?.name, a.file?.path ?? a.process?.executable]), [["curl", p.dl], [`tdl-${tag}`, p.dl], ["unlink", p.dl]]);
    assert.equal(of("09bc6c90-7501-494d-b015-5d988dc3f233").length, 4);
    const elevated = blocks("9b80cb26-9966-44b5-abbf-764fbdbc3586");
    assert.deepEqual(
      elevated.map((a) => [a.process?.executable, a.event?.action, a.user?.id, a.process?.thread?.capabilities?.effective]),
      [
        [p.capSu, "exec", "65534", ["CAP_SETUID"]],
        [p.capSu, "uid_change", "0", ["CAP_SETUID"]],
      ],
    );
    assert.equal(elevated[0].process?.entity_id, elevated[1].process?.entity_id);
    assert.equal(of("9b80cb26-9966-44b5-abbf-764fbdbc3586").length, 3);

    // No alert is about a look-alike (a parent's command line may mention one: the shells ran both).
    const about = new Set(alerts.flatMap((a) => [a.file?.path, a.process?.executable]));
    for (const control of [p.unitConf, p.sudoersPy, p.tmpExec, p.profileMoved, p.otherRm, p.otherFile, p.dlControl, p.capControl]) assert.equal(about.has(control), false, control);
    assert.equal(alerts.length, 19);
  } finally {
    await audit?.close();
    for (const f of created) rmSync(f, { force: true });
    if (!preloadExisted) rmSync("/etc/ld.so.preload", { force: true });
    rmSync(work, { recursive: true, force: true });
  }
});

function spawnSyncTern(args: string[]): { status: number | null; stderr: string } {
  try {
    execFileSync(process.execPath, [join(REPO_ROOT, "bin", "tern.js"), ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
    return { status: 0, stderr: "" };
  } catch (e) {
    const err = e as { status?: number; stderr?: string };
    return { status: err.status ?? null, stderr: err.stderr ?? "" };
  }
}
