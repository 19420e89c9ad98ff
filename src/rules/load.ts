// Loads rule files (issue 2; STYLE.md §2.3 "collect, never throw on user errors"): walks directories for
// *.toml (detection-rules) and *.ndjson (Kibana export), reads, validates and builds each rule, and
// returns every rule with its status (valid / not-runnable / invalid) and every diagnostic.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { SourceFile, diagnostic, fileSpan, spanOf, type Diagnostic } from "../diag/index.js";
import { toRule } from "./build.js";
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

function finish(rule: Rule, diagnostics: Diagnostic[], typeSpan: Diagnostic["span"]): LoadedRule {
  if (diagnostics.some((d) => d.severity === "error")) return { rule, status: "invalid", diagnostics };
  const reason = notRunnableReason(rule.type, rule.language);
  if (reason === undefined) return { rule, status: "valid", diagnostics };
  diagnostics.push(diagnostic("RULE012", `Not runnable yet: ${reason}.`, typeSpan));
  return { rule, status: "not-runnable", reason, diagnostics };
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
      const typeLoc = r.locate(["rule", "type"]);
      const loaded = finish(rule, diagnostics, typeLoc ? spanOf(src, typeLoc.valueStart, typeLoc.valueEnd) : spanOf(src, src.offset(r.line, 1)));
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
  const typeLoc = read.locate(["rule", "type"]);
  const loaded = finish(rule, diagnostics, typeLoc ? spanOf(src, typeLoc.valueStart, typeLoc.valueEnd) : fileSpan(src.path));
  // File-level notes (a rebuilt one-line file) belong to the rule too.
  const all = [...read.diagnostics, ...loaded.diagnostics];
  into.rules.push({ ...loaded, diagnostics: all });
  into.diagnostics.push(...all);
}

/** Loads one file; never throws on user errors (an unreadable file is a TOML003 diagnostic). */
export function loadRuleFile(path: string, opts: LoadOptions = {}): LoadResult {
  return loadRules([path], opts);
}

/** Loads every rule under `paths` (files or directories, recursive). */
export function loadRules(paths: readonly string[], opts: LoadOptions = {}): LoadResult {
  const { files, missing } = expandRulePaths(paths);
  const result: LoadResult = { rules: [], diagnostics: [], sources: new Map(), files };
  for (const m of missing) result.diagnostics.push(diagnostic("TOML003", `Cannot read "${m}": no such file or directory.`, fileSpan(m)));
  for (const f of files) {
    let text: string;
    try {
      const buf = readFileSync(f);
      text = new TextDecoder("utf-8", { fatal: true }).decode(buf);
    } catch (e) {
      const why = e instanceof TypeError ? "not valid UTF-8" : e instanceof Error ? e.message : String(e);
      result.diagnostics.push(diagnostic("TOML003", `Cannot read "${f}": ${why}.`, fileSpan(f)));
      continue;
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const src = new SourceFile(f, text);
    result.sources.set(f, src);
    loadSource(src, opts, result);
  }
  return result;
}
