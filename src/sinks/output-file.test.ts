// Output files: created 0600, existing ones keep their mode, links onto files refused, devices and pipes
// written without fsync (and never chmod'ed), and each failure a message that says what to do.

import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, existsSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OutputFileError, openOutputFile } from "./output-file.js";
import { fileSink } from "./ndjson.js";

const dir = () => mkdtempSync(join(tmpdir(), "tern-out-"));
const mode = (p: string) => statSync(p).mode & 0o777;

test("a new file is created 0600; an existing file keeps its mode and is appended to (or truncated for --rejects)", () => {
  const d = dir();
  const fresh = join(d, "alerts.ndjson");
  const a = openOutputFile(fresh, "--output");
  assert.deepEqual([a.regular, a.created, mode(fresh)], [true, true, 0o600]);
  closeSync(a.fd);
  const mine = join(d, "mine.ndjson");
  writeFileSync(mine, "old\n", { mode: 0o644 });
  const b = openOutputFile(mine, "--output");
  writeSync(b.fd, "new\n");
  closeSync(b.fd);
  assert.deepEqual([b.created, mode(mine), readFileSync(mine, "utf8")], [false, 0o644, "old\nnew\n"]);
  const c = openOutputFile(mine, "--rejects", true);
  closeSync(c.fd);
  assert.equal(readFileSync(mine, "utf8"), "");
});

test("links onto files (or onto nothing) are refused; a link to a device is followed; /dev/null is never fsynced nor chmod'ed", async () => {
  const d = dir();
  const target = join(d, "someone-elses.txt");
  writeFileSync(target, "keep\n", { mode: 0o644 });
  symlinkSync(target, join(d, "to-file"));
  symlinkSync(join(d, "nothing-here"), join(d, "dangling"));
  symlinkSync("/dev/null", join(d, "to-null"));
  assert.throws(() => openOutputFile(join(d, "to-file"), "--output"), (e: unknown) => e instanceof OutputFileError && e.message === `--output ${join(d, "to-file")} is a symbolic link to a file: tern does not write through links to files; give the file's own path`);
  assert.throws(() => openOutputFile(join(d, "dangling"), "--output"), /is a symbolic link to nothing/);
  assert.equal(existsSync(join(d, "nothing-here")), false);
  assert.deepEqual([readFileSync(target, "utf8"), mode(target)], ["keep\n", 0o644]);
  const n = openOutputFile(join(d, "to-null"), "--output");
  assert.equal(n.regular, false);
  closeSync(n.fd);
  const before = statSync("/dev/null").mode;
  const sink = fileSink("/dev/null");
  await sink.write([{ doc: { a: 1 } }]);
  await sink.close();
  assert.equal(statSync("/dev/null").mode, before);
});

test("a missing directory, a directory, a path through a file: messages that say what to do", () => {
  const d = dir();
  writeFileSync(join(d, "f"), "");
  const msg = (p: string) => {
    try {
      openOutputFile(p, "--output");
    } catch (e) {
      return (e as Error).message;
    }
    return "opened";
  };
  assert.equal(msg(join(d, "no", "x")), `--output ${join(d, "no", "x")}: its directory does not exist; create it or choose another path`);
  assert.equal(msg(d), `--output ${d} is a directory; give a file path`);
  assert.equal(msg(join(d, "f", "x")), `--output ${join(d, "f", "x")}: a part of the path is not a directory`);
});
