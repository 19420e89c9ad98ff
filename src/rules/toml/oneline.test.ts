// Tests for one-line recovery (issue 2, the seed "as received"): detection, same-length rebuild, refusals
// at the exact ambiguity, and the seed pair loading to the same rule.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { SEED_DIR } from "../../testing/paths.js";
import { loadRuleFile } from "../load.js";
import { comparableRule } from "../compare.js";
import { OneLineError, isOneLine, rebuildOneLine } from "./oneline.js";
import { parseKql, stripSpans } from "../../lang/kql/index.js";

test("detects a file whose first line holds several statements", () => {
  assert.equal(isOneLine('[metadata] creation_date = "2023/06/09"'), true);
  assert.equal(isOneLine('a = 1 b = 2'), true);
  assert.equal(isOneLine('[metadata]\ncreation_date = "2023/06/09"\n'), false);
  assert.equal(isOneLine('a = 1\nb = 2 c = 3'), false);
  assert.equal(isOneLine('description = """ several words [rule] x = 1 """'), false);
});

test("rebuilds line breaks in place (same length), trimming the newline TOML drops after ''' and \"\"\"", () => {
  const text = `[rule] a = "x y" b = [1, 2] c = ''' q:1 and r:2 ''' [[rule.threat]] framework = "MITRE ATT&CK" d = 1979-05-27 07:32:00Z`;
  const out = rebuildOneLine(text);
  assert.equal(out.length, text.length);
  assert.equal(out, `[rule]\na = "x y"\nb = [1, 2]\nc = '''\nq:1 and r:2\n'''\n[[rule.threat]]\nframework = "MITRE ATT&CK"\nd = 1979-05-27 07:32:00Z`);
});

function refuses(text: string, offset: number, message: string): void {
  assert.throws(() => rebuildOneLine(text), (e: unknown) => {
    assert.ok(e instanceof OneLineError);
    assert.equal(e.offset, offset);
    assert.equal(e.message, message);
    return true;
  });
}

test("refuses what it would have to guess", () => {
  refuses(
    '[rule] a = 1 # note b = 2',
    13,
    "A '#' comment in a file whose line breaks were lost runs to the end of the file; tern cannot tell where the comment ended.",
  );
  refuses(
    '[rule] a = 1 [rule.colours] b = 2',
    13,
    "Unknown table [rule.colours] in a file whose line breaks were lost; tern rebuilds such files only from the detection-rules schema.",
  );
  refuses('[rule] a = "x"b = 2', 14, 'Expected a space between two statements but found "b".');
  refuses('[rule] a = """ open', 11, 'Unterminated multi-line string (opened with """).');
  refuses('[rule] a = [1, 2 b = 3', 17, 'Expected "," or "]" but found "b".');
});

test("sub-tables of open tables ([transform], [[rule.filters]]) are accepted", () => {
  const out = rebuildOneLine('[[transform.osquery]] label = "x" [[rule.filters]] [rule.filters.meta] negate = false');
  assert.equal(out, '[[transform.osquery]]\nlabel = "x"\n[[rule.filters]]\n[rule.filters.meta]\nnegate = false');
});

test("the one-line seed loads to the canonical seed's rule: the same rule, six tags in both", () => {
  const canonical = loadRuleFile(join(SEED_DIR, "shared_object_new_terms.toml"));
  const oneline = loadRuleFile(join(SEED_DIR, "shared_object_new_terms.oneline.toml"));
  assert.equal(canonical.rules[0].status, "valid");
  assert.equal(oneline.rules[0].status, "valid");
  assert.deepEqual(canonical.diagnostics, []);
  assert.deepEqual(oneline.diagnostics.map((d) => `${d.span?.line}:${d.span?.col} ${d.code}`), ["1:1 TOML004"]);
  const a = canonical.rules[0].rule;
  const b = oneline.rules[0].rule;
  // Origins differ by design: path and format say where each came from.
  assert.deepEqual(a.origin, { path: join(SEED_DIR, "shared_object_new_terms.toml"), format: "toml" });
  assert.deepEqual(b.origin, { path: join(SEED_DIR, "shared_object_new_terms.oneline.toml"), format: "toml-oneline" });
  // The canonical file now carries the sixth tag the one-line file always had: the rules are equal.
  assert.deepEqual(a.tags, ["Domain: Endpoint", "OS: Linux", "Use Case: Threat Detection", "Tactic: Persistence", "Data Source: Elastic Endgame", "Data Source: Elastic Defend"]);
  assert.deepEqual(b.tags, a.tags);
  assert.deepEqual(comparableRule(b), comparableRule(a));
  // Equal as written except for line layout in prose and query text:
  assert.equal(b.query, a.query?.replace(/\s+/g, " ").trimStart().replace(/ $/, "\n"));
  assert.equal(b.description, a.description.replace(/\s+/g, " ").replace(/ $/, "\n"));
  assert.deepEqual({ ...b, origin: a.origin, query: a.query, description: a.description }, a);
  // The queries are the same query, not only the same text modulo whitespace: their ASTs are equal.
  assert.deepEqual(stripSpans(parseKql(b.query!)), stripSpans(parseKql(a.query!)));
});

test("an EQL query with a // comment cannot be rebuilt: TOML002 at the comment", async () => {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "tern-oneline-"));
  const text =
    '[metadata] creation_date = "2024/01/01" maturity = "production" updated_date = "2024/01/02" [rule] author = ["tern"] ' +
    'description = "x" language = "eql" name = "x" risk_score = 21 rule_id = "x" severity = "low" type = "eql" ' +
    "query = ''' process where true // tuned process.name == \"a\" '''";
  writeFileSync(join(dir, "eql.toml"), text, { mode: 0o600 });
  const r = loadRuleFile(join(dir, "eql.toml"));
  assert.deepEqual(r.diagnostics.map((d) => `${d.span?.line}:${d.span?.col} ${d.code}`), [`1:${text.indexOf("//") + 1} TOML002`]);
  assert.equal(
    r.diagnostics[0].message,
    "Cannot rebuild this one-line file: the query has a '//' line comment, which ended at a line break that was lost; tern cannot tell where.",
  );
  assert.equal(r.rules[0].status, "invalid");
});

test("errors after a rebuild point into the original one-line file", async () => {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "tern-oneline-"));
  const text =
    '[metadata] creation_date = "2024/01/01" maturity = "production" updated_date = "2024/01/02" [rule] author = ["tern"] ' +
    'description = "x" name = "x" risk_score = "high" rule_id = "x" severity = "low" type = "query" query = \'\'\' a:b and c:(d \'\'\'';
  writeFileSync(join(dir, "q.toml"), text, { mode: 0o600 });
  const r = loadRuleFile(join(dir, "q.toml"));
  assert.deepEqual(r.diagnostics.map((d) => `${d.span?.line}:${d.span?.col} ${d.code}`), [
    "1:1 TOML004",
    `1:${text.indexOf('"high"') + 1} RULE003`,
    `1:${text.indexOf("(d") + 4} KQL001`, // end of the query: the closing delimiter
  ]);
});
