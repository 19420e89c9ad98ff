// `tern run` with a corpus rule that has a filter: the unchanged file runs (it used to be skipped), and the
// negated wildcard filter removes exactly the event it names, as Kibana's bool.must_not does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CORPUS_DIR } from "../../testing/paths.js";
import { runCli } from "../../testing/cli.js";

const RULE = join(CORPUS_DIR, "rules", "windows", "execution_posh_psreflect.toml");

test("a corpus rule with a negated wildcard filter runs; the filtered path (any case) gives no alert, others do", async () => {
  const d = mkdtempSync(join(tmpdir(), "tern-filters-"));
  try {
    // script_block_text is not an ECS field: without a mapping tern compares it as a keyword (whole value)
    const ev = (id: string, path: string, text = "Add-Win32Type") => ({
      "@timestamp": "2026-11-10T10:00:00.000Z",
      event: { category: ["process"], id },
      host: { os: { type: "windows" } },
      user: { id: "S-1-5-21-1" },
      powershell: { file: { script_block_text: text } },
      file: { path },
    });
    const events = [
      ev("a", "C:\\Users\\x\\evil.ps1"),
      // the rule's filter: ?:\ProgramData\MaaS360\Cloud Extender\AR\Scripts\ASModuleCommon.ps1, case-insensitive
      ev("b", "d:\\programdata\\maas360\\cloud extender\\ar\\scripts\\asmodulecommon.ps1"),
      // one character more than the filter's `?` allows: not filtered
      ev("c", "DD:\\ProgramData\\MaaS360\\Cloud Extender\\AR\\Scripts\\ASModuleCommon.ps1"),
      // the query does not hold
      ev("d", "C:\\x.ps1", "Get-Process"),
    ];
    const file = join(d, "events.ndjson");
    writeFileSync(file, events.map((e) => JSON.stringify(e)).join("\n") + "\n");
    const out = join(d, "alerts.ndjson");
    const r = await runCli(["run", RULE, "-e", file, "--state", join(d, "s.db"), "-o", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /skipped/);
    const alerts = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { event: { id: string }; "kibana.alert.rule.parameters": { filters?: unknown } });
    assert.deepEqual(alerts.map((a) => a.event.id), ["a", "c"]);
    // the alert carries the rule's filters among its parameters, as Kibana's do
    assert.deepEqual(alerts[0]["kibana.alert.rule.parameters"].filters, [
      { meta: { negate: true }, query: { wildcard: { "file.path": { case_insensitive: true, value: "?:\\\\ProgramData\\\\MaaS360\\\\Cloud Extender\\\\AR\\\\Scripts\\\\ASModuleCommon.ps1" } } } },
    ]);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test("validate and run agree: a filter tern cannot evaluate makes the rule not runnable in both, naming it", async () => {
  const d = mkdtempSync(join(tmpdir(), "tern-filters-"));
  try {
    const text = readFileSync(RULE, "utf8").replace(/\[\[rule\.filters\]\][\s\S]*?(?=\[rule\.investigation_fields\])/, "[[rule.filters]]\n[rule.filters.query.script.script]\nsource = \"true\"\n\n");
    const rule = join(d, "r.toml");
    writeFileSync(rule, text);
    const reason = 'rule filter: filters(must)[0].script: the query type "script" is not supported in rule filters (term, terms, match, match_phrase, exists, range, prefix, wildcard, bool, nested, match_all, match_none are)';
    const v = await runCli(["validate", rule]);
    assert.equal(v.stdout, "1 rule: 0 valid, 1 not runnable yet, 0 invalid\n");
    assert.match(v.stderr, new RegExp(`info\\[RULE012\\]: Not runnable yet: ${reason.replace(/[()[\]]/g, "\\$&")}\\.`));
    const r = await runCli(["run", rule, "-e", rule, "--state", ":memory:"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`skipped: ${reason.replace(/[()[\]]/g, "\\$&")}`));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
