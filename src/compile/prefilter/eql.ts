// What every event an EQL statement can use must hold, so EQL rules share the run's byte prefilter (a line
// no rule can use is never parsed): as a KQL query (a cluster fetches the events it matches) and as a
// requirement formula (the byte prefilter). Only string tests on fields the ECS tables type as keywords
// translate: `==`, `in`, `like`, startsWith/endsWith/stringContains, the category, and — in the formula
// only, as lower-cased needles — their case-insensitive forms `:`, `in~`, `like~`, `startsWith~`…. A regex,
// or a pattern with no literal long enough to search for, becomes (in the formula only) a test of the
// field's values where the line holds them (field-value.ts). Everything else (numbers, `not`, `!=`,
// scripts, dynamically typed fields) is "no requirement".
// Both are necessary conditions, never sufficient ones: tern still evaluates the EQL predicate on every
// event that passes.

import { ecsFieldType } from "../../ecs/field-types.js";
import { KQL_WILDCARD_MARKER, type KqlNode, type KqlValueNode } from "../../lang/kql/ast.js";
import { assertNever, filtersOf, type EqlEventFilter, type EqlExpr, type EqlMatchOp, type EqlStatement } from "../../lang/eql/ast.js";
import { patternTest } from "../eql/compile.js";
import { compileStarQuestionPattern } from "../../util/wildcard.js";
import { andOf, orOf, requirementsOf, type Req as Needles } from "./requirements.js";

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

/**
 * What the walk builds: a KQL query (for a cluster's fetch, where case-insensitive tests give nothing) or
 * a requirement formula (for the byte prefilter, where they give lower-cased needles). `undefined`: no
 * requirement.
 */
interface Algebra<T> {
  /** `name` equals (or, as a pattern, matches) `v`, case-insensitively when `ci`. */
  leaf(name: string, v: KqlValueNode, ci: boolean): T | undefined;
  /** `name`'s value matches one of `patterns` under `op`, where no leaf says anything (a regex, a short pattern). */
  values(name: string, op: EqlMatchOp, patterns: readonly string[]): T | undefined;
  and(parts: (T | undefined)[]): T | undefined;
  or(parts: (T | undefined)[]): T | undefined;
}

const KQL: Algebra<KqlNode> = {
  leaf: (name, v, ci) => (ci ? undefined : is(name, v)),
  values: () => undefined,
  and(parts) {
    const c = parts.filter((p): p is KqlNode => p !== undefined);
    if (c.length === 0) return undefined;
    return c.length === 1 ? c[0] : { type: "function", function: "and", arguments: c };
  },
  or(parts) {
    if (parts.length === 0 || parts.some((p) => p === undefined)) return undefined;
    const c = parts as KqlNode[];
    return c.length === 1 ? c[0] : { type: "function", function: "or", arguments: c };
  },
};

const REQ_TRUE: Needles = { k: "true" };
const asReq = (r: Needles): Needles | undefined => (r.k === "true" ? undefined : r);
const NEEDLES: Algebra<Needles> = {
  // one `is` of a keyword field, with KQL's case-insensitive option when the EQL test ignores case
  leaf: (name, v, ci) => asReq(requirementsOf(is(name, v), { caseInsensitive: ci }, false)),
  values(name, op, patterns) {
    const id = `${op} ${JSON.stringify(patterns)}`;
    if (op !== "regex" && op !== "regex~") {
      // wildcards always compile: compiled at the first line that reaches the test
      let lazy: ((s: string) => boolean) | undefined;
      return { k: "field", field: name, id, test: (s) => (lazy ??= patternTest(op, patterns))(s) };
    }
    let test: (s: string) => boolean;
    try {
      test = patternTest(op, patterns);
    } catch {
      // a pattern Elasticsearch rejects (the rule does not compile): no requirement
      return undefined;
    }
    return { k: "field", field: name, id, test };
  },
  and: (parts) => asReq(andOf(parts.map((p) => p ?? REQ_TRUE))),
  or: (parts) => (parts.length === 0 ? undefined : asReq(orOf(parts.map((p) => p ?? REQ_TRUE)))),
};

const keywordField = (e: EqlExpr): string | undefined => (e.kind === "field" && KEYWORD_TYPES.has(ecsFieldType(e.name) ?? "") ? e.name : undefined);

/** Characters of the text of a JSON number (as a keyword field indexes it). */
const NUMBER_TEXT = /^[-+.0-9eE]*$/;

/**
 * Can the pattern match a keyword that is not a JSON string in the line: a number (`12*` matches 123) or a
 * boolean (`t*` matches true)? Then the quotes a string token has are not there to be required.
 */
function matchesScalar(pattern: string, ci: boolean): boolean {
  if (NUMBER_TEXT.test(pattern.replace(/[*?]/g, ""))) return true;
  const m = compileStarQuestionPattern(pattern, { caseInsensitive: ci });
  return m("true") || m("false");
}

