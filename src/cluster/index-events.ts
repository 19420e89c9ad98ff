// Loading events into a cluster (`tern index`): each event goes to a data stream — the one its hit's
// `_index` names (a backing index `.ds-<stream>-<date>-<generation>` names its stream), else `--index`, else
// the stream its `data_stream.type`, `.dataset` and `.namespace` name, else the input's own index (the
// file's name, as `tern run` gives plain events). A stream no index template makes a data stream gets one
// of tern's: data_stream, and dynamic templates giving each ECS field its ECS type when it first appears
// (strings otherwise keyword), so only the fields the events hold are mapped. Documents are created with
// their `_id` (hits keep theirs; plain events get tern's deterministic one), so a rerun finds them there
// already (409) and indexes nothing twice.

import type { InputEvent } from "../event/types.js";
import { dataStreamOf } from "../engine/index-filter.js";
import { isJsonObject } from "../util/json-object.js";
import { matchSegment } from "../util/glob.js";
import { ECS_INDEX_SETTINGS, ecsDynamicTemplates } from "./ecs-mapping.js";
import { bulkSettled, type ClusterClient, type ClusterFlavor } from "./client.js";

/** The data stream an event goes to. `index` is --index; `isHit` says whether `_index` came from a hit. */
export function targetStream(ev: InputEvent, isHit: boolean, index: string | undefined): string {
  if (isHit) return dataStreamOf(ev._index) ?? ev._index;
  if (index !== undefined) return index;
  const ds = ev._source.data_stream;
  if (isJsonObject(ds) && typeof ds.type === "string" && typeof ds.dataset === "string" && typeof ds.namespace === "string") return `${ds.type}-${ds.dataset}-${ds.namespace}`;
  const flat = ["type", "dataset", "namespace"].map((k) => ev._source[`data_stream.${k}`]);
  if (flat.every((v) => typeof v === "string")) return flat.join("-");
  return ev._index;
}

/** tern's index template for a stream: a data stream, ECS types through dynamic templates. */
export function ecsStreamTemplate(stream: string, flavor: ClusterFlavor): Record<string, unknown> {
  return {
    index_patterns: [stream],
    data_stream: {},
    priority: 500,
    template: { settings: ECS_INDEX_SETTINGS, mappings: { dynamic_templates: ecsDynamicTemplates(flavor), properties: { "@timestamp": { type: "date" } } } },
    _meta: { managed_by: "tern", description: "ECS field types for events tern index loads" },
  };
}

export interface IndexStats {
  indexed: number;
  /** Already there (a create answered 409). */
  existing: number;
  /** Refused by the cluster, with the first reasons. */
  failed: number;
  readonly reasons: string[];
  /** Documents per data stream. */
  readonly streams: Map<string, number>;
}

export class ClusterIndexer {
  private readonly prepared = new Set<string>();
  private pending: { stream: string; ev: InputEvent }[] = [];
  private pendingBytes = 0;
  readonly stats: IndexStats = { indexed: 0, existing: 0, failed: 0, reasons: [], streams: new Map() };

  constructor(
    private readonly client: ClusterClient,
    private readonly maxBatchBytes = 5 * 2 ** 20,
  ) {}

  async add(ev: InputEvent, stream: string): Promise<void> {
    this.pending.push({ stream, ev });
    this.pendingBytes += JSON.stringify(ev._source).length + 64;
    if (this.pendingBytes >= this.maxBatchBytes) await this.flush();
  }

  /** Makes sure a template makes the stream a data stream: the cluster's own if one does, else tern's. */
  private async prepare(stream: string): Promise<void> {
    if (this.prepared.has(stream)) return;
    type Templates = { index_templates?: { index_template: { index_patterns: string[]; data_stream?: unknown } }[] };
    const existing = await this.client.request<Templates>("GET", "/_index_template");
    const covered = existing.index_templates?.some((t) => t.index_template.data_stream !== undefined && t.index_template.index_patterns.some((p) => matchSegment(p, stream))) === true;
    if (!covered) await this.client.request("PUT", `/_index_template/${encodeURIComponent(`tern-${stream}`)}`, ecsStreamTemplate(stream, this.client.flavor));
    this.prepared.add(stream);
  }

  async flush(refresh = false): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    if (batch.length === 0) {
      if (refresh) await this.client.request("POST", "/_refresh");
      return;
    }
    for (const s of new Set(batch.map((b) => b.stream))) await this.prepare(s);
    const items = await bulkSettled(this.client, batch.map(({ stream, ev }) => [{ create: { _index: stream, _id: ev._id } }, ev._source] as const), refresh);
    items.forEach((it, i) => {
      const { stream } = batch[i];
      if (it.status === 201) {
        this.stats.indexed++;
        this.stats.streams.set(stream, (this.stats.streams.get(stream) ?? 0) + 1);
      } else if (it.status === 409) this.stats.existing++;
      else {
        this.stats.failed++;
        if (this.stats.reasons.length < 10) this.stats.reasons.push(`${batch[i].ev._id} → ${stream}: ${it.status} ${it.error?.type ?? ""}: ${it.error?.reason ?? ""}`);
      }
    });
  }
}
