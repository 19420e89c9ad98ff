// Tests for the example dataset (issue 4 "Main job and examples"): the story examples/README.md tells —
// which events match the seed query and which of them are new terms — checked with the hand-written
// reference filter, and the committed examples/events/*.gz are exactly what `npm run examples:gen` writes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { REPO_ROOT } from "../paths.js";
import { EXAMPLE_START, exampleEvents } from "./examples.js";
import { get, seedQueryRef } from "./seed-ref.js";
import { writeExampleFiles } from "./write.js";

const WEEK = 7 * 86_400_000;

/** Stream-mode new terms by hand: a match alerts when its pair was not seen in the 7 days before it. */
function newTermAlerts(learnUntil: number): string[] {
  const last = new Map<string, number>();
  const alerts: string[] = [];
  for (const e of exampleEvents()) {
    if (!seedQueryRef(e.doc)) continue;
    const key = `${String(get(e.doc, "file.path"))} ${String(get(e.doc, "process.name"))}`;
    const prev = last.get(key);
    if (e.ingestedMs >= learnUntil && (prev === undefined || prev < e.ingestedMs - WEEK)) {
      alerts.push(`${String(get(e.doc, "event.ingested"))} ${String(get(e.doc, "host.name"))} ${String(get(e.doc, "event.action"))} ${key}`);
    }
    last.set(key, e.ingestedMs);
  }
  return alerts;
}

test("the seed query matches 13 example events: 8 nightly-build writes and 5 suspicious ones", () => {
  const evs = exampleEvents();
  assert.equal(evs.length, 11699);
  const matches = evs.filter((e) => seedQueryRef(e.doc)).map((e) => `${String(get(e.doc, "process.name"))} ${String(get(e.doc, "file.path"))}`);
  assert.equal(matches.length, 13);
  assert.equal(matches.filter((m) => m === "gcc /usr/lib/x86_64-linux-gnu/libacme-plugin.so").length, 4);
  assert.equal(matches.filter((m) => m === "ld /usr/lib/x86_64-linux-gnu/libacme-metrics.so").length, 4);
  assert.equal(matches.filter((m) => m === "python3 /dev/shm/libx.so").length, 2);
});

test("new terms over the whole data: 6 alerts (2 first-night build libraries + 4 on days 3–4)", () => {
  assert.deepEqual(newTermAlerts(0), [
    "2024-06-10T02:10:08Z build01 creation /usr/lib/x86_64-linux-gnu/libacme-plugin.so gcc",
    "2024-06-10T02:10:30Z build01 creation /usr/lib/x86_64-linux-gnu/libacme-metrics.so ld",
    "2024-06-12T14:03:23Z web01 creation /dev/shm/.cache/libutil.so curl",
    "2024-06-12T14:04:31Z web01 rename /usr/lib/x86_64-linux-gnu/libhook.so mv",
    "2024-06-13T03:17:27Z db01 creation /dev/shm/libx.so python3",
    "2024-06-13T09:40:27Z build01 creation /usr/lib/x86_64-linux-gnu/libacme-exporter.so ld",
  ]);
});

test("with day 1 as warm-up (learned, not alerted): the 4 alerts of days 3–4", () => {
  assert.deepEqual(newTermAlerts(EXAMPLE_START + 86_400_000), [
    "2024-06-12T14:03:23Z web01 creation /dev/shm/.cache/libutil.so curl",
    "2024-06-12T14:04:31Z web01 rename /usr/lib/x86_64-linux-gnu/libhook.so mv",
    "2024-06-13T03:17:27Z db01 creation /dev/shm/libx.so python3",
    "2024-06-13T09:40:27Z build01 creation /usr/lib/x86_64-linux-gnu/libacme-exporter.so ld",
  ]);
});

test("examples/events holds exactly what `npm run examples:gen` writes (same decompressed bytes)", () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-examples-"));
  const written = writeExampleFiles(dir);
  assert.deepEqual(written.map((w) => [w.file, w.events]), [
    ["logs-endpoint.events.file-default.ndjson.gz", 2757],
    ["logs-endpoint.events.process-default.ndjson.gz", 5246],
    ["logs-endpoint.events.network-default.ndjson.gz", 3696],
  ]);
  const committed = join(REPO_ROOT, "examples", "events");
  assert.deepEqual(readdirSync(committed).sort(), written.map((w) => w.file).sort());
    // compared decompressed: gzip bytes may differ between zlib builds, the events may not
  for (const w of written) {
    assert.ok(gunzipSync(readFileSync(join(committed, w.file))).equals(gunzipSync(readFileSync(join(dir, w.file)))), `${w.file} is stale: run npm run examples:gen`);
  }
});
