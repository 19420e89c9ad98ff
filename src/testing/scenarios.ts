// Rules of the engine scenarios (test/scenarios/) that more than one test runs: locally in
// src/engine/scenarios.test.ts, in a cluster in test/cluster/scenarios.test.ts. Test support only.
import type { Rule } from "../rules/model.js";
import { makeRule } from "../engine/test-support.js";

const th = (rule_id: string, field: string[], value: number, over: Partial<Rule> = {}) => makeRule({ rule_id, type: "threshold", threshold: { field, value }, ...over });

/** The threshold rules of the threshold fixture (test/scenarios/generate.mjs), executed at 10:21 and 10:26. */
export const THRESHOLD_RULES: readonly Rule[] = [
  th("th-user", ["user.name"], 2),
  th("th-card", ["host.name"], 1, { threshold: { field: ["host.name"], value: 1, cardinality: [{ field: "user.name", value: 2 }] } }),
  th("th-none", [], 4),
  th("th-multi", ["user.name", "tags"], 2),
  th("th-max", ["user.name"], 1, { max_signals: 1 }),
  th("th-ts", ["host.name"], 1, { timestamp_override: "event.ingested" }),
];
