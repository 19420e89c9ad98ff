// `npm run bench:gen` and `npm run examples:gen` (issue 6 "The benchmark", issue 4 "Main job and
// examples"): writes the deterministic benchmark workload, or regenerates examples/events/.
//   npm run bench:gen -- --events 1000000 --seed 42 --match-fraction 0.01 --pairs 1000 --near-miss-fraction 0.02
//                        --days 3 --out x.ndjson[.gz]
//   npm run examples:gen                      (= --examples examples/events)
import { mkdirSync } from "node:fs";
import { parseArgs } from "node:util";
import { writeBenchFile, writeExampleFiles } from "../src/testing/gen/write.js";

const USAGE = `usage: gen-events --events N [--seed S] [--match-fraction F] [--pairs P] [--near-miss-fraction Q] [--days D] [--start ISO] --out FILE[.gz]
       gen-events --examples DIR`;

function num(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} is not a number: ${v}`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      events: { type: "string" },
      seed: { type: "string" },
      "match-fraction": { type: "string" },
      "near-miss-fraction": { type: "string" },
      pairs: { type: "string" },
      days: { type: "string" },
      start: { type: "string" },
      out: { type: "string" },
      examples: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  if (values.examples !== undefined) {
    mkdirSync(values.examples, { recursive: true });
    for (const w of writeExampleFiles(values.examples)) process.stdout.write(`${values.examples}/${w.file}: ${w.events} events, ${w.bytes} bytes uncompressed\n`);
    return 0;
  }
  if (values.out === undefined || values.events === undefined) {
    process.stderr.write(USAGE + "\n");
    return 2;
  }
  const t0 = performance.now();
  const events = num(values.events, "events", 0);
  const meta = await writeBenchFile(
    {
      events,
      seed: num(values.seed, "seed", 42),
      matchFraction: num(values["match-fraction"], "match-fraction", 0.01),
      pairs: num(values.pairs, "pairs", Math.min(1000, Math.round(events * num(values["match-fraction"], "match-fraction", 0.01)))),
      days: num(values.days, "days", 3),
      ...(values["near-miss-fraction"] !== undefined ? { nearMissFraction: num(values["near-miss-fraction"], "near-miss-fraction", 0.02) } : {}),
      ...(values.start !== undefined ? { start: values.start } : {}),
    },
    values.out,
  );
  const secs = (performance.now() - t0) / 1000;
  process.stdout.write(`${values.out}: ${meta.events} events (${meta.matches} matching, ${meta.pairs} pairs, ${meta.nearMisses} near misses), ${(meta.bytes / 1e6).toFixed(1)} MB, sha256 ${meta.sha256}, ${secs.toFixed(1)} s\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`gen-events: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
