// The KQL byte-level prefilter: exact requirement formulas, raw/escaped/byte-array lines, and soundness
// (never rejects a line whose event matches) over kql_cases.json and fast-check generated events, each
// serialised plainly, with \/ and \uXXXX escapes, and with every string character escaped.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { parseKql, type KqlNode } from "../../lang/kql/index.js";
import { compileKql, type KqlEvalOptions } from "../predicate/index.js";
import { compileAst } from "../predicate/compile.js";
import { arbDoc, arbOptions, arbQuery } from "../predicate/test-support.js";
import { KQL_CASES } from "../../testing/paths.js";
import { activeKueryQueries } from "../../testing/corpus.js";
import { benchLines } from "../../testing/gen/bench.js";
import { SERIALISATIONS, allEscapedStringify, arbNeedleDoc, arbNeedleQuery, arbQueryEvent, buildQueryEvent, escapingStringify } from "./test-support.js";
import { andOf, orOf, decodeJsonEscapes, describeRequirements, kqlPrefilter, kqlRoutedPrefilter, kqlUnionPrefilter, prefilterOf, requirementsOf, sieveOf, triggersOf, unionOf, type Req } from "./index.js";

const SEED =
  'host.os.type:linux and event.action:(creation or file_create_event or file_rename_event or rename) and file.path:(/dev/shm/* or /usr/lib/*) and file.extension:so and process.name: ( * and not ("5" or "dockerd" or "dpkg" or "rpm" or "snapd" or "exe" or "yum" or "vmis-launcher"))';

test("the seed query needs the quoted tokens linux, one event.action, one path prefix and so, and a name key; negated clauses add nothing", () => {
  assert.equal(
    describeRequirements(requirementsOf(parseKql(SEED))),
    String.raw`("\"linux\"" AND ("\"creation\"" OR "\"file_create_event\"" OR "\"file_rename_event\"" OR "\"rename\"") AND ("\"/dev/shm/" OR "\"/usr/lib/") AND file.path kql [["/dev/shm/",""],["/usr/lib/",""]] AND "\"so\"" AND "name\"")`,
  );
});

test("an existing field needs its key: the last name segment and the key's closing quote (multi-fields: the parent's)", () => {
  const req = (q: string) => describeRequirements(requirementsOf(parseKql(q)));
  assert.equal(req("process.env_vars:*"), String.raw`"env_vars\""`);
  assert.equal(req("process.name.caseless:*"), String.raw`"name\""`);
  // a one-letter key with its quote is not selective
  assert.equal(req("a:* and b:x"), String.raw`"\"x\""`);
  assert.equal(req("ab:*"), String.raw`"ab\""`);
  assert.equal(req("a*:*"), "true");
  assert.equal(req("not ab:*"), "true");
});

test("values whose text can vary give no requirement: numbers, CIDR, dates, IPs, text fields, ranges, free text", () => {
  const req = (q: string, opts = {}) => describeRequirements(requirementsOf(parseKql(q), opts, false));
  assert.equal(req("a:443"), "true");
  assert.equal(req('a:"443.0"'), "true");
  assert.equal(req("a:10.0.0.0/8"), "true");
  assert.equal(req("source.ip:10.1.2.3"), "true");
  assert.equal(req("a:10.1.2.3"), String.raw`"\"10.1.2.3\""`);
  assert.equal(req("@timestamp:2024-01-01"), "true");
  assert.equal(req("message:hello"), "true");
  assert.equal(req("a > abc"), "true");
  assert.equal(req("hello"), "true");
  assert.equal(req("a.*:hello"), "true");
  assert.equal(req("not a:hello"), "true");
  assert.equal(req("a:hello or b > 1"), "true");
  assert.equal(req("a:*hello*wor*"), '("hello" AND "wor")');
  assert.equal(req("flag:true", { fieldTypes: () => "boolean" }), '"true"');
  assert.equal(req("a:{ b:hello and c:world }"), String.raw`("\"hello\"" AND "\"world\"")`);
});

