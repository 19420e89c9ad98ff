// Loads rule files (issue 2; STYLE.md §2.3 "collect, never throw on user errors"): walks directories for
// *.toml (detection-rules) and *.ndjson (Kibana export), reads, validates and builds each rule, and
// returns every rule with its status (valid / not-runnable / invalid) and every diagnostic.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { SourceFile, diagnostic, fileSpan, spanOf, type Diagnostic } from "../diag/index.js";
import { isDeepStrictEqual } from "node:util";
import { toRule } from "./build.js";
import { comparableRule } from "./compare.js";
import { FilterError, compileRuleFilters } from "../compile/filters/index.js";
import { KIBANA_ONLY_KEYS, readKibanaExport } from "./kibana/read.js";
import type { Rule } from "./model.js";
import { pathKey } from "./toml/locate.js";
import { readToml } from "./toml/read.js";
import { notRunnableReason, validateRuleDoc, type ValidateOptions } from "./validate.js";

export type RuleStatus = "valid" | "not-runnable" | "invalid";

export interface LoadedRule {
  readonly rule: Rule;
  readonly status: RuleStatus;
  /** For "not-runnable": what tern cannot run yet. */
  readonly reason?: string;
  /** This rule's diagnostics (also in LoadResult.diagnostics). */
  readonly diagnostics: readonly Diagnostic[];
}

export interface LoadResult {
  readonly rules: LoadedRule[];
  /** Every diagnostic, in file order: those of rules and those of files that yielded no rule. */
  readonly diagnostics: Diagnostic[];
  readonly sources: Map<string, SourceFile>;
  /** Files read (after directory walks). */
  readonly files: string[];
}

export type LoadOptions = ValidateOptions;

const RULE_FILE = /\.(toml|ndjson)$/i;
/** detection-rules requires these; Kibana's API does not. */
const KIBANA_OPTIONAL: ReadonlySet<string> = new Set(["author"]);

/** Expands paths: files as given, directories recursively (sorted) to their *.toml / *.ndjson files. */
export function expandRulePaths(paths: readonly string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (RULE_FILE.test(name)) files.push(p);
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      missing.push(p);
      continue;
    }
    if (st.isDirectory()) walk(p);
    else files.push(p);
  }
  return { files, missing };
}

/** `typeSpan`: where the rule's type is, asked only for a diagnostic (finding places re-scans the file). */
function finish(rule: Rule, diagnostics: Diagnostic[], typeSpan: () => Diagnostic["span"]): LoadedRule {
  if (diagnostics.some((d) => d.severity === "error")) return { rule, status: "invalid", diagnostics };
  const reason = notRunnableReason(rule.type, rule.language) ?? filtersReason(rule);
  if (reason === undefined) return { rule, status: "valid", diagnostics };
  diagnostics.push(diagnostic("RULE012", `Not runnable yet: ${reason}.`, typeSpan()));
  return { rule, status: "not-runnable", reason, diagnostics };
}

const RULE_KEYS = ["rule_id", "type", "query", "name", "language", "exported_count", "exported_rules_count", "list_id"];
const EVENT_KEYS = ["@timestamp", "_source", "event"];

/**
 * Whether an .ndjson file among the rules holds events rather than a rule export: its first JSON object
 * has no rule key and has an event key. (An export's lines, summary and exception lines all have rule keys.)
 */
function holdsEvents(text: string): boolean {
  for (const line of text.split("\n", 64)) {
    if (line.trim() === "") continue;
    try {
      const v: unknown = JSON.parse(line);
      if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
      return !RULE_KEYS.some((k) => k in v) && EVENT_KEYS.some((k) => k in v);
    } catch {
      return false;
    }
  }
  return false;
}

/** Why the rule's filters cannot be applied (a query type tern does not evaluate), if so. */
function filtersReason(rule: Rule): string | undefined {
  try {
    compileRuleFilters(rule.filters);
    return undefined;
  } catch (e) {
    if (e instanceof FilterError) return `rule filter: ${e.message}`;
    throw e;
  }
}

