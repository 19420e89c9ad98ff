// `tern run <rules…> --events <inputs…>` (issue 4): loads rules (invalid ones: diagnostics like `tern
// validate`, exit 2), runs the runnable new_terms and query rules in one pass over the events (replay by
// default for files, stream for stdin), writes alerts as NDJSON (stdout or --output, 0600) and to the
// SQLite memory, and prints a summary on stderr. Exit: 0 (alerts or not), 1 with --fail-on-alerts when
// alerts were created, 2 for usage, input and output errors (bad rules, missing inputs, a bad line with
// --strict, a full disk under --output, stdout or the state).

import { closeSync, fstatSync } from "node:fs";
import { resolve } from "node:path";
import { Option, type Command } from "commander";
import cliProgress from "cli-progress";
import type { CliContext } from "../context.js";
import { ExitError, renderDiagnostics, useColor } from "../../diag/index.js";
import type { BadLine, EventDoc, InputEvent } from "../../event/types.js";
import { defaultIndexName } from "../../sources/ndjson/expand.js";
import type { EventSource, SourceOptions, SourcePosition } from "../../sources/types.js";
import { openNdjsonSource } from "../../sources/ndjson/index.js";
import { availableParallelism } from "node:os";
import { largestPlainFile, largestPlainInput, leadingLines, openParallelNdjsonSource, type ParallelRule } from "../../sources/parallel/index.js";
import { openAuditdSource } from "../../sources/auditd/index.js";
import { openSysmonSource } from "../../sources/sysmon/index.js";
import { NORMALIZED_PRODUCERS_KQL, normalizeEcsEvent } from "../../sources/ecs-normalize/index.js";
import { openFollowSource, type FollowSource } from "../../sources/follow/index.js";
import { loadRules, type Rule } from "../../rules/index.js";
import { addRuleSelection, applyRuleSelection, type RuleSelectionOptions } from "../rule-selection.js";
import { displayPaths } from "./validate.js";
import { compileRuleFilters } from "../../compile/filters/index.js";
import { exceptionsFor, loadExceptionSet, unattachedLists, type RuleExceptions } from "../../rules/exceptions.js";
import { ClusterError, connectCluster, type ClusterClient } from "../../cluster/client.js";
import { CLUSTER_ACCESS_HELP } from "../../cluster/access.js";
import { openClusterSource, type ClusterSourceSpec } from "../../cluster/cluster-source.js";
import { clusterAlertSink } from "../../cluster/alert-sink.js";
import { toElasticsearchQuery } from "../../compile/dsl/index.js";
import { SEARCHED_TYPES, searchedRunners, whyNotSearched } from "../../cluster/searched-rules.js";
import type { SearchedRule } from "../../cluster/rule-searches.js";
import { filterClauses, type DslQuery } from "../../compile/filters/filters.js";
import { ecsIndexPattern } from "../../ecs/field-types.js";
import { dispatchTable, eqlDispatchKey, kqlDispatchKey, type DispatchKey } from "../../compile/dispatch/dispatch.js";
import { parseKql, type KqlNode } from "../../lang/kql/index.js";
import { compileKql } from "../../compile/predicate/index.js";
import { ProcessTable, type ProcessEntry } from "../../sources/process-table.js";
import { openOutputFile, writeFully } from "../../sinks/output-file.js";
import { kqlRoutedPrefilter, kqlUnionPrefilter, type KqlPrefilter, type PrefilterQuery } from "../../compile/prefilter/index.js";
import { parseDateMath } from "../../util/datemath.js";
import { SqliteStore } from "../../state/sqlite.js";
import { fdSink, fileSink, streamSink } from "../../sinks/ndjson.js";
import type { AlertSink, EngineRule } from "../../engine/ports.js";
import { indexRouter, runEngine, type RunMode, type RunOptions, type RunSummary } from "../../engine/run.js";
import { eventsRead, funnelRows, ruleFunnel, whyNoAlert } from "../../engine/funnel.js";
import { positiveInteger } from "../options.js";
import { compileEqlRule } from "../../engine/rule-types/eql.js";
import { MAX_TERM_COMBINATIONS_PER_EVENT } from "../../engine/rule-types/new-terms.js";
import { THRESHOLD_STREAM_REFUSAL } from "../../engine/rule-types/threshold.js";
import { suppressionConfig } from "../../engine/rule-types/suppression.js";
import { ruleSchedule } from "../../engine/schedule.js";
import { eqlPrefilter } from "../../compile/prefilter/eql.js";

export const DEFAULT_STATE = ".tern/state.db";
const BAD_LINES_SHOWN = 20;
const NEWLINE = Buffer.from("\n");

export interface RunCliOptions extends RuleSelectionOptions {
  events: string[];
  cluster?: string;
  alertsIndex?: string;
  clusterSearches?: "kibana" | "fetch";
  mode?: RunMode;
  start?: string;
  end?: string;
  state: string;
  output?: string;
  space: string;
  ruleUuid?: string;
  index?: string;
  indexFilter: boolean;
  maxLineBytes?: number;
  rejects?: string;
  strict?: boolean;
  format: RunFormat;
  failOnAlerts?: boolean;
  verbose?: boolean;
  /** --quiet: no summary and no note about skipped or selected rules; one line when lines were bad or rules warned. */
  quiet?: boolean;
  /** --json: the end-of-run summary on stderr as one JSON object (summaryJson). */
  json?: boolean;
  exceptions?: string[];
  valueList?: string[];
  follow?: boolean;
  pollIntervalMs?: number;
  /** --no-normalize sets false: ecs documents are used as written (and the prefilter is not widened). */
  normalize?: boolean;
  /** --threads: "auto" (default) or a positive integer; see resolveThreads. */
  threads?: string;
  /** host.name of auditd records without node= and Sysmon events without <Computer> (default: this machine's). */
  hostname?: string;
  hostId?: string;
  /** --follow --format auditd: start the process table from this machine's /proc. */
  seedProcesses?: boolean;
}

/**
 * `--threads auto` uses worker threads when some plain (non-gzip) input file is larger than this. Measured
 * on 2 cores (1.9 kB Defend events): starting the workers costs ~0.1-0.15 s, so at 64 MiB 2 threads were
 * slower for the seed rule, at 128 MiB about even (84 rules: 2.4 vs 2.0-2.5 s), at 512 MiB 84 rules took
 * 4.8-5.1 s instead of 7.3-7.8 s.
 */
export const AUTO_THREADS_MIN_BYTES = 128 * 1024 * 1024;

/**
 * Worker threads for `--format ecs` file inputs (1 = the single-thread path). --follow, stdin and the
 * other formats always use one. auto: 2 (when the machine has 2 cores) if a plain input file exceeds
 * AUTO_THREADS_MIN_BYTES. Throws UsageError for a bad value.
 */
export function resolveThreads(opts: RunCliOptions): number {
  const t = opts.threads ?? "auto";
  let n: number;
  if (t === "auto") n = -1;
  else if (/^[1-9][0-9]{0,2}$/.test(t)) n = Number(t);
  else throw new UsageError(`--threads: expected a positive integer or auto, got "${t}"`);
  if (opts.follow === true || opts.format !== "ecs" || opts.events.includes("-")) return 1;
  if (n > 0) return n;
  return availableParallelism() >= 2 && largestPlainInput(opts.events) > AUTO_THREADS_MIN_BYTES ? 2 : 1;
}

