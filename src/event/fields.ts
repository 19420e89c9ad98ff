// Field access over ECS documents (docs/kql.md §7.1): dotted keys and nested objects name the same field,
// arrays at any level are flattened, null/undefined contribute nothing. Pure; no I/O.

import type { EventDoc } from "./types.js";

/**
 * Collects the leaf values at `parts[i..]` below `node`. `keepNulls`: an explicit JSON null at the leaf is
 * collected too (a mapping's `null_value` replaces it); otherwise nulls contribute nothing.
 */
export function collectValues(node: unknown, parts: readonly string[], i: number, out: unknown[], keepNulls = false): void {
  if (node === undefined) return;
  if (node === null) {
    if (keepNulls && i === parts.length) out.push(null);
    return;
  }
  if (Array.isArray(node)) {
    for (const el of node) collectValues(el, parts, i, out, keepNulls);
    return;
  }
  if (i === parts.length) {
    out.push(node);
    return;
  }
  if (typeof node !== "object") return;
  const obj = node as Record<string, unknown>;
  // Try every split of the remaining path into a (possibly dotted) key and a rest: "a.b.c" may be
  // stored as {a:{b:{c}}}, {"a.b":{c}}, {a:{"b.c"}} or {"a.b.c"}.
  let key = parts[i];
  for (let j = i + 1; ; j++) {
    if (Object.prototype.hasOwnProperty.call(obj, key)) collectValues(obj[key], parts, j, out, keepNulls);
    if (j >= parts.length) break;
    key += "." + parts[j];
  }
}

/** Every leaf value of `path` in `doc` (arrays flattened, nulls dropped), in document order. */
export function getValues(doc: EventDoc, path: string): unknown[] {
  const out: unknown[] = [];
  collectValues(doc, path.split("."), 0, out);
  return out;
}

/** A compiled accessor for one path: split once, reuse for every event. */
export function fieldAccessor(path: string): (doc: EventDoc) => unknown[] {
  const parts = path.split(".");
  return (doc) => {
    const out: unknown[] = [];
    collectValues(doc, parts, 0, out);
    return out;
  };
}
