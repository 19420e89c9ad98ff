// The single catalogue of diagnostic codes (docs/specs/diagnostics.md). Each code has a default severity,
// a one-line title and a longer description (`tern explain CODE`). Codes are never reused or renumbered.
// Prefixes: TOML (file/TOML syntax), RULE (schema/semantics), KQL, EQL, SRC (event sources), SNK (alert
// output), STATE, CLI.

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
  TOML004: { severity: "warning", title: "One-line rule file rebuilt", description: "The file lost its line breaks; tern rebuilt its statements from the detection-rules schema. Line breaks inside multi-line strings (description, note, query) are spaces now, so prose and query text keep their words but not their line layout." },
  TOML006: { severity: "error", title: "TOML nested too deeply", description: "The file nests arrays, inline tables or dotted keys thousands of levels deep; no detection rule does, and reading it would exhaust the stack. The file is refused; the other files of a directory still load." },
  TOML005: { severity: "error", title: "Invalid JSON line in a rule export", description: "A line of a Kibana rule export (NDJSON) is not a JSON object." },

  // ---- RULE: rule schema and semantics ------------------------------------------------------------
  RULE001: { severity: "error", title: "Missing required field", description: "A field the rule's type needs is absent (detection-rules schema / Kibana API)." },
  RULE002: { severity: "error", title: "Unknown field", description: "The field is not part of the detection-rules schema tern knows (every key the detection-rules corpus uses)." },
  RULE003: { severity: "error", title: "Wrong value type", description: "The field's value has the wrong type (e.g. a string where an integer is expected)." },
  RULE004: { severity: "error", title: "Invalid field value", description: "The value has the right type but is not allowed (an unknown severity, a risk score outside 0-100, ...)." },
  RULE005: { severity: "error", title: "Invalid date math", description: "`from`, `to` or `history_window_start` is not Elastic date math (now, now-9m, now-1d/d, an ISO date, <date>||<math>)." },
  RULE006: { severity: "error", title: "Invalid interval", description: "`interval` must be a whole number and a unit s, m, h or d (e.g. \"5m\")." },
  RULE007: { severity: "error", title: "Wrong number of new terms fields", description: "A new_terms rule takes 1 to 3 fields (Kibana's MAX_NUMBER_OF_NEW_TERMS_FIELDS)." },
  RULE008: { severity: "error", title: "Duplicate new terms field", description: "The fields of a new_terms rule must be unique." },
  RULE009: { severity: "error", title: "History window not earlier than from", description: "`history_window_start` must resolve to a time strictly earlier than `from` (both against the same clock), as Kibana checks at create time and on every execution." },
  RULE010: { severity: "error", title: "Type and language do not fit", description: "The rule's language cannot be used with its type (query/new_terms/threshold/threat_match take kuery or lucene, eql takes eql, esql takes esql, machine_learning none)." },
  RULE011: { severity: "error", title: "Malformed new_terms table", description: "detection-rules writes `[rule.new_terms]` with field = \"new_terms_fields\" and one `[[rule.new_terms.history_window_start]]` entry with field = \"history_window_start\"." },
  RULE013: { severity: "error", title: "Duplicate rule_id", description: "Two rules loaded together have the same rule_id. Kibana keeps one rule per rule_id (an import of several refuses the extras), and tern's memory of terms, alerts and executions is kept per rule: rename one or load them separately." },
  RULE014: { severity: "warning", title: "The same rule twice", description: "Two files hold the same rule (same rule_id and the same content, whitespace in prose and KQL aside — e.g. a one-line copy of a TOML file). It is loaded once, from the first file." },
  RULE015: { severity: "info", title: "Events, not rules", description: "An .ndjson file among the rule paths holds events (its first object has no rule keys such as rule_id, type or query, but has @timestamp, _source or event): it is skipped, and one note says how many such files there were." },
  RULE012: { severity: "info", title: "Not runnable yet", description: "The rule loads, but tern cannot run its type or language yet (tern runs query, new_terms and threshold rules over KQL, and eql rules). It is not counted as invalid." },

  // ---- KQL: query language ------------------------------------------------------------------------
  KQL001: { severity: "error", title: "KQL syntax error", description: "The query does not parse; the message follows Kibana's \"Expected … but … found.\" form." },
  KQL002: { severity: "error", title: "KQL leading wildcard disabled", description: "With allowLeadingWildcards off (Kibana's query:allowLeadingWildcards), an unquoted value may not start with `*` unless it is the lone `*`." },
  KQL003: { severity: "error", title: "KQL nesting too deep", description: "The query nests parentheses or braces deeper than the parser's depth limit (500 by default); Kibana has no such limit but real queries never come close." },

  // KQL01x: evaluation (src/compile/predicate, `tern kql match`).
  KQL010: { severity: "error", title: "Bad event line", description: "`tern kql match` read a stdin line that is not a JSON object (invalid JSON, or an array, string, number, boolean or null); it prints `error` for that line and goes on, and exits 2 at the end." },

  // KQL02x: Elasticsearch DSL translation (src/compile/dsl, `tern kql dsl`).
  KQL020: { severity: "error", title: "KQL query not translatable to DSL", description: "The index pattern contradicts the query (a nested field queried outside its nested group or under the wrong path, an exists query on a scripted field, a non-boolean value for a boolean scripted field); Kibana rejects the same query." },
  KQL021: { severity: "error", title: "Invalid index pattern file", description: "The --index-pattern file cannot be read, is not JSON, or is not {\"fields\": [{\"name\", \"type\", …}]} (a bare array of fields is also accepted)." },

  // ---- EQL: event query language ------------------------------------------------------------------
  EQL001: { severity: "error", title: "EQL syntax error", description: "The EQL query does not parse (Elasticsearch's EQL grammar: lower-case keywords, double-quoted strings, == for equality, `[...]` around sequence and sample queries)." },
  EQL002: { severity: "error", title: "EQL construct Elasticsearch rejects", description: "The query uses EQL that Elasticsearch does not run: join, process lineage (child of / descendant of / event of), pipes other than head and tail, array indexes, expression join keys, or a comparison between two fields." },
  EQL003: { severity: "error", title: "EQL nesting too deep", description: "The query nests parentheses, not or signs deeper than the parser's depth limit (200), or its condition is a chain of and, or or arithmetic more than 1,000 levels deep, which the compiler refuses (its rewrite and evaluation recurse once per level); real rules stay far below both." },
  EQL004: { severity: "error", title: "EQL function misused", description: "An unknown function (or one Elasticsearch does not implement, such as arrayContains), a wrong number of arguments, or a `~` case-insensitive form the function does not have." },
  EQL005: { severity: "error", title: "Malformed EQL sequence or sample", description: "A sequence or sample that Elasticsearch rejects: fewer than two queries, join-key counts that differ between queries, a missing-event query without maxspan, a maxspan without a unit or not positive, runs outside 1-100." },
  EQL006: { severity: "error", title: "Unknown EQL field", description: "The field is not in the index mapping and is not marked optional with `?`; Elasticsearch fails such a query with a verification error." },
  EQL007: { severity: "error", title: "Invalid EQL regular expression", description: "A `regex` or `regex~` pattern is not a valid Lucene regular expression." },
  EQL010: { severity: "error", title: "Bad event line", description: "`tern eql match` read a stdin line that is not a JSON object; it prints `error` for that line and goes on, and exits 2 at the end." },

  // ---- SRC: event sources -------------------------------------------------------------------------
  SRC001: { severity: "error", title: "Cannot open event input", description: "An --events input (file, directory or glob) does not exist or cannot be read." },
  SRC002: { severity: "error", title: "Input pattern matched no files", description: "A glob or directory given as --events input contains no event files (*.ndjson, *.jsonl, *.json, optionally .gz)." },
  SRC003: { severity: "error", title: "Event input read failed", description: "Reading an event input failed part-way (I/O error, or gzip data that is corrupt or truncated); lines before the failure were processed." },
  // SRC1xx: Linux log sources (auditd, Sysmon for Linux) and `tern convert`.
  SRC101: { severity: "error", title: "Cannot open log input", description: "An auditd or Sysmon-for-Linux input file does not exist or cannot be read." },
  SRC102: { severity: "error", title: "Log input read failed", description: "Reading an auditd or Sysmon-for-Linux input failed part-way (I/O error or corrupt gzip data); events before the failure were produced." },
  SRC111: { severity: "warning", title: "Malformed audit record", description: "A line of an audit log is not an audit record (no \"type=… msg=audit(EPOCH:SERIAL):\" header, or an unterminated quoted value). It is counted and skipped." },
  SRC112: { severity: "warning", title: "Malformed Sysmon event", description: "A syslog line carries a Sysmon <Event> that is not closed (usually truncated by the syslog daemon's maximum message size) or has no EventID. It is counted and skipped." },
  SRC115: { severity: "warning", title: "Event nested too deeply", description: "An event line nests objects and arrays more than 1,000 levels deep, the limit of Elasticsearch's JSON parser (it refuses such documents). The line is counted and skipped." },
  SRC114: { severity: "warning", title: "Late audit record", description: "A record of an audit event arrived after tern had closed and emitted the event (the writer paused mid-event for longer than the close timeout while tern followed the log, or the event fell far behind newer ones). When it completes the event, the documents it adds are emitted; when it changes documents already emitted, or cannot be merged, it is reported with its location so nothing is lost silently." },
  SRC113: { severity: "warning", title: "Unreadable log line", description: "A line of an auditd or Sysmon input is longer than the maximum line length or is not valid UTF-8. It is counted and skipped." },

  // ---- SNK: alert output -------------------------------------------------------------------------
  SNK001: { severity: "error", title: "Cannot write alerts", description: "Writing or syncing alerts to --output or stdout failed (the disk is full, a quota is exceeded, or the device reports an I/O error). Alerts are recorded as delivered only after their lines are durably written, so nothing was lost: free space (or fix the device) and rerun; the rerun writes the alerts that were not recorded. An --output file is first cut back to its last recorded length, so no line is written twice or left half-written." },

  // ---- STATE: the SQLite memory -------------------------------------------------------------------
  STATE001: { severity: "error", title: "Cannot open the state store", description: "The --state SQLite file (or its directory) cannot be created or opened, or is not a SQLite database." },
  STATE003: { severity: "error", title: "State in use", description: "Another tern process (a run, a follower or a prune) holds this state file: one writer at a time keeps alerts exactly once and term counts right. Wait for it to end, or give this run its own --state. A lock left by a process that no longer exists is taken over." },
  STATE002: { severity: "error", title: "State written by a newer tern", description: "The state file's schema version is newer than this tern knows; use the tern that wrote it or another --state path." },
  STATE005: { severity: "error", title: "Cannot write the replay spill", description: "Replay keeps the documents of the events its rules matched, and the alerts it builds ahead, in a temporary file (in the directory TMPDIR names, else the system's temporary directory), removed when the run ends. Creating, writing or reading it failed (the disk is full, a quota is exceeded, or the device reports an I/O error). Nothing of the run was committed after the failure: free space there, or point TMPDIR at a larger disk, and rerun." },
  STATE004: { severity: "error", title: "Cannot write the state store", description: "SQLite could not write the --state file or its journal (the disk is full, a quota is exceeded, or the device reports an I/O error). The transaction in progress was rolled back, so the state still holds only what was committed before: free space (or fix the device) and rerun." },

  // ---- EXC: rule exceptions and value lists (--exceptions, --value-list) ---------------------------------
  EXC001: { severity: "error", title: "Cannot read an exception export", description: "An --exceptions file cannot be read, or a line of it is not a JSON object of Kibana's exception export (a list, an item or the export summary)." },
  EXC002: { severity: "error", title: "Malformed exception item", description: "An exception item or one of its entries does not have the shape Kibana gives it: entries of type match, match_any, wildcard, exists, list or nested with a field, operator included or excluded and the value the type needs." },
  EXC003: { severity: "warning", title: "Exception list not given", description: "A rule's exceptions_list names a list that no --exceptions file holds; the rule runs without that list's exceptions, as it would in a Kibana space without the list." },
  EXC004: { severity: "error", title: "Value list missing", description: "An exception entry of type list names a value list that no --value-list gives (or whose file cannot be read); Kibana fails the rule's execution when it cannot find the list." },

  // ---- CLI ----------------------------------------------------------------------------------------
  CLI001: { severity: "error", title: "Usage error", description: "The command line is not valid." },
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CODES;

export function codeInfo(code: Code): CodeInfo {
  return CODES[code];
}
