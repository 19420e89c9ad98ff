// A minimal detection-rules TOML file for the tests that follow a data stream in a cluster: a rule run
// every second over `index`, with the given query. Test support only.

export interface TestRule {
  readonly ruleId: string;
  readonly name: string;
  readonly index: string;
  readonly query: string;
  readonly type?: "query" | "new_terms";
  /** The window's start, default now-30s. */
  readonly from?: string;
}

export function testRuleToml(r: TestRule): string {
  return `[metadata]
creation_date = "2026/12/05"
maturity = "production"
updated_date = "2026/12/05"

[rule]
author = ["tern"]
description = "${r.name} (a test rule)."
from = "${r.from ?? "now-30s"}"
interval = "1s"
index = ["${r.index}"]
language = "kuery"
license = "Elastic License v2"
name = "${r.name}"
risk_score = 21
rule_id = "${r.ruleId}"
severity = "low"
type = "${r.type ?? "query"}"
query = "${r.query}"
`;
}
