// A cluster as an event source for `tern run --cluster`: the documents of the rules' index patterns that
// some rule's query can match, over the time span the rules' executions and new-terms histories read,
// fetched with a scroll (Elasticsearch and OpenSearch both have it) and handed to the same engine that runs
// files. Each event keeps the cluster's `_index` (a data stream's backing index) and `_id`, so alert ids
// are the ones Kibana computes for the same documents. The fetch is a superset (every rule's query ORed,
// the time on `@timestamp` or `event.ingested`); the engine applies each rule's index patterns, query,
// filters and windows as it does for files.

import type { EventDoc, InputEvent } from "../event/types.js";
import type { EventSource, SourceStats } from "../sources/types.js";
import type { ClusterClient } from "./client.js";

export interface ClusterSourceSpec {
  /** Index patterns to search (the rules' `index`); none: nothing is fetched. */
  readonly indices: readonly string[];
  /** One query per rule (its query in the query DSL), ORed; an empty list fetches everything in range. */
  readonly queries: readonly Record<string, unknown>[];
  /** Event time span (ms), inclusive. */
  readonly from: number;
  readonly to: number;
  readonly pageSize?: number;
}

interface Hit {
  _index: string;
  _id: string;
  _source?: EventDoc;
}

interface ScrollPage {
  _scroll_id?: string;
  hits: { hits: Hit[] };
}

/** The search body: the time span on either time field, and any rule's query. */
export function clusterSearchBody(spec: ClusterSourceSpec): Record<string, unknown> {
  const span = { gte: new Date(spec.from).toISOString(), lte: new Date(spec.to).toISOString(), format: "strict_date_optional_time" };
  const time = { bool: { should: [{ range: { "@timestamp": span } }, { range: { "event.ingested": span } }], minimum_should_match: 1 } };
  const filter: Record<string, unknown>[] = [time];
  if (spec.queries.length > 0) filter.push({ bool: { should: spec.queries, minimum_should_match: 1 } });
  return { size: spec.pageSize ?? 1000, sort: ["_doc"], query: { bool: { filter } } };
}

export function openClusterSource(client: ClusterClient, url: string, spec: ClusterSourceSpec): EventSource {
  const stats: SourceStats = { files: 0, lines: 0, bytes: 0, bad: 0, prefiltered: 0, events: 0 };
  const path = `/${spec.indices.map(encodeURIComponent).join(",")}/_search`;
  return {
    stats,
    async *batches() {
      // no rule reads fetched events (the cluster's own searches run them all)
      if (spec.indices.length === 0) return;
      stats.files = 1;
      let page = await client.request<ScrollPage>("POST", path, clusterSearchBody(spec), { scroll: "2m", ignore_unavailable: "true", allow_no_indices: "true" });
      let scrollId = page._scroll_id;
      try {
        while (page.hits.hits.length > 0) {
          const batch: InputEvent[] = [];
          for (const h of page.hits.hits) {
            stats.lines++;
            if (h._source === undefined || h._source === null || typeof h._source !== "object") {
              stats.bad++;
              continue;
            }
            stats.events++;
            stats.bytes += 64;
            batch.push({ _index: h._index, _id: h._id, _source: h._source, loc: { file: `${url}/${h._index}`, line: stats.lines, byteOffset: 0 } });
          }
          yield batch;
          if (scrollId === undefined) break;
          page = await client.request<ScrollPage>("POST", "/_search/scroll", { scroll: "2m", scroll_id: scrollId });
          scrollId = page._scroll_id ?? scrollId;
        }
      } finally {
        if (scrollId !== undefined) await client.request("DELETE", "/_search/scroll", { scroll_id: scrollId }).catch(() => undefined);
      }
    },
  };
}
