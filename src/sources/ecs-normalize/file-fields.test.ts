// Defend's file.extension convention (docs/sources.md §7.8) and path helpers.

import { test } from "node:test";
import assert from "node:assert/strict";
import { fileExtension, fileFieldsOf, joinPath, normalizePath } from "./file-fields.js";

test("file.extension: the last extension, none for dot-files, case kept", () => {
  const table: [string, string | undefined][] = [
    ["libx.so", "so"],
    ["libx.so.1", "1"],
    [".hidden.so", "so"],
    [".so", undefined],
    [".bashrc", undefined],
    ["libx.SO", "SO"],
    ["a.tar.gz", "gz"],
    ["noext", undefined],
    ["trailing.", undefined],
    ["libyaml-0.so.2.0.9.dpkg-new", "dpkg-new"],
  ];
  for (const [name, ext] of table) assert.equal(fileExtension(name), ext, name);
});

test("fileFieldsOf gives path, name, directory and extension", () => {
  assert.deepEqual(fileFieldsOf("/dev/shm/a/b.so"), { path: "/dev/shm/a/b.so", name: "b.so", directory: "/dev/shm/a", extension: "so" });
  assert.deepEqual(fileFieldsOf("/x"), { path: "/x", name: "x", directory: "/" });
});

test("normalizePath and joinPath collapse //, . and .. and never climb above /", () => {
  assert.equal(normalizePath("/usr//lib/./x/../y.so"), "/usr/lib/y.so");
  assert.equal(normalizePath("/../../etc"), "/etc");
  assert.equal(joinPath("/tmp/", "a.so"), "/tmp/a.so");
  assert.equal(joinPath("/tmp", "/abs/b.so"), "/abs/b.so");
  assert.equal(joinPath("/usr/lib/x86_64-linux-gnu", "../libz.so"), "/usr/lib/libz.so");
});
