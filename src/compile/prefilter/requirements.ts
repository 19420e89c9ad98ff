// Required literals of a KQL query (issue 3 "byte-level prefilter"; docs/kql.md §7): a formula of
// substrings, at least one per `or` branch, that the decoded text of every matching event's JSON must
// contain. Only sound derivations: anything whose textual form can vary (numbers, CIDR, dates, IPs,
// analysed text, case folding of letters, `not`, ranges) contributes "no requirement".
// Keyword values that only a JSON string can match are required WITH their quotes (issue 6): an exact
// value needs `"so"`, a wildcard's first segment `"/dev/shm/`, its last `.so"` — the token delimiters
// are never escaped, so the decoded line holds them verbatim whatever the serialisation.
// Case-insensitive tests (EQL's `:`, a `caseless` field) require their needle lower-cased (`ci`): it is
// searched in the lower-cased line, and only in lines of ASCII text, since outside ASCII one character may
// fold into another (the Kelvin sign into `k`) or into two (İ).

import type { EsFieldType } from "../../ecs/field-types.js";
import { keywordIs } from "../predicate/compile.js";
import { assertNever, fieldTypeFn, fullName, planField, toIr, type FieldRef, type KqlEvalOptions, type KqlNodeLike, type Q, type ValueRef } from "../predicate/ir.js";
import { parseCidr, parseKqlNumber } from "../predicate/values.js";

export type Req =
  | { readonly k: "true" }
  /**
   * `inner`: the part of `s` between added token quotes (what escapes could hide); absent = all of `s`.
   * `value`: `s` ends a JSON string value, so only an occurrence NOT followed (after blanks) by `:` counts —
   * one followed by a colon is a key (`"id":` is in most events; the value `"id"` is rare).
   * `ci`: `s` is lower-case ASCII and is looked for in the line lower-cased; a line with a non-ASCII
   * character or a `\u` escape holds it whatever it says.
   */
  | { readonly k: "lit"; readonly s: string; readonly inner?: string; readonly value?: boolean; readonly ci?: true }
  /**
   * A keyword field's value must pass `test`, for tests no needle can say (a regex, a short pattern). The
   * line passes when some key whose text ends with the field's last name segment (`executable"` for
   * `process.executable`, nested or dotted) holds a string that passes, or any value that is not a plain
   * string (field-value.ts). `id` names the test: formulas share one evaluation per line for equal ids.
   */
  | { readonly k: "field"; readonly field: string; readonly id: string; readonly test: (value: string) => boolean }
  | { readonly k: "and"; readonly c: readonly Req[] }
  | { readonly k: "or"; readonly c: readonly Req[] };

const TRUE: Req = { k: "true" };

/** Shorter needles cost a scan and reject almost nothing. */
export const MIN_LITERAL_LENGTH = 3;

// Lone surrogates and U+FFFD cannot be searched for in raw UTF-8 bytes reliably (decoders substitute).
const UNSEARCHABLE = /[\uD800-\uDFFF\uFFFD]/;

/** Which ends of a string token the needle includes: the opening quote, the closing one, both or none. */
type Quote = "none" | "open" | "close" | "both";

function lit(s: string, ci: boolean, quote: Quote = "none", role: "value" | "key" = "value"): Req {
  if (UNSEARCHABLE.test(s)) return TRUE;
  // Case folding can turn many different texts into this one: a needle with letters is searched lower-cased
  // (ASCII only: outside it, one character may fold into another or into two, İ → i̇); one without letters
  // is its own folding.
  const fold = ci && !/^[\x00-\x40\x5b-\x60\x7b-\x7f]*$/.test(s);
  if (fold && !/^[\x00-\x7f]*$/.test(s)) return TRUE;
  const text = fold ? s.toLowerCase() : s;
  const flag = fold ? ({ ci: true } as const) : {};
  if (quote === "none") return text.length < MIN_LITERAL_LENGTH ? TRUE : { k: "lit", s: text, ...flag };
  // A quoted needle is selective even when short (`"so"`, `"w"` between both quotes), but one quote plus
  // one letter or digit is not (every value ending in `s`). One quote and another character is: a value
  // that ends with a space (`process.name : "* "`) is rare, and compact JSON has no ` "` elsewhere.
  if (text.length < (quote === "both" ? 1 : /^[A-Za-z0-9]$/.test(text) ? 2 : 1)) return TRUE;
  const q = (quote === "open" || quote === "both" ? '"' : "") + text + (quote === "close" || quote === "both" ? '"' : "");
  return role === "value" && (quote === "close" || quote === "both") ? { k: "lit", s: q, inner: text, value: true, ...flag } : { k: "lit", s: q, inner: text, ...flag };
}

