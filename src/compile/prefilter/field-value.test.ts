// A keyword field's values read in the raw line: every key that ends with the field's last name segment,
// the string after it tested, and everything the reading cannot be sure of passed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fieldKey, mayHoldValue } from "./field-value.js";

const endsWithS = (v: string): boolean => v.endsWith("s");

/** The test's answer for a line given as bytes and as text (both must agree), and the values it was asked about. */
function answer(line: string, field = "process.executable"): { pass: boolean; asked: string[] } {
  const key = fieldKey(field);
  const out: boolean[] = [];
  let asked: string[] = [];
  for (const form of ["bytes", "text"] as const) {
    const seen: string[] = [];
    const view = {
      buf: form === "bytes" ? Buffer.from(line, "utf8") : undefined,
      str: form === "text" ? line : "",
      hasBackslash: () => line.includes("\\"),
    };
    out.push(
      mayHoldValue(view, key, Buffer.from(key, "utf8"), (v) => {
        seen.push(v);
        return endsWithS(v);
      }),
    );
    asked = seen;
  }
  assert.equal(out[0], out[1], line);
  return { pass: out[0], asked };
}

test("fieldKey: the last name segment and the key's closing quote", () => {
  assert.equal(fieldKey("process.executable"), 'executable"');
  assert.equal(fieldKey("name"), 'name"');
});

test("the values of every key ending with the field's last segment, nested or dotted, are tested", () => {
  assert.deepEqual(answer('{"process":{"executable":"/usr/bin/ls"}}'), { pass: true, asked: ["/usr/bin/ls"] });
  assert.deepEqual(answer('{"process.executable":"/usr/bin/ls"}'), { pass: true, asked: ["/usr/bin/ls"] });
  assert.deepEqual(answer('{"process":{"executable":"/bin/bash","parent":{"executable":"/bin/zsh"}}}'), { pass: false, asked: ["/bin/bash", "/bin/zsh"] });
  // a later key that passes is found after ones that fail
  assert.deepEqual(answer('{"process":{"parent":{"executable":"/bin/bash"},"executable":"/usr/bin/ls"}}'), { pass: true, asked: ["/bin/bash", "/usr/bin/ls"] });
  // blanks around the colon
  assert.deepEqual(answer('{"process" : { "executable" \t:  "/bin/bash" } }'), { pass: false, asked: ["/bin/bash"] });
  // UTF-8 values are read as text
  assert.deepEqual(answer('{"process":{"executable":"/tmp/zoës"}}'), { pass: true, asked: ["/tmp/zoës"] });
});

test("a line without the field cannot hold a value that passes", () => {
  assert.deepEqual(answer('{"process":{"name":"ls"}}'), { pass: false, asked: [] });
  // other keys that end with the same letters, and the text as a value, are not the field
  assert.deepEqual(answer('{"process":{"parent_executable":"/usr/bin/ls","x":"executable","y":"a.executable"}}'), { pass: false, asked: [] });
  assert.deepEqual(answer('{"a":["executable"],"b":"executable"}'), { pass: false, asked: [] });
});

test("what the reading cannot be sure of passes: a backslash anywhere, a value that is not a plain string", () => {
  for (const line of [
    '{"process":{"execut\\u0061ble":"/bin/bash"}}',
    '{"process":{"executable":"/bin/ba\\"sh"}}',
    '{"process":{"executable":["/bin/bash","/bin/ls"]}}',
    '{"process":{"executable":12}}',
    '{"process":{"executable":null}}',
    '{"process":{"executable":{"a":"b"}}}',
    '{"process":{"executable":',
    '{"process":{"executable":"/bin/bash',
  ]) {
    assert.equal(answer(line).pass, true, line);
  }
  // …and nothing is asked of the test when a backslash decides
  assert.deepEqual(answer('{"process":{"executable":"/bin/bash"},"x":"a\\\\b"}'), { pass: true, asked: [] });
  // a key with nothing after it is not followed by a colon
  assert.equal(answer('{"process":{"executable"').pass, false);
});
