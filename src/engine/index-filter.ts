// A rule's `index` patterns select events by `_index` (new_terms.md §2.5): Elasticsearch index patterns,
// comma lists, `*` wildcards (linear-time matcher), `-pattern` exclusions, and a `cluster:` prefix ignored
// (events carry local names); the backing indices of data streams are selected through their stream's name. Used only when events have a meaningful `_index` (see run.ts).

import { matchStarPattern } from "../util/wildcard.js";

export type IndexFilter = (index: string) => boolean;

/**
 * The integration indices an event tern built from a Linux log stands for. tern names such events after
 * Elastic Defend's data streams with the producer as namespace (`logs-endpoint.events.process-auditd`), so
 * Defend rules select them; a rule written for Auditbeat or the auditd_manager integration
 * (`auditbeat-*`, `logs-auditd_manager.auditd-*`), or for the Sysmon for Linux integration
 * (`logs-sysmon_linux.log-*`), selects them too, as it would select the same log shipped by that integration.
 */
export function linuxSourceAliases(index: string): readonly string[] {
  if (!index.startsWith("logs-endpoint.events.")) return [];
  if (index.endsWith("-auditd")) return ["auditbeat-tern", "logs-auditd_manager.auditd-tern"];
  if (index.endsWith("-sysmon")) return ["logs-sysmon_linux.log-tern"];
  return [];
}

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
  const one = (index: string) => include.some((p) => matchStarPattern(p, index)) && !exclude.some((p) => matchStarPattern(p, index));
  return (index) => {
    // A data stream's backing index is selected as its stream is: `logs-*` resolves to the stream
    // `logs-x-default`, whose hits name `.ds-logs-x-default-2026.11.10-000001`. Hidden indices such as
    // these match a wildcard directly only when the pattern itself starts with a dot.
    const stream = dataStreamOf(index);
    if (stream !== undefined) return one(stream) || (include.some((p) => p.startsWith(".")) && one(index)) || linuxSourceAliases(stream).some(one);
    return one(index) || linuxSourceAliases(index).some(one);
  };
}

/**
 * The data stream a backing index belongs to, if it is one: `.ds-<stream>-<yyyy.MM.dd>-<generation>`
 * (Elasticsearch 7.11 and later) or `.ds-<stream>-<generation>` (7.9, 7.10).
 */
export function dataStreamOf(index: string): string | undefined {
  if (!index.startsWith(".ds-")) return undefined;
  return (/^\.ds-(.+)-\d{4}\.\d{2}\.\d{2}-\d{6,}$/.exec(index) ?? /^\.ds-(.+)-\d{6,}$/.exec(index))?.[1];
}
