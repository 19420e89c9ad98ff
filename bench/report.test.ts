// Tests for the benchmark report (bench/report.ts): rates and ratios, the text table and the SVG chart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatTable, renderSvg, withRates, type ContenderResult } from "./report.js";

const RAW: ContenderResult[] = [
  { name: "tern-replay", description: "", kind: "new-terms", status: "ok", seconds: 2, peakRssMB: 90, count: 10 },
  { name: "tern-stream", description: "", kind: "new-terms", status: "ok", seconds: 4, peakRssMB: 80, count: 10 },
  { name: "node-parse", description: "", kind: "baseline", status: "ok", seconds: 8, peakRssMB: 60, count: 1000000 },
  { name: "jq", description: "", kind: "filter", status: "skipped", reason: "jq not installed" },
];

test("withRates: events/s, MB/s and contender-time ÷ tern-time ratios", () => {
  const r = withRates(RAW, 1_000_000, 2_000_000_000);
  assert.deepEqual(r.map((x) => [x.name, x.eventsPerSecond, x.mbPerSecond, x.ternReplayRatio, x.ternStreamRatio]), [
    ["tern-replay", 500_000, 1000, 1, 0.5],
    ["tern-stream", 250_000, 500, 2, 1],
    ["node-parse", 125_000, 250, 4, 2],
    ["jq", undefined, undefined, undefined, undefined],
  ]);
});

test("withRates: a contender over a prefix of the workload gets its own events/s and a per-event ratio", () => {
  const r = withRates([RAW[0], { name: "python-eql", description: "", kind: "eql", status: "ok", seconds: 1, events: 100_000, bytes: 200_000_000, count: 0 }], 1_000_000, 2_000_000_000);
  assert.deepEqual([r[1].eventsPerSecond, r[1].mbPerSecond, r[1].ternReplayRatio], [100_000, 200, 5]);
});

test("formatTable: aligned columns, skipped rows say why", () => {
  assert.equal(
    formatTable(withRates(RAW, 1_000_000, 2_000_000_000)),
    [
      "contender    time s  events/s    MB/s  peak RSS MB  tern replay ×  tern stream ×      count",
      "-----------  ------  --------  ------  -----------  -------------  -------------  ---------",
      "tern-replay    2.00   500,000  1000.0           90           1.00           0.50         10",
      "tern-stream    4.00   250,000   500.0           80           2.00           1.00         10",
      "node-parse     8.00   125,000   250.0           60           4.00           2.00  1,000,000",
      "jq           skipped: jq not installed",
      "",
    ].join("\n"),
  );
});

test("renderSvg: one bar per measured contender, scaled to the fastest, tern in blue", () => {
  const svg = renderSvg(withRates(RAW, 1_000_000, 2_000_000_000), "1 M events <seed rule>");
  assert.equal((svg.match(/<rect x=/g) ?? []).length, 3);
  assert.ok(svg.includes('<rect x="170" y="47" width="480" height="18" fill="#1f6feb"/>'));
  assert.ok(svg.includes('<rect x="170" y="73" width="240" height="18" fill="#1f6feb"/>'));
  assert.ok(svg.includes('<rect x="170" y="99" width="120" height="18" fill="#8c959f"/>'));
  assert.ok(svg.includes("1 M events &lt;seed rule&gt;"));
  assert.ok(svg.includes(">125,000 ev/s · 60 MB</text>"));
});
