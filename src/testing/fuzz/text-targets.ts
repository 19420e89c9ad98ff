// The in-process fuzz targets (docs/fuzzing.md): KQL text, EQL text and rule files, each a real seed
// (corpus queries and rules, conformance cases) with a few mutations. Through the library API only the
// diagnostic error types may escape (KqlSyntaxError, KqlDslError, EqlSyntaxError, EqlCompileError,
// DiagnosticError); the rule loader must never throw; the CLI verbs on the same text must exit 0, 1 or
// 2 without a stack trace; a parsed query printed back must parse to the same tree; and a line the byte
// prefilter rejects must be one the compiled predicate rejects too.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import fc from "fast-check";
import { DiagnosticError } from "../../diag/index.js";
import { KqlSyntaxError, parseKql, stripSpans, toKqlText, type KqlNode } from "../../lang/kql/index.js";
import { EqlSyntaxError, parseEql, stripEqlSpans, toEqlText, type EqlStatement } from "../../lang/eql/index.js";
import { compileEqlStatement, EqlCompileError } from "../../compile/eql/index.js";
import { compileKql } from "../../compile/predicate/index.js";
import { kqlPrefilter } from "../../compile/prefilter/index.js";
import { KqlDslError, toElasticsearchQuery } from "../../compile/dsl/index.js";
import { ecsIndexPattern } from "../../ecs/field-types.js";
import { loadRules } from "../../rules/load.js";
import { compileEqlRule } from "../../engine/rule-types/eql.js";
import { eqlSearch } from "../../engine/eql/search.js";
import type { EventDoc } from "../../event/types.js";
import { runCli } from "../cli.js";
import { activeRuleFiles } from "../corpus.js";
import { CORPUS_DIR, EQL_CASES, KQL_CASES, REPO_ROOT } from "../paths.js";
import { parse as parseToml } from "smol-toml";
import { applyMutations, mutationsArb, toUnits, unitsToBuffer, unitsToString, type Mutation } from "./mutate.js";
import { EQL_TOKENS, KQL_TOKENS, TOML_TOKENS } from "./tokens.js";
import type { FuzzTarget } from "./target.js";

/** A seed (an index into the target's seed list) and the mutations applied to it. */
export interface SeedInput {
  readonly seed: number;
  readonly mutations: readonly Mutation[];
}

const DIAGNOSTIC_ERRORS = [KqlSyntaxError, KqlDslError, EqlSyntaxError, EqlCompileError, DiagnosticError];

/** Runs `f`; a diagnostic error gives undefined, anything else fails the input with where it escaped. */
function guarded<T>(where: string, f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (DIAGNOSTIC_ERRORS.some((c) => e instanceof c)) return undefined;
    throw escaped(where, e);
  }
}

function escaped(where: string, e: unknown): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  const frame = (err.stack ?? "").split("\n").find((l) => l.trimStart().startsWith("at ")) ?? "";
  return new Error(`${where} threw ${err.name}: ${err.message.split("\n")[0]} (${frame.trim()})`);
}

async function assertCliClean(args: readonly string[], codes: readonly number[]): Promise<void> {
  const r = await runCli(args);
  if (!codes.includes(r.code)) throw new Error(`tern ${args.slice(0, -1).join(" ")} … exited ${r.code}: ${r.stderr.split("\n")[0]}`);
  if (/^\s+at /m.test(r.stderr)) throw new Error(`tern ${args.slice(0, -1).join(" ")} … printed a stack trace`);
}

/** A few real events (Defend process, file and network) plus two hostile ones, as lines and documents. */
function sampleEvents(): { line: Buffer; doc: EventDoc }[] {
  const lines: string[] = [];
  for (const kind of ["process", "file", "network"]) {
    const text = gunzipSync(readFileSync(join(REPO_ROOT, "examples", "events", `logs-endpoint.events.${kind}-default.ndjson.gz`))).toString("utf8");
    lines.push(...text.split("\n").filter((l) => l !== "").slice(0, 6));
  }
  // long values (wildcard and regex matching cost), odd types where keywords are expected
  lines.push(JSON.stringify({ "@timestamp": "2024-06-10T00:00:00Z", event: { category: ["process"], type: ["start"] }, process: { name: "a".repeat(20_000), args: Array(20).fill("aaaa"), command_line: "a".repeat(20_000) + "b", pid: 1e300 }, host: { os: { type: "linux" } } }));
  lines.push(JSON.stringify({ "@timestamp": [1, 2], event: { category: "process", type: null }, process: { name: 7, pid: "x", parent: [{ name: null }] }, source: { ip: "not an ip", port: -1 }, "host.os.type": ["linux", 1] }));
  return lines.map((l) => ({ line: Buffer.from(l), doc: JSON.parse(l) as EventDoc }));
}

