// Renders diagnostics like a compiler: `path:line:col: severity[CODE]: message`, the source line with a
// gutter, a caret run under the span, then note:/help: lines. Colours only when asked (never with NO_COLOR).
// `renderJson` is the --json view: the Diagnostic objects as they are.

import type { Diagnostic, Span } from "./diagnostic.js";
import type { SourceFile } from "./source.js";

export interface RenderOptions {
  /** Source texts by path, for the snippet. Without one the snippet is left out. */
  readonly sources?: ReadonlyMap<string, SourceFile>;
  readonly color?: boolean;
  /** Print the snippet (default true). */
  readonly snippet?: boolean;
}

const SGR = { red: "\x1b[31m", yellow: "\x1b[33m", cyan: "\x1b[36m", bold: "\x1b[1m", reset: "\x1b[0m" };

/** True when colour may be used on this stream (a TTY and NO_COLOR unset). */
export function useColor(stream: { isTTY?: boolean }): boolean {
  return Boolean(stream.isTTY) && !("NO_COLOR" in process.env) && process.env.TERM !== "dumb";
}

function where(span: Span | undefined): string {
  return span ? `${span.file}:${span.line}:${span.col}: ` : "";
}

function snippet(span: Span, src: SourceFile, paint: (c: keyof typeof SGR, s: string) => string): string[] {
  const line = src.lineText(span.line);
  const gutter = String(span.line);
  const pad = " ".repeat(gutter.length);
  const endPos = src.position(span.end);
  const startCol = span.col;
  const width = endPos.line === span.line ? Math.max(1, endPos.col - startCol) : Math.max(1, line.length - startCol + 1);
  // Tabs in the prefix are kept so the caret lines up in a terminal.
  const prefix = line.slice(0, startCol - 1).replace(/[^\t]/g, " ");
  return [
    `${pad} |`,
    `${gutter} | ${line}`,
    `${pad} | ${prefix}${paint("red", "^".repeat(width))}`,
  ];
}

export function renderDiagnostic(d: Diagnostic, opts: RenderOptions = {}): string {
  const paint = (c: keyof typeof SGR, s: string) => (opts.color ? `${SGR[c]}${s}${SGR.reset}` : s);
  const sevColor = d.severity === "error" ? "red" : d.severity === "warning" ? "yellow" : "cyan";
  const lines = [`${where(d.span)}${paint(sevColor, `${d.severity}[${d.code}]`)}: ${d.message}`];
  const src = d.span ? opts.sources?.get(d.span.file) : undefined;
  if (d.span && src && opts.snippet !== false) lines.push(...snippet(d.span, src, paint));
  for (const n of d.notes ?? []) lines.push(`  = note: ${where(n.span)}${n.message}`);
  if (d.help) lines.push(`  = help: ${d.help}`);
  return lines.join("\n");
}

export function renderDiagnostics(ds: readonly Diagnostic[], opts: RenderOptions = {}): string {
  return ds.map((d) => renderDiagnostic(d, opts)).join("\n");
}

export function renderJson(ds: readonly Diagnostic[]): string {
  return JSON.stringify(ds, null, 2);
}
