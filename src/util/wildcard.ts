// Linear-time wildcard matching for KQL values and field names (docs/kql.md §7.1, §7.2): `*` matches any
// run of characters (dots and newlines included), every other character is literal (`?` too). Patterns
// are split once into literal segments; matching never backtracks: the first segment is a prefix, the
// last a suffix, the middle ones are found greedily left to right, so the cost is O(n·m) at worst.

/** The marker the KQL parser puts where an unescaped `*` was (docs/kql.md §3). */
export const WILDCARD_MARKER = "@kuery-wildcard@";

/** Splits a wildcard node's value into its literal segments: `a*b*` → ["a", "b", ""]. */
export function wildcardSegments(value: string): string[] {
  return value.split(WILDCARD_MARKER);
}

/** Segments of a pattern written with plain `*` (field-name patterns in tests and the CLI). */
export function starSegments(pattern: string): string[] {
  return pattern.split("*");
}

export type WildcardMatcher = (s: string) => boolean;

/** Counts the characters a match looks at, so tests can show linear behaviour without timers. */
export interface StepCounter {
  steps: number;
}

/**
 * Greedy star-only matching. Because `*` is the only metacharacter, the leftmost occurrence of each
 * middle segment is always a safe choice (any later match could be shifted left), so one pass suffices.
 */
function matchSegments(segs: readonly string[], s: string, counter?: StepCounter): boolean {
  const last = segs.length - 1;
  const head = segs[0];
  const tail = segs[last];
  if (last === 0) {
    if (counter) counter.steps += Math.min(s.length, head.length) + 1;
    return s === head;
  }
  if (s.length < head.length + tail.length) return false;
  if (counter) counter.steps += head.length + tail.length;
  if (!s.startsWith(head) || !s.endsWith(tail)) return false;
  let pos = head.length;
  const end = s.length - tail.length;
  for (let i = 1; i < last; i++) {
    const seg = segs[i];
    if (seg.length === 0) continue;
    const at = s.indexOf(seg, pos);
    if (at < 0 || at + seg.length > end) {
      if (counter) counter.steps += end - pos;
      return false;
    }
    if (counter) counter.steps += at - pos + seg.length;
    pos = at + seg.length;
  }
  return true;
}

/** The match with a step counter (tests of linearity); same answers as compileWildcard's matcher. */
export function matchWildcardCounted(segments: readonly string[], s: string, counter: StepCounter): boolean {
  return matchSegments(segments, s, counter);
}

/**
 * Compiles literal segments (as from wildcardSegments) into a matcher, choosing a fast path where the
 * shape allows: exact, prefix, suffix, contains, prefix+suffix, or the general greedy matcher.
 * `caseInsensitive` folds both sides with toLowerCase (Elasticsearch's `case_insensitive` term/wildcard).
 */
export function compileWildcard(segments: readonly string[], opts: { caseInsensitive?: boolean } = {}): WildcardMatcher {
  if (segments.length === 0) throw new Error("a wildcard pattern has at least one segment");
  if (opts.caseInsensitive === true) {
    const inner = compileWildcard(segments.map((x) => x.toLowerCase()));
    return (s) => inner(s.toLowerCase());
  }
  // Empty middle segments (from `**`) change nothing; dropping them exposes the fast paths.
  const segs = [segments[0], ...segments.slice(1, -1).filter((x) => x.length > 0)];
  if (segments.length > 1) segs.push(segments[segments.length - 1]);
  if (segs.length === 1) {
    const exact = segs[0];
    return (s) => s === exact;
  }
  const head = segs[0];
  const tail = segs[segs.length - 1];
  if (segs.length === 2) {
    if (head === "" && tail === "") return () => true;
    if (tail === "") return (s) => s.startsWith(head);
    if (head === "") return (s) => s.endsWith(tail);
    const min = head.length + tail.length;
    return (s) => s.length >= min && s.startsWith(head) && s.endsWith(tail);
  }
  if (segs.length === 3 && head === "" && tail === "") {
    const mid = segs[1];
    return (s) => s.includes(mid);
  }
  return (s) => matchSegments(segs, s);
}

