// The process table: instances by exec and fork, unseen processes met as actors or as parents, pid reuse
// by exit and by a changed program, the bound, and the documented id recipes.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProcessTable, hostIdFromName, localMachineId, parentFields } from "./process-table.js";

// docs/sources-mapping.md "Process tree", written out independently of the code
const eid = (...parts: (string | number)[]) => createHash("sha256").update(parts.join("\u0000")).digest("base64url").slice(0, 22);

test("an unseen process has the same id as an actor and as a parent; it learns its image from its own events", () => {
  const t = new ProcessTable();
  const child = t.exec("H", 20, 10, 1000, 7, { name: "curl", executable: "/usr/bin/curl" });
  assert.equal(child.self.entityId, eid("H", 20, 1000, 7));
  assert.equal(child.parent?.entityId, eid("H", 10, "unseen", 0));
  assert.equal(child.parent?.executable, undefined);
  const bash = t.lookup("H", 10, { name: "bash", executable: "/bin/bash" }, 1);
  assert.equal(bash.entityId, child.parent?.entityId);
  assert.deepEqual([bash.name, bash.executable, bash.parent?.pid], ["bash", "/bin/bash", undefined]);
  assert.deepEqual(parentFields(t.peek("H", 10), 10), { pid: 10, entity_id: eid("H", 10, "unseen", 0), name: "bash", executable: "/bin/bash" });
  // the same pid on another host is another process
  assert.notEqual(t.lookup("K", 10).entityId, bash.entityId);
});

test("pid reuse: after an exit, and when another program shows up under the pid without an exec", () => {
  const t = new ProcessTable();
  const a = t.lookup("H", 5, { executable: "/bin/a" });
  assert.equal(t.lookup("H", 5, { executable: "/bin/a" }).entityId, a.entityId);
  t.exit("H", 5, 2000, 1);
  const b = t.lookup("H", 5, { executable: "/bin/a" });
  assert.equal(b.entityId, eid("H", 5, "unseen", 1));
  const c = t.lookup("H", 5, { executable: "/bin/c" });
  assert.equal(c.entityId, eid("H", 5, "unseen", 2));
  // a program that deleted its own file is still the same program (the kernel appends " (deleted)")
  assert.equal(t.lookup("H", 5, { executable: "/bin/c (deleted)" }).entityId, c.entityId);
  // an exec is a new instance whose parent is the forking process, not the image it replaced
  const e = t.exec("H", 5, 1, 2000, 9, { executable: "/bin/e" });
  assert.equal(e.self.entityId, eid("H", 5, 2000, 9));
  assert.equal(e.self.parent?.pid, 1);
});

test("fork copies the parent's image into a new instance; exec then replaces it", () => {
  const t = new ProcessTable();
  t.exec("H", 10, 1, 100, 1, { name: "bash", executable: "/bin/bash", args: ["bash"], userId: "0" });
  const f = t.fork("H", 10, { name: "bash", executable: "/bin/bash" }, 1, 11, 200, 2);
  assert.deepEqual([f.self.entityId, f.self.name, f.self.args, f.self.userId, f.self.parent], [eid("H", 11, 200, 2, "fork"), "bash", ["bash"], "0", { pid: 10, entityId: eid("H", 10, 100, 1) }]);
  const x = t.exec("H", 11, 10, 300, 3, { name: "id" });
  assert.equal(x.parent?.entityId, eid("H", 10, 100, 1));
  assert.deepEqual(parentFields(x.parent, 10), { pid: 10, entity_id: eid("H", 10, 100, 1), name: "bash", executable: "/bin/bash", args: ["bash"], args_count: 1, command_line: "bash", user: { id: "0" } });
});

test("the table is bounded: the least recently used process leaves and comes back as a new unseen instance", () => {
  const t = new ProcessTable(2);
  const one = t.lookup("H", 1);
  t.lookup("H", 2);
  t.lookup("H", 1);
  t.lookup("H", 3);
  assert.equal(t.size, 2);
  assert.equal(t.lookup("H", 1).entityId, one.entityId);
  assert.equal(t.peek("H", 2), undefined);
  assert.equal(t.lookup("H", 2).entityId, eid("H", 2, "unseen", 1));
});

