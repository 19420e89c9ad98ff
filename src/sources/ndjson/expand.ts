// Turns `--events` arguments into an ordered list of inputs (issue 4 "Inputs"): `-` is stdin, an existing
// file is itself, a directory is every *.ndjson/*.jsonl/*.json (optionally .gz) file below it (recursive,
// sorted), anything else with `*`/`?` is a glob (src/util/glob.ts). Missing inputs are SRC001/SRC002 errors.

import { statSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { DiagnosticError, diagnostic, fileSpan } from "../../diag/index.js";
import { expandGlob, hasGlobMeta } from "../../util/glob.js";

export type InputSpec = { readonly kind: "file"; readonly path: string } | { readonly kind: "stdin" };

const EVENT_FILE = /\.(ndjson|jsonl|json)(\.gz)?$/i;

/** Is this a file name a directory walk picks up? */
export function isEventFileName(name: string): boolean {
  return EVENT_FILE.test(name);
}

/**
 * The `_index` a plain event from this input gets by default: the file's base name without `.gz` and then
 * without `.ndjson`/`.jsonl`/`.json` (`logs-endpoint.events.file-default.ndjson.gz` →
 * `logs-endpoint.events.file-default`), or "stdin".
 */
export function defaultIndexName(spec: InputSpec): string {
  if (spec.kind === "stdin") return "stdin";
  return basename(spec.path)
    .replace(/\.gz$/i, "")
    .replace(/\.(ndjson|jsonl|json)$/i, "");
}

function walkDir(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walkDir(p, out);
    else if (st.isFile() && isEventFileName(name)) out.push(p);
  }
}

/** Expand inputs in argument order; within a directory or glob, files are sorted by path. */
export function expandInputs(inputs: readonly string[]): InputSpec[] {
  const out: InputSpec[] = [];
  for (const input of inputs) {
    if (input === "-") {
      out.push({ kind: "stdin" });
      continue;
    }
    let st;
    try {
      st = statSync(input);
    } catch {
      st = undefined;
    }
    if (st?.isFile()) {
      out.push({ kind: "file", path: input });
      continue;
    }
    if (st?.isDirectory()) {
      const files: string[] = [];
      walkDir(input, files);
      if (files.length === 0) {
        throw new DiagnosticError([
          diagnostic("SRC002", `directory ${input} contains no event files (*.ndjson, *.jsonl, *.json, optionally .gz)`, fileSpan(input)),
        ]);
      }
      for (const f of files) out.push({ kind: "file", path: f });
      continue;
    }
    if (hasGlobMeta(input)) {
      const files = expandGlob(input);
      if (files.length === 0) throw new DiagnosticError([diagnostic("SRC002", `pattern ${input} matched no files`, fileSpan(input))]);
      for (const f of files) out.push({ kind: "file", path: f });
      continue;
    }
    throw new DiagnosticError([diagnostic("SRC001", `cannot open ${input}: no such file or directory; check the input path`, fileSpan(input))]);
  }
  return out;
}
