// `kibana.alert.reason` (new_terms.md §7.4): a sentence assembled from a fixed list of ECS fields of the
// merged alert source. Values without a `length` (numbers), empty values and "-" are left out.

import type { EventDoc } from "../event/types.js";

/** The raw value at `path` the way lodash `get` reads it: a flat dotted key first, else nested keys. */
function rawGet(doc: EventDoc, path: string): unknown {
  if (Object.prototype.hasOwnProperty.call(doc, path)) return doc[path];
  let node: unknown = doc;
  for (const part of path.split(".")) {
    if (node === null || typeof node !== "object" || Array.isArray(node)) return undefined;
    const obj = node as Record<string, unknown>;
    if (!Object.prototype.hasOwnProperty.call(obj, part)) return undefined;
    node = obj[part];
  }
  return node;
}

function reasonValue(doc: EventDoc, path: string): string | null {
  const v = rawGet(doc, path);
  if (typeof v === "string") return v === "" || v === "-" ? null : v;
  if (Array.isArray(v)) {
    if (v.length === 0 || (v.length === 1 && v[0] === "-")) return null;
    return v.map((x) => (x === null || x === undefined ? "" : String(x))).join(", ");
  }
  // Numbers, booleans and objects have no `length`: Kibana leaves them out (numeric ports vanish).
  return null;
}

export function buildReason(doc: EventDoc, severity: string, ruleName: string): string {
  const category = reasonValue(doc, "event.category");
  const process = reasonValue(doc, "process.name");
  const parent = reasonValue(doc, "process.parent.name");
  const file = reasonValue(doc, "file.name");
  const srcIp = reasonValue(doc, "source.ip");
  const srcPort = reasonValue(doc, "source.port");
  const dstIp = reasonValue(doc, "destination.ip");
  const dstPort = reasonValue(doc, "destination.port");
  const user = reasonValue(doc, "user.name");
  const host = reasonValue(doc, "host.name");
  const withFlag = [process, parent, file, srcIp, srcPort, dstIp, dstPort].some((v) => v !== null);
  let s = (category !== null ? `${category} ` : "") + "event";
  if (withFlag) s += " with";
  if (process !== null) s += ` process ${process},`;
  if (parent !== null) s += ` parent process ${parent},`;
  if (file !== null) s += ` file ${file},`;
  if (srcIp !== null) s += ` source ${srcIp}`;
  if (srcPort !== null) s += `:${srcPort},`;
  if (dstIp !== null) s += ` destination ${dstIp}`;
  if (dstPort !== null) s += `:${dstPort},`;
  if (user !== null) s += ` by ${user}`;
  if (host !== null) s += ` on ${host}`;
  return `${s} created ${severity} alert ${ruleName}.`;
}
