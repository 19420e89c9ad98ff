// readLines: line numbers and byte offsets across chunk boundaries, CRLF, a last line without LF,
// over-long lines and invalid UTF-8 (flagged, never thrown).

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { assertReadableFiles, readFileLines, readLines, type RawLine } from "./lines.js";
import { DiagnosticError } from "../diag/index.js";

async function all(chunks: (string | Uint8Array)[], maxLineBytes?: number): Promise<Omit<RawLine, "raw">[]> {
  async function* src() {
    for (const c of chunks) yield typeof c === "string" ? Buffer.from(c) : c;
  }
  const out: Omit<RawLine, "raw">[] = [];
  for await (const l of readLines(src(), { maxLineBytes })) {
    const { raw: _raw, ...rest } = l;
    out.push(rest);
  }
  return out;
}

test("lines split across chunks keep their numbers and byte offsets; CR before LF is dropped", async () => {
  assert.deepEqual(await all(["ab", "c\r\nde", "f\n", "\nlast"]), [
    { text: "abc", line: 1, byteOffset: 0, byteLength: 5 },
    { text: "def", line: 2, byteOffset: 5, byteLength: 4 },
    { text: "", line: 3, byteOffset: 9, byteLength: 1 },
    { text: "last", line: 4, byteOffset: 10, byteLength: 4 },
  ]);
});

test("a line over the maximum is flagged too-long and the next line is read normally", async () => {
  assert.deepEqual(await all(["0123", "456789\nok\n"], 5), [
    { text: "", line: 1, byteOffset: 0, byteLength: 11, problem: "too-long" },
    { text: "ok", line: 2, byteOffset: 11, byteLength: 3 },
  ]);
});

test("invalid UTF-8 is flagged invalid-utf8", async () => {
  assert.deepEqual(await all([new Uint8Array([0x61, 0xff, 0x0a, 0x62, 0x0a])]), [
    { text: "", line: 1, byteOffset: 0, byteLength: 3, problem: "invalid-utf8" },
    { text: "b", line: 2, byteOffset: 3, byteLength: 2 },
  ]);
});

test("a .gz file is read decompressed; a missing file is SRC101 before reading", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-lines-"));
  const gz = join(dir, "a.log.gz");
  writeFileSync(gz, gzipSync("one\ntwo\n"));
  const got: string[] = [];
  for await (const l of readFileLines(gz)) got.push(l.text);
  assert.deepEqual(got, ["one", "two"]);
  assert.throws(() => assertReadableFiles([join(dir, "missing.log")]), (e: unknown) => e instanceof DiagnosticError && e.diagnostics[0].code === "SRC101" && e.diagnostics[0].message === `cannot open ${join(dir, "missing.log")}: no such file; check the input path`);
});
