import { openSync, readSync } from "node:fs";
import { loadRules } from "./src/rules/index.js";
import { kqlPrefilter, requirementsOf, describeRequirements } from "./src/compile/prefilter/index.js";
import { parseKql } from "./src/lang/kql/index.js";
const res: any = loadRules([process.argv[2]]);
const fd = openSync(process.argv[3], "r");
const buf = Buffer.alloc(8 << 20); const n = readSync(fd, buf, 0, buf.length, 0);
const lines: Buffer[] = []; let s = 0; for (;;) { const nl = buf.indexOf(10, s); if (nl < 0 || nl >= n) break; lines.push(buf.subarray(s, nl)); s = nl + 1; }
const rules = (res.rules ?? res.loaded ?? res).filter((r: any) => r.rule?.query !== undefined);
const rows = [];
for (const r of rules) {
  const pf = kqlPrefilter(r.rule.query);
  let pass = 0; for (const l of lines) if (pf(l)) pass++;
  rows.push([pass / lines.length, r.rule.name, describeRequirements(requirementsOf(parseKql(r.rule.query))).slice(0, 300)]);
}
rows.sort((a, b) => b[0] - a[0]);
for (const x of rows.slice(0, 6)) console.log((x[0] * 100).toFixed(1).padStart(5), x[1].slice(0, 60).padEnd(60), "\n     ", x[2]);