test("case-insensitive mode folds needles with letters to lower case, and searches them in ASCII lines lower-cased", () => {
  const req = (q: string) => describeRequirements(requirementsOf(parseKql(q), { caseInsensitive: true }, false));
  assert.equal(req("a:Hello"), String.raw`ci:"\"hello\""`);
  assert.equal(req("a:/dev/shm/*"), String.raw`ci:"\"/dev/shm/"`);
  assert.equal(req("a:/1.0/* and b:/Dev/*"), String.raw`("\"/1.0/" AND ci:"\"/dev/")`);
  assert.equal(req("a:/Dev/* and b:1-2-3"), String.raw`(ci:"\"/dev/" AND "\"1-2-3\"")`);
  // outside ASCII, folding is not one character for one (the Kelvin sign is a k; İ lower-cases to two)
  assert.equal(req("a:Zoë"), "true");
  assert.equal(req("a:TRUE"), 'ci:"true"');
  const plain = (q: string) => describeRequirements(requirementsOf(parseKql(q), {}, false));
  assert.equal(plain("process.name.caseless:powershell.exe"), String.raw`ci:"\"powershell.exe\""`);
  assert.equal(plain("process.name.caseless:*-1234-*"), '"-1234-"');
  assert.equal(plain("process.name:powershell.exe"), String.raw`"\"powershell.exe\""`);
  const ci = { caseInsensitive: true };
  const lines: [string, boolean][] = [
    ['{"a":"POWERSHELL.EXE"}', true],
    ['{"a":["x","PowerShell.exe"]}', true],
    ['{"a":"power\\u0053hell.exe"}', true],
    ['{"a":"pow\u212Aershell.exe"}', true],
    ['{"a":"powershell.exe:"}', false],
    ['{"a":1,"POWERSHELL.EXE":1}', false],
    ['{"a":"powershell.ex"}', false],
    ['{"a":"cmd.exe"}', false],
  ];
  // one indexOf per needle and the one-pass scanner (which leaves folded needles to indexOf) alike
  const one = requirementsOf(parseKql("a:PowerShell.exe"), ci);
  for (const pf of [kqlPrefilter("a:PowerShell.exe", ci), prefilterOf(andOf([one, orOf([1, 2, 3, 4, 5, 6].map((n) => ({ k: "lit", s: `x${n}"` }) as const)), { k: "lit", s: '"a"' }]), 1)]) {
    for (const [line, pass] of lines) {
      const withX = line.replace(/}$/, ',"x":"x1"}');
      assert.equal(pf?.(withX), pass, withX);
      assert.equal(pf?.(Buffer.from(withX)), pass, `bytes ${withX}`);
    }
  }
});

test("lines are searched raw, and decoded only when they hold a backslash", () => {
  const pf = kqlPrefilter(SEED);
  const doc = { host: { os: { type: "linux" } }, event: { action: "creation" }, file: { path: "/dev/shm/x.so", extension: "so" }, process: { name: "sh" } };
  for (const line of [JSON.stringify(doc), escapingStringify(doc), allEscapedStringify(doc)]) {
    assert.equal(pf(line), true, line);
    assert.equal(pf(Buffer.from(line)), true, line);
    assert.equal(pf(new Uint8Array(Buffer.from(line))), true, line);
  }
  const other = JSON.stringify({ ...doc, file: { path: "/tmp/x.so" } });
  assert.equal(pf(other), false);
  assert.equal(pf(Buffer.from(other)), false);
  assert.equal(pf('{"host.os.type":"linux","event.action":"rename","file.path":"\\/usr\\/lib\\/x","file.extension":"so"}'), true);
  assert.equal(pf('{"host.os.type":"linux","event.action":"rename","file.path":"\\/usr\\/lob\\/x","file.extension":"so"}'), false);
  assert.equal(pf(""), false);
  // Short escapes cannot produce the letters of "linux": a line with only those is judged by the raw search;
  // a \u escape anywhere sends it through the decoder.
  const q = kqlPrefilter("a:linux");
  assert.equal(q('{"a":"C:\\\\li\\"nux"}'), false);
  assert.equal(q('{"a":"li\\u006eux"}'), true);
  assert.equal(q(Buffer.from('{"a":"li\\u006eux"}')), true);
  assert.equal(q('{"a":"\\\\u006e linu"}'), false);
  assert.equal(kqlPrefilter("not a:b")("anything"), true);
});

