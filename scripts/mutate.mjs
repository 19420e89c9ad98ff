#!/usr/bin/env node
// `npm run mutate [-- --mutate <files>]`: StrykerJS over the core modules (stryker.config.json), with
// TERN_SHARED pointing at the shared reference folder beside the clone, since Stryker runs the tests in a
// sandbox copy of the repository. Not part of `npm test` (docs/mutation.md).
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env, TERN_SHARED: process.env.TERN_SHARED ?? join(root, "..", "shared") };
const r = spawnSync(process.execPath, [join(root, "node_modules", "@stryker-mutator", "core", "bin", "stryker.js"), "run", ...process.argv.slice(2)], { cwd: root, env, stdio: "inherit" });
process.exit(r.status ?? 1);
