// `npm run report:screenshot`: the picture of `tern report` in the README (docs/report.png). It runs the
// README's main job (the example rules over the example events) into a temporary state, makes its report,
// and photographs the top of the page in Debian's Chromium, as the browser test opens it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { REPO_ROOT } from "../src/testing/paths.js";
import { runCli } from "../src/testing/cli.js";

const dir = mkdtempSync(join(tmpdir(), "tern-screenshot-"));
try {
  const state = join(dir, "example.db");
  const ran = await runCli(["run", join(REPO_ROOT, "examples", "rules"), "--events", join(REPO_ROOT, "examples", "events"), "--state", state, "-o", join(dir, "alerts.ndjson")]);
  if (ran.code !== 0) throw new Error(ran.stderr);
  const html = join(dir, "report.html");
  const made = await runCli(["report", state, "-o", html, "--title", "tern backtest: the example data"]);
  if (made.code !== 0) throw new Error(made.stderr);
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1500 } });
    await page.goto(pathToFileURL(html).href);
    await page.waitForFunction(() => (window as unknown as { ternReport?: { ready?: number } }).ternReport?.ready !== undefined);
    const out = join(REPO_ROOT, "docs", "report.png");
    writeFileSync(out, await page.screenshot({ fullPage: false }));
    process.stdout.write(`${out}\n`);
  } finally {
    await browser.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
