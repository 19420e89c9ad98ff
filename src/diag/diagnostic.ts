// Diagnostics as plain, JSON-serialisable data (code, severity, message, span, notes). Rendering is a
// separate view (render-text.ts, render-json.ts). Later stages collect into a DiagnosticBag; only parsers
// throw (DiagnosticError), and only for the first syntax error.

import { CODES, type Code, type Severity } from "./codes.js";
import type { SourceFile } from "./source.js";

/** A place in a file: offsets (UTF-16 code units) plus the 1-based line/col of `start`. */
export interface Span {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly col: number;
}

export interface Note {
  readonly message: string;
  readonly span?: Span;
}

export interface Diagnostic {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  readonly span?: Span;
  readonly notes?: readonly Note[];
  readonly help?: string;
}

/** A span over [start, end) of a source file, with its line/col computed now. */
export function spanOf(src: SourceFile, start: number, end: number = start): Span {
  const p = src.position(start);
  return { file: src.path, start, end: Math.max(start, end), line: p.line, col: p.col };
}

/** A span for a whole file (no particular place): line 1, col 1, empty. */
export function fileSpan(path: string): Span {
  return { file: path, start: 0, end: 0, line: 1, col: 1 };
}

export function diagnostic(
  code: Code,
  message: string,
  span?: Span,
  extra: { notes?: Note[]; help?: string; severity?: Severity } = {},
): Diagnostic {
  const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = {
    code,
    severity: extra.severity ?? CODES[code].severity,
    message,
  };
  if (span) d.span = span;
  if (extra.notes && extra.notes.length > 0) d.notes = extra.notes;
  if (extra.help) d.help = extra.help;
  return d;
}

/** Collects diagnostics of a stage; never throws on user errors. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];
  add(d: Diagnostic): void {
    this.items.push(d);
  }
  push(code: Code, message: string, span?: Span, extra?: { notes?: Note[]; help?: string; severity?: Severity }): void {
    this.items.push(diagnostic(code, message, span, extra));
  }
  addAll(ds: Iterable<Diagnostic>): void {
    for (const d of ds) this.items.push(d);
  }
  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === "error");
  }
  get errorCount(): number {
    return this.items.filter((d) => d.severity === "error").length;
  }
}

/** User input that cannot be processed; carries the diagnostics that say why. */
export class DiagnosticError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join("\n"));
    this.name = "DiagnosticError";
  }
}

/** Already reported to the user; the CLI exits with `exitCode` and prints nothing more. */
export class ExitError extends Error {
  constructor(readonly exitCode: number, message = `exit ${exitCode}`) {
    super(message);
    this.name = "ExitError";
  }
}

/** A broken internal invariant: "this is a bug, please report". */
export class InternalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InternalError";
  }
}

/** I/O failure with a source, sink or state store. */
export class AdapterError extends Error {
  constructor(
    readonly code: Code,
    readonly stage: "receiving" | "processing" | "sending",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "AdapterError";
  }
}
