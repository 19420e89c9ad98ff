// `tern kql match` through main() with captured streams: one stdout line per non-blank NDJSON line,
// KQL010 diagnostics with line numbers for bad lines, exit codes 0 and 2.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../../testing/cli.js";

const tern = (args: string[], stdin: string) => runCli(args, { stdin });

const SEED =
  'host.os.type:linux and event.action:(creation or file_create_event or file_rename_event or rename) and file.path:(/dev/shm/* or /usr/lib/*) and file.extension:so and process.name: ( * and not ("5" or "dockerd" or "dpkg" or "rpm" or "snapd" or "exe" or "yum" or "vmis-launcher"))';

test("prints true or false for every event line, dotted and nested keys alike", async () => {
  const lines = [
    '{"host":{"os":{"type":"linux"}},"event":{"action":"creation"},"file":{"path":"/dev/shm/x.so","extension":"so"},"process":{"name":"python3"}}',
    '{"host.os.type":"linux","event.action":"rename","file.path":"/usr/lib/a.so","file.extension":"so","process.name":"dpkg"}',
    '{"host.os.type":"linux","event.action":"rename","file.path":"/usr/lib/a.so","file.extension":"so","process.name":"bash"}',
  ];
  const r = await tern(["kql", "match", SEED], lines.join("\n") + "\n");
  assert.deepEqual(r, { code: 0, stdout: "true\nfalse\ntrue\n", stderr: "" });
});

test("a bad line prints error on stdout and a KQL010 diagnostic with its line number on stderr, then goes on; exit 2", async () => {
  const input = ['{"a":"b"}', "", "{not json", '["a"]', "42", '{"a":"c"}', "\r"].join("\n");
  const r = await tern(["kql", "match", "a:b"], input);
  assert.equal(r.stdout, "true\nerror\nerror\nerror\nfalse\n");
  assert.equal(
    r.stderr,
    "<stdin>:3:1: error[KQL010]: event line is not valid JSON\n" +
      "<stdin>:4:1: error[KQL010]: event line is not a JSON object (found an array)\n" +
      "<stdin>:5:1: error[KQL010]: event line is not a JSON object (found number)\n",
  );
  assert.equal(r.code, 2);
});

test("a query syntax error prints Kibana's caret message and exits 2 without reading events", async () => {
  const r = await tern(["kql", "match", "a:(b or )"], '{"a":"b"}\n');
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, 'Expected "(", NOT, value but ")" found.\na:(b or )\n--------^\n');
});

test("options: ECS types by default (message is analysed text), --no-ecs, --case-insensitive, --date-format-tz", async () => {
  const msg = '{"message":"Hello, World"}\n';
  assert.equal((await tern(["kql", "match", "message:hello"], msg)).stdout, "true\n");
  assert.equal((await tern(["kql", "match", "--no-ecs", "message:hello"], msg)).stdout, "false\n");
  const pn = '{"process":{"name":"BASH"}}\n';
  assert.equal((await tern(["kql", "match", "process.name:bash"], pn)).stdout, "false\n");
  assert.equal((await tern(["kql", "match", "--case-insensitive", "process.name:bash"], pn)).stdout, "true\n");
  const ts = '{"@timestamp":"2024-03-01T10:30:00Z"}\n';
  assert.equal((await tern(["kql", "match", '@timestamp < "2024-03-01T11:00:00"'], ts)).stdout, "true\n");
  assert.equal((await tern(["kql", "match", "--date-format-tz", "+01:00", '@timestamp < "2024-03-01T11:00:00"'], ts)).stdout, "false\n");
});

test("empty input prints nothing and exits 0", async () => {
  assert.deepEqual(await tern(["kql", "match", "a:b"], ""), { code: 0, stdout: "", stderr: "" });
});

test("--print prints the matching lines as they were written, grep-style: exit 1 when none matched, 2 after a bad line", async () => {
  const lines = ['{"a":1}', '{ "a" : 2 }', '{"a": 1, "b": "x"}'];
  assert.deepEqual(await tern(["kql", "match", "--print", "a:1"], lines.join("\n") + "\n"), { code: 0, stdout: '{"a":1}\n{"a": 1, "b": "x"}\n', stderr: "" });
  assert.deepEqual(await tern(["kql", "match", "--print", "a:3"], lines.join("\n") + "\n"), { code: 1, stdout: "", stderr: "" });
  const bad = await tern(["kql", "match", "--print", "a:1"], '{"a":1}\nnope\n');
  assert.deepEqual([bad.code, bad.stdout], [2, '{"a":1}\n']);
});

test("--explain: each clause of the query with whether it held on the event, one event after another", async () => {
  const lines = [
    '{"host":{"os":{"type":"linux"}},"event":{"action":"creation"},"file":{"path":"/tmp/x.so","extension":"so"},"process":{"name":"dpkg"}}',
    '{"host.os.type":"linux","event.action":"rename","file.path":"/usr/lib/a.so","process.name":"bash"}',
  ];
  const r = await tern(["kql", "match", "--explain", "host.os.type:linux and event.action:(creation or rename) and file.path:(/dev/shm/* or /usr/lib/*) and not process.name:dpkg"], lines.join("\n") + "\n");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      "false  host.os.type:linux and (event.action:creation or event.action:rename) and (file.path:/dev/shm/* or file.path:/usr/lib/*) and not process.name:dpkg",
      "  true   host.os.type:linux",
      "  true   event.action:creation or event.action:rename",
      "    true   event.action:creation",
      "    false  event.action:rename",
      "  false  file.path:/dev/shm/* or file.path:/usr/lib/*",
      "    false  file.path:/dev/shm/*",
      "    false  file.path:/usr/lib/*",
      "  false  not process.name:dpkg",
      "    true   process.name:dpkg",
      "true   host.os.type:linux and (event.action:creation or event.action:rename) and (file.path:/dev/shm/* or file.path:/usr/lib/*) and not process.name:dpkg",
      "  true   host.os.type:linux",
      "  true   event.action:creation or event.action:rename",
      "    false  event.action:creation",
      "    true   event.action:rename",
      "  true   file.path:/dev/shm/* or file.path:/usr/lib/*",
      "    false  file.path:/dev/shm/*",
      "    true   file.path:/usr/lib/*",
      "  true   not process.name:dpkg",
      "    false  process.name:dpkg",
      "",
    ].join("\n"),
  );
});
