import { test } from "node:test";
import assert from "node:assert/strict";
import { SourceFile, spanOf, diagnostic, renderDiagnostic, renderJson, DiagnosticBag } from "./index.js";

const src = new SourceFile("rules/x.toml", "[rule]\nfrom = \"now-9x\"\r\nname = 'a'\n");

test("positions count lines and columns from 1, CRLF and LF alike", () => {
  assert.deepEqual(src.position(0), { line: 1, col: 1 });
  assert.deepEqual(src.position(7), { line: 2, col: 1 });
  assert.deepEqual(src.position(14), { line: 2, col: 8 });
  assert.deepEqual(src.position(24), { line: 3, col: 1 });
  assert.equal(src.lineText(2), 'from = "now-9x"');
  assert.equal(src.offset(2, 8), 14);
});

test("a diagnostic renders as path:line:col: severity[CODE]: message with the line and a caret", () => {
  const d = diagnostic("TOML001", "Invalid value.", spanOf(src, 14, 22), { notes: [{ message: "datemath looks like now-9m." }], help: "use a unit of y M w d h H m s." });
  assert.equal(
    renderDiagnostic(d, { sources: new Map([[src.path, src]]) }),
    [
      "rules/x.toml:2:8: error[TOML001]: Invalid value.",
      "  |",
      '2 | from = "now-9x"',
      "  |        ^^^^^^^^",
      "  = note: datemath looks like now-9m.",
      "  = help: use a unit of y M w d h H m s.",
    ].join("\n"),
  );
});

test("without the source text only the first line is printed; colour only when asked", () => {
  const d = diagnostic("CLI001", "No input.", undefined);
  assert.equal(renderDiagnostic(d), "error[CLI001]: No input.");
  assert.equal(renderDiagnostic(d, { color: true }), "\x1b[31merror[CLI001]\x1b[0m: No input.");
});

test("JSON rendering is the diagnostics as data", () => {
  const bag = new DiagnosticBag();
  bag.push("KQL001", "Expected value.", spanOf(src, 0, 1));
  assert.equal(bag.hasErrors, true);
  assert.deepEqual(JSON.parse(renderJson(bag.items)), [
    { code: "KQL001", severity: "error", message: "Expected value.", span: { file: "rules/x.toml", start: 0, end: 1, line: 1, col: 1 } },
  ]);
});
