// A rule's `index` patterns select events by `_index` (new_terms.md §2.5): Elasticsearch index patterns,
// comma lists, `*` wildcards (linear-time matcher), `-pattern` exclusions, and a `cluster:` prefix ignored
// (events carry local names). Used only when events have a meaningful `_index` (see run.ts).

import { matchStarPattern } from "../util/wildcard.js";

export type IndexFilter = (index: string) => boolean;

export function compileIndexPatterns(patterns: readonly string[]): IndexFilter {
  const include: string[] = [];
  const exclude: string[] = [];
  for (const raw of patterns.flatMap((p) => p.split(","))) {
    let p = raw.trim();
    if (p === "") continue;
    const neg = p.startsWith("-");
    if (neg) p = p.slice(1);
    const colon = p.indexOf(":");
    if (colon >= 0) p = p.slice(colon + 1);
    (neg ? exclude : include).push(p);
  }
  return (index) => include.some((p) => matchStarPattern(p, index)) && !exclude.some((p) => matchStarPattern(p, index));
}
