// NDJSON alert sinks: file mode 0600 and appending, stdout-style streams.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import fc from "fast-check";
import { alertLines, fileSink, streamSink } from "./ndjson.js";
import type { RuleFieldsCut } from "../state/rule-fields.js";

test("file sink: created 0600, appends one JSON object per line", async () => {
  const p = join(mkdtempSync(join(tmpdir(), "tern-sink-")), "alerts.ndjson");
  const s = fileSink(p);
  await s.write([{ doc: { a: 1 } }, { doc: { b: "x" } }]);
  await s.write([]);
  await s.close();
  const s2 = fileSink(p);
  await s2.write([{ doc: { c: true } }]);
  await s2.close();
  assert.equal(readFileSync(p, "utf8"), '{"a":1}\n{"b":"x"}\n{"c":true}\n');
  assert.equal(statSync(p).mode & 0o777, 0o600);
});

test("stream sink: resolves after the write is handed over", async () => {
  const out = new PassThrough();
  let text = "";
  out.on("data", (c: Buffer) => (text += c.toString()));
  await streamSink(out).write([{ doc: { a: 1 } }]);
  assert.equal(text, '{"a":1}\n');
});

test("file and stream sinks: the caller's serialisation (json) is written as is", async () => {
  const p = join(mkdtempSync(join(tmpdir(), "tern-sink-")), "alerts.ndjson");
  const s = fileSink(p);
  // a serialisation that differs from JSON.stringify(doc) proves json is the one written
  await s.write([
    { doc: { a: 1 }, json: '{"a": 1}' },
    { doc: { b: 2 }, json: '{"b": 2}' },
  ]);
  await s.close();
  assert.equal(readFileSync(p, "utf8"), '{"a": 1}\n{"b": 2}\n');
  const out = new PassThrough();
  let text = "";
  out.on("data", (c: Buffer) => (text += c.toString()));
  await streamSink(out).write([{ doc: { a: 1 }, json: '{"a":  1}' }]);
  assert.equal(text, '{"a":  1}\n');
});

test("alert lines: the rule's fields copied as bytes where the builder cut them give the bytes of the texts encoded whole (fast-check)", () => {
  const piece = fc.constantFrom('"a":1', '"é":"😀"', '"x":"\\u2028"', '"k":[1,2]', "");
  const ruleText = fc.constantFrom(',"kibana.alert.rule.rule_id":"r"', ',"kibana.alert.rule.note":"ü\\n"', ',"p":{"q":"€"}');
  fc.assert(
    fc.property(
      fc.array(fc.record({ head: piece, vary: piece, before: ruleText, after: fc.option(ruleText, { nil: undefined }), how: fc.constantFrom("cut", "stale", "none") }), { maxLength: 6 }),
      (specs) => {
        const json: string[] = [];
        const cuts: (RuleFieldsCut | undefined)[] = [];
        for (const sp of specs) {
          const start = `{"h":0${sp.head === "" ? "" : `,${sp.head}`}`;
          const vary = sp.vary === "" ? "" : `,${sp.vary}`;
          const fields = { before: sp.before, after: sp.after ?? "", ruleUuid: "u" };
          const text = `${start}${fields.before}${vary}${fields.after}}`;
          json.push(text);
          const cut = { of: text, fields, rest: `${start}${vary}}`, beforeAt: start.length, afterAt: fields.after === "" ? null : start.length + vary.length };
          cuts.push(sp.how === "cut" ? cut : sp.how === "stale" ? { ...cut, of: `${text} `, rest: "{}" } : undefined);
        }
        assert.deepEqual(alertLines(json.map((t, i) => ({ doc: {}, json: t, cut: cuts[i] }))), Buffer.from(json.map((t) => `${t}\n`).join(""), "utf8"));
      },
    ),
    { numRuns: 1000 },
  );
  // without texts, the documents are serialised
  assert.equal(alertLines([{ doc: { a: "é" } }]).toString("utf8"), '{"a":"é"}\n');
});