/**
 * `--threads auto` keeps one thread when at least this fraction of the first lines is kept by some rule
 * (its index patterns select the line and its query matches). Worker threads pay by dropping lines: a line
 * a rule keeps is parsed in a worker and again on the main thread, and on 2 cores the workers then only
 * compete with the main thread, which does the rules' work. The whole corpus (2,068 files, rules that keep
 * every event), 100,000 bench events: two workers 18.3 s, one thread 12.5 s; 200,000: 31.0 s and 473 MB
 * peak RSS, 26.1 s and 362 MB. The 485 Linux rules keep 7 % of those lines and are twice as fast with workers.
 */
export const AUTO_ONE_THREAD_KEPT = 0.9;
/** The lines sampled for that: at most this many bytes from the start of the largest input, and lines. */
const AUTO_SAMPLE_BYTES = 1024 * 1024;
const AUTO_SAMPLE_LINES = 500;

/**
 * The fraction of the first lines of `file` (read as index `index`) that some rule keeps, as the engine
 * would decide: parsed (and normalised, `--format ecs`), routed by index patterns, matched by the queries
 * its dispatch key lets through. Lines that do not parse count as not kept. NaN for no line.
 */
export function keptFraction(
  file: string,
  index: string,
  rules: readonly EngineRule[],
  routing: { readonly indexFilter?: boolean; readonly indexIsExplicit?: boolean },
  normalize: boolean,
): number {
  const lines = leadingLines(file, AUTO_SAMPLE_BYTES).slice(0, AUTO_SAMPLE_LINES);
  const mask = indexRouter(
    rules.map((r) => r.rule.index),
    routing,
  )(file, index);
  const candidates = dispatchTable(rules.map((r) => r.dispatch));
  let kept = 0;
  for (const line of lines) {
    let doc: EventDoc;
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) continue;
      doc = parsed as EventDoc;
    } catch {
      continue;
    }
    if (normalize) doc = normalizeEcsEvent(doc);
    if (candidates(doc).some((i) => mask[i] && rules[i].matches(doc))) kept++;
  }
  return kept / lines.length;
}

export const RUN_FORMATS = ["ecs", "auditd", "sysmon-linux"] as const;
export type RunFormat = (typeof RUN_FORMATS)[number];

/** The follower's process table as the SQLite memory holds it (empty for a new state). */
function restoreProcesses(store: SqliteStore): ProcessTable {
  return ProcessTable.restore(store.processes().map((r) => ({ key: r.key, entry: r.entry === null ? undefined : (JSON.parse(r.entry) as ProcessEntry), gen: r.gen })));
}

/** What --follow needs beyond the plain options: stored positions and a place for rotation notices. */
export interface FollowWiring {
  readonly resume: (key: string) => SourcePosition | undefined;
  readonly onNotice: (message: string) => void;
  /** auditd: the process table stored by the previous run. */
  readonly processes?: ProcessTable;
}

/**
 * `--format ecs`: Auditbeat / auditd_manager / file_integrity / sysmon_linux documents are rewritten into
 * Defend's vocabulary (normalizeEcsEvent) after parsing; other documents pass unchanged (same object).
 */
export function normalizingSource<S extends EventSource>(src: S): S {
  async function* batches(): AsyncIterable<InputEvent[]> {
    for await (const b of src.batches()) {
      yield b.map((ev) => {
        const doc = normalizeEcsEvent(ev._source);
        if (doc === ev._source) return ev;
        // the line's JSON text is the document as written, not this one
        return { _index: ev._index, _id: ev._id, _source: doc, loc: ev.loc };
      });
    }
  }
  return Object.assign(Object.create(src) as S, { stats: src.stats, batches });
}

/**
 * The run's one line prefilter: the union of the rules' queries, and with `--format ecs` also of the
 * documents normalizeEcsEvent rewrites (their raw line may lack what the rule needs after normalisation,
 * e.g. "creation"), so the prefilter stays sound for normalised events.
 */
export function runPrefilter(queries: readonly PrefilterQuery[], format: RunFormat, normalize = true): KqlPrefilter {
  const all: PrefilterQuery[] = [...queries];
  if (format === "ecs" && normalize) all.push({ ast: NORMALIZED_PRODUCERS_KQL });
  return kqlUnionPrefilter(all) ?? (() => true);
}

/**
 * Events per batch of a one-thread replay. A batch's parsed events live until all of it is matched, so the
 * young collections that fall meanwhile copy them: with the whole corpus keeping every line, 128 instead
 * of the source's 1,024 cut the collector's pauses from 1.8 to 1.2 s over 200,000 events (the run 14.7 →
 * 12.5-13.4 s; all Linux rules on one thread 5.8-6.1 → 5.3-5.5 s). Stream mode keeps 1,024: it commits
 * once per batch, and 128 made it slower (5.8-5.9 → 6.4-6.5 s).
 */
const REPLAY_BATCH = 128;

/** A prefilter built when first called (compiling a union of hundreds of rules' needles takes a while). */
function lazyPrefilter(build: () => KqlPrefilter): KqlPrefilter {
  let pf: KqlPrefilter | undefined;
  const get = (): KqlPrefilter => (pf ??= build());
  return Object.assign((line: string | Uint8Array) => get()(line), { gateFor: (sample: Buffer) => get().gateFor?.(sample) });
}

/**
 * The same union narrowed per input to the rules its events reach by index (the engine's indexRouter):
 * `queries[i]` is the query of `rules[i]`. A file that only some rules target is prefiltered for those.
 */
export function runPrefilterFor(
  queries: readonly PrefilterQuery[],
  rules: readonly EngineRule[],
  format: RunFormat,
  normalize: boolean,
  routing: { readonly indexFilter?: boolean; readonly indexIsExplicit?: boolean },
): (file: string, index: string) => KqlPrefilter | undefined {
  const always = format === "ecs" && normalize ? [{ ast: NORMALIZED_PRODUCERS_KQL }] : [];
  // rules without their query alongside cannot be narrowed: every input gets the whole union
  if (queries.length !== rules.length) return () => kqlUnionPrefilter([...queries, ...always]);
  const route = indexRouter(
    rules.map((r) => r.rule.index),
    routing,
  );
  return kqlRoutedPrefilter(queries, always, route);
}

export function buildEventSource(
  opts: RunCliOptions,
  base: SourceOptions,
  prefilter: KqlPrefilter,
  ctx: CliContext,
  follow?: FollowWiring,
  prefilterFor?: (file: string, index: string) => KqlPrefilter | undefined,
  parallel?: { readonly threads: number; readonly rules: readonly ParallelRule[]; readonly routing: { readonly indexFilter?: boolean; readonly indexIsExplicit?: boolean } },
): EventSource {
  if (opts.follow === true) {
    const src: FollowSource = openFollowSource(opts.events, {
      ...base,
      hostname: opts.hostname,
      hostId: opts.hostId,
      processes: follow?.processes,
      seedProcesses: opts.seedProcesses === true,
      format: opts.format,
      pollIntervalMs: opts.pollIntervalMs,
      resume: follow?.resume,
      onNotice: follow?.onNotice,
      prefilter: opts.format === "ecs" ? prefilter : undefined,
      prefilterFor: opts.format === "ecs" ? prefilterFor : undefined,
    });
    return opts.format === "ecs" && opts.normalize !== false ? normalizingSource(src) : src;
  }
  switch (opts.format) {
    case "ecs": {
      // worker threads yield only the events some rule's query matches (the engine drops the others anyway)
      const src =
        parallel !== undefined && parallel.threads > 1
          ? openParallelNdjsonSource(opts.events, { ...base, threads: parallel.threads, ruleQueries: parallel.rules, routing: parallel.routing, normalize: opts.normalize !== false })
          : openNdjsonSource(opts.events, { ...base, prefilter, prefilterFor, stdin: ctx.stdin, batchSize: opts.mode === "replay" ? REPLAY_BATCH : undefined });
      return opts.normalize === false ? src : normalizingSource(src);
    }
    case "auditd":
      return openAuditdSource(opts.events, { ...base, hostname: opts.hostname, hostId: opts.hostId, stdin: ctx.stdin });
    case "sysmon-linux":
      return openSysmonSource(opts.events, { ...base, hostname: opts.hostname, hostId: opts.hostId, stdin: ctx.stdin });
    default: {
      const never: never = opts.format;
      throw new Error(`unknown format ${String(never)}`);
    }
  }
}

