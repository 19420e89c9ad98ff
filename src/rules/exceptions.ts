// Rule exceptions as Kibana exports them (the Exceptions UI or `_export` API: NDJSON of list containers,
// their items, then one summary line) and the value lists their `list` entries name, turned into the one
// Kibana filter the detection engine adds to a rule's search: `bool.should` over the items, negated, so an
// event any item matches never reaches the rule type (for EQL, before sequences form). The clauses are
// those of Kibana's build_exception_filter.ts (security_solution detection_engine/rule_types/utils):
//
// - an item: its entries ANDed (`bool.filter`); with `os_types`, one such clause per OS, with
//   `host.os.type` = the OS and again with `host.os.name.caseless` = the OS, ORed;
// - match: `match_phrase`; match_any: a `should` of them; exists: `exists`; wildcard: `wildcard`;
//   nested: `nested` on the parent path with the inner entries' fields prefixed; `excluded` wraps the
//   entry's clause in `must_not`;
// - list: keyword and ip lists a `terms` query over the list's values; ip_range lists a `range` per
//   `a-b` value and one `terms` for the CIDRs; text lists a `match` per value (operator and).

import { readFileSync } from "node:fs";
import { diagnostic, fileSpan, type Diagnostic, type Span } from "../diag/index.js";
import { isJsonObject } from "../util/json-object.js";
import type { Rule } from "./model.js";

export type ExceptionEntry =
  | { readonly type: "match"; readonly field: string; readonly operator: Operator; readonly value: string }
  | { readonly type: "match_any"; readonly field: string; readonly operator: Operator; readonly value: readonly string[] }
  | { readonly type: "wildcard"; readonly field: string; readonly operator: Operator; readonly value: string }
  | { readonly type: "exists"; readonly field: string; readonly operator: Operator }
  | { readonly type: "list"; readonly field: string; readonly operator: Operator; readonly list: { readonly id: string; readonly type: string } }
  | { readonly type: "nested"; readonly field: string; readonly entries: readonly ExceptionEntry[] };

type Operator = "included" | "excluded";

export interface ExceptionItem {
  readonly itemId: string;
  readonly name: string;
  readonly listId: string;
  readonly namespaceType: string;
  readonly osTypes: readonly string[];
  readonly entries: readonly ExceptionEntry[];
  /** Where the item was read (file:line). */
  readonly at: Span;
}

/** Exception lists by `<namespace_type>:<list_id>`, their items in file order. */
export interface ExceptionSet {
  readonly lists: Map<string, { readonly name: string; readonly type: string; readonly items: ExceptionItem[] }>;
  /** Value lists by id: their values, one per line of the file given. */
  readonly valueLists: Map<string, readonly string[]>;
  readonly diagnostics: Diagnostic[];
}

const listKey = (namespaceType: string, listId: string) => `${namespaceType}:${listId}`;

function lineSpan(file: string, line: number, text: string): Span {
  return { file, start: 0, end: text.length, line, col: 1 };
}

/** Reads --exceptions files and --value-list files; never throws on bad input (diagnostics instead). */
export function loadExceptionSet(files: readonly string[], valueLists: readonly { id: string; file: string }[]): ExceptionSet {
  const set: ExceptionSet = { lists: new Map(), valueLists: new Map(), diagnostics: [] };
  for (const file of files) readExportFile(file, set);
  for (const { id, file } of valueLists) {
    try {
      const values = readFileSync(file, "utf8")
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== "");
      set.valueLists.set(id, values);
    } catch (e) {
      set.diagnostics.push(diagnostic("EXC004", `Cannot read value list "${id}" from "${file}": ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}; check the --value-list path.`, fileSpan(file)));
    }
  }
  return set;
}

