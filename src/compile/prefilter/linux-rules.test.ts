// The prefilter with every Linux rule of the corpus loaded (KQL and EQL, as `tern run` builds it): a line of
// the benchmark's workload that it rejects is a line no rule's query can use, so the run's alerts are the
// same with it as without it. The lines include case-changed and escaped copies, which the case-insensitive
// needles of EQL's `:` and `~` tests must still let through.
import { test } from "node:test";
import assert from "node:assert/strict";
import { linuxCorpusRules, linuxEqlCorpusRules } from "../../../bench/contenders.js";
import { compileEqlRule } from "../../engine/rule-types/eql.js";
import { indexRouter } from "../../engine/run.js";
import type { EventDoc } from "../../event/types.js";
import { parseKql } from "../../lang/kql/index.js";
import { loadRules } from "../../rules/index.js";
import { CORPUS_DIR } from "../../testing/paths.js";
import { benchLines } from "../../testing/gen/bench.js";
import { compileKql } from "../predicate/index.js";
import { eqlPrefilter } from "./eql.js";
import { kqlUnionPrefilter, type PrefilterQuery } from "./prefilter.js";
import { allEscapedStringify, escapingStringify } from "./test-support.js";

const BENCH_INDEX = "logs-endpoint.events.bench-default";
const BENCH_FILE = `${BENCH_INDEX}.ndjson`;

/** The line with the process's and file's string values upper-cased (keys kept): what `:` still matches. */
function upperValues(line: string): string {
  const up = (v: unknown): unknown =>
    typeof v === "string" ? v.toUpperCase() : Array.isArray(v) ? v.map(up) : typeof v === "object" && v !== null ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, up(x)])) : v;
  const doc = JSON.parse(line) as Record<string, unknown>;
  return JSON.stringify({ ...doc, process: up(doc.process), file: up(doc.file) });
}

test("every Linux rule loaded: a bench line the prefilter rejects is one no rule routed to it can use", () => {
  const paths = [...linuxCorpusRules(CORPUS_DIR).map((r) => r.path), ...linuxEqlCorpusRules(CORPUS_DIR).map((r) => r.path)];
  const loaded = loadRules(paths);
  const queries: PrefilterQuery[] = [];
  const uses: { name: string; test: (doc: EventDoc) => boolean }[] = [];
  const valid = loaded.rules.filter((lr) => lr.status === "valid").map((lr) => lr.rule);
  assert.ok(valid.length > 450, `${valid.length} rules`);
  // the rules whose index patterns take the bench file's events, as `tern run` routes them
  const mask = indexRouter(
    valid.map((r) => r.index),
    {},
  )(BENCH_FILE, BENCH_INDEX);
  for (const rule of valid.filter((_, i) => mask[i])) {
    if (rule.type === "eql") {
      const compiled = compileEqlRule(rule);
      queries.push(eqlPrefilter(compiled.statement, rule.event_category_override));
      uses.push({ name: rule.name, test: compiled.relevant });
    } else {
      const ast = parseKql(rule.query ?? "*");
      queries.push({ ast });
      uses.push({ name: rule.name, test: compileKql(ast) });
    }
  }
  assert.ok(uses.length > 40, `${uses.length} rules`);
  const pf = kqlUnionPrefilter(queries);
  assert.ok(pf !== undefined);
  const base = [...benchLines({ events: 4000, seed: 11, matchFraction: 0.05, pairs: 40, days: 1 })];
  const lines = base.flatMap((l, i) => (i % 4 === 0 ? [l, upperValues(l)] : i % 13 === 0 ? [l, escapingStringify(JSON.parse(l)), allEscapedStringify(JSON.parse(l))] : [l]));
  let usable = 0;
  let rejected = 0;
  for (const line of lines) {
    const doc = JSON.parse(line) as EventDoc;
    const user = uses.find((u) => u.test(doc));
    const passed = pf(Buffer.from(line, "utf8"));
    if (!passed) rejected++;
    if (user === undefined) continue;
    usable++;
    assert.ok(passed, `${user.name} can use ${line}`);
  }
  // the run can fail: lines some rule uses, and lines rejected
  assert.ok(usable > 100 && rejected > lines.length / 3, `${usable} usable, ${rejected} of ${lines.length} rejected`);
});