/** Why tern skips a rule that loaded fine, or undefined when it runs (`mode`: the run's mode). */
export function skipReason(rule: Rule, mode: RunMode = "replay"): string | undefined {
  if (rule.type !== "new_terms" && rule.type !== "query" && rule.type !== "eql" && rule.type !== "threshold") return `rule type "${rule.type}" is not run by tern run (only query, new_terms, eql and threshold)`;
  if (rule.type === "threshold" && mode === "stream") return THRESHOLD_STREAM_REFUSAL;
  if (rule.alert_suppression !== undefined) {
    const cfg = suppressionConfig(rule.alert_suppression, rule.type);
    // Kibana's rule schema: a threshold rule suppresses by its threshold fields for a duration; the others need group_by.
    if (rule.type === "threshold" && cfg?.durationMs === undefined) return "alert suppression on a threshold rule needs a duration (Kibana: suppression duration can not be empty)";
    if (cfg === undefined || (rule.type !== "threshold" && cfg.groupBy.length === 0)) return "alert suppression without group_by fields (Kibana requires 1 to 3)";
  }
  if (rule.type === "eql") {
    if ((rule.language ?? "eql") !== "eql") return `query language "${rule.language ?? ""}" for an eql rule`;
  } else if ((rule.language ?? "kuery") !== "kuery") return `query language "${rule.language ?? ""}" is not supported (only kuery)`;
  if (rule.type === "new_terms" && rule.new_terms === undefined) return "new_terms rule without new_terms fields";
  return undefined;
}

function parseTime(flag: string, text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDateMath(text, now);
  } catch (e) {
    throw new UsageError(`${flag}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

class UsageError extends Error {}

function fmtInt(n: number): string {
  return n.toLocaleString("en-US");
}

/** More skipped rules than this are counted by reason instead of listed (unless --verbose). */
const SKIPPED_LINES = 5;

/** Rules beyond this many get one line each only when they alerted, warned or cut (or with --verbose). */
export const SUMMARY_RULE_LINES = 20;

/** The end-of-run summary (stderr). */
export function renderSummary(s: RunSummary, bad: { shown: string[]; total: number }, skipped: string[], opts: { verbose?: boolean } = {}): string {
  const out: string[] = [];
  const st = s.stats;
  out.push(`tern run: ${s.mode} mode, ${s.rules.length} rule${s.rules.length === 1 ? "" : "s"} run${skipped.length > 0 ? `, ${skipped.length} skipped` : ""}`);
  out.push(`  lines read:     ${fmtInt(st.lines)} (${fmtInt(st.events)} events, ${fmtInt(st.prefiltered)} prefiltered, ${fmtInt(st.bad)} bad)`);
  const lost = st.truncationsLost ?? 0;
  if (lost > 0) {
    const b = st.truncationBytesLost ?? 0;
    out.push(`  lost to truncation: ${fmtInt(lost)} truncation${lost === 1 ? "" : "s"} whose unread part had no copy (${fmtInt(b)} byte${b === 1 ? "" : "s"} known unread, and what was written after the last read)`);
  }
  out.push(`  events matched: ${fmtInt(s.matchedEvents)}`);
  if (s.mode === "replay") {
    const ex = s.rules.reduce((a, r) => a + r.executions, 0);
    const done = s.rules.reduce((a, r) => a + r.alreadyDone, 0);
    out.push(`  executions:     ${fmtInt(ex)}${done > 0 ? ` (${fmtInt(done)} already done by an earlier run)` : ""}`);
  }
  out.push(`  alerts:         ${fmtInt(s.alerts)}`);
  const brief = opts.verbose !== true && s.rules.length > SUMMARY_RULE_LINES;
  const quiet = new Map<string, number>();
  for (const r of s.rules) {
    if (brief && r.alerts === 0 && r.cutEvents === 0 && r.warnings.length === 0) {
      const why = whyNoAlert(r);
      quiet.set(why, (quiet.get(why) ?? 0) + 1);
      continue;
    }
    const dropped = r.duplicates > 0 ? `, ${fmtInt(r.duplicates)} duplicate${r.duplicates === 1 ? "" : "s"} dropped` : "";
    const suppressed = r.suppressed > 0 ? `, ${fmtInt(r.suppressed)} event${r.suppressed === 1 ? "" : "s"} suppressed into them` : "";
    const notSelected = r.notSelected > 0 ? `, ${fmtInt(r.notSelected)} matched event${r.notSelected === 1 ? "" : "s"} outside its index patterns` : "";
    const noTime = r.noTime > 0 ? `, ${fmtInt(r.noTime)} matching event${r.noTime === 1 ? "" : "s"} without a usable time (never alerted)` : "";
    const cut =
      r.cutEvents > 0
        ? `, ${fmtInt(r.cutEvents)} matching event${r.cutEvents === 1 ? "" : "s"} with more than ${fmtInt(MAX_TERM_COMBINATIONS_PER_EVENT)} term combinations (${fmtInt(r.cutCombinations)} combination${r.cutCombinations === 1 ? "" : "s"} past the first ${fmtInt(MAX_TERM_COMBINATIONS_PER_EVENT)} in key order neither alerted on nor learned)`
        : "";
    // the funnel past the query, when events were lost on the way: usable (time and fields), in a window
    const lostUsable = r.matched - r.usable;
    const windowed = lostUsable > 0 || r.inWindow < r.usable ? `, ${fmtInt(r.usable)} usable, ${fmtInt(r.inWindow)} in an execution's window` : "";
    // new_terms: the events whose terms were all known already never alert
    const funnel = r.type === "new_terms" && r.withNewTerm < r.inWindow ? `${windowed}, ${fmtInt(r.withNewTerm)} with a new term` : windowed;
    const why = r.alerts === 0 ? ` — ${whyNoAlert(r)}` : "";
    out.push(`    ${r.ruleId}  ${r.name}: ${fmtInt(r.alerts)} alert${r.alerts === 1 ? "" : "s"}, ${fmtInt(r.matched)} matched${funnel}${suppressed}${dropped}${notSelected}${noTime}${cut}${why}`);
  }
  if (quiet.size > 0) {
    const n = [...quiet.values()].reduce((a, b) => a + b, 0);
    out.push(`    ${fmtInt(n)} other rule${n === 1 ? "" : "s"} made no alert (--verbose lists each):`);
    for (const [why, k] of [...quiet].sort((a, b) => b[1] - a[1])) out.push(`      ${fmtInt(k)}: ${why}`);
  }
  out.push(`  warnings:       ${fmtInt(s.warnings.length)}`);
  for (const w of s.warnings) out.push(`    ${w}`);
  const secs = s.elapsedMs / 1000;
  const rate = (n: number) => fmtInt(Math.round(n / Math.max(secs, 1e-3)));
  out.push(`  elapsed:        ${secs.toFixed(2)} s (${rate(st.lines)} lines/s, ${rate(st.events)} events/s)`);
  if (bad.total > 0) {
    out.push(`bad lines: ${fmtInt(bad.total)}${bad.total > bad.shown.length ? ` (first ${bad.shown.length} shown)` : ""}`);
    for (const b of bad.shown) out.push(`  ${b}`);
  }
  return out.join("\n") + "\n";
}