test("non-ASCII needles match raw UTF-8 bytes and \\u escapes alike", () => {
  const pf = kqlPrefilter("user.name:Zoë");
  assert.equal(pf(Buffer.from('{"user":{"name":"Zoë"}}')), true);
  assert.equal(pf('{"user":{"name":"Zo\\u00eb"}}'), true);
  assert.equal(pf(Buffer.from('{"user":{"name":"Zo\\u00EB"}}')), true);
  assert.equal(pf(Buffer.from('{"user":{"name":"Zoe"}}')), false);
  assert.equal(decodeJsonEscapes('a\\/b\\"c\\\\d\\u00e9\\n\\ud83d\\ude00'), 'a/b"c\\dé\n\ud83d\ude00');
});

const CASE_QUERIES = (JSON.parse(readFileSync(KQL_CASES, "utf8")) as Array<{ kind: string; query: string; doc: unknown }>).filter(
  (c) => c.kind === "match",
);

test("never rejects the line of any matching kql_cases.json document, in any serialisation", () => {
  assert.equal(CASE_QUERIES.length, 135);
  for (const c of CASE_QUERIES) {
    const doc = c.doc as Record<string, unknown>;
    if (!compileKql(c.query)(doc)) continue;
    const pf = kqlPrefilter(c.query);
    for (const line of SERIALISATIONS(doc)) {
      assert.equal(pf(line), true, `${c.query} / ${line}`);
      assert.equal(pf(Buffer.from(line)), true, `${c.query} / bytes ${line}`);
    }
  }
});

test("fast-check: prefilter(line) || !predicate(event) for generated queries, events, options and serialisations", () => {
  const property = (q: KqlNode, doc: Record<string, unknown>, opts: KqlEvalOptions) => {
    const matches = compileAst(q, opts)(doc);
    if (!matches) return;
    // every search strategy: one indexOf per needle, the regex scanner, and the automaton
    const req = requirementsOf(q, opts);
    for (const pf of [kqlPrefilter(q, opts), prefilterOf(req, 1) ?? (() => true), prefilterOf(req, Infinity) ?? (() => true), prefilterOf(req, { automaton: 1, folded: 1 }) ?? (() => true)]) {
      for (const line of SERIALISATIONS(doc)) {
        assert.equal(pf(line), true, line);
        assert.equal(pf(Buffer.from(line, "utf8")), true, `bytes ${line}`);
      }
    }
  };
  fc.assert(fc.property(arbQuery, arbDoc, arbOptions, property), { numRuns: 3000 });
  fc.assert(fc.property(arbNeedleQuery, arbNeedleDoc, arbOptions, property), { numRuns: 3000 });
});

test("keyword values only a string can equal are required with their quotes; wildcards quote their outer ends", () => {
  const req = (q: string) => describeRequirements(requirementsOf(parseKql(q), {}, false));
  assert.equal(req("a:so"), String.raw`"\"so\""`);
  assert.equal(req("a:s"), String.raw`"\"s\""`);
  assert.equal(req("a:s*"), "true");
  assert.equal(req("a:true"), '"true"');
  assert.equal(req("a:false"), '"false"');
  assert.equal(req("a:null"), String.raw`"\"null\""`);
  assert.equal(req("a:1.5e3"), "true");
  assert.equal(req("a:/dev/shm/*"), String.raw`"\"/dev/shm/"`);
  assert.equal(req("a:*.so"), String.raw`".so\""`);
  assert.equal(req("a:*/dev/*"), '"/dev/"');
  assert.equal(req("a:lib*.so*x"), String.raw`("\"lib" AND ".so")`);
  assert.equal(req("a:lib*.so*xy"), String.raw`("\"lib" AND ".so" AND "xy\"")`);
  // one character and a quote: a letter or digit is no requirement (every value ending in s), another character is
  assert.equal(req("a:*s"), "true");
  assert.equal(req("a:*7"), "true");
  assert.equal(req("a:*/"), String.raw`"/\""`);
  assert.equal(req("a:.*"), String.raw`"\"."`);
  const dir = kqlPrefilter("a:*/");
  assert.equal(dir('{"a":"/tmp/"}'), true);
  assert.equal(dir('{"a":"\\/tmp\\/"}'), true);
  assert.equal(dir('{"a":"/tmp","b":"/x"}'), false);
  const pf = kqlPrefilter("a:so");
  assert.equal(pf('{"a":"so"}'), true);
  assert.equal(pf('{"a" : "so" , "b":1}'), true);
  assert.equal(pf('{"a":["x","so"]}'), true);
  assert.equal(pf('{"a":"\u0073o"}'), true);
  assert.equal(pf('{"a":"x.so"}'), false);
  assert.equal(pf('{"a":"sox"}'), false);
  // a raw `"so"` anywhere passes (the prefilter does not know keys): the predicate decides
  assert.equal(pf('{"b":"so"}'), true);
  const t = kqlPrefilter("a:true");
  assert.equal(t('{"a":true}'), true);
  assert.equal(t('{"a":"true"}'), true);
});