test("host ids: derived from the name in machine-id's shape; /etc/machine-id when it holds one", () => {
  assert.equal(hostIdFromName("web01"), createHash("sha256").update("tern host\u0000web01").digest("hex").slice(0, 32));
  assert.match(hostIdFromName("web01"), /^[0-9a-f]{32}$/);
  const dir = mkdtempSync(join(tmpdir(), "tern-mid-"));
  writeFileSync(join(dir, "ok"), "3d1219c7c4c5404aaa1f6d2a48adfda4\n");
  writeFileSync(join(dir, "bad"), "not an id\n");
  assert.equal(localMachineId(join(dir, "ok")), "3d1219c7c4c5404aaa1f6d2a48adfda4");
  assert.equal(localMachineId(join(dir, "bad")), undefined);
  assert.equal(localMachineId(join(dir, "missing")), undefined);
});

test("changes() gives what changed since the last call; restore() continues from it with the same ids and generations", () => {
  const t = new ProcessTable();
  t.exec("H", 20, 10, 1000, 7, { name: "curl" });
  assert.deepEqual(t.changes().map((r) => [r.key, r.entry?.entityId, r.gen]).sort(), [
    ["H|10", eid("H", 10, "unseen", 0), 0],
    ["H|20", eid("H", 20, 1000, 7), 0],
  ]);
  t.lookup("H", 20);
  assert.deepEqual(t.changes(), [], "looking up an unchanged process changes nothing");
  t.exit("H", 10, 2000, 1);
  const rows = t.changes();
  assert.deepEqual(rows.map((r) => [r.key, r.entry, r.gen]), [["H|10", undefined, 1]]);
  const back = ProcessTable.restore([{ key: "H|20", entry: t.peek("H", 20), gen: 0 }, ...rows]);
  assert.equal(back.lookup("H", 20).entityId, eid("H", 20, 1000, 7));
  assert.equal(back.lookup("H", 10).entityId, eid("H", 10, "unseen", 1));
  assert.deepEqual(back.changes().map((r) => r.key), ["H|10"]);
});

test("an event older than the live instance neither replaces nor ends it (events converted out of order)", () => {
  const t = new ProcessTable();
  const newer = t.exec("H", 30, 1, 5000, 9, { executable: "/bin/new" }).self;
  // an older exec, fork and exit of pid 30 give their own event's ids but leave the newer instance live
  assert.equal(t.exec("H", 30, 1, 4000, 3, { executable: "/bin/old" }).self.entityId, eid("H", 30, 4000, 3));
  assert.equal(t.fork("H", 1, {}, undefined, 30, 5000, 8).self.entityId, eid("H", 30, 5000, 8, "fork"));
  t.exit("H", 30, 5000, 8);
  assert.equal(t.peek("H", 30)?.entityId, newer.entityId);
  // at the same time a higher serial is newer: this exit ends it
  t.exit("H", 30, 5000, 10);
  assert.equal(t.peek("H", 30), undefined);
});

test("rebuilding an event creates and ends no instance, but the same instance learns its image", () => {
  const t = new ProcessTable();
  const a = t.exec("H", 40, 1, 1000, 1, { executable: "/bin/a" }).self;
  t.changes();
  t.rebuilding(() => {
    assert.equal(t.exec("H", 40, 1, 1000, 1, { executable: "/bin/a", args: ["a", "-v"] }).self.entityId, a.entityId);
    t.exit("H", 40, 2000, 5);
    assert.equal(t.lookup("H", 41).entityId, eid("H", 41, "unseen", 0));
    assert.equal(t.lookup("H", 40, { executable: "/bin/other" }).entityId, eid("H", 40, "unseen", 0));
  });
  assert.deepEqual(t.peek("H", 40)?.args, ["a", "-v"]);
  assert.equal(t.peek("H", 41), undefined);
  assert.deepEqual(t.changes().map((r) => r.key), ["H|40"]);
});
