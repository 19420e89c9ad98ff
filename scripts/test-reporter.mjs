// The test runner's report for people (node:test custom reporter): nothing while tests pass, each failure
// as it happens with the source file:line of the failing test (through the compiled file's source map),
// the tests' own output, and at the end the failures again followed by one line of totals. The full TAP
// stream goes to dist/test-results.tap (scripts/run-tests.mjs) for anyone who needs every line.
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const maps = new Map();

/** The source position of a compiled position, or the compiled one when the file has no map. */
function sourcePosition(file, line, column) {
  if (file === undefined) return "?";
  const path = file.startsWith("file:") ? fileURLToPath(file) : file;
  let map = maps.get(path);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, "utf8")));
    } catch {
      map = null;
    }
    maps.set(path, map);
  }
  const entry = map?.findEntry(line - 1, column - 1);
  if (entry?.originalSource !== undefined && entry.originalLine !== undefined) {
    const src = entry.originalSource.startsWith("file:") ? fileURLToPath(entry.originalSource) : resolve(dirname(path), entry.originalSource);
    return `${relative(process.cwd(), src)}:${entry.originalLine + 1}`;
  }
  return `${relative(process.cwd(), path)}:${line}`;
}

/** The first lines of a failure's error: the assertion message, or the error's own. */
function describeError(error) {
  const cause = error?.cause ?? error;
  const text = cause instanceof Error ? (cause.message || String(cause)) : String(cause);
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  return lines.length > 12 ? [...lines.slice(0, 12), `… (${lines.length - 12} more lines in dist/test-results.tap)`] : lines;
}

function formatFailure(n, f) {
  const out = [`${n}) ${f.where}  ${f.name}`];
  for (const l of f.error) out.push(`     ${l.length > 300 ? `${l.slice(0, 300)}…` : l}`);
  return out.join("\n");
}

export default async function* report(source) {
  const failures = [];
  const totals = new Map();
  // The names of the suites enclosing the running test, per file (two files run at once).
  const suites = new Map();
  for await (const event of source) {
    const { type, data } = event;
    if (type === "test:start") {
      const stack = suites.get(data.file) ?? [];
      stack.length = data.nesting;
      stack.push(data.name);
      suites.set(data.file, stack);
    } else if (type === "test:fail") {
      // A suite or file fails because a test in it failed: the test itself is what to show.
      const error = data.details?.error;
      if (error?.failureType === "subtestsFailed") continue;
      const path = (suites.get(data.file) ?? []).slice(0, data.nesting);
      const f = { name: [...path, data.name].join(" › "), where: sourcePosition(data.file, data.line, data.column), error: describeError(error) };
      failures.push(f);
      yield `FAIL ${formatFailure(failures.length, f)}\n`;
    } else if (type === "test:stdout" || type === "test:stderr") {
      yield data.message;
    } else if (type === "test:diagnostic" && data.nesting === 0) {
      const m = /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ([\d.]+)$/.exec(data.message);
      if (m !== null) totals.set(m[1], Number(m[2]));
      else yield `${data.message}\n`;
    }
  }
  if (failures.length > 0) {
    yield `\n${failures.length} failure${failures.length === 1 ? "" : "s"}:\n${failures.map((f, i) => formatFailure(i + 1, f)).join("\n")}\n`;
  }
  const n = (k) => (totals.get(k) ?? 0).toLocaleString("en-US");
  const seconds = ((totals.get("duration_ms") ?? 0) / 1000).toFixed(1);
  yield `\ntests ${n("tests")} · pass ${n("pass")} · fail ${n("fail")} · cancelled ${n("cancelled")} · skipped ${n("skipped")} · todo ${n("todo")} · ${seconds} s\n`;
}