test("the union of many rules' prefilters passes a line when some rule may match it, searching shared needles once", () => {
  const queries = ["a:linux and b:start", "a:linux and c:(x1 or x2 or x3 or x4 or x5 or x6)", "d:/tmp/*"].map((ast) => ({ ast }));
  const u = kqlUnionPrefilter(queries);
  assert.notEqual(u, undefined);
  const pf = u ?? (() => true);
  const lines: Array<[string, boolean]> = [
    ['{"a":"linux","b":"start"}', true],
    ['{"a":"linux","c":"x4"}', true],
    ['{"d":"/tmp/q"}', true],
    ['{"d":"\\/tmp\\/q"}', true],
    ['{"a":"linux","b":"stop","c":"x7","d":"/var/tmp/q"}', false],
    ['{"a":"windows","b":"start","c":"x1"}', false],
  ];
  for (const [line, want] of lines) {
    assert.equal(pf(line), want, line);
    assert.equal(pf(Buffer.from(line)), want, `bytes ${line}`);
  }
  // one rule without requirements makes every line pass
  assert.equal(kqlUnionPrefilter([...queries, { ast: "not a:b" }]), undefined);
  assert.equal(kqlUnionPrefilter([]), undefined);
});

test("the one-pass scanner finds needles that are prefixes of others and needles inside others", () => {
  const req = requirementsOf(parseKql("a:(abcdef or abc or bcd or cdefgh or zzz1 or zzz2)"));
  const scan = prefilterOf(req, 1) ?? (() => false);
  const each = prefilterOf(req, Infinity) ?? (() => false);
  const auto = prefilterOf(req, { automaton: 1 }) ?? (() => false);
  for (const [line, want] of [
    ['{"a":"abc"}', true],
    ['{"a":"abcdef"}', true],
    ['{"a":"bcd"}', true],
    ['{"a":"abcd"}', false],
    ['{"x":"abcdefgh","a":"cdefgh"}', true],
    ['{"a":"zzz2"}', true],
    ['{"a":"zzz"}', false],
  ] as const) {
    assert.equal(scan(Buffer.from(line)), want, line);
    assert.equal(each(Buffer.from(line)), want, line);
    assert.equal(auto(Buffer.from(line)), want, line);
  }
});

test("routed prefilter: a line it passes names the routed rules whose requirements it meets", () => {
  const queries = ["a:one and b:x", "a:two", "a:three", "cc:*"].map((ast) => ({ ast }));
  const forInput = kqlRoutedPrefilter(queries, [{ ast: "m:marker" }], (_file, index) => (index === "logs-x" ? [true, true, false, true] : [true, true, true, true]));
  const x = forInput("f.ndjson", "logs-x");
  assert.ok(x?.rules !== undefined);
  const met = (line: string) => (x(Buffer.from(line)) ? (x.rules?.() === undefined ? "all" : [...(x.rules?.() ?? [])].join("")) : "rejected");
  assert.equal(met('{"a":"one","b":"x"}'), "1000");
  assert.equal(met('{"a":["one","two"],"b":"x","cc":1}'), "1101");
  assert.equal(met('{"a":"three"}'), "rejected");
  // lines `always` passes (documents normalised after parsing) and possible hits: every rule
  assert.equal(met('{"m":"marker","a":"two"}'), "all");
  assert.equal(met('{"_index":"logs-y","_source":{"a":"three"}}'), "all");
  // an input every rule reaches: hits need no second look, and still get their rules named
  const all = forInput("g.ndjson", "logs-y");
  assert.ok(all !== undefined && all('{"_source":{"a":"three"}}'));
  assert.deepEqual([...(all.rules?.() ?? [])], [0, 0, 1, 0]);
});

