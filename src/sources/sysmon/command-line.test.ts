import { test } from "node:test";
import assert from "node:assert/strict";
import { commandLineArgs } from "./command-line.js";

test("a Sysmon command line splits as Elastic's Sysmon for Linux integration splits it (the Windows convention)", () => {
  assert.deepEqual(commandLineArgs("/bin/bash -c id"), ["/bin/bash", "-c", "id"]);
  // runs of spaces and tabs separate; leading and trailing ones give nothing
  assert.deepEqual(commandLineArgs("  curl \t -s  http://x/ "), ["curl", "-s", "http://x/"]);
  assert.deepEqual(commandLineArgs(""), []);
  assert.deepEqual(commandLineArgs("   "), []);
  // double quotes group and are removed; a quote may open mid-argument
  assert.deepEqual(commandLineArgs('sh -c "echo a b" x"y z"w'), ["sh", "-c", "echo a b", "xy zw"]);
  // backslashes: literal unless before a quote; 2n → n and the quote toggles; 2n+1 → n and a literal quote
  assert.deepEqual(commandLineArgs(String.raw`a\b c\\ d\"e f\\"g h"`), [String.raw`a\b`, String.raw`c\\`, 'd"e', String.raw`f\g h`]);
  assert.deepEqual(commandLineArgs(String.raw`x\\\"y`), [String.raw`x\"y`]);
  // inside quotes "" is one literal quote and ends the quoted part
  assert.deepEqual(commandLineArgs('"a""b c"'), ['a"b', "c"]);
  // single quotes mean nothing in this convention (a POSIX shell line keeps them)
  assert.deepEqual(commandLineArgs("sh -c 'id; w'"), ["sh", "-c", "'id;", "w'"]);
  // an unterminated quote runs to the end
  assert.deepEqual(commandLineArgs('a "b c'), ["a", "b c"]);
});
