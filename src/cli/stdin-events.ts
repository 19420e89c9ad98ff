// NDJSON events read from stdin by the `match` commands (`tern kql match`, `tern eql match`): each
// non-blank line is a JSON object or a bad line, reported as a compiler-style diagnostic with its line
// number (code KQL010 or EQL010) while the command goes on.

import { createInterface } from "node:readline";
import { diagnostic, renderDiagnostic, type Code } from "../diag/index.js";
import type { EventDoc } from "../event/types.js";
import type { CliContext } from "./context.js";

export type StdinEvent = { readonly line: number; readonly doc: EventDoc; readonly text: string } | { readonly line: number; readonly bad: true };

/** The events of stdin, one per non-blank line; a bad line is reported on stderr (with `code`) and yielded as such. */
export async function* stdinEvents(ctx: CliContext, code: Code): AsyncIterable<StdinEvent> {
  let lineNo = 0;
  for await (const line of createInterface({ input: ctx.stdin, crlfDelay: Infinity })) {
    lineNo++;
    if (line.trim() === "") continue;
    let doc: unknown;
    let problem: string | undefined;
    try {
      doc = JSON.parse(line);
      if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
        problem = `event line is not a JSON object (found ${Array.isArray(doc) ? "an array" : doc === null ? "null" : typeof doc})`;
      }
    } catch {
      problem = "event line is not valid JSON";
    }
    if (problem !== undefined) {
      const span = { file: "<stdin>", start: 0, end: line.length, line: lineNo, col: 1 };
      ctx.stderr.write(renderDiagnostic(diagnostic(code, problem, span)) + "\n");
      yield { line: lineNo, bad: true };
      continue;
    }
    yield { line: lineNo, doc: doc as EventDoc, text: line };
  }
}

/**
 * The `match` commands' output: `true`/`false` per stdin event (`error` for a bad line, whose diagnostic is
 * already on stderr), buffered; with `print`, grep-style, the matching lines themselves and nothing else.
 * Returns how many lines were bad and how many matched.
 */
export async function matchStdin(ctx: CliContext, code: Code, test: (doc: EventDoc) => boolean, opts: { print?: boolean; explain?: (doc: EventDoc) => string } = {}): Promise<{ bad: number; matched: number }> {
  let bad = 0;
  let matched = 0;
  const out: string[] = [];
  const flush = () => {
    if (out.length > 0) ctx.stdout.write(out.join(""));
    out.length = 0;
  };
  for await (const ev of stdinEvents(ctx, code)) {
    if ("bad" in ev) {
      bad++;
      if (opts.print !== true) out.push("error\n");
      flush();
      continue;
    }
    const hit = test(ev.doc);
    if (hit) matched++;
    if (opts.explain !== undefined) out.push(opts.explain(ev.doc));
    else if (opts.print !== true) out.push(hit ? "true\n" : "false\n");
    else if (hit) out.push(`${ev.text}\n`);
    if (out.length >= 1024) flush();
  }
  flush();
  return { bad, matched };
}