test("routed prefilter: plain lines judged by the routed rules (and `always`), possible hits by all rules", () => {
  const queries = ["a:one", "a:two", "a:three"].map((ast) => ({ ast }));
  const masks: Record<string, boolean[]> = { "logs-x": [true, false, false], "logs-y": [false, true, true], none: [false, false, false] };
  const forInput = kqlRoutedPrefilter(queries, [{ ast: "m:marker" }], (_file, index) => masks[index]);
  const x = forInput("f.ndjson", "logs-x") ?? (() => true);
  assert.equal(x('{"a":"one"}'), true);
  assert.equal(x('{"a":"two"}'), false);
  assert.equal(x('{"m":"marker"}'), true);
  // an Elasticsearch hit carries its own _index: any rule may see it
  assert.equal(x('{"_index":"logs-y","_source":{"a":"two"}}'), true);
  assert.equal(x('{"_index":"logs-y","\\u005fsource":{"a":"two"}}'), true);
  assert.equal(x('{"_index":"logs-y","_source":{"a":"four"}}'), false);
  // (the key is looked for before the union's needles: as bytes too, and spelled with escapes)
  assert.equal(x(Buffer.from('{"_index":"logs-y","_source":{"a":"two"}}')), true);
  assert.equal(x(Buffer.from('{"_index":"logs-y","\\u005fsource":{"a":"two"}}')), true);
  assert.equal(x(Buffer.from('{"_index":"logs-y","\\u005Fsource":{"a":"two"}}')), true);
  assert.equal(x(Buffer.from('{"_index":"logs-y","_sourc":{"a":"two"}}')), false);
  const y = forInput("g.ndjson", "logs-y") ?? (() => true);
  assert.equal(y('{"a":"one"}'), false);
  assert.equal(y('{"a":"three"}'), true);
  // inputs with the same routed rules share one compiled prefilter
  assert.equal(forInput("h.ndjson", "logs-x"), forInput("f.ndjson", "logs-x"));
  const none = forInput("n.ndjson", "none") ?? (() => true);
  assert.equal(none('{"a":"one"}'), false);
  assert.equal(none('{"m":"marker"}'), true);
  assert.equal(kqlRoutedPrefilter([{ ast: "not a:b" }], [], () => [false])("f", "i"), undefined);
});

test("routed prefilter: an input every rule reaches gets the plain union (no hit check needed)", () => {
  const forInput = kqlRoutedPrefilter(["a:one", "a:two"].map((ast) => ({ ast })), [], () => [true, true]);
  const pf = forInput("f", "i") ?? (() => true);
  assert.equal(pf('{"a":"two"}'), true);
  assert.equal(pf('{"_source":{"a":"three"}}'), false);
  assert.equal(pf('{"a":"three"}'), false);
});

test("a value needle counts only where it ends a value: the key \"id\": is not the value \"id\" (every search strategy, raw and escaped)", () => {
  const req = requirementsOf(parseKql("a:id"));
  for (const pf of [prefilterOf(req, 1), prefilterOf(req, Infinity), prefilterOf(req, { automaton: 1 })]) {
    assert.ok(pf !== undefined);
    const check = (line: string, want: boolean) => {
      assert.equal(pf(line), want, line);
      assert.equal(pf(Buffer.from(line)), want, `bytes ${line}`);
    };
    check('{"id":"x","b":{"id" :1}}', false);
    check('{"id":"x","a":"id"}', true);
    check('{"id":"x","a":["x", "id" ]}', true);
    check('{"id":"x","a":"id"\t}', true);
    check('{"id":"x","a":"\\u0069d"}', true);
    check('{"\\u0069d":"x"}', false);
  }
});