function readExportFile(file: string, set: ExceptionSet): void {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    set.diagnostics.push(diagnostic("EXC001", `Cannot read "${file}": ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}; check the --exceptions path.`, fileSpan(file)));
    return;
  }
  const items: ExceptionItem[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    const at = lineSpan(file, i + 1, raw);
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      set.diagnostics.push(diagnostic("EXC001", "This line is not JSON; an exception export holds one JSON object per line.", at));
      return;
    }
    if (!isJsonObject(o)) {
      set.diagnostics.push(diagnostic("EXC001", "This line is not a JSON object; an exception export holds one JSON object per line.", at));
      return;
    }
    if ("exported_exception_list_count" in o || "exported_exception_list_item_count" in o) return;
    if (typeof o.list_id !== "string" || typeof o.namespace_type !== "string") {
      set.diagnostics.push(diagnostic("EXC001", "This object has no list_id and namespace_type; it is neither an exception list nor an item of one.", at));
      return;
    }
    if (!("entries" in o) && !("item_id" in o)) {
      const key = listKey(o.namespace_type, o.list_id);
      const existing = set.lists.get(key);
      set.lists.set(key, { name: typeof o.name === "string" ? o.name : o.list_id, type: typeof o.type === "string" ? o.type : "detection", items: existing?.items ?? [] });
      return;
    }
    const entries = parseEntries(o.entries, "entries", at, set.diagnostics);
    if (entries === undefined) return;
    const osTypes = Array.isArray(o.os_types) ? o.os_types.filter((x): x is string => typeof x === "string") : [];
    items.push({ itemId: typeof o.item_id === "string" ? o.item_id : "", name: typeof o.name === "string" ? o.name : "", listId: o.list_id, namespaceType: o.namespace_type, osTypes, entries, at });
  });
  for (const item of items) {
    const key = listKey(item.namespaceType, item.listId);
    let list = set.lists.get(key);
    // items exported without their container still belong to the list they name
    if (list === undefined) set.lists.set(key, (list = { name: item.listId, type: "detection", items: [] }));
    list.items.push(item);
  }
}

function parseEntries(v: unknown, where: string, at: Span, out: Diagnostic[], nested = false): ExceptionEntry[] | undefined {
  const bad = (why: string) => {
    out.push(diagnostic("EXC002", why, at));
    return undefined;
  };
  if (!Array.isArray(v) || v.length === 0) return bad(`${where}: an item needs a non-empty array of entries`);
  const entries: ExceptionEntry[] = [];
  for (const [i, e] of v.entries()) {
    const w = `${where}[${i}]`;
    if (!isJsonObject(e) || typeof e.field !== "string" || e.field === "") return bad(`${w} needs a "field"`);
    const field = e.field;
    if (e.type === "nested") {
      if (nested) return bad(`${w}: a nested entry cannot hold another nested entry`);
      const inner = parseEntries(e.entries, `${w}.entries`, at, out, true);
      if (inner === undefined) return undefined;
      entries.push({ type: "nested", field, entries: inner });
      continue;
    }
    if (e.operator !== "included" && e.operator !== "excluded") return bad(`${w}.operator must be "included" or "excluded"`);
    const operator: Operator = e.operator;
    switch (e.type) {
      case "match":
      case "wildcard":
        if (typeof e.value !== "string") return bad(`${w}: a ${e.type} entry needs a string "value"`);
        entries.push({ type: e.type, field, operator, value: e.value });
        break;
      case "match_any":
        if (!Array.isArray(e.value) || e.value.length === 0 || !e.value.every((x) => typeof x === "string")) return bad(`${w}: a match_any entry needs a non-empty array of strings as "value"`);
        entries.push({ type: "match_any", field, operator, value: e.value as string[] });
        break;
      case "exists":
        entries.push({ type: "exists", field, operator });
        break;
      case "list":
        if (!isJsonObject(e.list) || typeof e.list.id !== "string" || typeof e.list.type !== "string") return bad(`${w}: a list entry needs "list": {"id", "type"}`);
        entries.push({ type: "list", field, operator, list: { id: e.list.id, type: e.list.type } });
        break;
      default:
        return bad(`${w}.type "${String(e.type)}" is not one of match, match_any, wildcard, exists, list, nested`);
    }
  }
  return entries;
}

type Clause = Record<string, unknown>;

const exclusion = (clause: Clause, operator: Operator): Clause => (operator === "excluded" ? { bool: { must_not: clause } } : clause);

const phrase = (field: string, value: string): Clause => ({ bool: { minimum_should_match: 1, should: [{ match_phrase: { [field]: value } }] } });

