// Rule dispatch keys: a field and the values one of which every event a rule can match must have there —
// `event.category` for most rules (`event.category:process and …` in KQL, `process where …` in EQL). The
// engine groups rules by them, so that an event meets only the rules that can match it instead of every
// rule's predicate (with all Linux rules loaded, most of a run's time went to predicates that failed on
// their first term). Only sound keys: a wildcard, a negation or an `or` with an unkeyed branch gives none.
// Values are compared lower-cased, which can only let more events through.

import { fieldAccessor } from "../../event/fields.js";
import type { EventDoc } from "../../event/types.js";
import type { KqlNode } from "../../lang/kql/ast.js";
import { filtersOf, type EqlExpr, type EqlStatement } from "../../lang/eql/index.js";

export interface DispatchKey {
  readonly field: string;
  /** Lower-cased. */
  readonly values: readonly string[];
}

/** The fields tried, most selective in practice first (an action names one kind of event of a category). */
const KQL_FIELDS = ["event.action", "event.category", "event.type"];

/** A KQL query's dispatch key, if it has one on a field of KQL_FIELDS. */
export function kqlDispatchKey(ast: KqlNode): DispatchKey | undefined {
  for (const field of KQL_FIELDS) {
    const values = requiredValues(ast, field);
    if (values !== undefined && values.size > 0) return { field, values: [...values].sort() };
  }
  return undefined;
}

/** The values `field` must hold one of for `node` to match, or undefined when the node does not say. */
function requiredValues(node: KqlNode, field: string): Set<string> | undefined {
  switch (node.function) {
    case "is": {
      const [f, v] = node.arguments;
      if (f.type !== "literal" || f.value !== field || v.type !== "literal" || typeof v.value !== "string") return undefined;
      return new Set([v.value.toLowerCase()]);
    }
    case "and": {
      // the most selective conjunct that says anything
      let best: Set<string> | undefined;
      for (const c of node.arguments) {
        const s = requiredValues(c, field);
        if (s !== undefined && (best === undefined || s.size < best.size)) best = s;
      }
      return best;
    }
    case "or": {
      const out = new Set<string>();
      for (const c of node.arguments) {
        const s = requiredValues(c, field);
        if (s === undefined) return undefined;
        for (const v of s) out.add(v);
      }
      return out;
    }
    default:
      return undefined;
  }
}

/**
 * An EQL statement's key: the `event.action` values its stages require (every stage must require some),
 * else the categories of its stages (an `any where` stage: none). Missing-event and `until` stages count:
 * their events must reach the rule too.
 */
export function eqlDispatchKey(st: EqlStatement, categoryField = "event.category"): DispatchKey | undefined {
  const filters = filtersOf(st);
  const actions = new Set<string>();
  for (const f of filters) {
    const s = eqlRequired(f.where, "event.action");
    if (s === undefined) {
      actions.clear();
      break;
    }
    for (const v of s) actions.add(v);
  }
  if (actions.size > 0) return { field: "event.action", values: [...actions].sort() };
  const values = new Set<string>();
  for (const f of filters) {
    if (f.category === null) return undefined;
    values.add(f.category.toLowerCase());
  }
  return values.size === 0 ? undefined : { field: categoryField, values: [...values].sort() };
}

/** The values `field` must hold one of for the EQL condition to be true, or undefined when it does not say. */
function eqlRequired(e: EqlExpr, field: string): Set<string> | undefined {
  const isField = (x: EqlExpr): boolean => x.kind === "field" && x.name === field;
  const str = (x: EqlExpr): string | undefined => (x.kind === "literal" && typeof x.value === "string" ? x.value : undefined);
  switch (e.kind) {
    case "compare": {
      if (e.op !== "==") return undefined;
      const v = isField(e.left) ? str(e.right) : isField(e.right) ? str(e.left) : undefined;
      return v === undefined ? undefined : new Set([v.toLowerCase()]);
    }
    case "match": {
      // `:` without wildcards is a case-insensitive equality
      if (e.op !== ":" || !isField(e.value)) return undefined;
      const out = new Set<string>();
      for (const p of e.patterns) {
        if (typeof p.value !== "string" || /[*?]/.test(p.value)) return undefined;
        out.add(p.value.toLowerCase());
      }
      return out;
    }
    case "in": {
      if (e.negated || !isField(e.value)) return undefined;
      const out = new Set<string>();
      for (const item of e.items) {
        const v = str(item);
        if (v === undefined) return undefined;
        out.add(v.toLowerCase());
      }
      return out;
    }
    case "and": {
      const a = eqlRequired(e.left, field);
      const b = eqlRequired(e.right, field);
      if (a === undefined) return b;
      if (b === undefined) return a;
      return a.size <= b.size ? a : b;
    }
    case "or": {
      const a = eqlRequired(e.left, field);
      const b = eqlRequired(e.right, field);
      if (a === undefined || b === undefined) return undefined;
      return new Set([...a, ...b]);
    }
    default:
      return undefined;
  }
}

/**
 * For items with these keys (undefined: no key), the indices, ascending, of those an event can match:
 * the unkeyed ones always, a keyed one when the event's value of its field is one of its values.
 */
export function dispatchTable(keys: readonly (DispatchKey | undefined)[]): (doc: EventDoc) => readonly number[] {
  const always: number[] = [];
  const fields = new Map<string, { get: (doc: EventDoc) => unknown[]; byValue: Map<string, number[]> }>();
  keys.forEach((key, i) => {
    if (key === undefined) return void always.push(i);
    let f = fields.get(key.field);
    if (f === undefined) fields.set(key.field, (f = { get: fieldAccessor(key.field), byValue: new Map() }));
    for (const v of key.values) {
      const list = f.byValue.get(v);
      if (list === undefined) f.byValue.set(v, [i]);
      else list.push(i);
    }
  });
  if (fields.size === 0) return () => always;
  const table = [...fields.values()];
  // Events repeat a few value combinations (process start, file creation…): each combination's merged list
  // is built once and the same array returned, which callers may cache by identity.
  const merged = new Map<string, number[]>();
  const lists: number[][] = [];
  return (doc) => {
    let key = "";
    lists.length = 0;
    for (let fi = 0; fi < table.length; fi++) {
      const f = table[fi];
      for (const v of f.get(doc)) {
        if (v === null || typeof v === "object") continue;
        const value = String(v).toLowerCase();
        const list = f.byValue.get(value);
        if (list === undefined) continue;
        // (a field's position, then the value as JSON: no value can end early)
        key += `${fi}${JSON.stringify(value)}`;
        lists.push(list);
      }
    }
    if (key === "") return always;
    const known = merged.get(key);
    if (known !== undefined) return known;
    const picked = [...always];
    for (const list of lists) picked.push(...list);
    picked.sort((a, b) => a - b);
    let n = 0;
    for (let k = 0; k < picked.length; k++) if (k === 0 || picked[k] !== picked[k - 1]) picked[n++] = picked[k];
    picked.length = n;
    // values are the rules' own (a bounded set), so the combinations are too; the cap is for safety
    if (merged.size < MAX_MERGED) merged.set(key, picked);
    return picked;
  };
}

/** Value combinations whose merged rule lists a dispatch table keeps. */
const MAX_MERGED = 4096;
