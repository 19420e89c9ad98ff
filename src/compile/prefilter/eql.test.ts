// The byte prefilter of EQL rules: which literals a statement requires (exact, case-sensitive string tests
// on keyword fields only), and soundness: every event some stage can use passes the prefilter, for
// random events over the statement's own values in every serialisation (escaped, spaced, nested, dotted).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseEql } from "../../lang/eql/index.js";
import { compileEqlStatement } from "../eql/index.js";
import { eqlPrefilterQuery, eqlRequirements } from "./eql.js";
import { kqlPrefilter, describeRequirements, prefilterOf, requirementsOf } from "./index.js";
import { SERIALISATIONS, arbQueryEvent, buildQueryEvent } from "./test-support.js";

const reqText = (q: string, cat?: string) => describeRequirements(requirementsOf(eqlPrefilterQuery(parseEql(q), cat), {}, false));

test("requirements: category, ==, in, like, case-sensitive startsWith/endsWith/stringContains on keyword fields", () => {
  assert.equal(reqText('process where process.name == "curl"'), reqText('process where process.name in ("curl")'));
  assert.equal(reqText('process where process.name == "curl"'), String.raw`("\"process\"" AND "\"curl\"")`);
  assert.equal(reqText('process where process.executable like "/usr/bin/*"'), String.raw`("\"process\"" AND "\"/usr/bin/")`);
  assert.equal(reqText('process where endsWith(process.executable, "/wget")'), String.raw`("\"process\"" AND "/wget\"")`);
  assert.equal(reqText('any where stringContains(process.command_line, "base64")'), `"base64"`);
  assert.equal(reqText('sequence [process where process.name == "curl"] [network where true]'), String.raw`(("\"process\"" AND "\"curl\"") OR "\"network\"")`);
});

const needles = (q: string, cat?: string) => describeRequirements(eqlRequirements(parseEql(q), cat));

test("the byte prefilter's formula adds lower-cased needles for case-insensitive tests, which the KQL query cannot say", () => {
  assert.equal(needles('process where process.name : "Curl"'), String.raw`("\"process\"" AND ci:"\"curl\"")`);
  // a wildcard's needles come with one test of the field's values by all the patterns
  assert.equal(needles('any where process.name like~ ("curl", "WGET*")'), String.raw`((ci:"\"curl\"" OR ci:"\"wget") AND process.name like~ ["curl","WGET*"])`);
  assert.equal(needles('any where process.name in~ ("curl", "-1")'), String.raw`ci:"\"curl\""`.replace(String.raw`ci:"\"curl\""`, "true"));
  assert.equal(needles('any where process.args : ("*/dev/tcp/*", "*/dev/UDP/*")'), String.raw`((ci:"/dev/tcp/" OR ci:"/dev/udp/") AND process.args : ["*/dev/tcp/*","*/dev/UDP/*"])`);
  assert.equal(needles('any where startsWith~(process.executable, "/TMP/")'), String.raw`ci:"\"/tmp/"`);
  // case-sensitive tests keep their exact needles
  assert.equal(needles('process where process.name == "curl"'), reqText('process where process.name == "curl"'));
  // a pattern that can match a number's or a boolean's text requires no quotes it may not have
  assert.equal(needles('any where process.name like "Tr*"'), String.raw`("\"Tr" AND process.name like ["Tr*"])`);
  assert.equal(reqText('any where process.name like "12*"'), "true");
  // a value that ends with a space ("Processes with Trailing Spaces"): a space and the closing quote
  assert.equal(needles('process where process.name : "* "'), String.raw`("\"process\"" AND " \"" AND process.name : ["* "])`);
  for (const pf of [prefilterOf(eqlRequirements(parseEql('process where process.name : "* "')), 1), prefilterOf(eqlRequirements(parseEql('process where process.name : "* "')), { automaton: 1, folded: 1 })]) {
    assert.ok(pf !== undefined);
    assert.equal(pf('{"event":{"category":"process"},"process":{"name":"bash "}}'), true);
    assert.equal(pf('{"event":{"category":"process"},"process":{"name":"bash\\u0020"}}'), true);
    assert.equal(pf('{"event":{"category":"process"},"process":{"name":"bash","command_line":"bash -c x"}}'), false);
  }
});