test("the line scanner's tuning (needles in most lines searched on demand) never changes an answer", () => {
  const reqs = activeKueryQueries()
    .filter((q) => q.query.includes("linux"))
    .map((q) => requirementsOf(parseKql(q.query)))
    .filter((r) => r.k !== "true");
  assert.ok(reqs.length > 50);
  const req = unionOf(reqs);
  const tuned = prefilterOf(req, 1);
  const plain = prefilterOf(req, Infinity);
  assert.ok(tuned !== undefined && plain !== undefined);
  const docs = [...benchLines({ events: 3000, seed: 3, matchFraction: 0.05, pairs: 20, days: 1 })];
  const lines = docs.flatMap((l, i) => (i % 10 === 0 ? [l, escapingStringify(JSON.parse(l)), allEscapedStringify(JSON.parse(l))] : [l]));
  let passed = 0;
  for (const l of lines) {
    const want: boolean = plain(Buffer.from(l));
    assert.equal(tuned(Buffer.from(l)), want, l);
    if (want) passed++;
  }
  assert.ok(passed > 100 && passed < lines.length - 100, `${passed} of ${lines.length} passed`);
});

test("a prefilter that rejects almost nothing stops testing for a while, then probes again", async () => {
  const { PROBE_LINES, UNTESTED_LINES } = await import("./prefilter.js");
  const pf = kqlPrefilter("process.name:curl");
  const hit = '{"process":{"name":"curl"}}';
  const miss = '{"process":{"name":"bash"}}';
  // a full probe of passing lines: the next UNTESTED_LINES lines pass untested, misses too
  for (let i = 0; i < PROBE_LINES; i++) assert.equal(pf(hit), true);
  for (let i = 0; i < UNTESTED_LINES; i++) assert.equal(pf(miss), true);
  // then it tests again; a probe that rejects more than 2 % keeps testing every line
  const outcomes = Array.from({ length: PROBE_LINES }, (_, i) => pf(i % 10 === 0 ? miss : hit));
  assert.equal(outcomes.filter((r) => !r).length, Math.ceil(PROBE_LINES / 10));
  assert.equal(pf(miss), false);
});

test("a formula's triggers: one of them is in every line that meets it; an `and` gives its cheapest child's", () => {
  const lit = (s: string, ci = false): Req => ({ k: "lit", s, ...(ci ? { ci: true as const } : {}) });
  const byLength = (l: { s: string }) => 1 / l.s.length;
  const names = (r: Req, cost = byLength) => triggersOf(r, cost)?.map((l) => (l.ci === true ? `ci:${l.s}` : l.s));
  // an `or` costs its children's sum
  assert.deepEqual(names(andOf([lit("linux"), orOf([lit("chmod"), lit("chown", true)])])), ["linux"]);
  // a needle lines are seen to hold (every line: "linux") costs more than its length says
  assert.deepEqual(names(andOf([lit("linux"), orOf([lit("chmod"), lit("chown", true)])]), (l) => (l.s === "linux" ? 1 : 0.01)), ["chmod", "ci:chown"]);
  assert.equal(names(orOf([lit("abc"), { k: "true" }])), undefined);
  assert.deepEqual(names(andOf([lit("abc"), { k: "true" }])), ["abc"]);
});

test("fast-check: a sieve that looks rules up by the needles a line holds names the same rules as one that tries every rule", () => {
  // raw, escaped and spaced serialisations, string and byte lines; folded (caseless) and exact needles
  const lines = (doc: Record<string, unknown>) => SERIALISATIONS(doc).flatMap((l) => [l, Buffer.from(l, "utf8")]);
  const masks = (pf: ReturnType<typeof sieveOf>, line: string | Buffer) => (pf === undefined ? "all" : pf(line) ? ([...(pf.rules?.() ?? [])].join("") || "all") : "rejected");
  const rule = fc.tuple(fc.oneof(arbQuery, arbNeedleQuery), arbOptions);
  fc.assert(
    fc.property(fc.array(rule, { minLength: 1, maxLength: 24 }), fc.array(fc.oneof(arbDoc, arbNeedleDoc), { minLength: 1, maxLength: 8 }), (rules, docs) => {
      const members = rules.map(([q, opts], at) => ({ at, req: requirementsOf(q, opts) }));
      const all = sieveOf(members, undefined, rules.length, { automaton: 1, folded: 1, triggers: Infinity });
      const looked = sieveOf(members, undefined, rules.length, { automaton: 1, folded: 1, triggers: 1 });
      for (const doc of docs) {
        for (const line of lines(doc)) {
          const m = masks(looked, line);
          assert.equal(m, masks(all, line), String(line));
          // and sound: every rule whose query matches the event is named
          rules.forEach(([q, opts], at) => {
            if (compileAst(q, opts)(doc)) assert.ok(m === "all" || m[at] === "1", `rule ${at} in ${String(line)}`);
          });
        }
      }
    }),
    { numRuns: 1500 },
  );
});

