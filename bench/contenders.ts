// What each benchmark contender runs and how its answer is read and cross-checked (issue 6 "Same
// alerts/matches from every contender"): the seed query as a jq filter, keys from tern's alert NDJSON,
// the query-rule form of the seed rule, the corpus's Linux rules for the many-rules run, and the check
// that every contender of a kind returns the same keys.
import { createReadStream, readFileSync, readdirSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { join, relative } from "node:path";
import { parse as parseToml } from "smol-toml";
import { compileIndexPatterns } from "../src/engine/index-filter.js";
import { getValues } from "../src/event/fields.js";
import type { EventDoc } from "../src/event/types.js";

/** The seed query in jq (keyword fields: exact and case-sensitive; a missing process.name never matches). */
export const JQ_FILTER = [
  'select(.host.os.type == "linux"',
  'and (.event.action | IN("creation", "file_create_event", "file_rename_event", "rename"))',
  'and ((.file.path // "") | (startswith("/dev/shm/") or startswith("/usr/lib/")))',
  'and .file.extension == "so"',
  'and (.process.name | type == "string" and (IN("5", "dockerd", "dpkg", "rpm", "snapd", "exe", "yum", "vmis-launcher") | not)))',
  "| .event.id",
].join(" ");

function first(doc: EventDoc, path: string): string {
  const v = getValues(doc, path);
  return v.length === 0 ? "" : String(v[0]);
}

function alertKey(line: string, kind: "query" | "new-terms"): string {
  const doc = JSON.parse(line) as EventDoc;
  const id = first(doc, "event.id");
  return kind === "query" ? id : [...getValues(doc, "kibana.alert.new_terms").map(String), id].join("\t");
}

/** Keys of tern's alerts: `event.id` for a query rule; `new term values…\tevent.id` for new_terms. */
export function ternAlertKeys(ndjson: string, kind: "query" | "new-terms"): string[] {
  return ndjson
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => alertKey(l, kind));
}

/** The same, streamed from an alerts file (100 k alerts of a query rule exceed V8's longest string). */
export async function ternAlertKeysOfFile(path: string, kind: "query" | "new-terms"): Promise<string[]> {
  const keys: string[] = [];
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of rl) if (line.trim() !== "") keys.push(alertKey(line, kind));
  return keys;
}

/** The seed rule as a `query` rule (same query, new rule_id, max_signals high enough to never cap). */
export function seedAsQueryRule(seedToml: string): string {
  const cut = seedToml.indexOf("[rule.new_terms]");
  const body = cut >= 0 ? seedToml.slice(0, cut) : seedToml;
  return body
    .replace(/^type = "new_terms"$/m, 'type = "query"')
    .replace(/^rule_id = ".*"$/m, 'rule_id = "0b7c6a3e-6d0e-4c56-9a57-3c2b7d9e0001"\nmax_signals = 100000000')
    .replace(/^name = "(.*)"$/m, 'name = "$1 (query form, benchmark)"');
}

export interface CorpusPick {
  readonly path: string;
  readonly type: "new_terms" | "query";
}

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".toml")) out.push(p);
  }
}

/** Active Linux rules of the corpus: rules/ and rules_building_block/ (not _deprecated), tag "OS: Linux". */
function linuxCorpusDocs(corpusDir: string): { path: string; rule: Record<string, unknown> }[] {
  const files: string[] = [];
  for (const sub of ["rules", "rules_building_block"]) walk(join(corpusDir, sub), files);
  const out: { path: string; rule: Record<string, unknown> }[] = [];
  for (const f of files) {
    if (relative(corpusDir, f).split(/[\\/]/).includes("_deprecated")) continue;
    let doc: Record<string, unknown>;
    try {
      doc = parseToml(readFileSync(f, "utf8")) as Record<string, unknown>;
    } catch {
      continue;
    }
    const rule = doc.rule as Record<string, unknown> | undefined;
    if (rule === undefined) continue;
    const tags = Array.isArray(rule.tags) ? rule.tags.map(String) : [];
    if (tags.includes("OS: Linux")) out.push({ path: f, rule });
  }
  return out;
}

/** Every active rule file of the corpus (rules/ and rules_building_block/, no `_deprecated`), every OS. */
export function corpusRuleFiles(corpusDir: string): string[] {
  const files: string[] = [];
  for (const sub of ["rules", "rules_building_block"]) walk(join(corpusDir, sub), files);
  return files.filter((f) => !relative(corpusDir, f).split(/[\\/]/).includes("_deprecated"));
}

/** Linux kuery rules of type new_terms or query in the corpus (rules/ and rules_building_block/, tag "OS: Linux"). */
export function linuxCorpusRules(corpusDir: string): CorpusPick[] {
  const out: CorpusPick[] = [];
  for (const { path, rule } of linuxCorpusDocs(corpusDir)) {
    if (rule.language !== "kuery") continue;
    if (rule.type === "new_terms" || rule.type === "query") out.push({ path, type: rule.type });
  }
  return out;
}

export interface EqlPick {
  readonly path: string;
  readonly ruleId: string;
  readonly query: string;
  /** The rule's `index` patterns (undefined: none, the rule reaches every event). */
  readonly index?: readonly string[];
  /** An event query (one alert per matching event), a sequence or a sample. */
  readonly kind: "event" | "sequence" | "sample";
}