/**
 * A progress display on a TTY only (never when stderr is piped): lines and events while reading, then a
 * bar over the replay executions that have work. Redrawn at most every 100 ms by cli-progress.
 */
function progressReporter(ctx: CliContext): { update: NonNullable<RunOptions["onProgress"]>; stop: () => void } {
  if (ctx.stderr.isTTY !== true) return { update: () => undefined, stop: () => undefined };
  const opts = { stream: ctx.stderr, hideCursor: true, clearOnComplete: true, fps: 10 };
  const reading = new cliProgress.SingleBar({ ...opts, format: "reading: {lines} lines, {events} events" }, cliProgress.Presets.shades_classic);
  const executing = new cliProgress.SingleBar({ ...opts, format: "executing [{bar}] {value}/{total} executions" }, cliProgress.Presets.shades_classic);
  let phase: "idle" | "read" | "execute" = "idle";
  return {
    update: (p) => {
      if (p.phase === "read") {
        if (phase === "idle") reading.start(0, 0, { lines: "0", events: "0" });
        phase = "read";
        reading.update(0, { lines: fmtInt(p.stats.lines), events: fmtInt(p.stats.events) });
      } else if (p.total !== undefined) {
        if (phase !== "execute") {
          if (phase === "read") reading.stop();
          executing.start(p.total, 0);
        }
        phase = "execute";
        executing.update(p.done ?? 0);
      }
    },
    stop: () => {
      if (phase === "read") reading.stop();
      if (phase === "execute") executing.stop();
    },
  };
}

/**
 * --output: a file whose durable length the state records (exactly once across crashes). stdout: written
 * and fsynced through its descriptor when redirected to a regular file, else the stream (a pipe or
 * terminal); at least once across crashes (docs/engine.md "Transactions and the rerun guarantee").
 */
function openSink(opts: RunCliOptions, ctx: CliContext, store: SqliteStore): AlertSink {
  if (opts.output !== undefined) return fileSink(resolve(ctx.cwd, opts.output), { ledger: store, onNotice: (m) => ctx.stderr.write(`tern run: ${m}\n`) });
  if (ctx.stdoutFd !== undefined) {
    let regular = false;
    try {
      regular = fstatSync(ctx.stdoutFd).isFile();
    } catch {
      // a closed stdout: the stream reports the failure on the first write
    }
    if (regular) return fdSink(ctx.stdoutFd, true);
  }
  return streamSink(ctx.stdout);
}

