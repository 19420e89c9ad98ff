// The process campaign.ts starts for an in-process target: runs it and writes the report as JSON; the
// parent watches the file each input is written to before it is checked, to report a hang.
import { writeFileSync } from "node:fs";
import { makeTarget, runChunks, type FuzzOptions } from "./campaign.js";
import type { TargetName } from "./target.js";

const { name, opts, current, reportFile } = JSON.parse(process.argv[2] ?? "{}") as { name: TargetName; opts: FuzzOptions; current: string; reportFile: string };
const target = await makeTarget(name, opts.workDir);
const report = await runChunks(target, opts, current);
target.dispose?.();
writeFileSync(reportFile, JSON.stringify(report));