/** What an EQL query is, from its first keyword after comments. */
export function eqlQueryKind(query: string): EqlPick["kind"] {
  const head = query.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, " ").trimStart();
  const m = /^(sequence|sample)\b/i.exec(head);
  return m === null ? "event" : (m[1].toLowerCase() as "sequence" | "sample");
}

/** Linux EQL rules of the corpus (the same selection as linuxCorpusRules, language eql). */
export function linuxEqlCorpusRules(corpusDir: string): EqlPick[] {
  const out: EqlPick[] = [];
  for (const { path, rule } of linuxCorpusDocs(corpusDir)) {
    if (rule.language !== "eql" || rule.type !== "eql" || typeof rule.query !== "string" || typeof rule.rule_id !== "string") continue;
    const index = Array.isArray(rule.index) ? rule.index.map(String) : undefined;
    out.push({ path, ruleId: rule.rule_id, query: rule.query, kind: eqlQueryKind(rule.query), ...(index !== undefined ? { index } : {}) });
  }
  return out;
}

/** The rules whose `index` patterns take events of index `index` (as tern routes them; no patterns: all). */
export function rulesReaching(picks: readonly EqlPick[], index: string): EqlPick[] {
  return picks.filter((p) => p.index === undefined || p.index.length === 0 || compileIndexPatterns(p.index)(index));
}

/**
 * The rules both python-eql and tern-eql-subset run: of `candidates`, those the Python library can run
 * (`runnable`: its parse step's answer), in corpus order; and among them the event queries, whose counts
 * are compared (a sequence is one result in the library and a shell + building blocks in tern).
 */
export function pyeqlSubset(candidates: readonly EqlPick[], runnable: readonly string[]): { subset: EqlPick[]; compared: string[] } {
  const ok = new Set(runnable);
  const subset = candidates.filter((p) => ok.has(p.ruleId));
  return { subset, compared: subset.filter((p) => p.kind === "event").map((p) => p.ruleId) };
}

export interface EqlCountRow {
  readonly ruleId: string;
  readonly tern: number;
  readonly python: number;
}

/** Per compared rule: tern's alerts and the library's matches, and the rules where they differ. */
export function compareEqlCounts(compared: readonly string[], tern: ReadonlyMap<string, number>, python: Readonly<Record<string, number>>): { rows: EqlCountRow[]; differ: EqlCountRow[] } {
  const rows = compared.map((ruleId) => ({ ruleId, tern: tern.get(ruleId) ?? 0, python: python[ruleId] ?? 0 }));
  return { rows, differ: rows.filter((r) => r.tern !== r.python) };
}

/** Alerts per `kibana.alert.rule.rule_id` in a tern alerts file. */
export async function ternAlertCountsByRule(path: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim() === "") continue;
    const id = first(JSON.parse(line) as EventDoc, "kibana.alert.rule.rule_id");
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

export interface Answer {
  readonly name: string;
  readonly keys: readonly string[];
}

/** Do all contenders of a group return the same multiset of keys, of the expected size? Returns problems. */
export function checkAgreement(group: string, expectedCount: number | undefined, answers: readonly Answer[]): string[] {
  const problems: string[] = [];
  if (expectedCount !== undefined) {
    for (const a of answers) if (a.keys.length !== expectedCount) problems.push(`${group}: ${a.name} returned ${a.keys.length}, the generator made ${expectedCount}`);
  }
  if (answers.length < 2) return problems;
  const sorted = answers.map((a) => ({ name: a.name, keys: [...a.keys].sort() }));
  const ref = sorted[0];
  for (const other of sorted.slice(1)) {
    const a = new Set(ref.keys);
    const b = new Set(other.keys);
    const onlyRef = ref.keys.filter((k) => !b.has(k));
    const onlyOther = other.keys.filter((k) => !a.has(k));
    const sameMultiset = ref.keys.length === other.keys.length && ref.keys.every((k, i) => k === other.keys[i]);
    if (!sameMultiset) {
      problems.push(
        `${group}: ${ref.name} (${ref.keys.length}) and ${other.name} (${other.keys.length}) disagree; ` +
          `only in ${ref.name}: ${JSON.stringify(onlyRef.slice(0, 3))}${onlyRef.length > 3 ? ` …(${onlyRef.length})` : ""}; ` +
          `only in ${other.name}: ${JSON.stringify(onlyOther.slice(0, 3))}${onlyOther.length > 3 ? ` …(${onlyOther.length})` : ""}`,
      );
    }
  }
  return problems;
}

/** File names for copying rules into one directory: the base name, prefixed by its parent directories' names while it collides. */
export function uniqueRuleFileNames(paths: readonly string[]): string[] {
  const taken = new Set<string>();
  return paths.map((p) => {
    const parts = p.split(/[\\/]/).filter((x) => x !== "");
    let name = parts[parts.length - 1] ?? "rule.toml";
    for (let i = parts.length - 2; taken.has(name) && i >= 0; i--) name = `${parts[i]}_${name}`;
    for (let n = 2; taken.has(name); n++) name = `${n}_${parts[parts.length - 1] ?? "rule.toml"}`;
    taken.add(name);
    return name;
  });
}