/** One-shot convenience: does `s` match the `*`-pattern `pattern`? */
export function matchStarPattern(pattern: string, s: string): boolean {
  return matchSegments(starSegments(pattern), s);
}

// ---- `*` and `?` patterns (EQL `like`, `:` with wildcards; Lucene wildcard queries) -------------------

/** One code point of a pattern segment, or ANY_ONE for `?`. */
const ANY_ONE = -1;

function segmentAt(seg: readonly number[], s: readonly number[], at: number): boolean {
  for (let k = 0; k < seg.length; k++) if (seg[k] !== ANY_ONE && seg[k] !== s[at + k]) return false;
  return true;
}

/**
 * Matches a whole value against a pattern where `*` is any run of characters (none included) and `?`
 * exactly one character (one code point, as Lucene's wildcard automaton counts them); every other
 * character, backslash included, is literal. Greedy leftmost placement of the `*`-separated segments is
 * safe for fixed-length segments, so matching never backtracks: O(value × pattern) at worst.
 */
export function compileStarQuestionPattern(pattern: string, opts: { caseInsensitive?: boolean; fold?: (s: string) => string } = {}): WildcardMatcher {
  const fold = opts.caseInsensitive === true ? (opts.fold ?? ((x: string) => x.toLowerCase())) : (x: string) => x;
  const p = fold(pattern);
  if (!p.includes("?")) {
    const inner = compileWildcard(p.split("*"));
    return opts.caseInsensitive === true ? (s) => inner(fold(s)) : inner;
  }
  const segs = p.split("*").map((x) => Array.from(x, (ch) => (ch === "?" ? ANY_ONE : (ch.codePointAt(0) ?? 0))));
  return matchCodePointSegments(segs, fold);
}

/**
 * A Lucene wildcard query's pattern (Elasticsearch `wildcard`): `*` and `?` as above, and a backslash makes
 * the next character literal (`\*` a star, `\\` a backslash); a trailing lone backslash is literal.
 * With `caseInsensitive`, both sides are lower-cased (Elasticsearch's `case_insensitive: true`).
 */
export function compileLuceneWildcard(pattern: string, opts: { caseInsensitive?: boolean } = {}): WildcardMatcher {
  const fold = opts.caseInsensitive === true ? (x: string) => x.toLowerCase() : (x: string) => x;
  const chars = Array.from(fold(pattern));
  const segs: number[][] = [[]];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === "\\" && i + 1 < chars.length) segs[segs.length - 1].push(chars[++i].codePointAt(0) ?? 0);
    else if (ch === "*") segs.push([]);
    else segs[segs.length - 1].push(ch === "?" ? ANY_ONE : (ch.codePointAt(0) ?? 0));
  }
  return matchCodePointSegments(segs, fold);
}

/** The matcher of `*`-separated segments of code points (ANY_ONE for `?`), values folded by `fold` first. */
function matchCodePointSegments(segs: readonly (readonly number[])[], fold: (s: string) => string): WildcardMatcher {
  const last = segs.length - 1;
  return (value) => {
    const s = Array.from(fold(value), (ch) => ch.codePointAt(0) ?? 0);
    if (last === 0) return s.length === segs[0].length && segmentAt(segs[0], s, 0);
    const head = segs[0];
    const tail = segs[last];
    if (s.length < head.length + tail.length) return false;
    if (!segmentAt(head, s, 0) || !segmentAt(tail, s, s.length - tail.length)) return false;
    let pos = head.length;
    const end = s.length - tail.length;
    for (let i = 1; i < last; i++) {
      const seg = segs[i];
      let found = -1;
      for (let at = pos; at + seg.length <= end; at++) {
        if (segmentAt(seg, s, at)) {
          found = at;
          break;
        }
      }
      if (found < 0) return false;
      pos = found + seg.length;
    }
    return true;
  };
}
