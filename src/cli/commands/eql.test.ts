// `tern eql parse` and `tern eql match` through main() with captured streams: the AST, syntax errors with
// their code and caret (exit 2), true/false per event for an event query, the sequences of a sequence
// query over stdin, EQL010 for bad lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../../testing/cli.js";

const tern = (args: string[], stdin = "") => runCli(args, { stdin });

test("eql parse prints the AST without spans (with --spans on request)", async () => {
  const r = await tern(["eql", "parse", 'process where process.name : "a*"']);
  assert.equal(r.code, 0);
  assert.deepEqual(JSON.parse(r.stdout), {
    kind: "event",
    filter: { category: "process", where: { kind: "match", op: ":", value: { kind: "field", name: "process.name", optional: false }, patterns: [{ kind: "literal", value: "a*" }], list: false } },
    pipes: [],
  });
  const spans = await tern(["eql", "parse", "--spans", "any where true"]);
  assert.deepEqual((JSON.parse(spans.stdout) as { span: unknown }).span, { start: 0, end: 14 });
});

test("eql parse: a syntax error prints its code, reason and a caret; exit 2", async () => {
  const r = await tern(["eql", "parse", "process where x = 1 | unique x"]);
  assert.deepEqual(r, { code: 2, stdout: "", stderr: 'error[EQL001]: Use "==" to compare values, not "=". (line 1:17)\nprocess where x = 1 | unique x\n                ^\n' });
  const pipe = await tern(["eql", "parse", "process where true | unique x"]);
  assert.equal(pipe.stderr.split("\n")[0], "error[EQL002]: Pipe [unique] is not supported by Elasticsearch EQL (only head and tail). (line 1:22)");
});

test("eql match: an event query prints true/false per event; bad lines are EQL010 and exit 2", async () => {
  const input = ['{"event":{"category":["process"]},"process":{"name":"BASH"}}', '{"event":{"category":"file"},"process":{"name":"bash"}}', "{nope", '{"event.category":"process","process.name":"zsh"}'].join("\n");
  const r = await tern(["eql", "match", 'process where process.name : "bash"'], input);
  assert.equal(r.stdout, "true\nfalse\nerror\nfalse\n");
  assert.equal(r.stderr, "<stdin>:3:1: error[EQL010]: event line is not valid JSON\n");
  assert.equal(r.code, 2);
});

test("eql match: a sequence query prints each sequence found over stdin (line numbers, join keys)", async () => {
  const ev = (t: string, cat: string, pid: number, name: string) => JSON.stringify({ "@timestamp": `2024-05-01T10:00:0${t}Z`, event: { category: cat }, process: { pid, name } });
  const input = [ev("1", "process", 7, "curl"), ev("2", "process", 8, "curl"), ev("3", "network", 8, "curl"), ev("4", "network", 7, "curl")].join("\n");
  const r = await tern(["eql", "match", "sequence by process.pid [process where true] [network where true]"], input);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '{"events":[2,3],"join_keys":[8]}\n{"events":[1,4],"join_keys":[7]}\n');
  const untyped = await tern(["eql", "match", "--no-ecs", "--size", "1", "sequence by process.pid [process where true] [network where true]"], input);
  assert.equal(untyped.stdout, '{"events":[2,3],"join_keys":[8]}\n');
});

test("eql match --print prints the matching lines of an event query, grep-style", async () => {
  const r = await runCli(["eql", "match", "--print", 'process where process.name == "sh"'], { stdin: '{"event":{"category":"process"},"process":{"name":"sh"}}\n{"event":{"category":"process"},"process":{"name":"ls"}}\n' });
  assert.deepEqual(r, { code: 0, stdout: '{"event":{"category":"process"},"process":{"name":"sh"}}\n', stderr: "" });
  const none = await runCli(["eql", "match", "--print", 'process where process.name == "zsh"'], { stdin: '{"event":{"category":"process"},"process":{"name":"sh"}}\n' });
  assert.deepEqual([none.code, none.stdout], [1, ""]);
});

test("eql match --explain: the category test and each clause of the condition, true or false, per event; sequences refused", async () => {
  const lines = [
    '{"event":{"category":["process"],"type":["start"]},"process":{"name":"curl","args":["-o","/tmp/x"]}}',
    '{"event":{"category":["network"],"type":["start"]},"process":{"name":"wget","args":["http://x"]}}',
  ];
  const r = await tern(["eql", "match", "--explain", 'process where event.type == "start" and process.name : ("curl", "wget") and not process.args : "*http*"'], lines.join("\n") + "\n");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      'true   process where event.type == "start" and process.name : ("curl", "wget") and not process.args : "*http*"',
      "  true   event.category is process",
      '  true   event.type == "start" and process.name : ("curl", "wget") and not process.args : "*http*"',
      '    true   event.type == "start"',
      '    true   process.name : ("curl", "wget")',
      '    true   not process.args : "*http*"',
      '      false  process.args : "*http*"',
      'false  process where event.type == "start" and process.name : ("curl", "wget") and not process.args : "*http*"',
      "  false  event.category is process",
      '  false  event.type == "start" and process.name : ("curl", "wget") and not process.args : "*http*"',
      '    true   event.type == "start"',
      '    true   process.name : ("curl", "wget")',
      '    false  not process.args : "*http*"',
      '      true   process.args : "*http*"',
      "",
    ].join("\n"),
  );
  const seq = await tern(["eql", "match", "--explain", "sequence [process where true] [network where true]"], lines.join("\n") + "\n");
  assert.deepEqual([seq.code, seq.stderr], [2, "tern eql match: --explain explains event queries; a sequence or sample is found over many events\n"]);
});
