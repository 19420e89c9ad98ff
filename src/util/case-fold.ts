// Case-insensitive string comparison as Lucene's `case_insensitive` term, prefix and wildcard queries do it:
// per code point, with simple (one code point to one code point) case mappings, never full folding
// ("ß" does not become "ss"; "İ" stays one character). ASCII text takes a fast path.

const ASCII_ONLY = /^[\x00-\x7f]*$/;

function foldCodePoint(cp: number): number {
  const s = String.fromCodePoint(cp);
  const lower = s.toLowerCase();
  if (lower.length === s.length && lower.codePointAt(0) !== cp) return lower.codePointAt(0) ?? cp;
  // Characters with only an upper-case mapping (and those whose lower case is several characters) fold
  // through their upper case when that is one character, so both spellings meet.
  const upper = s.toUpperCase();
  if (upper.length === s.length) {
    const u = upper.codePointAt(0) ?? cp;
    const back = String.fromCodePoint(u).toLowerCase();
    if (back.length === upper.length) return back.codePointAt(0) ?? u;
    return u;
  }
  return cp;
}

/** The text with every code point mapped to its simple case fold; equal folds mean a case-insensitive match. */
export function foldCase(s: string): string {
  if (ASCII_ONLY.test(s)) return s.toLowerCase();
  let out = "";
  for (const ch of s) out += String.fromCodePoint(foldCodePoint(ch.codePointAt(0) ?? 0));
  return out;
}
