// Required literals of a KQL query (issue 3 "byte-level prefilter"; docs/kql.md §7): a formula of
// substrings, at least one per `or` branch, that the decoded text of every matching event's JSON must
// contain. Only sound derivations: anything whose textual form can vary (numbers, CIDR, dates, IPs,
// analysed text, case folding of letters, `not`, ranges) contributes "no requirement".
// Keyword values that only a JSON string can match are required WITH their quotes (issue 6): an exact
// value needs `"so"`, a wildcard's first segment `"/dev/shm/`, its last `.so"` — the token delimiters
// are never escaped, so the decoded line holds them verbatim whatever the serialisation.

import type { EsFieldType } from "../../ecs/field-types.js";
import { assertNever, fieldTypeFn, fullName, planField, toIr, type FieldRef, type KqlEvalOptions, type KqlNodeLike, type Q } from "../predicate/ir.js";
import { parseCidr, parseKqlNumber } from "../predicate/values.js";

export type Req =
  | { readonly k: "true" }
  /**
   * `inner`: the part of `s` between added token quotes (what escapes could hide); absent = all of `s`.
   * `value`: `s` ends a JSON string value, so only an occurrence NOT followed (after blanks) by `:` counts —
   * one followed by a colon is a key (`"id":` is in most events; the value `"id"` is rare).
   */
  | { readonly k: "lit"; readonly s: string; readonly inner?: string; readonly value?: boolean }
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
  // Case folding can turn many different texts into this one, except when it has no letters at all.
  // ASCII only: some non-ASCII characters lowercase into sequences with other characters (İ → i̇).
  if (ci && !/^[\x00-\x40\x5b-\x60\x7b-\x7f]*$/.test(s)) return TRUE;
  if (quote === "none") return s.length < MIN_LITERAL_LENGTH ? TRUE : { k: "lit", s };
  // A quoted needle is selective even when short (`"so"`, `"w"` between both quotes), but one quote plus
  // one character is not.
  if (s.length < (quote === "both" ? 1 : 2)) return TRUE;
  const q = (quote === "open" || quote === "both" ? '"' : "") + s + (quote === "close" || quote === "both" ? '"' : "");
  return role === "value" && (quote === "close" || quote === "both") ? { k: "lit", s: q, inner: s, value: true } : { k: "lit", s: q, inner: s };
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
  // (A value literal is implied only by a value literal that ends with it: same end, same next byte.)
  const implies = (c: Extract<Req, { k: "lit" }>, o: Extract<Req, { k: "lit" }>): boolean =>
    o.value === true ? c.value === true && c.s.endsWith(o.s) : c.s.includes(o.s);
  const kept = out.filter((c) => c.k !== "lit" || !lits.some((o) => o !== c && (o.s !== c.s || (o.value !== true && c.value === true)) && implies(c, o)));
  const seen = new Set<string>();
  const dedup = kept.filter((c) => (c.k === "lit" ? !seen.has(litKey(c)) && (seen.add(litKey(c)), true) : true));
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

/** Every distinct needle of `req` and how its literals use it. */
export function needlesOf(req: Req, out: Map<string, NeedleUse> = new Map()): Map<string, NeedleUse> {
  if (req.k === "lit") {
    const u = out.get(req.s) ?? { value: false, plain: false, finalWithoutU: true };
    if (req.value === true) u.value = true;
    else u.plain = true;
    u.finalWithoutU &&= rawIsFinalWithoutU(req);
    out.set(req.s, u);
  } else if (req.k === "and" || req.k === "or") for (const c of req.c) needlesOf(c, out);
  return out;
}

/** Identity of a literal: its text and whether it must end a value. */
export function litKey(l: { readonly s: string; readonly value?: boolean }): string {
  return l.value === true ? `${l.s}\u0000value` : l.s;
}

/**
 * The literal a keyword-mode `field:text` needs, if any (§7.2: strings equal exactly; numbers/CIDR vary).
 * Only a string leaf can equal a text that is neither a number, a CIDR nor a boolean's name, so the
 * needle is the whole string token, quotes included.
 */
function keywordLiteral(text: string, ci: boolean): Req {
  if (parseKqlNumber(text) !== undefined || parseCidr(text) !== undefined) return TRUE;
  // JSON true/false equal "true"/"false" by name (compile.ts keywordLiterals): those may be unquoted.
  if (text === "true" || text === "false") return lit(text, ci);
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

function reqOf(q: Q, prefix: string, types: (name: string) => EsFieldType | undefined, ci: boolean): Req {
  switch (q.k) {
    case "all":
    case "not":
    case "range":
      return TRUE;
    case "exists":
      return keyLiteral(q.field, prefix, types);
    case "and":
      return andReq(q.c.map((c) => reqOf(c, prefix, types, ci)));
    case "or":
      return orReq(q.c.map((c) => reqOf(c, prefix, types, ci)));
    case "nested":
      return reqOf(q.q, fullName(prefix, q.path), types, ci);
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
          return wildcardLiterals(q.value.segments, fold);
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

/** The requirement formula of a parsed query, for the same options compileKql would get. */
export function requirementsOf(ast: KqlNodeLike, opts: KqlEvalOptions = {}): Req {
  return reqOf(toIr(ast), "", fieldTypeFn(opts), opts.caseInsensitive === true);
}