export async function runCommand(ruleArgs: string[], given: RunCliOptions, ctx: CliContext): Promise<void> {
  const now = Date.now();
  const err = (s: string) => ctx.stderr.write(s);
  // The events come from files (--events) or from a cluster (--cluster), one or the other.
  const opts: RunCliOptions = { ...given, events: given.events ?? [] };
  if ((opts.cluster === undefined) === (opts.events.length === 0)) {
    err(opts.cluster === undefined ? "tern run: give the events: --events <inputs...> (files, globs, directories, - for stdin) or --cluster <url>\n" : "tern run: --events and --cluster cannot be used together: the events come from one or the other\n");
    throw new ExitError(2);
  }
  if (opts.cluster === undefined && (opts.alertsIndex !== undefined || opts.clusterSearches !== undefined)) {
    err(`tern run: ${opts.alertsIndex !== undefined ? "--alerts-index" : "--cluster-searches"} is for --cluster runs\n`);
    throw new ExitError(2);
  }
  if (opts.cluster !== undefined && (opts.mode === "stream" || opts.format !== "ecs" || (opts.follow === true ? opts.end !== undefined : opts.start === undefined))) {
    err(
      opts.follow === true
        ? "tern run: --cluster --follow runs every rule at its interval from now (or --start) until stopped: no --end, --mode stream or --format\n"
        : "tern run: --cluster runs a backfill: it needs --start (and takes --end, default now), in replay mode, of ECS events (no --mode stream or --format); --follow runs continuously instead\n",
    );
    throw new ExitError(2);
  }
  let start: number | undefined;
  let end: number | undefined;
  try {
    start = parseTime("--start", opts.start, now);
    end = parseTime("--end", opts.end, now);
  } catch (e) {
    err(`tern run: ${e instanceof Error ? e.message : String(e)}\n`);
    throw new ExitError(2);
  }
  if (opts.quiet === true && (opts.verbose === true || opts.json === true)) {
    err(`tern run: --quiet and ${opts.verbose === true ? "--verbose" : "--json"} ask for opposite things: give one\n`);
    throw new ExitError(2);
  }
  // what a --quiet run leaves out: notes on the rules and the summary (errors are still printed); --json
  // leaves the notes out too, since its object holds them
  const notes = opts.quiet === true || opts.json === true;
  const info = notes ? () => undefined : err;
  if (start !== undefined && end !== undefined && start > end) {
    err(`tern run: --start (${new Date(start).toISOString()}) is after --end (${new Date(end).toISOString()}): no execution could run; swap them\n`);
    throw new ExitError(2);
  }

  const found = loadRules(ruleArgs.map((p) => resolve(ctx.cwd, p)));
  const loaded = applyRuleSelection(ctx, "run", found, opts, { quiet: notes });
  if (loaded.diagnostics.some((d) => d.severity === "error") || loaded.rules.length === 0) {
    if (loaded.diagnostics.length > 0) {
      // as `tern validate` prints them: paths as the user spelled them, one line per problem
      const { diagnostics } = displayPaths(loaded, ruleArgs, ctx.cwd);
      err(renderDiagnostics(diagnostics.map(({ notes: _n, help: _h, ...d }) => d), { color: useColor(ctx.stderr) }) + "\n");
    }
    if (loaded.rules.length === 0 && loaded.diagnostics.length === 0) err(found.rules.length > 0 ? "tern run: no rule left to run; widen the selection\n" : "tern run: no rule files found\n");
    throw new ExitError(2);
  }
  const exceptionsOf = ruleExceptions(loaded.rules.map((lr) => lr.rule), opts, ctx);
  const engineRules: EngineRule[] = [];
  // Each rule's byte prefilter: its query, and an EQL rule's requirement formula (case-insensitive needles too).
  const queries: PrefilterQuery[] = [];
  // Each rule's query ∧ filters ∧ ¬exceptions in the query DSL, for the searches a cluster runs itself.
  const dslOf = new Map<string, DslQuery>();
  // Each rule's query (an EQL rule's prefilter query) in KQL: what a cluster fetches for it.
  const astOf = new Map<string, KqlNode>();
  const skipped: string[] = [];
  // The mode as decided below (stream for --follow and stdin unless --mode says otherwise): some rule types run in replay only.
  const plannedMode: RunMode = opts.cluster !== undefined ? "replay" : opts.follow === true ? "stream" : (opts.mode ?? (opts.events.includes("-") ? "stream" : "replay"));
  for (const lr of loaded.rules) {
    const rule = lr.rule;
    let reason = lr.status === "valid" ? skipReason(rule, plannedMode) : (lr.reason ?? "not runnable");
    let matches: EngineRule["matches"] | undefined;
    let eql: EngineRule["eql"];
    let ast: KqlNode | undefined;
    let needles: PrefilterQuery["req"];
    let dispatch: DispatchKey | undefined;
    if (reason === undefined) {
      try {
        if (rule.type === "eql") {
          const compiled = compileEqlRule(rule);
          eql = compiled;
          matches = compiled.relevant;
          // the byte prefilter of a KQL query every usable event also matches
          ({ ast, req: needles } = eqlPrefilter(compiled.statement, rule.event_category_override));
          dispatch = eqlDispatchKey(compiled.statement, rule.event_category_override);
        } else {
          ast = parseKql(rule.query ?? "*");
          matches = compileKql(ast);
          dispatch = kqlDispatchKey(ast);
        }
        // Kibana puts the rule's filters beside the query in one bool (for EQL, in the request's filter:
        // before sequences form); the load already refused filters tern cannot evaluate.
        // Kibana adds the rule's exceptions as one more (negated) filter.
        const exceptionFilter = exceptionsOf(rule);
        const ruleFilters = exceptionFilter === undefined ? rule.filters : [...(rule.filters ?? []), exceptionFilter];
        const filtered = compileRuleFilters(ruleFilters);
        const query = matches;
        if (filtered !== undefined) matches = (doc) => filtered(doc) && query(doc);
        if (opts.cluster !== undefined && rule.type !== "eql" && ast !== undefined) dslOf.set(rule.rule_id, ruleDsl(ast, ruleFilters));
      } catch (e) {
        reason = `query does not compile: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    if (reason !== undefined || matches === undefined) {
      skipped.push(`${rule.rule_id} (${rule.origin.path}): skipped: ${reason ?? "not runnable"}`);
      continue;
    }
    engineRules.push({ rule, ruleUuid: rule.rule_id, matches, eql, dispatch });
    if (ast !== undefined) {
      queries.push({ ast, req: needles });
      astOf.set(rule.rule_id, ast);
    }
  }
  if (skipped.length > SKIPPED_LINES && opts.verbose !== true) {
    // grouped by reason: a rules directory has many rules of a type tern does not run
    const byReason = new Map<string, number>();
    for (const s of skipped) {
      const reason = s.slice(s.indexOf("): skipped: ") + "): skipped: ".length);
      byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    }
    info(`tern run: ${skipped.length} rules skipped (--verbose lists each):\n`);
    for (const [reason, n] of [...byReason].sort((a, b) => b[1] - a[1])) info(`  ${n}: ${reason}\n`);
  } else for (const s of skipped) info(`tern run: ${s}\n`);
  if (opts.ruleUuid !== undefined) {
    if (engineRules.length !== 1) {
      err(`tern run: --rule-uuid needs exactly one runnable rule (got ${engineRules.length})\n`);
      throw new ExitError(2);
    }
    engineRules[0] = { ...engineRules[0], ruleUuid: opts.ruleUuid };
  }
  if (engineRules.length === 0) {
    err("tern run: no runnable rule\n");
    throw new ExitError(2);
  }

  // Bad lines: counted, the first ones shown, all written to --rejects; --strict stops at the first.
  const bad = { shown: [] as string[], total: 0 };
  let rejectsFd: number | undefined;
  if (opts.rejects !== undefined) {
    rejectsFd = openOutputFile(resolve(ctx.cwd, opts.rejects), "--rejects", true).fd;
  }
  const onBadLine = (b: BadLine, raw: Uint8Array) => {
    bad.total++;
    if (bad.shown.length < BAD_LINES_SHOWN) bad.shown.push(`${b.loc.file}:${b.loc.line}: ${b.reason}: ${b.message}`);
    if (rejectsFd !== undefined) {
      const what = `--rejects ${opts.rejects ?? ""}`;
      writeFully(rejectsFd, raw, what, "free space and rerun");
      writeFully(rejectsFd, NEWLINE, what, "free space and rerun");
    }
    if (opts.strict === true) {
      err(`${b.loc.file}:${b.loc.line}: error: bad line (${b.reason}): ${b.message}\n`);
      throw new ExitError(2);
    }
  };
  const stdinInput = opts.events.includes("-");
  if (opts.follow === true && opts.cluster === undefined && (stdinInput || opts.mode === "replay")) {
    err(`tern run: --follow ${stdinInput ? "reads files, not stdin (stdin is streamed without it)" : "runs in stream mode (not --mode replay)"}\n`);
    throw new ExitError(2);
  }
  if (opts.seedProcesses === true && (opts.follow !== true || opts.format !== "auditd")) {
    err("tern run: --seed-processes seeds the process table of a live audit log: it needs --follow and --format auditd\n");
    throw new ExitError(2);
  }
  if (opts.pollIntervalMs !== undefined && !(Number.isInteger(opts.pollIntervalMs) && opts.pollIntervalMs > 0)) {
    err("tern run: --poll-interval-ms must be a positive integer\n");
    throw new ExitError(2);
  }
  let threads: number;
  try {
    threads = resolveThreads(opts);
  } catch (e) {
    err(`tern run: ${e instanceof Error ? e.message : String(e)}\n`);
    throw new ExitError(2);
  }
  if (threads > 1 && (opts.threads ?? "auto") === "auto" && opts.cluster === undefined) {
    const largest = largestPlainFile(opts.events);
    const routing = { indexFilter: opts.indexFilter, indexIsExplicit: opts.index !== undefined };
    if (largest !== undefined && keptFraction(largest.spec.path, opts.index ?? defaultIndexName(largest.spec), engineRules, routing, opts.format === "ecs" && opts.normalize !== false) >= AUTO_ONE_THREAD_KEPT) {
      threads = 1;
      info("tern run: one thread: the rules keep nearly every line of the input, which worker threads would parse twice\n");
    }
  }
  const mode: RunMode = plannedMode;
  const base: SourceOptions = { onBadLine, maxLineBytes: opts.maxLineBytes, index: opts.index };
  // One combined prefilter: a line no rule's query can match is never decoded or JSON-parsed. Built at its
  // first use: a run over files prefilters each input by the rules routed to it instead (prefilterFor).
  const prefilter = lazyPrefilter(() => runPrefilter(queries, opts.format, opts.normalize !== false));
  const statePath = opts.state === ":memory:" ? ":memory:" : resolve(ctx.cwd, opts.state);
  let source: EventSource;
  let store: SqliteStore;
  try {
    store = SqliteStore.open(statePath, { writer: true });
  } catch (e) {
    if (rejectsFd !== undefined) closeSync(rejectsFd);
    throw e;
  }
  let cluster: ClusterClient | undefined;
  // the rules the cluster runs by its own searches, and those whose events are fetched
  let split: ClusterRules = { searched: [], fetched: [] };
  try {
    if (opts.cluster !== undefined) {
      try {
        cluster = await connectCluster(opts.cluster, ctx.env);
      } catch (e) {
        err(`tern run: ${(e as Error).message}\n`);
        throw new ExitError(2);
      }
      split = await splitClusterRules(cluster, engineRules, { dslOf, astOf }, opts, info);
      source = clusterEvents(cluster, opts, clusterSpec(split.fetched, () => start ?? now, end ?? now));
    } else {
    const events = opts.follow === true ? opts.events.map((p) => resolve(ctx.cwd, p)) : opts.events;
    const routing = { indexFilter: opts.indexFilter, indexIsExplicit: opts.index !== undefined };
    const prefilterFor = runPrefilterFor(queries, engineRules, opts.format, opts.normalize !== false, routing);
    source = buildEventSource(
      { ...opts, events, mode },
      base,
      prefilter,
      ctx,
      {
        resume: (key) => store.getCheckpoint(key),
        onNotice: (m) => err(`tern run: ${m}\n`),
        processes: opts.follow === true && opts.format === "auditd" ? restoreProcesses(store) : undefined,
      },
      prefilterFor,
      { threads, rules: engineRules.map((r) => ({ query: r.rule.query ?? "*", language: r.rule.type === "eql" ? "eql" : "kuery", categoryField: r.rule.event_category_override, index: r.rule.index })), routing },
    );
    }
  } catch (e) {
    await cluster?.close();
    store.close();
    if (rejectsFd !== undefined) closeSync(rejectsFd);
    if (e instanceof ClusterError) {
      err(clusterFailed(e));
      throw new ExitError(2);
    }
    throw e;
  }
  // --follow: SIGINT/SIGTERM stop reading; the engine then commits the last batch and the run ends normally
  // (exit 0). A second signal is not caught: it ends the process the default way (an impatient Ctrl-C).
  const stoppable = source as Partial<FollowSource>;
  const onSignal = (): void => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    stoppable.stop?.();
  };
  if (opts.follow === true) {
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  let sink: AlertSink;
  let clusterSink: ReturnType<typeof clusterAlertSink> | undefined;
  try {
    sink = openSink(opts, ctx, store);
    if (cluster !== undefined) sink = clusterSink = clusterAlertSink(sink, cluster, opts.alertsIndex ?? `.alerts-security.alerts-${opts.space}`);
  } catch (e) {
    store.close();
    if (rejectsFd !== undefined) closeSync(rejectsFd);
    throw e;
  }
  if (opts.follow === true && cluster !== undefined && opts.cluster !== undefined) {
    const url = opts.cluster;
    try {
      await followCluster(engineRules, split, { store, sink, cluster, url, opts, ctx, start });
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await sink.close();
      await cluster.close();
      store.close();
      if (rejectsFd !== undefined) closeSync(rejectsFd);
    }
    reportClusterSink(clusterSink, cluster, opts, err);
    ctx.exitCode = 0;
    return;
  }
  const progress = progressReporter(ctx);
  let summary: RunSummary;
  let decided: Awaited<ReturnType<typeof searchedRunners>> | undefined;
  try {
    decided = cluster !== undefined && split.searched.length > 0 ? await searchedRunners(cluster, split.searched, store, { start, end: end ?? now }, opts.space) : undefined;
    if (decided !== undefined) info(searchedNote(split.searched, decided.searches));
    summary = await runEngine({
      rules: engineRules,
      source,
      store,
      sink,
      mode,
      start,
      end,
      decided: decided?.runners,
      spaceId: opts.space,
      indexFilter: opts.indexFilter,
      indexIsExplicit: opts.index !== undefined,
      onProgress: progress.update,
    });
    // the report shows each rule's latest funnel
    store.saveFunnels(funnelRows(summary, Date.now()));
  } catch (e) {
    // The cluster stayed away past the client's retries: the executions committed so far stay done.
    if (!(e instanceof ClusterError)) throw e;
    err(clusterFailed(e));
    throw new ExitError(2);
  } finally {
    decided?.close();
    if (opts.follow === true) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
    progress.stop();
    await sink.close();
    await cluster?.close();
    store.close();
    if (rejectsFd !== undefined) closeSync(rejectsFd);
  }
  if (opts.json === true) err(JSON.stringify(summaryJson(summary, bad, skipped)) + "\n");
  else if (opts.quiet !== true) err(renderSummary(summary, bad, skipped, { verbose: opts.verbose }));
  else if (bad.total > 0 || summary.warnings.length > 0) err(`tern run: ${quietProblems(bad.total, summary.warnings.length)} (rerun without --quiet to see them)\n`);
  reportClusterSink(clusterSink, cluster, opts, info);
  ctx.exitCode = opts.failOnAlerts === true && summary.alerts > 0 ? 1 : 0;
}

/**
 * The run summary as data (`--json`): the totals, every rule with its funnel (engine/funnel.ts) and, when it
 * made no alert, why; the skipped rules and the bad lines as the text summary gives them.
 */
export function summaryJson(s: RunSummary, bad: { shown: string[]; total: number }, skipped: string[]): Record<string, unknown> {
  const read = eventsRead(s);
  return {
    mode: s.mode,
    stats: s.stats,
    matchedEvents: s.matchedEvents,
    alerts: s.alerts,
    elapsedMs: Math.round(s.elapsedMs),
    rules: s.rules.map((r) => {
      const { steps, why, ...counts } = ruleFunnel(r, read);
      return {
        ruleId: r.ruleId,
        name: r.name,
        type: r.type,
        funnel: steps,
        ...counts,
        noTime: r.noTime,
        executions: r.executions,
        alreadyDone: r.alreadyDone,
        cutEvents: r.cutEvents,
        cutCombinations: r.cutCombinations,
        warnings: r.warnings,
        why,
      };
    }),
    warnings: s.warnings,
    skipped,
    badLines: bad,
  };
}

function quietProblems(bad: number, warnings: number): string {
  const parts = [];
  if (bad > 0) parts.push(`${fmtInt(bad)} bad line${bad === 1 ? "" : "s"}`);
  if (warnings > 0) parts.push(`${fmtInt(warnings)} warning${warnings === 1 ? "" : "s"}`);
  return parts.join(", ");
}

function reportClusterSink(clusterSink: ReturnType<typeof clusterAlertSink> | undefined, cluster: ClusterClient | undefined, opts: RunCliOptions, err: (s: string) => void): void {
  if (clusterSink === undefined || cluster === undefined) return;
  const c = clusterSink.stats;
  err(`  cluster:        ${cluster.flavor} ${cluster.version}: ${fmtInt(c.created)} alert${c.created === 1 ? "" : "s"} created in ${opts.alertsIndex ?? `.alerts-security.alerts-${opts.space}`}${c.existing > 0 ? `, ${fmtInt(c.existing)} already there` : ""}${c.replaced > 0 ? `, ${fmtInt(c.replaced)} extended` : ""}\n`);
}

function clusterEvents(cluster: ClusterClient, opts: RunCliOptions, spec: ClusterSourceSpec): EventSource {
  const src = openClusterSource(cluster, opts.cluster ?? "", spec);
  return opts.normalize === false ? src : normalizingSource(src);
}

function clusterFailed(e: ClusterError): string {
  return `tern run: the cluster failed: ${e.message}; the executions committed so far stay done, rerun with the same --state to carry on\n`;
}

/** How long `--cluster --follow` waits at most before it looks at the schedules again (ms). */
const FOLLOW_MAX_SLEEP_MS = 60_000;
/** After a round the cluster failed (past the client's own retries), the wait before the next (ms). */
const FOLLOW_FAILED_ROUND_WAIT_MS = 10_000;

/**
 * `tern run --cluster --follow`: Kibana's task manager, continuously. Each rule runs at its interval; its
 * schedule cursor is the memory's, so a restart carries on where the last committed execution stopped —
 * the executions missed while tern was down run then, none twice (a notice says how many; Kibana would
 * have reported a gap). A rule the memory does not know starts at --start, else now. Each round fetches
 * what the due executions read and runs them as a backfill up to now; SIGINT/SIGTERM end the wait or the
 * round, and the run ends normally.
 */
async function followCluster(
  rules: readonly EngineRule[],
  { searched, fetched }: ClusterRules,
  r: { store: SqliteStore; sink: AlertSink; cluster: ClusterClient; url: string; opts: RunCliOptions; ctx: CliContext; start: number | undefined },
): Promise<void> {
  const err = (s: string) => r.ctx.stderr.write(s);
  let stopped = false;
  let wake: (() => void) | undefined;
  // The first SIGINT/SIGTERM ends the wait or lets the round finish; a second one is not caught.
  const stop = (): void => {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    stopped = true;
    wake?.();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const pause = async (ms: number): Promise<void> => {
    if (stopped) return;
    await new Promise<void>((res) => {
      const t = setTimeout(res, ms);
      wake = () => {
        clearTimeout(t);
        res();
      };
    });
    wake = undefined;
  };
  const total = { rounds: 0, executions: 0, alerts: 0 };
  const t0 = Date.now();
  const stored = (er: EngineRule): { lastStartedAt: number; intervalMs: number } | undefined => {
    const st = r.store.getSchedule(er.rule.rule_id);
    return st !== undefined && st.intervalMs === ruleSchedule(er.rule).intervalMs ? st : undefined;
  };
  const nextOf = (er: EngineRule, now: number): number => {
    const st = stored(er);
    return st !== undefined ? st.lastStartedAt + st.intervalMs : (r.start ?? now);
  };
  try {
    while (!stopped) {
      const now = Date.now();
      const due = Math.min(...rules.map((er) => nextOf(er, now)));
      if (due > now) {
        await pause(Math.min(due - now, FOLLOW_MAX_SLEEP_MS));
        continue;
      }
      for (const er of rules) {
        const st = stored(er);
        const missed = st !== undefined ? Math.floor((now - st.lastStartedAt) / st.intervalMs) - 1 : 0;
        if (st !== undefined && missed > 0) err(`tern run: ${er.rule.rule_id}: ${fmtInt(missed)} execution${missed === 1 ? "" : "s"} missed since ${new Date(st.lastStartedAt).toISOString()} (tern was not running): running them now\n`);
      }
      const source = clusterEvents(r.cluster, r.opts, clusterSpec(fetched, (er) => nextOf(er, now), now, (er) => stored(er) !== undefined));
      let summary: RunSummary;
      try {
        const decided = searched.length > 0 ? await searchedRunners(r.cluster, searched, r.store, { startIfNew: r.start ?? now, end: now }, r.opts.space) : undefined;
        try {
          summary = await runEngine({ rules, source, store: r.store, sink: r.sink, mode: "replay", end: now, startIfNew: r.start ?? now, decided: decided?.runners, spaceId: r.opts.space });
        } finally {
          decided?.close();
        }
      } catch (e) {
        // The cluster stayed away past the client's retries: what this round committed stays, the rest of
        // its executions run in a later round (the cursors did not move past them).
        if (!(e instanceof ClusterError)) throw e;
        err(`tern run: ${new Date(now).toISOString()}: ${e.message}; trying again in ${FOLLOW_FAILED_ROUND_WAIT_MS / 1000} s\n`);
        await pause(FOLLOW_FAILED_ROUND_WAIT_MS);
        continue;
      }
      total.rounds++;
      total.executions += summary.rules.reduce((n, x) => n + x.executions, 0);
      total.alerts += summary.alerts;
      if (summary.alerts > 0 || summary.warnings.length > 0) err(`tern run: ${new Date(now).toISOString()}: ${fmtInt(summary.alerts)} alert${summary.alerts === 1 ? "" : "s"}${summary.warnings.map((w) => `; ${w}`).join("")}\n`);
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
  err(`tern run: followed ${r.url} for ${((Date.now() - t0) / 1000).toFixed(1)} s: ${fmtInt(total.executions)} executions in ${fmtInt(total.rounds)} rounds, ${fmtInt(total.alerts)} alert${total.alerts === 1 ? "" : "s"}\n`);
}

/**
 * What `--cluster` fetches: the rules' index patterns, each rule's query in the query DSL (an EQL rule's
 * prefilter query; a rule without one fetches everything in range), over the span from the earliest
 * window or new-terms history the executions from `start` read, to `end`.
 */
export function clusterSpec(rules: readonly { er: EngineRule; query?: KqlNode }[], startOf: (r: EngineRule) => number, end: number, historyInMemory: (r: EngineRule) => boolean = () => false): ClusterSourceSpec {
  const indices = [...new Set(rules.flatMap(({ er: r }) => ruleIndices(r)))];
  let from = end;
  for (const { er: r } of rules) {
    const start = startOf(r);
    from = Math.min(from, start);
    const windowFrom = parseDateMath(r.rule.from, start);
    from = Math.min(from, windowFrom);
    // A rule that carries on from its stored schedule has learned its new-terms history up to its last
    // window: the memory answers for it, and only the windows' events are fetched again.
    if (r.rule.new_terms !== undefined && !historyInMemory(r)) from = Math.min(from, parseDateMath(r.rule.new_terms.history_window_start, windowFrom));
  }
  const dsl = rules.every((r) => r.query !== undefined) ? rules.map((r) => toElasticsearchQuery(r.query as KqlNode, ecsIndexPattern())) : [];
  return { indices, queries: dsl, from, to: end };
}

/** A rule's index patterns as a search names them (every index when it names none). */
function ruleIndices(er: EngineRule): readonly string[] {
  return er.rule.index !== undefined && er.rule.index.length > 0 ? er.rule.index : ["*"];
}

/** A rule's query, filters and exceptions as Kibana puts them in one request's bool (new_terms.md §2.3). */
function ruleDsl(ast: KqlNode, filters: readonly unknown[] | undefined): DslQuery {
  const { filter, mustNot } = filterClauses(filters ?? []);
  return { bool: { filter: [toElasticsearchQuery(ast, ecsIndexPattern()), ...filter], must_not: mustNot } };
}

/** The rules of a `--cluster` run: those the cluster runs by its own searches, and those run over fetched events. */
interface ClusterRules {
  readonly searched: readonly SearchedRule[];
  readonly fetched: readonly { readonly er: EngineRule; readonly query?: KqlNode }[];
}

/**
 * Which rules the cluster runs by its own searches (query, new_terms and threshold, unless
 * --cluster-searches fetch, alert suppression or a field the cluster cannot aggregate says otherwise)
 * and which are run over fetched events, each with its query.
 */
async function splitClusterRules(
  cluster: ClusterClient,
  rules: readonly EngineRule[],
  q: { readonly dslOf: ReadonlyMap<string, DslQuery>; readonly astOf: ReadonlyMap<string, KqlNode> },
  opts: RunCliOptions,
  info: (s: string) => void,
): Promise<ClusterRules> {
  const searched: SearchedRule[] = [];
  const fetched: { er: EngineRule; query?: KqlNode }[] = [];
  for (const er of rules) {
    const query = q.dslOf.get(er.rule.rule_id);
    if (SEARCHED_TYPES.has(er.rule.type) && opts.clusterSearches !== "fetch" && query !== undefined) {
      const why = await whyNotSearched(cluster, er, ruleIndices(er));
      if (why === undefined) {
        searched.push({ er, indices: ruleIndices(er), query });
        continue;
      }
      info(`tern run: ${er.rule.rule_id}: run over the events fetched from the cluster: ${why}\n`);
    }
    fetched.push({ er, query: q.astOf.get(er.rule.rule_id) });
  }
  return { searched, fetched };
}

function searchedNote(rules: readonly SearchedRule[], searches: number): string {
  const types = [...new Set(rules.map((r) => r.er.rule.type))].sort().join(" and ");
  return `tern run: ${fmtInt(rules.length)} ${types} rule${rules.length === 1 ? "" : "s"} run by the cluster's own searches (${fmtInt(searches)} request${searches === 1 ? "" : "s"})\n`;
}

/**
 * Reads --exceptions and --value-list, reports what cannot be applied, and gives each rule's exception
 * filter. A bad file or a value list an applied item needs is exit 2 (Kibana fails such a rule's
 * execution); a list a rule names that no file holds is one warning per list.
 */
function ruleExceptions(rules: readonly Rule[], opts: RunCliOptions, ctx: CliContext): (rule: Rule) => Record<string, unknown> | undefined {
  const err = (s: string) => ctx.stderr.write(s);
  const valueLists: { id: string; file: string }[] = [];
  for (const v of opts.valueList ?? []) {
    const eq = v.indexOf("=");
    if (eq <= 0 || eq === v.length - 1) {
      err(`tern run: --value-list ${v}: expected <list id>=<file>\n`);
      throw new ExitError(2);
    }
    valueLists.push({ id: v.slice(0, eq), file: resolve(ctx.cwd, v.slice(eq + 1)) });
  }
  const set = loadExceptionSet((opts.exceptions ?? []).map((f) => resolve(ctx.cwd, f)), valueLists);
  if (set.diagnostics.length > 0) {
    err(renderDiagnostics(set.diagnostics, { color: useColor(ctx.stderr) }) + "\n");
    throw new ExitError(2);
  }
  const unattached = unattachedLists(rules, set);
  const byRule = new Map<Rule, RuleExceptions>();
  const missing = new Map<string, number>();
  const needValueLists = new Set<string>();
  for (const rule of rules) {
    const ex = exceptionsFor(rule, set, unattached);
    byRule.set(rule, ex);
    for (const m of ex.missingLists) missing.set(m, (missing.get(m) ?? 0) + 1);
    for (const v of ex.missingValueLists) needValueLists.add(v);
  }
  if (needValueLists.size > 0) {
    err(`tern run: error[EXC004]: exception items need the value list${needValueLists.size === 1 ? "" : "s"} ${[...needValueLists].map((v) => `"${v}"`).join(", ")}; give each with --value-list <id>=<file>\n`);
    throw new ExitError(2);
  }
  for (const [list, n] of missing) err(`tern run: warning[EXC003]: ${n} rule${n === 1 ? " names" : "s name"} exception list ${list}, which no --exceptions file holds: ${n === 1 ? "it runs" : "they run"} without its exceptions\n`);
  for (const k of unattached) {
    const l = set.lists.get(k);
    err(`tern run: exception list ${k} (${l?.items.length ?? 0} item${l?.items.length === 1 ? "" : "s"}) is named by no rule: applied to all ${rules.length} rule${rules.length === 1 ? "" : "s"}\n`);
  }
  return (rule) => byRule.get(rule)?.filter;
}

export function register(program: Command, ctx: CliContext): void {
  const run = program
    .command("run")
    .description("Run query, new_terms, eql and threshold rules over event files or stdin; alerts as NDJSON, memory in SQLite.")
    .argument("<rules...>", "rule files (TOML or Kibana NDJSON export) or directories")
    .option("-e, --events <inputs...>", "event inputs: NDJSON files, globs, directories, - for stdin (gzip read transparently)")
    .option("--cluster <url>", `read the events from an Elasticsearch or OpenSearch cluster instead (a backfill over --start/--end, or with --follow every rule at its interval until stopped), and write the alerts into it too (${CLUSTER_ACCESS_HELP})`)
    .option("--alerts-index <name>", "with --cluster: the index alerts are created in (default .alerts-security.alerts-<space>)")
    .addOption(
      new Option("--cluster-searches <how>", "with --cluster: kibana (default) runs query, new_terms and threshold rules by the cluster's own searches and aggregations, as Kibana does; fetch runs every rule in tern over the events fetched").choices(["kibana", "fetch"]),
    )
    .addOption(new Option("--mode <mode>", "replay (default for files) or stream (default for stdin)").choices(["replay", "stream"]))
    .option("--start <time>", "first simulated execution (ISO or date math); default: continue the stored schedule, else the earliest matched event")
    .option("--end <time>", "last possible execution start; default: until a window reaches the last matched event")
    .option("--state <path>", "SQLite memory (created 0600 in a 0700 directory; :memory: for none)", DEFAULT_STATE)
    .option("-o, --output <file>", "append alerts to this file (mode 0600; exactly once across a killed run and its rerun) instead of stdout")
    .option("--space <id>", "Kibana space id used in alert ids", "default")
    .option("--rule-uuid <id>", "rule saved-object id used in alert ids (one rule only; default: its rule_id)")
    .option("--index <name>", "_index of plain events (default: the input file's name); always filters by rule index patterns")
    .option("--no-index-filter", "do not select events by the rules' index patterns")
    .option("--max-line-bytes <n>", "lines longer than this are bad lines", positiveInteger)
    .option("--rejects <file>", "write bad lines to this file (mode 0600)")
    .option("--strict", "stop at the first bad line (exit 2)")
    .addOption(new Option("--format <format>", "event format: ecs (NDJSON; Auditbeat/auditd_manager/FIM/sysmon_linux normalised), auditd (audit.log), sysmon-linux (syslog)").choices([...RUN_FORMATS]).default("ecs"))
    .option("--hostname <name>", "auditd / sysmon-linux: host.name for audit records without node= and Sysmon events without <Computer> (default: this machine's name)")
    .option("--host-id <id>", "auditd / sysmon-linux: host.id for those events (default: derived from the host name; --follow: /etc/machine-id)")
    .option("--no-normalize", "ecs: use Auditbeat/auditd_manager/file_integrity/sysmon_linux documents as written (no Defend normalisation; a slightly faster prefilter)")
    .option("-f, --follow", "follow growing files (stream mode) across rotation and truncation; resume from the state DB; stop with SIGINT/SIGTERM")
    .option("--seed-processes", "with --follow --format auditd: start the process table from this machine's /proc, so processes that started before tern show their parents' names and arguments")
    .option("--poll-interval-ms <n>", "with --follow: how often files are checked (default 250)", positiveInteger)
    .option("--threads <n>", "ecs files: worker threads that read, prefilter, parse and match (auto: 2 when a plain input file exceeds 128 MiB, else 1)", "auto")
    .option("--fail-on-alerts", "exit 1 when alerts were created")
    .option("--verbose", "list every skipped rule and every rule's line in the summary (by default they are grouped when there are many)")
    .option("--quiet", "no summary and no notes on skipped or selected rules: errors only, and one line when lines were bad or rules warned")
    .option("--json", "the end-of-run summary on stderr as one JSON object: totals, each rule's funnel and why it made no alert, skipped rules, bad lines")
    .option("--exceptions <files...>", "Kibana exception list exports (NDJSON): the lists rules name in exceptions_list apply to them, lists no rule names apply to every rule")
    .option("--value-list <id=file...>", "a value list for exception entries of type list: its id, =, a file of one value per line (Kibana's list export)");
  addRuleSelection(run).action(async (rules: string[], opts: RunCliOptions) => {
    await runCommand(rules, opts, ctx);
  });
}
