// Serialisations of a document the prefilter tests check every property against, and queries and documents
// built from needles that need escaping (tests only).

import fc from "fast-check";
import { and, is, not, or } from "../predicate/test-support.js";

/** JSON with "/" written as "\/" and every non-ASCII character as \uXXXX (keys included), as some shippers do. */
export function escapingStringify(v: unknown): string {
  return JSON.stringify(v)
    .replace(/\//g, "\\/")
    .replace(/[\u0080-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

/** JSON with blanks around every ':' (a tab before it), after every ',' and around brackets, as pretty-ish printers do. */
export function spacedStringify(v: unknown): string {
  return JSON.stringify(v).replace(/"(?:[^"\\]|\\.)*"|[:,{}[\]]/g, (t) => (t.length > 1 || t === '"' ? t : t === ":" ? " \t: " : t === "," ? `${t} ` : ` ${t} `));
}

/** Every serialisation the soundness properties check. */
export const SERIALISATIONS = (doc: unknown): string[] => [JSON.stringify(doc), escapingStringify(doc), allEscapedStringify(doc), spacedStringify(doc)];

/** JSON with every character of every string written as \uXXXX: no needle survives verbatim. */
export function allEscapedStringify(v: unknown): string {
  return JSON.stringify(v, null, 0).replace(/"((?:[^"\\]|\\.)*)"/g, (_m, body: string) => {
    const s = JSON.parse(`"${body}"`) as string;
    return '"' + [...s].map((ch) => [...ch].map((u) => "\\u" + u.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")).join("")).join("") + '"';
  });
}

/** Queries over a few fields whose values hold quotes, slashes, tabs, backslashes and non-ASCII text. */
export const arbNeedleQuery = fc.letrec<{ q: ReturnType<typeof is> }>((tie) => ({
  q: fc.oneof(
    { depthSize: "small" },
    fc.tuple(fc.constantFrom("a", "b", "a.b", "n"), fc.constantFrom("hello", "hel*", "*llo", "/dev/*", "x/y", "Zoë", "é*", "tab\there", 'q"uote', "a\\b", "*\\b*", "true", "null")).map(([f, v]) => is(f, v)),
    fc.array(tie("q"), { minLength: 2, maxLength: 3 }).map((c) => and(...c)),
    fc.array(tie("q"), { minLength: 2, maxLength: 3 }).map((c) => or(...c)),
    tie("q").map((c) => not(c)),
  ),
})).q;

/** Documents over the same fields and values (and near misses of them). */
export const arbNeedleDoc = fc.dictionary(
  fc.constantFrom("a", "b", "a.b", "n", "c"),
  fc.oneof(
    fc.constantFrom("hello", "Hello", "hello world", "/dev/shm/x", "x/y", "Zoë", "éa", "tab\there", 'q"uote', "a\\b", "true", true, "null", 1),
    fc.array(fc.constantFrom("hello", "x/y", "Zoë", true), { maxLength: 2 }),
  ),
  { maxKeys: 4 },
);

/** The string constants of a query and near misses of them: other case, longer, wildcards filled in. */
function vocabulary(q: string): string[] {
  const lits = [...q.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => {
    try {
      return JSON.parse(`"${m[1]}"`) as string;
    } catch {
      return m[1]; // an EQL escape JSON has not (\t is shared; \x is not): the text as written
    }
  });
  const out = new Set<string>(["other"]);
  for (const l of lits) {
    const filled = l.replace(/\*/g, "a").replace(/\?/g, "z");
    // the Kelvin sign folds to k: a value a case-insensitive test matches with no ASCII k in it
    for (const v of [filled, filled.toUpperCase(), `x${filled}`, `${filled}x`, l, filled.replace(/k/gi, "\u212a")]) out.add(v);
  }
  return [...out];
}

/** Values of other JSON types a keyword field indexes as text (123 as "123", true as "true"). */
const SCALARS = [123, 12, 1, true, false];

/**
 * Events over the fields a query names, valued from its own constants (and near misses of them), and from
 * `extra` (values a regex matches, which its text is not).
 */
export function arbQueryEvent(q: string, extra: readonly string[] = []) {
  const vals = fc.oneof({ arbitrary: fc.constantFrom(...vocabulary(q), ...extra), weight: 6 }, { arbitrary: fc.constantFrom(...SCALARS), weight: 1 });
  const fields = [...new Set([...q.matchAll(/\b[a-z_]+\.[a-z_.]+/g)].map((m) => m[0]))];
  const categories = fc.constantFrom("process", "process", "file", "file", "network", "Process");
  return fc.record({
    cat: fc.oneof(categories, fc.array(categories, { maxLength: 2 })),
    vals: fc.record(Object.fromEntries(fields.map((f) => [f, fc.oneof(vals, fc.array(vals, { maxLength: 3 }))])), { requiredKeys: [] }),
    dotted: fc.boolean(),
  });
}

/** An event of arbQueryEvent as a document: nested, or with dotted keys. */
export function buildQueryEvent(e: { cat: unknown; vals: Record<string, unknown>; dotted: boolean }): Record<string, unknown> {
  if (e.dotted) return { "event.category": e.cat, "@timestamp": "2024-05-01T00:00:00Z", ...e.vals };
  const doc: Record<string, unknown> = { event: { category: e.cat }, "@timestamp": "2024-05-01T00:00:00Z" };
  for (const [k, v] of Object.entries(e.vals)) {
    const parts = k.split(".");
    let obj = doc;
    for (const p of parts.slice(0, -1)) obj = (obj[p] ??= {}) as Record<string, unknown>;
    obj[parts[parts.length - 1]] = v;
  }
  return doc;
}