function loadSource(src: SourceFile, opts: LoadOptions, into: LoadResult): void {
  if (/\.ndjson$/i.test(src.path)) {
    const read = readKibanaExport(src);
    for (const d of read.diagnostics) {
      // A line that is not JSON is one invalid rule.
      into.rules.push({ rule: toRule({}, { path: src.path, format: "kibana-ndjson", line: d.span?.line }), status: "invalid", diagnostics: [d] });
    }
    into.diagnostics.push(...read.diagnostics);
    for (const r of read.rules) {
      const diagnostics = validateRuleDoc(r.doc, { src, locate: r.locate, kind: "kibana", display: r.display, extraRuleKeys: KIBANA_ONLY_KEYS, optionalRuleKeys: KIBANA_OPTIONAL }, opts);
      const rule = toRule(r.doc, { path: src.path, format: "kibana-ndjson", line: r.line });
      const loaded = finish(rule, diagnostics, () => {
        const typeLoc = r.locate(["rule", "type"]);
        return typeLoc ? spanOf(src, typeLoc.valueStart, typeLoc.valueEnd) : spanOf(src, src.offset(r.line, 1));
      });
      into.rules.push(loaded);
      into.diagnostics.push(...loaded.diagnostics);
    }
    return;
  }
  const read = readToml(src);
  if (!read.doc) {
    // A file that is not TOML still counts as one (invalid) rule, so the summary adds up to the files given.
    into.rules.push({ rule: toRule({}, { path: src.path, format: read.format }), status: "invalid", diagnostics: [...read.diagnostics] });
    into.diagnostics.push(...read.diagnostics);
    return;
  }
  const diagnostics = validateRuleDoc(read.doc, { src, locate: read.locate, kind: "toml", display: pathKey }, opts);
  const rule = toRule(read.doc, { path: src.path, format: read.format });
  const loaded = finish(rule, diagnostics, () => {
    const typeLoc = read.locate(["rule", "type"]);
    return typeLoc ? spanOf(src, typeLoc.valueStart, typeLoc.valueEnd) : fileSpan(src.path);
  });
  // File-level notes (a rebuilt one-line file) belong to the rule too.
  const all = [...read.diagnostics, ...loaded.diagnostics];
  into.rules.push({ ...loaded, diagnostics: all });
  into.diagnostics.push(...all);
}

/** Largest rule file tern reads. */
export const MAX_RULE_FILE_BYTES = 128 * 2 ** 20;

/** Loads one file; never throws on user errors (an unreadable file is a TOML003 diagnostic). */
export function loadRuleFile(path: string, opts: LoadOptions = {}): LoadResult {
  return loadRules([path], opts);
}

