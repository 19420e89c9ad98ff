// `tern kql parse` through main() with captured streams: exact JSON on stdout, exact caret message on
// stderr, exit codes 0 and 2.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../../testing/cli.js";

const tern = (args: string[]) => runCli(args);

describe("tern kql parse", () => {
  test("prints the AST as 2-space JSON without spans", async () => {
    const r = await tern(["kql", "parse", "a:(b or c*)"]);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, "");
    assert.equal(
      r.stdout,
      `{
  "type": "function",
  "function": "or",
  "arguments": [
    {
      "type": "function",
      "function": "is",
      "arguments": [
        {
          "type": "literal",
          "value": "a",
          "isQuoted": false
        },
        {
          "type": "literal",
          "value": "b",
          "isQuoted": false
        }
      ]
    },
    {
      "type": "function",
      "function": "is",
      "arguments": [
        {
          "type": "literal",
          "value": "a",
          "isQuoted": false
        },
        {
          "type": "wildcard",
          "value": "c@kuery-wildcard@"
        }
      ]
    }
  ]
}
`,
    );
  });

  test("--spans adds each node's source offsets", async () => {
    const r = await tern(["kql", "parse", "--spans", "x > 5"]);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), {
      type: "function",
      function: "range",
      arguments: [
        { type: "literal", value: "x", isQuoted: false, span: { start: 0, end: 1 } },
        "gt",
        { type: "literal", value: "5", isQuoted: false, span: { start: 4, end: 5 } },
      ],
      span: { start: 0, end: 5 },
    });
  });

  test("a syntax error writes Kibana's three-line message to stderr and exits 2", async () => {
    const r = await tern(["kql", "parse", "response:200 or "]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, 'Expected "(", NOT, field name, value but end of input found.\nresponse:200 or \n----------------^\n');
  });

  test("--no-leading-wildcards rejects a leading wildcard value", async () => {
    const r = await tern(["kql", "parse", "--no-leading-wildcards", "a:*b"]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "Leading wildcards are disabled. See query:allowLeadingWildcards in Advanced Settings.\na:*b\n--^\n");
  });

  test("the blank query is is(*, *)", async () => {
    const r = await tern(["kql", "parse", ""]);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), {
      type: "function",
      function: "is",
      arguments: [
        { type: "wildcard", value: "@kuery-wildcard@" },
        { type: "wildcard", value: "@kuery-wildcard@" },
      ],
    });
  });

  test("a missing query is a usage error (exit 2)", async () => {
    const r = await tern(["kql", "parse"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing required argument 'query'/);
  });
});