test("a sieve's `also`: a line it rejects is tested against another formula by the same scan (raw, escaped, every strategy)", () => {
  const members = ["a:one", "a:two"].map((q, at) => ({ at, req: requirementsOf(parseKql(q)) }));
  const also = requirementsOf(parseKql("_source:*"));
  for (const thresholds of [{}, { scan: 1 }, { automaton: 1, folded: 1 }, { automaton: 1, folded: 1, triggers: 1 }]) {
    const sieve = sieveOf(members, undefined, 2, thresholds, also);
    assert.ok(sieve?.also !== undefined);
    const alsoAfter = (line: string): boolean | undefined => (sieve(Buffer.from(line)) ? undefined : sieve.also?.());
    assert.equal(alsoAfter('{"a":"one"}'), undefined);
    assert.equal(alsoAfter('{"a":"three"}'), false);
    assert.equal(alsoAfter('{"_index":"i","_source":{"a":"three"}}'), true);
    assert.equal(alsoAfter('{"_index":"i","\\u005fsource":{"a":"three"}}'), true);
    assert.equal(alsoAfter('{"_index":"i","_sourc":{"a":"three"}}'), false);
  }
});

test("a keyword wildcard's values are tested in the line too; an `or` over one field gets one test for all its values", () => {
  const req = (q: string, opts = {}) => describeRequirements(requirementsOf(parseKql(q), opts));
  assert.equal(
    req("process.executable:(/tmp/* or ./* or /etc/crontab)"),
    String.raw`(("\"/tmp/" OR "\"./" OR "\"/etc/crontab\"") AND process.executable kql [["/tmp/",""],["./",""],"/etc/crontab"])`,
  );
  // exact values alone: their quoted needles say enough
  assert.equal(req("process.name:(curl or wget)"), String.raw`("\"curl\"" OR "\"wget\"")`);
  // a pattern with no needle of its own gets a test of the values all the same
  assert.equal(req("a:s*"), 'a kql [["s",""]]');
  // case folding (a caseless multi-field reads its parent), and members of other fields stay apart
  assert.equal(
    req("process.name.caseless:(Curl* or wget) or process.executable:/tmp/*"),
    String.raw`((ci:"\"curl" OR ci:"\"wget\"") AND process.name kql ci [["Curl",""],"wget"]) OR ("\"/tmp/" AND process.executable kql [["/tmp/",""]]))`.replace(/^/, "("),
  );
  // an escaped `*` is a character of its segment: the two patterns are two tests
  assert.notEqual(req(String.raw`a:x\*y*`), req("a:x*y*"));
});

test("a keyword wildcard's value test reads the field's keys in the line: nested, dotted, the parent's; arrays, other types and escapes pass", () => {
  const pf = kqlPrefilter("process.executable:/home/*");
  // the needle "/home/ is there, in another field's value: rejected
  assert.equal(pf('{"process":{"working_directory":"/home/u","executable":"/usr/bin/git"}}'), false);
  assert.equal(pf(Buffer.from('{"process":{"working_directory":"/home/u","executable":"/usr/bin/git"}}')), false);
  assert.equal(pf('{"process":{"working_directory":"/home/u","executable":"/home/u/x"}}'), true);
  assert.equal(pf('{"process.executable" : "/home/u/x","a":"/home/"}'), true);
  // any key ending in executable" counts (the prefilter does not know which object holds it)
  assert.equal(pf('{"process":{"executable":"/usr/bin/git","parent":{"executable":"/home/u/x"}}}'), true);
  // not a plain string, or a backslash anywhere: passed to the parser
  assert.equal(pf('{"process":{"executable":["/usr/bin/git"]},"d":"/home/u"}'), true);
  assert.equal(pf('{"process":{"executable":"/usr/bin/git"},"d":"/home/u","e":"\\t"}'), true);
  assert.equal(kqlPrefilter("process.executable:/home/* and process.name:git")('{"process":{"name":"git","executable":"/usr/bin/git","working_directory":"/home/u"}}'), false);
});

