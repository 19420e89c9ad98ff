// `tern run --threads` (issue 6, worker threads): the same alerts and summary with 2 threads as with 1 on
// a generated file (seed rule and the corpus's Linux rules) and on examples/, and the auto choice.

import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { runCli } from "../../testing/cli.js";
import { CORPUS_DIR, REPO_ROOT, SEED_DIR } from "../../testing/paths.js";
import { benchLines } from "../../testing/gen/bench.js";
import { EXAMPLE_PLANTED_ALERTS, plantedForm } from "../../testing/gen/examples.js";
import { linuxCorpusRules } from "../../../bench/contenders.js";
import { AUTO_THREADS_MIN_BYTES, resolveThreads, type RunCliOptions } from "../../cli/commands/run.js";

/** Alerts without their execution uuid (a fresh one per run) and wall-clock times (the run's own clock). */
function alerts(stdout: string): string[] {
  return stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      const a = JSON.parse(l) as Record<string, unknown>;
      for (const k of ["kibana.alert.rule.execution.uuid", "@timestamp", "kibana.alert.start", "kibana.alert.last_detected", "kibana.alert.intended_timestamp"]) delete a[k];
      return JSON.stringify(a);
    });
}

/** The summary without its timing line. */
const summary = (stderr: string): string =>
  stderr
    .split("\n")
    .filter((l) => !l.startsWith("  elapsed:"))
    .join("\n");

async function compare(rules: string, events: string, extra: string[] = []): Promise<{ alerts: number; stderr: string; stdout: string }> {
  const one = await runCli(["run", rules, "--events", events, "--state", ":memory:", "--threads", "1", ...extra]);
  const two = await runCli(["run", rules, "--events", events, "--state", ":memory:", "--threads", "2", ...extra]);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(two.code, 0, two.stderr);
  assert.deepEqual(alerts(two.stdout), alerts(one.stdout));
  assert.equal(summary(two.stderr), summary(one.stderr));
  return { alerts: alerts(one.stdout).length, stderr: one.stderr, stdout: one.stdout };
}

