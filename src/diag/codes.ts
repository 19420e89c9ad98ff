// The single catalogue of diagnostic codes (docs/specs/diagnostics.md). Each code has a default severity,
// a one-line title and a longer description (`tern explain CODE`). Codes are never reused or renumbered.
// Prefixes: TOML (file/TOML syntax), RULE (schema/semantics), KQL, SRC (event sources), STATE, CLI.

export type Severity = "error" | "warning" | "info";

export interface CodeInfo {
  readonly severity: Severity;
  readonly title: string;
  readonly description: string;
}

export const CODES = {
  // ---- TOML: reading rule files -------------------------------------------------------------------
  TOML001: { severity: "error", title: "TOML syntax error", description: "The file is not valid TOML; the span points at the place the TOML reader stopped." },
  TOML002: { severity: "error", title: "Unrecoverable one-line rule file", description: "The file's newlines were lost and tern cannot rebuild it without guessing." },
  TOML003: { severity: "error", title: "Cannot read file", description: "The file could not be read (missing, unreadable, or not UTF-8)." },

  // ---- RULE: rule schema and semantics ------------------------------------------------------------

  // ---- KQL: query language ------------------------------------------------------------------------
  KQL001: { severity: "error", title: "KQL syntax error", description: "The query does not parse; the message follows Kibana's \"Expected … but … found.\" form." },

  // ---- SRC: event sources -------------------------------------------------------------------------
  SRC001: { severity: "error", title: "Cannot open event input", description: "An --events input (file, directory or glob) does not exist or cannot be read." },
  SRC002: { severity: "error", title: "Input pattern matched no files", description: "A glob or directory given as --events input contains no event files (*.ndjson, *.jsonl, *.json, optionally .gz)." },
  SRC003: { severity: "error", title: "Event input read failed", description: "Reading an event input failed part-way (I/O error, or gzip data that is corrupt or truncated); lines before the failure were processed." },

  // ---- STATE: the SQLite memory -------------------------------------------------------------------

  // ---- CLI ----------------------------------------------------------------------------------------
  CLI001: { severity: "error", title: "Usage error", description: "The command line is not valid." },
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CODES;

export function codeInfo(code: Code): CodeInfo {
  return CODES[code];
}