function seedArb(seeds: readonly string[], tokens: readonly string[], unit: "byte" | "utf16"): fc.Arbitrary<SeedInput> {
  return fc.record({ seed: fc.nat({ max: seeds.length - 1 }), mutations: mutationsArb(tokens, unit) });
}

function kqlSeeds(): string[] {
  const out = new Set<string>();
  for (const c of JSON.parse(readFileSync(KQL_CASES, "utf8")) as { query?: unknown }[]) if (typeof c.query === "string") out.add(c.query);
  for (const q of corpusQueries("kuery")) out.add(q);
  return [...out];
}

function eqlSeeds(): string[] {
  const out = new Set<string>();
  for (const c of JSON.parse(readFileSync(EQL_CASES, "utf8")) as { query?: unknown }[]) if (typeof c.query === "string") out.add(c.query);
  for (const q of corpusQueries("eql")) out.add(q);
  return [...out];
}

let corpusCache: { language: string; query: string }[] | undefined;
function corpusQueries(language: string): string[] {
  if (corpusCache === undefined) {
    corpusCache = [];
    for (const f of activeRuleFiles(CORPUS_DIR)) {
      try {
        const doc = parseToml(readFileSync(f, "utf8")) as { rule?: { language?: unknown; query?: unknown } };
        if (typeof doc.rule?.language === "string" && typeof doc.rule.query === "string") corpusCache.push({ language: doc.rule.language, query: doc.rule.query });
      } catch {}
    }
  }
  return corpusCache.filter((c) => c.language === language).map((c) => c.query);
}

const mutatedText = (seeds: readonly string[], input: SeedInput) => unitsToString(applyMutations(toUnits(seeds[input.seed], "utf16"), input.mutations, "utf16"));