/** KQL queries whose wildcards' needles other fields' values hold as well. */
const WILDCARD_QUERIES = [
  'process.executable:(/tmp/* or ./* or "/etc/crontab" or /home/*/.*) and not process.name:("curl" or "wget")',
  'process.executable:/home/* or process.parent.executable:(*/bin/* or "/sbin/init")',
  'process.name.caseless:(Curl* or "wget") and process.working_directory:/home/*',
  String.raw`process.executable:(a\*b* or "a*c" or a*d)`,
];
const WILDCARD_VALUES = ["/tmp/x", "/TMP/x", "./run", "/etc/crontab", "/etc/crontabx", "/home/u/.x", "/home/u", "/home/", "/usr/bin/ls", "x/bin/y", "/sbin/init", "CURL-x", "Curly", "curl", "a*b", "a*bc", "axb", "a*c", "axd", "a*d", "Zoë", "/home/é", "tab\there"];

test("soundness: an event a wildcard query matches passes the prefilter in every serialisation, by every search strategy (fast-check)", () => {
  for (const q of WILDCARD_QUERIES) {
    const ast = parseKql(q);
    const matches = compileKql(q);
    const req = requirementsOf(ast);
    const pres = [kqlPrefilter(q), prefilterOf(req, 1) ?? (() => true), prefilterOf(req, Infinity) ?? (() => true), prefilterOf(req, { automaton: 1, folded: 1 }) ?? (() => true)];
    let used = 0;
    let rejected = 0;
    fc.assert(
      // the query's fields and the ones that hold the same values elsewhere (a caseless field's parent)
      fc.property(arbQueryEvent(`process.name process.executable process.working_directory process.parent.executable ${q.replaceAll(".caseless", "")}`, WILDCARD_VALUES), (e) => {
        const doc = buildQueryEvent(e);
        const lines = SERIALISATIONS(doc);
        if (!matches(doc)) {
          if (!pres[0](lines[0])) rejected++;
          return;
        }
        used++;
        for (const line of lines) for (const pre of pres) assert.ok(pre(line) && pre(Buffer.from(line)), `${q}\n${line}`);
      }),
      { numRuns: 5_000 },
    );
    assert.ok(used > 20, `${q}: only ${used} generated events matched`);
    assert.ok(rejected > 20, `${q}: only ${rejected} events were rejected`);
  }
});

test("routed prefilter with lazy queries: only the routed rules' queries are read, the others when a line may be a hit", () => {
  const texts = ["a:one", "a:two", "a:three"];
  const asked: number[] = [];
  const forInput = kqlRoutedPrefilter(
    {
      count: texts.length,
      at: (i) => {
        asked.push(i);
        return { ast: texts[i] };
      },
    },
    [],
    (_file, index) => (index === "logs-x" ? [true, false, false] : [true, true, true]),
  );
  const pf = forInput("f", "logs-x");
  assert.ok(pf !== undefined);
  assert.equal(pf('{"a":"one"}'), true);
  assert.equal(pf('{"a":"three"}'), false);
  assert.deepEqual(asked, [0]);
  // a possible hit is judged by every rule: the others are read now, once
  assert.equal(pf('{"_index":"logs-y","_source":{"a":"three"}}'), true);
  assert.equal(pf('{"_index":"logs-y","_source":{"a":"four"}}'), false);
  assert.deepEqual(asked, [0, 1, 2]);
  forInput("f", "logs-y");
  assert.deepEqual(asked, [0, 1, 2]);
});
