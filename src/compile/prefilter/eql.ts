// A KQL query that every event an EQL statement can use also matches, so EQL rules share the run's byte
// prefilter (a line no rule can use is never parsed). Only exact, case-sensitive string tests on fields the
// ECS tables type as keywords translate: `==`, `in`, `like`, case-sensitive startsWith/endsWith/
// stringContains, and the category; everything else (`:` and the `~` forms, regex, numbers, `not`, `!=`,
// scripts, dynamically typed fields) is "no requirement". The KQL query is a necessary condition, never a
// sufficient one: tern still evaluates the EQL predicate on every line that passes.

import { ecsFieldType } from "../../ecs/field-types.js";
import { KQL_WILDCARD_MARKER, type KqlNode, type KqlValueNode } from "../../lang/kql/ast.js";
import { assertNever, filtersOf, type EqlEventFilter, type EqlExpr, type EqlStatement } from "../../lang/eql/ast.js";

/** Fields whose EQL string equality is KQL's exact keyword match. */
const KEYWORD_TYPES: ReadonlySet<string> = new Set(["keyword", "constant_keyword", "wildcard"]);

const MATCH_ALL: KqlNode = { type: "function", function: "is", arguments: [{ type: "literal", value: null, isQuoted: false }, { type: "wildcard", value: KQL_WILDCARD_MARKER }] };

function field(name: string): KqlValueNode {
  return { type: "literal", value: name, isQuoted: false };
}

/** An exact keyword value, or a `*`-pattern (EQL's `?` widened to `*`: a superset is still sound). */
function value(s: string, pattern: boolean): KqlValueNode {
  if (!pattern || !/[*?]/.test(s)) return { type: "literal", value: s, isQuoted: true };
  return { type: "wildcard", value: s.split(/[*?]/).join(KQL_WILDCARD_MARKER) };
}

function is(name: string, v: KqlValueNode): KqlNode {
  return { type: "function", function: "is", arguments: [field(name), v] };
}

type Req = KqlNode | undefined; // undefined: no requirement

function and(parts: Req[]): Req {
  const c = parts.filter((p): p is KqlNode => p !== undefined);
  if (c.length === 0) return undefined;
  return c.length === 1 ? c[0] : { type: "function", function: "and", arguments: c };
}

function or(parts: Req[]): Req {
  if (parts.length === 0 || parts.some((p) => p === undefined)) return undefined;
  const c = parts as KqlNode[];
  return c.length === 1 ? c[0] : { type: "function", function: "or", arguments: c };
}

const keywordField = (e: EqlExpr): string | undefined => (e.kind === "field" && KEYWORD_TYPES.has(ecsFieldType(e.name) ?? "") ? e.name : undefined);

function requirement(e: EqlExpr): Req {
  switch (e.kind) {
    case "and":
      return and([requirement(e.left), requirement(e.right)]);
    case "or":
      return or([requirement(e.left), requirement(e.right)]);
    case "compare": {
      if (e.op !== "==") return undefined;
      const [f, v] = e.left.kind === "literal" ? [e.right, e.left] : [e.left, e.right];
      const name = keywordField(f);
      return name !== undefined && v.kind === "literal" && typeof v.value === "string" ? is(name, value(v.value, false)) : undefined;
    }
    case "in": {
      const name = keywordField(e.value);
      if (e.negated || e.insensitive || name === undefined) return undefined;
      return or(e.items.map((it) => (it.kind === "literal" && typeof it.value === "string" ? is(name, value(it.value, false)) : undefined)));
    }
    case "match": {
      const name = keywordField(e.value);
      if (e.op !== "like" || name === undefined) return undefined;
      return or(e.patterns.map((p) => (typeof p.value === "string" ? is(name, value(p.value, true)) : undefined)));
    }
    case "call": {
      const name = e.args.length === 2 ? keywordField(e.args[0]) : undefined;
      const sub = e.args[1];
      if (e.insensitive || name === undefined || sub?.kind !== "literal" || typeof sub.value !== "string" || sub.value === "") return undefined;
      const esc = sub.value.replace(/[*?]/g, "*");
      if (e.name === "startsWith") return is(name, value(`${esc}*`, true));
      if (e.name === "endsWith") return is(name, value(`*${esc}`, true));
      if (e.name === "stringContains") return is(name, value(`*${esc}*`, true));
      return undefined;
    }
    case "literal":
    case "field":
    case "not":
    case "arith":
    case "neg":
      return undefined;
    default:
      return assertNever(e);
  }
}

function filterRequirement(f: EqlEventFilter, categoryField: string): Req {
  const cat = f.category !== null && KEYWORD_TYPES.has(ecsFieldType(categoryField) ?? "") ? is(categoryField, value(f.category, false)) : undefined;
  return and([cat, requirement(f.where)]);
}

/**
 * The KQL query whose byte prefilter is sound for `st`: an event some stage (or the until clause) can use
 * matches it. `categoryField`: the rule's event_category_override (default `event.category`).
 */
export function eqlPrefilterQuery(st: EqlStatement, categoryField = "event.category"): KqlNode {
  return or(filtersOf(st).map((f) => filterRequirement(f, categoryField))) ?? MATCH_ALL;
}
