// Alerts into a cluster for `tern run --cluster`: each alert is created in the alerts index (default
// `.alerts-security.alerts-<space>`, Kibana's) with its kibana.alert.uuid as `_id`, so a 409 means the
// alert is there already — the dedupe Kibana's bulk create does. An alert an execution extended (alert
// suppression: last_detected after its start) replaces the stored one. The alerts also go to the primary
// sink (stdout or --output) and the SQLite memory, as in every run.

import type { EventDoc } from "../event/types.js";
import type { AlertSink, SinkAlert } from "../engine/ports.js";
import { ClusterError, bulkSettled, type ClusterClient } from "./client.js";

export interface ClusterAlertStats {
  created: number;
  existing: number;
  replaced: number;
}

export function clusterAlertSink(primary: AlertSink, client: ClusterClient, index: string): AlertSink & { readonly stats: ClusterAlertStats } {
  const stats: ClusterAlertStats = { created: 0, existing: 0, replaced: 0 };
  let ready = false;
  const prepare = async () => {
    if (ready) return;
    // (A HEAD request would not do: the Elasticsearch client answers a 404 to it without an error.)
    if (!(await client.indexExists(index))) {
      await client.request("PUT", `/${encodeURIComponent(index)}`, {
        settings: { number_of_replicas: 0, "index.mapping.total_fields.limit": 10_000 },
        mappings: { dynamic_templates: [{ strings: { match_mapping_type: "string", mapping: { type: "keyword", ignore_above: 32_766 } } }], properties: { "@timestamp": { type: "date" } } },
      }).catch((e: unknown) => {
        // created meanwhile by another writer
        if (!(e instanceof ClusterError && /resource_already_exists/.test(e.message))) throw e;
      });
    }
    ready = true;
  };
  return {
    stats,
    async write(alerts: readonly SinkAlert[]) {
      // The cluster first: if it fails (down past the retries), nothing reached the primary sink either, and
      // the execution runs again later; a repeat in the cluster is only a 409.
      if (alerts.length > 0) await toCluster(alerts.map((a) => a.doc));
      await primary.write(alerts);
    },
    commit: primary.commit?.bind(primary),
    close: () => primary.close(),
  };

  async function toCluster(alerts: readonly EventDoc[]): Promise<void> {
    await prepare();
    const replaces = alerts.map((a) => a["kibana.alert.last_detected"] !== a["kibana.alert.start"]);
    const items = await bulkSettled(client, alerts.map((a, i) => [{ [replaces[i] ? "index" : "create"]: { _index: index, _id: String(a["kibana.alert.uuid"]) } }, a] as const), true);
    const refused: string[] = [];
    items.forEach((it, i) => {
      if (it.status === 201 && !replaces[i]) stats.created++;
      else if (it.status === 200 || (it.status === 201 && replaces[i])) stats.replaced++;
      else if (it.status === 409) stats.existing++;
      else refused.push(`${String(alerts[i]["kibana.alert.uuid"])}: ${it.status} ${it.error?.type ?? ""}: ${it.error?.reason ?? ""}`);
    });
    if (refused.length > 0) throw new ClusterError(`the cluster refused ${refused.length} alert${refused.length === 1 ? "" : "s"} in ${index} (${refused.slice(0, 3).join("; ")})`);
  }
}