/** One entry's clause (Kibana's createInnerAndClauses), `parent` prefixing the fields of a nested entry's children. */
function entryClause(entry: ExceptionEntry, valueLists: ReadonlyMap<string, readonly string[]>, parent?: string): Clause {
  const field = parent === undefined ? entry.field : `${parent}.${entry.field}`;
  switch (entry.type) {
    case "match":
      return exclusion(phrase(field, entry.value), entry.operator);
    case "match_any":
      return exclusion(entry.value.length === 1 ? phrase(field, entry.value[0]) : { bool: { minimum_should_match: 1, should: entry.value.map((v) => phrase(field, v)) } }, entry.operator);
    case "wildcard":
      return exclusion({ bool: { filter: { wildcard: { [field]: entry.value } } } }, entry.operator);
    case "exists":
      return exclusion({ bool: { minimum_should_match: 1, should: [{ exists: { field } }] } }, entry.operator);
    case "list": {
      const values = valueLists.get(entry.list.id) ?? [];
      const key = entry.operator === "excluded" ? "must_not" : "should";
      if (entry.list.type === "ip_range") {
        const ranges = values.filter((v) => v.includes("-"));
        const cidrs = values.filter((v) => !v.includes("-"));
        const clauses: Clause[] = ranges.map((r) => {
          const [gte, lte] = r.split("-");
          return { range: { [field]: { gte, lte } } };
        });
        if (cidrs.length > 0) clauses.push({ terms: { [field]: cidrs } });
        return { bool: { [key]: clauses, minimum_should_match: 1 } };
      }
      if (entry.list.type === "text") return { bool: { [key]: values.map((v) => ({ match: { [field]: { query: v, operator: "and" } } })), minimum_should_match: 1 } };
      return { bool: { [entry.operator === "excluded" ? "must_not" : "filter"]: { terms: { [field]: values } } } };
    }
    case "nested": {
      const inner = entry.entries.map((e) => entryClause(e, valueLists, entry.field));
      return { nested: { path: entry.field, query: inner.length === 1 ? inner[0] : { bool: { filter: inner } }, score_mode: "none" } };
    }
  }
}

/** An item's clauses, ORed with the others' (Kibana's buildExceptionItemFilter). */
function itemClauses(item: ExceptionItem, valueLists: ReadonlyMap<string, readonly string[]>): Clause[] {
  if (item.osTypes.length > 0) {
    const withOs = (osField: string) =>
      item.osTypes.map((os) => ({ bool: { filter: [phrase(osField, os), ...item.entries.map((e) => entryClause(e, valueLists))] } }));
    return [...withOs("host.os.type"), ...withOs("host.os.name.caseless")];
  }
  if (item.entries.length === 1) return [entryClause(item.entries[0], valueLists)];
  return [{ bool: { filter: item.entries.map((e) => entryClause(e, valueLists)) } }];
}

export interface RuleExceptions {
  /** The Kibana filter (negated) to add to the rule's filters, or undefined when no item applies. */
  readonly filter?: Record<string, unknown>;
  /** The items applied. */
  readonly items: number;
  /** `namespace:list_id` of lists the rule names that no file gave. */
  readonly missingLists: readonly string[];
  /** Value list ids the applied items need that no --value-list gave. */
  readonly missingValueLists: readonly string[];
}

/**
 * The exceptions for one rule: the lists its exceptions_list names, plus `unattached` (lists of the files
 * that no rule names, which apply to every rule).
 */
export function exceptionsFor(rule: Pick<Rule, "exceptions_list">, set: ExceptionSet, unattached: readonly string[]): RuleExceptions {
  const keys: string[] = [];
  const missingLists: string[] = [];
  for (const ref of rule.exceptions_list ?? []) {
    if (typeof ref.list_id !== "string") continue;
    const key = listKey(typeof ref.namespace_type === "string" ? ref.namespace_type : "single", ref.list_id);
    if (set.lists.has(key)) keys.push(key);
    else missingLists.push(key);
  }
  for (const k of unattached) if (!keys.includes(k)) keys.push(k);
  const items = keys.flatMap((k) => set.lists.get(k)?.items ?? []);
  const missingValueLists = new Set<string>();
  const needs = (e: ExceptionEntry): void => {
    if (e.type === "list" && !set.valueLists.has(e.list.id)) missingValueLists.add(e.list.id);
    if (e.type === "nested") e.entries.forEach(needs);
  };
  for (const item of items) item.entries.forEach(needs);
  if (items.length === 0) return { items: 0, missingLists, missingValueLists: [...missingValueLists] };
  const filter = { meta: { alias: null, disabled: false, negate: true }, query: { bool: { should: items.flatMap((i) => itemClauses(i, set.valueLists)) } } };
  return { filter, items: items.length, missingLists, missingValueLists: [...missingValueLists] };
}

/** The lists of the files that no rule's exceptions_list names. */
export function unattachedLists(rules: readonly Pick<Rule, "exceptions_list">[], set: ExceptionSet): string[] {
  const named = new Set<string>();
  for (const r of rules) for (const ref of r.exceptions_list ?? []) if (typeof ref.list_id === "string") named.add(listKey(typeof ref.namespace_type === "string" ? ref.namespace_type : "single", ref.list_id));
  return [...set.lists.keys()].filter((k) => !named.has(k));
}
