// Wildcard-node helpers for the DSL translation (docs/kql.md §3 and §5): the query_string form of
// a wildcard value (`qs()` in §5), its plain `*` form, the lone-`*` test, and anchored field-name
// matching against an index pattern — linear time, no regular expressions built from query text.
import { WILDCARD_MARKER, type DslWildcardNode } from "./node.js";

/**
 * Characters Kibana backslash-escapes in each literal segment of a query_string wildcard.
 * Kibana writes this as a regex character class that starts with `+-=`, which JS reads as the
 * range U+002B..U+003D; so `,` `.` `;` and the digits are escaped too (harmless to query_string,
 * and needed for byte-identical output).
 */
const QS_SPECIAL: ReadonlySet<string> = (() => {
  const s = new Set<string>();
  for (let c = 0x2b; c <= 0x3d; c++) s.add(String.fromCharCode(c));
  for (const ch of "&|><!(){}[]^\"~*?:\\/") s.add(ch);
  return s;
})();

function escapeQueryStringSegment(segment: string): string {
  let out = "";
  for (const ch of segment) out += QS_SPECIAL.has(ch) ? "\\" + ch : ch;
  return out;
}

/** `qs(value)` of §5: escaped literal segments joined by an unescaped `*`. */
export function toQueryStringQuery(node: DslWildcardNode): string {
  return node.value.split(WILDCARD_MARKER).map(escapeQueryStringSegment).join("*");
}

/** The wildcard value with each marker as a plain `*` (field names, range values). */
export function wildcardToPlain(node: DslWildcardNode): string {
  return node.value.split(WILDCARD_MARKER).join("*");
}

/**
 * True when the value is a single `*`. Only the first marker is removed before the emptiness
 * test, so `**` is not lone (kql.md §2: `**` stays a pattern).
 */
export function isLoneWildcard(node: DslWildcardNode): boolean {
  return node.value.includes(WILDCARD_MARKER) && node.value.replace(WILDCARD_MARKER, "").length === 0;
}

/**
 * Anchored match of a field name against a wildcard node, `*` matching any run of characters
 * (dots included). Greedy leftmost placement of the middle segments is exact for `*`-only
 * patterns, so this needs no backtracking.
 */
export function wildcardMatchesName(node: DslWildcardNode, name: string, counter?: { steps: number }): boolean {
  const segs = node.value.split(WILDCARD_MARKER);
  const first = segs[0] ?? "";
  if (segs.length === 1) return name === first;
  const last = segs[segs.length - 1] ?? "";
  if (name.length < first.length + last.length) return false;
  if (!name.startsWith(first) || !name.endsWith(last)) return false;
  let pos = first.length;
  const end = name.length - last.length;
  for (let i = 1; i < segs.length - 1; i++) {
    const seg = segs[i] ?? "";
    if (seg.length === 0) continue;
    const at = name.indexOf(seg, pos);
    // The span this search covered: the searches never overlap, which is what keeps the match linear.
    if (counter !== undefined) counter.steps += (at < 0 ? name.length : at + seg.length) - pos;
    if (at < 0 || at + seg.length > end) return false;
    pos = at + seg.length;
  }
  return true;
}