test("a match no needle can say reads the field's values: a regex, a pattern without a searchable literal", () => {
  assert.equal(needles('process where process.executable regex~ """/[a-z]+s"""'), String.raw`("\"process\"" AND process.executable regex~ ["/[a-z]+s"])`);
  assert.equal(needles('any where process.name : "Zoë" or process.name regex~ "curl"'), String.raw`(process.name : ["Zoë"] OR process.name regex~ ["curl"])`);
  assert.equal(needles('any where process.name : "12*"'), String.raw`process.name : ["12*"]`);
  assert.equal(needles('any where process.name : ("T*", "curl")'), String.raw`process.name : ["T*","curl"]`);
  // what says nothing still says nothing: negations, fields of other types, patterns that are not strings
  assert.equal(needles('any where not process.name regex "curl"'), "true");
  assert.equal(needles('any where process.pid regex "1.*"'), "true");
  assert.equal(needles('any where my.custom.field regex "curl"'), "true");
  // the line is read for the field's values
  const pf = prefilterOf(eqlRequirements(parseEql('process where process.executable regex~ """/[a-z0-9\\s_\\-\\\\./]+\\s"""')));
  assert.ok(pf !== undefined);
  // (Lucene's `\\s` is whitespace, so the executable must end with a blank)
  assert.equal(pf('{"event":{"category":"process"},"process":{"executable":"/usr/bin/ls "}}'), true);
  assert.equal(pf('{"event":{"category":"process"},"process":{"executable":"/usr/bin/bash","name":"ls"}}'), false);
  assert.equal(pf('{"event":{"category":"process"},"process":{"executable":"/usr/bin/l s"}}'), false);
});

test("no requirement in the KQL query from case-insensitive, negated, numeric, script or dynamically typed tests", () => {
  for (const q of [
    'any where process.name : "curl"',
    'any where process.name like~ "curl"',
    'any where process.name in~ ("curl")',
    'any where process.name regex "curl"',
    'any where process.name != "curl"',
    'any where not process.name == "curl"',
    'any where process.name not in ("curl")',
    "any where process.pid == 4",
    'any where my.custom.field == "curl"',
    'any where concat(process.name, "x") == "curlx"',
    'any where startsWith~(process.name, "curl")',
    'any where process.name == "curl" or process.name : "wget"',
  ]) {
    assert.equal(reqText(q), "true", q);
  }
  // a category field that is not a keyword (an override onto a dynamic field) gives no requirement either
  assert.equal(reqText('process where true', "my.category"), "true");
});

const QUERIES = [
  'process where process.name == "curl" and process.args in ("-o", "--output")',
  'process where process.executable like ("/tmp/*", "/dev/shm/?x*") and not process.name : "bash"',
  'any where startsWith(process.executable, "/usr/") or endsWith(file.path, ".so") or stringContains(process.command_line, "a\\\\b")',
  'sequence by host.id [process where process.name == "Zoë"] [file where file.name like "q\\"*"]',
  'file where file.path == "x/y" and file.extension in ("so", "tab\\there")',
  'process where process.name : ("Curl", "wget*") and process.args : "*/DEV/tcp/*"',
  'any where process.name like~ "kav*" or startsWith~(process.executable, "/Usr/") or process.name in~ ("Zoë", "sh")',
  'any where process.name : ("12*", "t*") or process.name like "12*"',
  'any where process.name like ("12*", "/x*") or process.executable : "/Bin/*"',
  'any where process.name like~ ("F*", "/x*") or process.executable : "/Bin/*"',
  'process where process.executable regex~ """/[a-z0-9\\s_\\-\\\\./]+\\s""" and not process.name in ("ls", "find")',
  'any where process.name regex ("z.*", "[0-9]+") or process.parent.name : ("T*", "Zoë")',
  'any where process.name : "é*" or process.executable regex~ ".*/x[yé]+"',
];

/** Values the regexes of QUERIES match (their text does not), and near misses. */
const REGEX_VALUES = ["/usr/bin/ls", "/USR/BIN/LS ", "/usr/bin/ls\t", "/usr/bin/l s", "/usr/bin/ls ", "/usr/bin/bash", "/tmp/x\\s", "zed", "z", "123", "T", "/a/xyé", "/a/XYÉ", "/a/xy/", "é"];

test("soundness: an event some stage can use passes the prefilter in every serialisation (fast-check)", () => {
  for (const q of QUERIES) {
    const st = parseEql(q);
    const relevant = compileEqlStatement(st).relevant;
    // the KQL query's prefilter, and the fuller formula's by every search strategy
    const req = eqlRequirements(st);
    const pres = [kqlPrefilter(eqlPrefilterQuery(st)), prefilterOf(req, 1) ?? (() => true), prefilterOf(req, Infinity) ?? (() => true), prefilterOf(req, { automaton: 1, folded: 1 }) ?? (() => true)];
    let used = 0;
    fc.assert(
      fc.property(arbQueryEvent(q, q.includes("regex") ? REGEX_VALUES : []), (e) => {
        const doc = buildQueryEvent(e);
        if (!relevant(doc)) return;
        used++;
        for (const line of SERIALISATIONS(doc)) for (const pre of pres) assert.ok(pre(line) && pre(Buffer.from(line)), `${q}\n${line}`);
      }),
      { numRuns: 20_000 },
    );
    assert.ok(used > 20, `${q}: only ${used} generated events were usable`);
  }
});