/** AND of formulas, simplified: flattened, `true` members dropped. */
export function andOf(cs: readonly Req[]): Req {
  return andReq(cs);
}

function andReq(cs: readonly Req[]): Req {
  const out: Req[] = [];
  for (const c of cs) {
    if (c.k === "true") continue;
    if (c.k === "and") out.push(...c.c);
    else out.push(c);
  }
  if (out.length === 0) return TRUE;
  return out.length === 1 ? out[0] : { k: "and", c: out };
}

/** Literals of one `or` beyond which implied ones are no longer looked for. */
const MAX_PRUNED_LITERALS = 256;

/** OR of formulas, simplified: flattened, a `true` member absorbs it, implied literals dropped. */
export function orOf(cs: readonly Req[]): Req {
  return orReq(cs);
}

function orReq(cs: readonly Req[]): Req {
  const out: Req[] = [];
  for (const c of cs) {
    if (c.k === "true") return TRUE;
    if (c.k === "or") out.push(...c.c);
    else out.push(c);
  }
  // A literal that contains another literal of the same `or` implies it: keep only the shorter one.
  const lits = out.filter((c): c is Extract<Req, { k: "lit" }> => c.k === "lit");
  // (A value literal is implied only by a value literal that ends with it: same end, same next byte; and a
  // literal only by one searched the same way, folded or not.)
  const implies = (c: Extract<Req, { k: "lit" }>, o: Extract<Req, { k: "lit" }>): boolean =>
    c.ci === o.ci && (o.value === true ? c.value === true && c.s.endsWith(o.s) : c.s.includes(o.s));
  const keys = new Map(lits.map((l) => [l, litKey(l)]));
  // (An optimisation only, and quadratic: a list of thousands of values — a rule's 2,609 DLL names — keeps all.)
  const kept = lits.length > MAX_PRUNED_LITERALS ? out : out.filter((c) => c.k !== "lit" || !lits.some((o) => o !== c && keys.get(o) !== keys.get(c) && (o.s !== c.s || (o.value !== true && c.value === true)) && implies(c, o)));
  const seen = new Set<string>();
  const dedup = kept.filter((c) => (c.k === "lit" ? !seen.has(keys.get(c) ?? "") && (seen.add(keys.get(c) ?? ""), true) : true));
  if (dedup.length === 0) return TRUE;
  return dedup.length === 1 ? dedup[0] : { k: "or", c: dedup };
}