function pattern<T>(alg: Algebra<T>, name: string, p: string, ci: boolean): T | undefined {
  return matchesScalar(p, ci) ? undefined : alg.leaf(name, value(p, true), ci);
}

/** The members of a nested chain of one operator, in order. */
function chain(e: EqlExpr, op: "and" | "or"): EqlExpr[] {
  const out: EqlExpr[] = [];
  const stack: EqlExpr[] = [e];
  while (stack.length > 0) {
    const x = stack.pop() as EqlExpr;
    if (x.kind === op) stack.push(x.right, x.left);
    else out.push(x);
  }
  return out;
}

function requirement<T>(alg: Algebra<T>, e: EqlExpr): T | undefined {
  switch (e.kind) {
    // a chain `a or b or c …` is one call with all its members (the parser nests it two by two, and
    // simplifying the formula at every level would cost the square of its length)
    case "and":
    case "or":
      return (e.kind === "and" ? alg.and : alg.or)(chain(e, e.kind).map((x) => requirement(alg, x)));
    case "compare": {
      if (e.op !== "==") return undefined;
      const [f, v] = e.left.kind === "literal" ? [e.right, e.left] : [e.left, e.right];
      const name = keywordField(f);
      return name !== undefined && v.kind === "literal" && typeof v.value === "string" ? alg.leaf(name, value(v.value, false), false) : undefined;
    }
    case "in": {
      const name = keywordField(e.value);
      if (e.negated || name === undefined) return undefined;
      return alg.or(e.items.map((it) => (it.kind === "literal" && typeof it.value === "string" ? alg.leaf(name, value(it.value, false), e.insensitive) : undefined)));
    }
    case "match": {
      const name = keywordField(e.value);
      if (name === undefined) return undefined;
      const texts = e.patterns.flatMap((p) => (typeof p.value === "string" ? [p.value] : []));
      // no needle for a regex, nor for a pattern whose literal parts are too short: the values are read
      const values = (): T | undefined => (texts.length === e.patterns.length ? alg.values(name, e.op, texts) : undefined);
      if (e.op === "regex" || e.op === "regex~") return values();
      const ci = e.op !== "like";
      const needles = alg.or(e.patterns.map((p) => (typeof p.value === "string" ? pattern(alg, name, p.value, ci) : undefined)));
      if (needles === undefined) return values();
      // a wildcard's needles are only its literal parts, which other fields' values may hold: the field's
      // values are read too, by one test of all the patterns (as KQL keyword wildcards, requirements.ts)
      return texts.some((t) => /[*?]/.test(t)) ? alg.and([needles, values()]) : needles;
    }
    case "call": {
      const name = e.args.length === 2 ? keywordField(e.args[0]) : undefined;
      const sub = e.args[1];
      if (name === undefined || sub?.kind !== "literal" || typeof sub.value !== "string" || sub.value === "") return undefined;
      const esc = sub.value.replace(/[*?]/g, "*");
      if (e.name === "startsWith") return pattern(alg, name, `${esc}*`, e.insensitive);
      if (e.name === "endsWith") return pattern(alg, name, `*${esc}`, e.insensitive);
      if (e.name === "stringContains") return pattern(alg, name, `*${esc}*`, e.insensitive);
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

function filterRequirement<T>(alg: Algebra<T>, f: EqlEventFilter, categoryField: string): T | undefined {
  const cat = f.category !== null && KEYWORD_TYPES.has(ecsFieldType(categoryField) ?? "") ? alg.leaf(categoryField, value(f.category, false), false) : undefined;
  return alg.and([cat, requirement(alg, f.where)]);
}

/**
 * The KQL query whose byte prefilter is sound for `st`: an event some stage (or the until clause) can use
 * matches it. `categoryField`: the rule's event_category_override (default `event.category`).
 */
export function eqlPrefilterQuery(st: EqlStatement, categoryField = "event.category"): KqlNode {
  return KQL.or(filtersOf(st).map((f) => filterRequirement(KQL, f, categoryField))) ?? MATCH_ALL;
}

/**
 * The byte prefilter's requirement formula for `st`: eqlPrefilterQuery's, and the case-insensitive tests'
 * lower-cased needles too (`:`, `like~`, `in~`, `startsWith~`…), which no KQL query can say.
 */
export function eqlRequirements(st: EqlStatement, categoryField = "event.category"): Needles {
  return NEEDLES.or(filtersOf(st).map((f) => filterRequirement(NEEDLES, f, categoryField))) ?? REQ_TRUE;
}

/** An EQL statement as one query of the run's byte prefilter (its KQL form and its fuller formula). */
export function eqlPrefilter(st: EqlStatement, categoryField = "event.category"): { readonly ast: KqlNode; readonly req: Needles } {
  return { ast: eqlPrefilterQuery(st, categoryField), req: eqlRequirements(st, categoryField) };
}
