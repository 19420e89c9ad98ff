// The `_index` tern gives events it builds from Linux logs when the user names none: the Elastic Defend
// data stream of the event's category, with the producer as namespace (logs-endpoint.events.file-auditd).
// Rules written for Defend select events by index pattern (the seed's "logs-endpoint.events.*"), so this
// is what lets them run unchanged on converted events; event.module still says where an event came from.

import type { EventDoc } from "../../event/types.js";

export type LinuxProducer = "auditd" | "sysmon";

export function defendIndexFor(doc: EventDoc, producer: LinuxProducer): string {
  const event = doc.event as { category?: unknown } | undefined;
  const cat = Array.isArray(event?.category) ? event.category[0] : undefined;
  const dataset = cat === "file" || cat === "process" || cat === "network" ? cat : "misc";
  return `logs-endpoint.events.${dataset}-${producer}`;
}