/** Does `s` hold a character that a JSON short escape (\" \\ \/ \n …) stands for? */
const SHORT_ESCAPE_PRODUCT = /["\\/\b\f\n\r\t]/;

/** A literal whose raw search can be wrong only when the line holds a `\u` escape. */
export const rawIsFinalWithoutU = (lit: { readonly s: string; readonly inner?: string }): boolean => !SHORT_ESCAPE_PRODUCT.test(lit.inner ?? lit.s);

/** How the literals of a formula use one needle. */
export interface NeedleUse {
  /** Some literal counts it only where it ends a value. */
  value: boolean;
  /** Some literal counts it anywhere. */
  plain: boolean;
  /** Every literal's raw search is final without a `\u` escape in the line. */
  finalWithoutU: boolean;
}

/** Every distinct needle of `req` searched as written (`folded`: searched lower-cased) and how its literals use it. */
export function needlesOf(req: Req, out: Map<string, NeedleUse> = new Map(), folded = false): Map<string, NeedleUse> {
  if (req.k === "lit") {
    if ((req.ci === true) !== folded) return out;
    const u = out.get(req.s) ?? { value: false, plain: false, finalWithoutU: true };
    if (req.value === true) u.value = true;
    else u.plain = true;
    u.finalWithoutU &&= rawIsFinalWithoutU(req);
    out.set(req.s, u);
  } else if (req.k === "and" || req.k === "or") for (const c of req.c) needlesOf(c, out, folded);
  return out;
}

/** Identity of a literal: its text, whether it must end a value and whether it is searched folded. */
export function litKey(l: { readonly s: string; readonly value?: boolean; readonly ci?: true }): string {
  return (l.value === true ? `${l.s}\u0000value` : l.s) + (l.ci === true ? "\u0000ci" : "");
}

/**
 * The literal a keyword-mode `field:text` needs, if any (§7.2: strings equal exactly; numbers/CIDR vary).
 * Only a string leaf can equal a text that is neither a number, a CIDR nor a boolean's name, so the
 * needle is the whole string token, quotes included.
 */
function keywordLiteral(text: string, ci: boolean): Req {
  if (parseKqlNumber(text) !== undefined || parseCidr(text) !== undefined) return TRUE;
  // JSON true/false equal "true"/"false" by name (compile.ts keywordLiterals): those may be unquoted.
  const name = ci ? text.toLowerCase() : text;
  if (name === "true" || name === "false") return lit(text, ci);
  return lit(text, ci, "both");
}

/**
 * A keyword wildcard matches string leaves only (compile.ts keywordWildcard), so its first segment opens
 * a string token and its last one closes it; middle segments are bare. `a*` → `"a`, `*b` → `b"`.
 */
function wildcardLiterals(segments: readonly string[], ci: boolean): Req {
  const last = segments.length - 1;
  return andReq(segments.map((seg, i) => (seg === "" ? TRUE : lit(seg, ci, i === 0 ? "open" : i === last ? "close" : "none"))));
}

/**
 * A field that exists has a key in the JSON whose text ends with the field's last name segment — nested
 * (`{"process":{"env_vars":…}}`) or dotted (`{"process.env_vars":…}`) alike — followed by the key's closing
 * quote: `env_vars"`. Field names are never case-folded.
 */
function keyLiteral(field: FieldRef, prefix: string, types: (name: string) => EsFieldType | undefined): Req {
  if (field.k !== "name") return TRUE;
  const path = planField(prefix, field.name, types).path;
  return lit(path.slice(path.lastIndexOf(".") + 1), false, "close", "key");
}

/** A keyword-mode `is` of a named field with a value: what its values can be tested on in the line. */
type KeywordIs = Extract<Q, { k: "is" }> & { readonly field: { readonly k: "name"; readonly name: string }; readonly value: Exclude<ValueRef, { k: "any" }> };

/** The keyword field `q` tests (its value path) and whether it folds case, or undefined when it is no keyword `is`. */
function keywordTarget(q: Q, prefix: string, types: (name: string) => EsFieldType | undefined, ci: boolean): { path: string; fold: boolean } | undefined {
  if (q.k !== "is" || q.value.k === "any" || q.field.k !== "name") return undefined;
  const plan = planField(prefix, q.field.name, types);
  return plan.mode === "keyword" ? { path: fullName(prefix, plan.path), fold: ci || plan.caseless } : undefined;
}

/**
 * The values of a keyword field tested where the line holds them (field-value.ts), for wildcard patterns:
 * a pattern's needles are only its literal parts (`"/tmp/`, `"/home/`), which other fields' values hold as
 * well (most events' `process.working_directory` starts with `/home/`). The test is the predicate's own
 * keyword test of each value (any of them may match), so a string the field holds passes it exactly when
 * the predicate's leaf would.
 */
function keywordValues(path: string, fold: boolean, values: readonly Exclude<ValueRef, { k: "any" }>[]): Req {
  // compiled at the first line that reaches it: most rules' needles reject every line first
  let tests: ((leaf: unknown) => boolean)[] | undefined;
  const test = (s: string): boolean => {
    tests ??= values.map((v) => keywordIs(v, fold));
    for (let i = 0; i < tests.length; i++) if (tests[i](s)) return true;
    return false;
  };
  // a literal value as its text, a wildcard as its segments (a segment may hold an escaped `*`)
  const id = `kql${fold ? " ci" : ""} ${JSON.stringify(values.map((v) => (v.k === "lit" ? v.text : v.segments)))}`;
  return { k: "field", field: path, id, test };
}

/**
 * An `or` whose members test one keyword field, one or more of them with a wildcard
 * (`process.executable : (/tmp/* or ./* or /etc/crontab)`): the members' needles, and one test of the
 * field's values by all of them. (A ∧ Fa) ∨ (B ∧ Fb) implies (A ∨ B) ∧ (Fa ∨ Fb), so the pair is sound.
 */
function orOfKeywordIs(members: readonly KeywordIs[], path: string, fold: boolean, prefix: string, types: (name: string) => EsFieldType | undefined, ci: boolean): Req {
  const needles = orReq(members.map((m) => reqOf(m, prefix, types, ci, false)));
  if (!members.some((m) => m.value.k === "wild")) return needles;
  return andReq([needles, keywordValues(path, fold, members.map((m) => m.value))]);
}

function reqOf(q: Q, prefix: string, types: (name: string) => EsFieldType | undefined, ci: boolean, values = true): Req {
  switch (q.k) {
    case "all":
    case "not":
    case "range":
      return TRUE;
    case "exists":
      return keyLiteral(q.field, prefix, types);
    case "and":
      return andReq(q.c.map((c) => reqOf(c, prefix, types, ci, values)));
    case "or": {
      // members that test one keyword field are grouped: one test of its values for all of them
      const groups = new Map<string, { path: string; fold: boolean; members: KeywordIs[] }>();
      const rest: Req[] = [];
      for (const c of q.c) {
        const target = values ? keywordTarget(c, prefix, types, ci) : undefined;
        if (target === undefined) {
          rest.push(reqOf(c, prefix, types, ci, values));
          continue;
        }
        const key = `${target.fold ? "ci" : "cs"} ${target.path}`;
        let g = groups.get(key);
        if (g === undefined) groups.set(key, (g = { ...target, members: [] }));
        g.members.push(c as KeywordIs);
      }
      for (const g of groups.values()) rest.push(orOfKeywordIs(g.members, g.path, g.fold, prefix, types, ci));
      return orReq(rest);
    }
    case "nested":
      return reqOf(q.q, fullName(prefix, q.path), types, ci, values);
    case "is": {
      if (q.value.k === "any") return keyLiteral(q.field, prefix, types);
      // Free text and wildcard field names may reach leaves of any type, analysed text included.
      if (q.field.k !== "name") return TRUE;
      const plan = planField(prefix, q.field.name, types);
      const mode = plan.mode;
      const fold = ci || plan.caseless;
      switch (mode) {
        case "keyword":
          if (q.value.k === "lit") return keywordLiteral(q.value.text, fold);
          if (!values) return wildcardLiterals(q.value.segments, fold);
          return andReq([wildcardLiterals(q.value.segments, fold), keywordValues(fullName(prefix, plan.path), fold, [q.value])]);
        case "boolean":
          return q.value.k === "lit" && (q.value.text === "true" || q.value.text === "false") ? lit(q.value.text, false) : TRUE;
        case "text":
        case "number":
        case "date":
        case "ip":
          return TRUE;
        default:
          return assertNever(mode);
      }
    }
    default:
      return assertNever(q);
  }
}

/**
 * The requirement formula of a parsed query, for the same options compileKql would get. `fieldValues:
 * false` leaves out the tests of keyword values in the line (the EQL prefilter asks for one `is` at a time,
 * and groups its own).
 */
export function requirementsOf(ast: KqlNodeLike, opts: KqlEvalOptions = {}, fieldValues = true): Req {
  return reqOf(toIr(ast), "", fieldTypeFn(opts), opts.caseInsensitive === true, fieldValues);
}
