// The mapping tern gives events in a cluster: each ECS / Elastic Defend field its ECS type when it first
// appears (dynamic templates, so only the fields the events hold are mapped), with the multi-fields the
// Defend package declares (`process.name.text`, `process.name.caseless`), and other strings as keywords.
// Shared by `tern index`'s data-stream template and the tests that make a server judge tern's KQL, so
// the judges see the mapping users' clusters get.

import { ecsFieldNames, ecsFieldType, type EsFieldType } from "../ecs/field-types.js";
import type { ClusterFlavor } from "./client.js";

/** The field type a cluster of this flavor has for an ECS type (some ECS types live in modules it may lack). */
function portableType(t: EsFieldType, flavor: ClusterFlavor): Record<string, unknown> | undefined {
  switch (t) {
    case "object":
      return undefined;
    case "wildcard":
    case "constant_keyword":
      return { type: "keyword" };
    case "match_only_text":
      return { type: "text" };
    case "scaled_float":
      return { type: "double" };
    case "unsigned_long":
      return { type: "long" };
    case "flattened":
      return { type: flavor === "opensearch" ? "flat_object" : "flattened" };
    default:
      return { type: t };
  }
}

/** `x.text` and `x.caseless` under a keyword-like `x`: the multi-fields, by parent. */
function multiFields(): Map<string, Map<string, EsFieldType>> {
  const out = new Map<string, Map<string, EsFieldType>>();
  for (const name of ecsFieldNames()) {
    const dot = name.lastIndexOf(".");
    if (dot <= 0) continue;
    const parent = name.slice(0, dot);
    const pt = ecsFieldType(parent);
    const t = ecsFieldType(name);
    if (pt === undefined || t === undefined || pt === "object" || pt === "nested" || pt === "flattened") continue;
    let subs = out.get(parent);
    if (subs === undefined) out.set(parent, (subs = new Map()));
    subs.set(name.slice(dot + 1), t);
  }
  return out;
}

/**
 * The index settings: malformed values (an `ip` field holding "other-value", a number field holding text)
 * are left unindexed instead of refusing the whole event — the default of Elasticsearch's `logs-*-*` data
 * streams since 8.9, which tern's evaluator follows (such a value does not exist for the query).
 */
export const ECS_INDEX_SETTINGS: Readonly<Record<string, unknown>> = Object.freeze({
  "index.number_of_replicas": 0,
  "index.mapping.ignore_malformed": true,
  "index.mapping.total_fields.limit": 10_000,
});

/** Dynamic templates giving each ECS field its type (with its multi-fields), other strings keyword. */
export function ecsDynamicTemplates(flavor: ClusterFlavor): Record<string, unknown>[] {
  const subs = multiFields();
  const dynamic: Record<string, unknown>[] = [];
  for (const name of ecsFieldNames()) {
    const t = ecsFieldType(name);
    if (t === undefined || name === "@timestamp") continue;
    const dot = name.lastIndexOf(".");
    // A multi-field is mapped inside its parent's template.
    if (dot > 0 && subs.get(name.slice(0, dot))?.has(name.slice(dot + 1)) === true) continue;
    let mapping = portableType(t, flavor);
    const fields = subs.get(name);
    if (fields !== undefined) {
      const sub: Record<string, unknown> = {};
      for (const [k, st] of fields) {
        const m = portableType(st, flavor);
        if (m === undefined) continue;
        sub[k] = k === "caseless" ? { ...m, normalizer: "lowercase", ignore_above: 1024 } : m;
      }
      mapping = { ...(mapping ?? { type: "keyword" }), fields: sub };
    }
    if (mapping === undefined || (t === "keyword" && fields === undefined)) continue;
    if (mapping.type === "keyword") mapping = { ignore_above: 1024, ...mapping };
    dynamic.push({ [`ecs_${name}`]: { path_match: name, ...(t === "nested" ? { match_mapping_type: "object" } : {}), mapping } });
  }
  dynamic.push({ strings: { match_mapping_type: "string", mapping: { type: "keyword", ignore_above: 1024 } } });
  return dynamic;
}
