/// <reference lib="dom" />
// `tern report` in a real headless Chromium (Debian's, driven by playwright-core): the page of the example
// run loads from disk with no console error and no request, both charts draw their series, the tables and
// top values hold what the state holds, the filters change the alerts table, and the layout keeps its
// sections in order without overlap (a full-page screenshot is written beside the test results). A
// 100,000-alert report opens, filters and scrolls; the time it takes to open is printed, not asserted.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { CORPUS_DIR, REPO_ROOT, SEED_DIR } from "../../src/testing/paths.js";
import { runCli } from "../../src/testing/cli.js";
import { SqliteStore } from "../../src/state/sqlite.js";

const CHROMIUM = "/usr/bin/chromium";
const WEB_RULE = join(CORPUS_DIR, "rules", "linux", "persistence_webserver_suspicious_command_execution.toml");
let browser: Browser;
let dir: string;

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  dir = mkdtempSync(join(tmpdir(), "tern-report-"));
});
after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  problems: string[];
  ms: number;
}

/** Opens a report; `problems` collects console errors, page errors and every request but the page's own. */
async function open(file: string): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  const url = pathToFileURL(file).href;
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
  page.on("request", (r) => {
    if (r.url() !== url) problems.push(`request: ${r.url()}`);
  });
  const t0 = performance.now();
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { ternReport?: { ready?: number } }).ternReport?.ready !== undefined, undefined, { timeout: 30_000 });
  return { page, problems, ms: performance.now() - t0 };
}

const text = (page: Page, sel: string) => page.locator(sel).innerText();

