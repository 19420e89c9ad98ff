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