/** Loads every rule under `paths` (files or directories, recursive). */
export function loadRules(paths: readonly string[], opts: LoadOptions = {}): LoadResult {
  const { files, missing } = expandRulePaths(paths);
  const result: LoadResult = { rules: [], diagnostics: [], sources: new Map(), files };
  for (const m of missing) result.diagnostics.push(diagnostic("TOML003", `Cannot read "${m}": no such file or directory; check the rule path.`, fileSpan(m)));
  const eventFiles: string[] = [];
  for (const f of files) {
    let text: string;
    try {
      // A file this large is no rule file (Elastic's whole rule set exports to about 20 MB); an .ndjson one
      // is taken for events, the rest refused, and neither is read into memory.
      const size = statSync(f).size;
      if (size > MAX_RULE_FILE_BYTES) {
        if (/\.ndjson$/i.test(f)) eventFiles.push(f);
        else result.diagnostics.push(diagnostic("TOML003", `Cannot read "${f}": ${size} bytes is more than a rule file holds (at most ${MAX_RULE_FILE_BYTES / 2 ** 20} MiB); check the rule path.`, fileSpan(f)));
        continue;
      }
      const buf = readFileSync(f);
      text = new TextDecoder("utf-8", { fatal: true }).decode(buf);
    } catch (e) {
      const why = e instanceof TypeError ? "not valid UTF-8" : e instanceof Error ? e.message : String(e);
      result.diagnostics.push(diagnostic("TOML003", `Cannot read "${f}": ${why}.`, fileSpan(f)));
      continue;
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (/\.ndjson$/i.test(f) && holdsEvents(text)) {
      eventFiles.push(f);
      continue;
    }
    const src = new SourceFile(f, text);
    result.sources.set(f, src);
    loadSource(src, opts, result);
  }
  if (eventFiles.length > 0) {
    const n = eventFiles.length;
    const others = n === 1 ? "" : ` and ${n - 1} other .ndjson file${n === 2 ? "" : "s"}`;
    result.diagnostics.push(diagnostic("RULE015", `${basename(eventFiles[0])}${others} hold${n === 1 ? "s" : ""} events, not rules: skipped.`, fileSpan(eventFiles[0])));
  }
  refuseDuplicateIds(result);
  return result;
}

/** Where a rule's rule_id value is written (its quoted text from the rule's line on), else its file. */
function ruleIdSpan(result: LoadResult, rule: Rule): Diagnostic["span"] {
  const src = result.sources.get(rule.origin.path);
  if (src === undefined) return fileSpan(rule.origin.path);
  const quoted = JSON.stringify(rule.rule_id);
  const at = src.text.indexOf(quoted, rule.origin.line !== undefined ? src.offset(rule.origin.line, 1) : 0);
  return at >= 0 ? spanOf(src, at, at + quoted.length) : fileSpan(rule.origin.path);
}

/**
 * A rule_id met again (in another file or further down a Kibana export) makes that rule invalid (RULE013),
 * unless it is the same rule again (a one-line copy of a TOML file): then it is loaded once (RULE014).
 */
function refuseDuplicateIds(result: LoadResult): void {
  const first = new Map<string, LoadedRule>();
  const copies = new Set<LoadedRule>();
  result.rules.forEach((lr, i) => {
    const id = lr.rule.rule_id;
    if (typeof id !== "string" || id === "") return;
    const earlierLoaded = first.get(id);
    if (earlierLoaded === undefined) {
      first.set(id, lr);
      return;
    }
    const earlier = earlierLoaded.rule;
    if (lr.status !== "invalid" && earlierLoaded.status !== "invalid" && isDeepStrictEqual(comparableRule(lr.rule), comparableRule(earlier))) {
      copies.add(lr);
      const w = diagnostic("RULE014", `the same rule as "${earlier.name}" (${basename(earlier.origin.path)}): loaded once, from there.`, ruleIdSpan(result, lr.rule));
      result.diagnostics.push(w);
      return;
    }
    const where = `${basename(earlier.origin.path)}${earlier.origin.line !== undefined ? `:${earlier.origin.line}` : ""}`;
    const d = diagnostic("RULE013", `rule_id "${id}" is also the rule_id of "${earlier.name}" (${where}); each rule needs its own.`, ruleIdSpan(result, lr.rule), {
      notes: [{ message: "the first rule with this rule_id", span: ruleIdSpan(result, earlier) }],
    });
    // no longer "not runnable yet": not loadable at all
    const stale = new Set(lr.diagnostics.filter((x) => x.code === "RULE012"));
    result.rules[i] = { rule: lr.rule, status: "invalid", diagnostics: [...lr.diagnostics.filter((x) => !stale.has(x)), d] };
    result.diagnostics.splice(0, result.diagnostics.length, ...result.diagnostics.filter((x) => !stale.has(x)), d);
  });
  if (copies.size > 0) result.rules.splice(0, result.rules.length, ...result.rules.filter((lr) => !copies.has(lr)));
}