test("tern run --threads 2 = --threads 1 on examples/ (replay and stream)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-thr-"));
  try {
    const src = join(REPO_ROOT, "examples", "events");
    for (const f of readdirSync(src)) writeFileSync(join(dir, basename(f, ".gz")), gunzipSync(readFileSync(join(src, f))), { mode: 0o600 });
    const rules = join(REPO_ROOT, "examples", "rules");
    const replay = await compare(rules, dir);
    const planted = (stdout: string) => stdout.split("\n").filter((l) => l !== "").map((l) => plantedForm(JSON.parse(l) as Record<string, unknown>));
    assert.deepEqual(planted(replay.stdout), EXAMPLE_PLANTED_ALERTS);
    assert.match(replay.stderr, /lines read: {5}11,699 \(63 events, 11,636 prefiltered, 0 bad\)/);
    assert.deepEqual(planted((await compare(rules, dir, ["--mode", "stream"])).stdout), EXAMPLE_PLANTED_ALERTS);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("tern run --threads 2 = --threads 1 on a generated file with bad lines, seed and corpus Linux rules", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-thr-"));
  try {
    const lines: string[] = [];
    let i = 0;
    for (const l of benchLines({ events: 6000, seed: 11, matchFraction: 0.02, pairs: 15, days: 3 })) {
      lines.push(l);
      if (++i % 500 === 0) lines.push("{broken", "[1]", "", '{"_source":1}');
    }
    const events = join(dir, "logs-endpoint.events.file-default.ndjson");
    writeFileSync(events, lines.join("\n") + "\n", { mode: 0o600 });
    const seed = await compare(SEED_DIR, events);
    assert.ok(seed.alerts > 0);
    assert.match(seed.stderr, /lines read: {5}6,048 \(.* 24 bad\)/);
    // --strict: the first bad line (in input order, here in the first range) stops the run, workers ended
    for (const t of ["1", "2"]) {
      const strict = await runCli(["run", SEED_DIR, "--events", events, "--state", ":memory:", "--threads", t, "--strict"]);
      assert.equal(strict.code, 2);
      assert.equal(strict.stdout, "");
      assert.equal(strict.stderr, `${events}:501: error: bad line (not-an-object): line is not a JSON object (it does not start with { and end with })\n`);
    }
    const many = join(dir, "rules");
    mkdirSync(many);
    for (const r of linuxCorpusRules(CORPUS_DIR)) copyFileSync(r.path, join(many, basename(r.path)));
    await compare(many, events);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("tern run --threads: bad value is a usage error; auto picks worker threads only for a large plain file", async () => {
  const bad = await runCli(["run", SEED_DIR, "--events", SEED_DIR, "--state", ":memory:", "--threads", "0"]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'tern run: --threads: expected a positive integer or auto, got "0"\n');
  const dir = mkdtempSync(join(tmpdir(), "tern-thr-"));
  try {
    const small = join(dir, "small.ndjson");
    writeFileSync(small, "{}\n", { mode: 0o600 });
    const big = join(dir, "big.ndjson");
    writeFileSync(big, "", { mode: 0o600 });
    truncateSync(big, AUTO_THREADS_MIN_BYTES + 1);
    const o = (events: string[], more: Partial<RunCliOptions> = {}): RunCliOptions => ({ events, state: ":memory:", space: "default", indexFilter: true, format: "ecs", ...more });
    assert.equal(resolveThreads(o([small])), 1);
    assert.equal(resolveThreads(o([small, big])), availableParallelism() >= 2 ? 2 : 1);
    assert.equal(resolveThreads(o([big], { follow: true })), 1);
    assert.equal(resolveThreads(o([big, "-"])), 1);
    assert.equal(resolveThreads(o([big], { format: "auditd" })), 1);
    assert.equal(resolveThreads(o([small], { threads: "3" })), 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("tern run --threads auto: one thread, and a line saying why, when the rules keep nearly every line of the large input", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-thr-"));
  try {
    // 100 process events, then (sparse) zeros past AUTO_THREADS_MIN_BYTES: one too-long bad line
    const events = join(dir, "events.ndjson");
    const lines = Array.from({ length: 100 }, (_, i) => JSON.stringify({ "@timestamp": "2024-05-01T10:00:00Z", event: { category: ["process"] }, process: { name: `p${i}` } }));
    writeFileSync(events, lines.join("\n") + "\n", { mode: 0o600 });
    truncateSync(events, AUTO_THREADS_MIN_BYTES + 1);
    const rule = (id: string, query: string) => {
      const path = join(dir, `${id}.toml`);
      writeFileSync(
        path,
        `[metadata]\ncreation_date = "2024/01/01"\nupdated_date = "2024/01/01"\nmaturity = "production"\n\n[rule]\nauthor = ["t"]\ndescription = "d"\nname = "${id}"\nrisk_score = 21\nrule_id = "${id}"\nseverity = "low"\ntype = "query"\nlanguage = "kuery"\nindex = ["*"]\nquery = "${query}"\n`,
      );
      return path;
    };
    const why = "tern run: one thread: the rules keep nearly every line of the input, which worker threads would parse twice\n";
    const all = await runCli(["run", rule("processes", "event.category:process"), "--events", events, "--state", ":memory:"]);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stdout.trim().split("\n").length, 100);
    // (a one-core machine never starts workers, so there is nothing to say)
    assert.ok(availableParallelism() >= 2 ? all.stderr.startsWith(why) : !all.stderr.includes(why), all.stderr);
    // a rule that keeps none: worker threads, as before (when the machine has two cores)
    const none = await runCli(["run", rule("files", "event.category:file"), "--events", events, "--state", ":memory:"]);
    assert.equal(none.code, 0, none.stderr);
    assert.ok(!none.stderr.includes(why), none.stderr);
    // --threads given: never changed
    const given = await runCli(["run", rule("processes2", "event.category:process"), "--events", events, "--state", ":memory:", "--threads", "2"]);
    assert.equal(given.code, 0, given.stderr);
    assert.ok(!given.stderr.includes(why), given.stderr);
    assert.equal(given.stdout.trim().split("\n").length, 100);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
