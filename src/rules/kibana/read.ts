// Kibana's rule export (NDJSON, one API-shaped rule per line; issue 2 "Also load Kibana's rule export
// format") → the TOML-shaped document validate.ts and build.ts use: `new_terms_fields` and
// `history_window_start` fold back into `new_terms` (new_terms.md §1.2). The export-summary line
// (`{"exported_count":…}`) and exception-list lines are skipped. Positions come from a light JSON scan.
import { diagnostic, spanOf, type Diagnostic, type SourceFile } from "../../diag/index.js";
import { pathKey, type Located, type Locate } from "../toml/locate.js";
import { toPlain, type Plain, type PlainTable } from "../toml/read.js";
import { isTable } from "../validate.js";

/** API keys of an export that the detection-rules schema does not have; kept in the model's `other`. */
export const KIBANA_ONLY_KEYS: ReadonlySet<string> = new Set([
  "id", "created_at", "created_by", "updated_at", "updated_by", "immutable", "output_index", "meta", "actions", "throttle",
  "execution_summary", "revision", "rule_source", "response_actions", "outcome", "alias_target_id", "alias_purpose",
  "saved_id", "timestamp_field", "tiebreaker_field", "concurrent_searches", "items_per_search", "namespace", "max_signals",
]);

export interface ExportedRule {
  readonly line: number;
  readonly doc: PlainTable;
  readonly locate: Locate;
  readonly display: (path: readonly (string | number)[]) => string;
}

export interface ExportReadResult {
  readonly rules: readonly ExportedRule[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Records the spans of every value of one JSON text (already valid JSON), by path. */
function scanJson(text: string, base: number): Map<string, Located> {
  const out = new Map<string, Located>();
  const ws = (p: number): number => {
    while (p < text.length && /\s/.test(text[p])) p++;
    return p;
  };
  const str = (p: number): { end: number; escapes: boolean } => {
    let q = p + 1;
    let escapes = false;
    while (q < text.length && text[q] !== '"') {
      if (text[q] === "\\") {
        escapes = true;
        q++;
      }
      q++;
    }
    return { end: q + 1, escapes };
  };
  const value = (path: string, keyStart: number, keyEnd: number, p: number): number => {
    const c = text[p];
    let end: number;
    let loc: Located;
    if (c === '"') {
      const s = str(p);
      end = s.end;
      loc = {
        keyStart: base + keyStart,
        keyEnd: base + keyEnd,
        valueStart: base + p,
        valueEnd: base + end,
        string: { kind: "basic", end: base + end, contentStart: base + p + 1, contentEnd: base + end - 1, hasEscapes: s.escapes },
      };
    } else if (c === "{" || c === "[") {
      let q = ws(p + 1);
      let i = 0;
      while (text[q] !== "}" && text[q] !== "]" && q < text.length) {
        if (c === "{") {
          const k = str(q);
          const name = JSON.parse(text.slice(q, k.end)) as string;
          const colon = ws(k.end);
          q = value(path === "" ? name : `${path}.${name}`, q, k.end, ws(colon + 1));
        } else {
          q = value(`${path}[${i}]`, q, q, q);
          i++;
        }
        q = ws(q);
        if (text[q] === ",") q = ws(q + 1);
      }
      end = q + 1;
      loc = { keyStart: base + keyStart, keyEnd: base + keyEnd, valueStart: base + p, valueEnd: base + end };
    } else {
      end = p;
      while (end < text.length && !/[,\]}\s]/.test(text[end])) end++;
      loc = { keyStart: base + keyStart, keyEnd: base + keyEnd, valueStart: base + p, valueEnd: base + end };
    }
    if (!out.has(path)) out.set(path, loc);
    return end;
  };
  value("", 0, 0, ws(0));
  return out;
}

/** TOML-shaped path → the export's own path (rule.new_terms.value → new_terms_fields, …). */
function apiPath(path: readonly (string | number)[]): (string | number)[] {
  if (path[0] !== "rule") return [];
  const rest = path.slice(1);
  if (rest[0] === "new_terms") {
    if (rest[1] === "value") return ["new_terms_fields", ...rest.slice(2)];
    if (rest[1] === "history_window_start") return ["history_window_start"];
    if (rest.length === 1) return ["new_terms_fields"];
  }
  return rest;
}

/** Folds an API-shaped rule into the TOML shape. */
function toTomlShape(api: PlainTable): PlainTable {
  const rule: PlainTable = {};
  for (const [k, v] of Object.entries(api)) {
    // Exports write absent optional fields as null; the model treats them as absent.
    if (k === "new_terms_fields" || k === "history_window_start" || v === null) continue;
    rule[k] = v;
  }
  if ("new_terms_fields" in api || "history_window_start" in api) {
    const nt: PlainTable = { field: "new_terms_fields", value: api.new_terms_fields ?? [] };
    nt.history_window_start = "history_window_start" in api ? [{ field: "history_window_start", value: api.history_window_start }] : [];
    rule.new_terms = nt;
  }
  return { metadata: {}, rule };
}

export function readKibanaExport(src: SourceFile): ExportReadResult {
  const rules: ExportedRule[] = [];
  const diagnostics: Diagnostic[] = [];
  const text = src.text;
  let start = 0;
  let line = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    line++;
    const raw = text.slice(start, end).replace(/\r$/, "");
    const lineStart = start;
    start = end + 1;
    if (raw.trim() === "") {
      if (end >= text.length) break;
      continue;
    }
    let parsed: Plain;
    try {
      parsed = toPlain(JSON.parse(raw));
    } catch (e) {
      const m = /position (\d+)/.exec(e instanceof Error ? e.message : "");
      const at = lineStart + (m ? Number(m[1]) : 0);
      const why = e instanceof Error ? e.message.replace(/ in JSON at position \d+.*$/, "") : "invalid JSON";
      diagnostics.push(diagnostic("TOML005", `Line ${line} is not valid JSON: ${why}.`, spanOf(src, at, at + 1)));
      if (end >= text.length) break;
      continue;
    }
    if (!isTable(parsed)) {
      diagnostics.push(diagnostic("TOML005", `Line ${line} is not a JSON object.`, spanOf(src, lineStart, lineStart + raw.length)));
    } else if (!("exported_count" in parsed) && !("exported_rules_count" in parsed) && !("list_id" in parsed && !("rule_id" in parsed))) {
      const spans = scanJson(raw, lineStart);
      const locate: Locate = (path) => (path.length === 1 && path[0] === "rule" ? spans.get("") : spans.get(pathKey(apiPath(path))));
      const display = (path: readonly (string | number)[]): string => pathKey(apiPath(path)) || "rule";
      rules.push({ line, doc: toTomlShape(parsed), locate, display });
    }
    if (end >= text.length) break;
  }
  return { rules, diagnostics };
}