test("the example run's report: no error or request, two charts drawn, tables and filters, layout in order", async () => {
  const state = join(dir, "examples.db");
  const ran = await runCli(["run", SEED_DIR, WEB_RULE, "--events", join(REPO_ROOT, "examples", "events"), "--state", state, "-o", join(dir, "alerts.ndjson")]);
  assert.equal(ran.code, 0, ran.stderr);
  const html = join(dir, "examples.html");
  const made = await runCli(["report", state, "-o", html, "--title", "Examples"]);
  assert.deepEqual([made.code, made.stderr.replace(/[\d.]+ MB/, "N MB")], [0, `tern report: ${html}: 7 alerts of 2 rules, N MB\n`]);

  const { page, problems } = await open(html);
  assert.deepEqual(problems, []);
  assert.equal(await page.title(), "Examples");
  assert.match(await text(page, "#summary"), /^7 alerts from 2 of 2 rules, [\d,]+ executions with events, events 2024-06-1\d\S+ to 2024-06-1\d\S+\.$/);
  // uPlot's series: x plus one per rule with alerts; x plus executions and alerts
  const series = await page.evaluate(() => (window as unknown as { ternReport: { charts: { series: unknown[] }[] } }).ternReport.charts.map((c) => c.series.length));
  assert.deepEqual(series, [3, 3]);
  // every day and every hour between the first and the last is a point (zeros where nothing happened), and
  // the points add up to the 7 alerts
  const xs = await page.evaluate(() => (window as unknown as { ternReport: { charts: { data: number[][] }[] } }).ternReport.charts.map((c) => c.data));
  const steps = (x: number[]) => [...new Set(x.slice(1).map((v, i) => v - x[i]))];
  assert.deepEqual([steps(xs[0][0]), steps(xs[1][0])], [[86_400], [3_600]]);
  assert.deepEqual([xs[0].slice(1).flat().reduce((a, b) => a + b, 0), xs[1][2].reduce((a, b) => a + b, 0)], [7, 7]);
  // both canvases have pixels drawn
  const drawn = await page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLCanvasElement>(".uplot canvas")).map((c) => {
      const px = c.getContext("2d")?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
      let n = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) n++;
      return n;
    }),
  );
  assert.equal(drawn.length, 2);
  assert.ok(drawn.every((n) => n > 500), `drawn pixels: ${drawn.join(", ")}`);

  const ruleRows = await page.locator("#rules tbody tr").allInnerTexts();
  assert.deepEqual(ruleRows.map((r) => r.split("\t").slice(0, 5)), [
    ["Shared Object Created or Changed by Previously Unknown Process", "new_terms", "medium", "6", "85.7 %"],
    ["Suspicious Command Execution via Web Server", "eql", "medium", "1", "14.3 %"],
  ]);
  assert.equal(await page.locator("#top-terms li").count(), 6);
  // the funnel of each rule's run: the examples' 11,699 lines, of which 13 shared-object writes match the
  // seed rule and 6 bring a new (file.path, process.name) pair (the six planted writes), and the one web
  // server command the EQL rule matches; an EQL rule has no new-term step
  const funnelRows = await page.locator("#funnel tbody tr").allInnerTexts();
  assert.deepEqual(funnelRows.map((r) => r.split("\t")), [
    ["Shared Object Created or Changed by Previously Unknown Process", "11,699", "13", "13", "13", "6", "6", ""],
    ["Suspicious Command Execution via Web Server", "11,699", "1", "1", "1", "\u2013", "1", ""],
  ]);
  assert.deepEqual(await page.locator("#funnel thead th").allInnerTexts(), ["rule", "events read", "matched the query", "usable (time and fields)", "in an execution's window", "with a new term", "alerts", "why no alert"]);

  // the alerts table and its filters
  assert.equal(await text(page, "#alerts-count"), "7 of 7 alerts");
  assert.equal(await page.locator("#alerts-rows .row").count(), 7);
  const seed = await page.locator("#f-rule option").nth(1).getAttribute("value");
  await page.selectOption("#f-rule", seed ?? "");
  assert.equal(await text(page, "#alerts-count"), "6 of 7 alerts");
  await page.fill("#f-host", "no-such-host");
  assert.equal(await text(page, "#alerts-count"), "0 of 7 alerts");
  assert.equal(await page.locator("#alerts-rows .row").count(), 0);
  await page.fill("#f-host", "");
  await page.selectOption("#f-rule", "");
  assert.equal(await page.locator("#rule-meta details").count(), 2);

  // layout: the sections one under the other, inside the page's width, none overlapping
  const boxes = await page.evaluate(() =>
    ["h1", "#summary", "#chart-days", "#chart-hours", "#rules", "#funnel", ".tops", "#alerts-view", "#rule-meta"].map((s) => {
      const r = document.querySelector(s)?.getBoundingClientRect();
      return r === undefined ? null : { s, top: r.top + window.scrollY, bottom: r.bottom + window.scrollY, left: r.left, right: r.right };
    }),
  );
  for (const b of boxes) assert.ok(b !== null && b.left >= 0 && b.right <= 1280 && b.bottom > b.top, JSON.stringify(b));
  for (let i = 1; i < boxes.length; i++) assert.ok(boxes[i]!.top >= boxes[i - 1]!.bottom - 1, `${boxes[i]!.s} overlaps ${boxes[i - 1]!.s}`);
  const shot = await page.screenshot({ fullPage: true });
  writeFileSync(join(REPO_ROOT, "dist", "report-examples.png"), shot);
  // PNG header: width and height of the whole page
  assert.equal(shot.readUInt32BE(16), 1280);
  assert.ok(shot.readUInt32BE(20) > 1500, `page height ${shot.readUInt32BE(20)}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test("100,000 alerts: the report opens, filters by host and scrolls to the last row", async (t) => {
  const state = join(dir, "big.db");
  const store = SqliteStore.open(state, { writer: true });
  const t0 = Date.parse("2024-06-01T00:00:00.000Z");
  let onHost7 = 0;
  store.transaction(() => {
    for (let i = 0; i < 100_000; i++) {
      const rule = i % 20;
      const host = `host-${(i * 7919) % 500}`;
      if (host.includes("host-7")) onHost7++;
      const doc = JSON.stringify({ "kibana.alert.uuid": `a${i}`, "kibana.alert.rule.name": `Rule ${rule}`, "kibana.alert.rule.type": "query", "kibana.alert.rule.severity": ["low", "medium", "high", "critical"][rule % 4] });
      store.insertAlert({ id: `a${i}`, ruleId: `r${rule}`, ruleName: `Rule ${rule}`, eventTime: t0 + i * 60_000, createdAt: t0 + i * 60_000, severity: ["low", "medium", "high", "critical"][rule % 4], host, process: `proc-${i % 50}`, file: null, newTerms: null, doc });
    }
  });
  store.close();
  const html = join(dir, "big.html");
  const made = await runCli(["report", state, "-o", html]);
  assert.equal(made.code, 0, made.stderr);
  const { page, problems, ms } = await open(html);
  t.diagnostic(`a 100,000-alert report (${made.stderr.match(/[\d.]+ MB/)?.[0] ?? "?"}) opened and drew in ${ms.toFixed(0)} ms`);
  assert.deepEqual(problems, []);
  assert.equal(await text(page, "#alerts-count"), "100,000 of 100,000 alerts");
  // only the rows in view are in the document
  assert.ok((await page.locator("#alerts-rows .row").count()) < 40);
  const series = await page.evaluate(() => (window as unknown as { ternReport: { charts: { series: unknown[] }[] } }).ternReport.charts[0].series.length);
  assert.equal(series, 1 + 8 + 1);
  await page.fill("#f-host", "host-7");
  assert.equal(await text(page, "#alerts-count"), `${onHost7.toLocaleString("en")} of 100,000 alerts`);
  await page.fill("#f-host", "");
  await page.evaluate(() => {
    const v = document.getElementById("alerts-view")!;
    v.scrollTop = v.scrollHeight;
    v.dispatchEvent(new Event("scroll"));
  });
  // newest first: the last row is the oldest alert
  await page.waitForFunction(() => Array.from(document.querySelectorAll("#alerts-rows .row")).some((r) => r.textContent?.startsWith("2024-06-01T00:00:00Z")));
  await page.close();
});

test("a rule that made no alert is in the report with its funnel and the reason, from the state alone", async () => {
  const state = join(dir, "quiet.db");
  // executions long after the data: the seed rule's 13 matching writes fall in no window
  const ran = await runCli(["run", SEED_DIR, "--events", join(REPO_ROOT, "examples", "events"), "--state", state, "--start", "2030-01-01T00:00:00Z", "--end", "2030-01-01T00:00:00Z"]);
  assert.equal(ran.code, 0, ran.stderr);
  const html = join(dir, "quiet.html");
  const made = await runCli(["report", state, "-o", html]);
  assert.equal(made.code, 0, made.stderr);
  const { page, problems } = await open(html);
  assert.deepEqual(problems, []);
  const rows = await page.locator("#funnel tbody tr").allInnerTexts();
  assert.deepEqual(rows.map((r) => r.split("\t")), [
    ["Shared Object Created or Changed by Previously Unknown Process", "11,699", "13", "13", "0", "0", "0", "none of its events fell inside an execution's window (--start/--end decide the executions)"],
  ]);
  await page.close();
});
