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
import { kqlRoutedPrefilter, sieveOf, type PrefilterQuery } from "./prefilter.js";
import { requirementsOf } from "./requirements.js";
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

/** Every runnable Linux rule of the corpus: its byte prefilter query, what it can use, its index patterns. */
function linuxRules(): { queries: PrefilterQuery[]; uses: { name: string; test: (doc: EventDoc) => boolean }[]; indexes: (readonly string[] | undefined)[] } {
  const paths = [...linuxCorpusRules(CORPUS_DIR).map((r) => r.path), ...linuxEqlCorpusRules(CORPUS_DIR).map((r) => r.path)];
  const valid = loadRules(paths)
    .rules.filter((lr) => lr.status === "valid")
    .map((lr) => lr.rule);
  const queries: PrefilterQuery[] = [];
  const uses: { name: string; test: (doc: EventDoc) => boolean }[] = [];
  for (const rule of valid) {
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
  return { queries, uses, indexes: valid.map((r) => r.index) };
}

/**
 * Checks the input's prefilter over `lines`: a line some rule routed to it can use passes, and names that
 * rule among those it may match. Returns the counts that show the check can fail.
 */
function checkLines(file: string, index: string, lines: readonly string[]): { routed: number; usable: number; rejected: number; met: number; passed: number } {
  const { queries, uses, indexes } = RULES;
  const route = indexRouter(indexes, {});
  const routed = route(file, index);
  const pf = kqlRoutedPrefilter(queries, [], route)(file, index);
  assert.ok(pf !== undefined);
  let usable = 0;
  let rejected = 0;
  let met = 0;
  let passed = 0;
  for (const line of lines) {
    const doc = JSON.parse(line) as EventDoc;
    const ok = pf(Buffer.from(line, "utf8"));
    const mask = ok ? pf.rules?.() : undefined;
    if (!ok) rejected++;
    else {
      passed++;
      met += mask === undefined ? uses.length : mask.reduce((a, b) => a + b, 0);
    }
    let used = false;
    uses.forEach((u, i) => {
      if (!routed[i] || !u.test(doc)) return;
      used = true;
      assert.ok(ok && (mask === undefined || mask[i] === 1), `${u.name} can use ${line}`);
    });
    if (used) usable++;
  }
  return { routed: routed.filter(Boolean).length, usable, rejected, met, passed };
}

const RULES = linuxRules();

test("every Linux rule loaded, the bench file's routed ones: a line some rule can use passes and names it", () => {
  assert.ok(RULES.uses.length > 450, `${RULES.uses.length} rules`);
  const base = [...benchLines({ events: 4000, seed: 11, matchFraction: 0.05, pairs: 40, days: 1 })];
  const lines = base.flatMap((l, i) => (i % 4 === 0 ? [l, upperValues(l)] : i % 13 === 0 ? [l, escapingStringify(JSON.parse(l)), allEscapedStringify(JSON.parse(l))] : [l]));
  const c = checkLines(BENCH_FILE, BENCH_INDEX, lines);
  // the run can fail: lines some rule uses, and lines rejected
  assert.ok(c.routed > 40 && c.usable > 100 && c.rejected > lines.length / 3, JSON.stringify(c));
});

test("every Linux rule loaded on a file they all read: a line meets few rules, and every rule that can use it is among them", () => {
  const base = [...benchLines({ events: 1200, seed: 12, matchFraction: 0.1, pairs: 40, days: 1 })];
  const lines = base.flatMap((l, i) => (i % 3 === 0 ? [l, upperValues(l)] : [l]));
  const c = checkLines("events.ndjson", "events", lines);
  // every rule reads the file, lines pass, and each passing line names under a tenth of the rules
  assert.ok(c.routed === RULES.uses.length && c.usable > 300 && c.passed > 0 && c.met / c.passed < RULES.uses.length / 10, JSON.stringify(c));
});

test("every Linux rule in one sieve: looked up by the needles a line holds (its triggers, chosen again by how often lines hold each needle), it names the same rules as trying every rule", () => {
  const members = RULES.queries.map((q, at) => ({ at, req: q.req ?? requirementsOf(typeof q.ast === "string" ? parseKql(q.ast) : q.ast, q.opts ?? {}) }));
  const looked = sieveOf(members, undefined, members.length, { triggers: 1 });
  const all = sieveOf(members, undefined, members.length, { triggers: Infinity });
  assert.ok(looked !== undefined && all !== undefined);
  const mask = (pf: NonNullable<typeof all>, line: Buffer) => (pf(line) ? [...(pf.rules?.() ?? [])].join("") || "all" : "rejected");
  let met = 0;
  // 5,000 lines: the triggers are chosen again after 1,024 and 4,096; upper-cased copies test the folded needles
  for (const line of benchLines({ events: 2500, seed: 5, matchFraction: 0.05, pairs: 20, days: 2 })) {
    for (const l of [line, upperValues(line)]) {
      const b = Buffer.from(l, "utf8");
      const a = mask(all, b);
      assert.equal(mask(looked, b), a, l);
      met += (a.match(/1/g) ?? []).length;
    }
  }
  assert.ok(met > 5000, `met ${met}`);
});