function sameTree(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function kqlTarget(): FuzzTarget<SeedInput> {
  const seeds = kqlSeeds();
  const events = sampleEvents();
  const render = (input: SeedInput) => mutatedText(seeds, input);
  return {
    name: "kql",
    arbitrary: seedArb(seeds, KQL_TOKENS, "utf16"),
    render: (input) => Buffer.from(render(input), "utf8"),
    describe: (input) => `seed query #${input.seed} with ${input.mutations.length} mutation(s)`,
    save: (input, dir) => saveText(dir, "query.kql", render(input)),
    async check(input) {
      const q = render(input);
      const ast = guarded("parseKql", () => parseKql(q));
      if (ast !== undefined) {
        checkKqlPrintBack(ast);
        const pred = guarded("compileKql", () => compileKql(ast));
        const pre = guarded("kqlPrefilter", () => kqlPrefilter(ast));
        for (const e of events) {
          const hit = pred === undefined ? undefined : guarded("the compiled predicate", () => pred(e.doc));
          const kept = pre === undefined ? undefined : guarded("the prefilter", () => pre(e.line));
          if (hit === true && kept === false) throw new Error(`the prefilter drops a line the predicate matches: ${e.line.toString().slice(0, 120)}`);
        }
        guarded("toElasticsearchQuery (ECS)", () => toElasticsearchQuery(ast, ecsIndexPattern()));
        guarded("toElasticsearchQuery", () => toElasticsearchQuery(ast));
      }
      await assertCliClean(["kql", "dsl", "--ecs", "--", q], [0, 2]);
    },
  };
}

function checkKqlPrintBack(ast: KqlNode): void {
  const printed = guarded("toKqlText", () => toKqlText(ast));
  if (printed === undefined) return;
  let again: KqlNode;
  try {
    again = parseKql(printed);
  } catch (e) {
    throw new Error(`the printed query does not parse: ${JSON.stringify(printed.slice(0, 200))}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
  if (!sameTree(stripSpans(again), stripSpans(ast))) throw new Error(`the printed query parses to another tree: ${JSON.stringify(printed.slice(0, 200))}`);
}

export function eqlTarget(): FuzzTarget<SeedInput> {
  const seeds = eqlSeeds();
  const events = sampleEvents().map((e, i) => ({ doc: e.doc, ref: i }));
  const render = (input: SeedInput) => mutatedText(seeds, input);
  return {
    name: "eql",
    arbitrary: seedArb(seeds, EQL_TOKENS, "utf16"),
    render: (input) => Buffer.from(render(input), "utf8"),
    describe: (input) => `seed query #${input.seed} with ${input.mutations.length} mutation(s)`,
    save: (input, dir) => saveText(dir, "query.eql", render(input)),
    async check(input) {
      const q = render(input);
      const st = guarded("parseEql", () => parseEql(q));
      if (st !== undefined) {
        checkEqlPrintBack(st);
        const compiled = guarded("compileEql", () => compileEqlStatement(st));
        if (compiled !== undefined) guarded("eqlSearch", () => eqlSearch(compiled, events));
      }
      await assertCliClean(["eql", "parse", "--", q], [0, 2]);
    },
  };
}

function checkEqlPrintBack(st: EqlStatement): void {
  const printed = guarded("toEqlText", () => toEqlText(st));
  if (printed === undefined) return;
  let again: EqlStatement;
  try {
    again = parseEql(printed);
  } catch (e) {
    throw new Error(`the printed query does not parse: ${JSON.stringify(printed.slice(0, 200))}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
  if (!sameTree(stripEqlSpans(again), stripEqlSpans(st))) throw new Error(`the printed query parses to another tree: ${JSON.stringify(printed.slice(0, 200))}`);
}

/** Rule files: the corpus (deprecated rules too) and the test fixtures, TOML and Kibana NDJSON. */
function ruleSeeds(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSorted(dir)) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(toml|ndjson)$/.test(e.name)) files.push(p);
    }
  };
  walk(join(REPO_ROOT, "test", "fixtures", "rules"));
  walk(CORPUS_DIR);
  return files;
}

function readdirSorted(dir: string) {
  return readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function rulesTarget(workDir: string): FuzzTarget<SeedInput> {
  const seeds = ruleSeeds();
  mkdirSync(workDir, { recursive: true });
  const bytes = (input: SeedInput) => unitsToBuffer(applyMutations(Array.from(readFileSync(seeds[input.seed])), input.mutations, "byte"));
  const ext = (input: SeedInput) => (seeds[input.seed].endsWith(".ndjson") ? "ndjson" : "toml");
  return {
    name: "rules",
    arbitrary: seedArb(seeds, TOML_TOKENS, "byte"),
    render: bytes,
    describe: (input) => `${seeds[input.seed].slice(seeds[input.seed].lastIndexOf("/") + 1)} with ${input.mutations.length} mutation(s)`,
    save: (input, dir) => saveText(dir, `rule.${ext(input)}`, bytes(input)),
    async check(input) {
      const file = join(workDir, `rule.${ext(input)}`);
      writeFileSync(file, bytes(input));
      let loaded;
      try {
        loaded = loadRules([file]);
      } catch (e) {
        throw escaped("loadRules", e);
      }
      for (const lr of loaded.rules) {
        if (lr.status === "invalid" && !lr.diagnostics.some((d) => d.severity === "error")) throw new Error("an invalid rule without an error diagnostic");
        if (lr.status !== "valid") continue;
        const rule = lr.rule;
        // what `tern run` does with a valid rule before it runs it
        if (rule.type === "eql") guarded("compileEqlRule", () => compileEqlRule(rule));
        else {
          const ast = guarded("parseKql", () => parseKql(rule.query ?? "*"));
          if (ast !== undefined) guarded("compileKql", () => compileKql(ast));
        }
      }
      await assertCliClean(["validate", "--", file], [0, 1]);
      await assertCliClean(["validate", "--json", "--verbose", "--", file], [0, 1]);
    },
  };
}

function saveText(dir: string, name: string, content: string | Buffer): string[] {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, name);
  writeFileSync(p, content);
  return [p];
}
