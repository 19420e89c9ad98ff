// Rule validation (issue 2 "Validation collects every problem"; new_terms.md §1): schema (unknown, missing,
// mistyped fields), date math and interval, new_terms constraints (1–3 unique fields, history window
// strictly earlier than `from`), type/language fit, and query text through checkers registered per
// language. Collects every problem; each diagnostic points at its place through a Locate function.
import { diagnostic, spanOf, type Code, type Diagnostic, type Note, type SourceFile, type Span } from "../diag/index.js";
import { DateMathError, parseDateMath, parseDuration } from "../util/datemath.js";
import type { RuleLanguage } from "./model.js";
import { FILE_SCHEMA, RULE_SCHEMA, assertNever, type Schema } from "./schema.js";
import { kqlChecker } from "./kql-check.js";
import { eqlChecker } from "./eql-check.js";
import type { Locate, Located } from "./toml/locate.js";
import type { Plain, PlainTable } from "./toml/read.js";

/** One problem a query checker found; `offset`/`length` are in the query text (0-based UTF-16). */
export interface QueryProblem {
  readonly offset: number;
  readonly length: number;
  readonly message: string;
  readonly code: Code;
}
export type QueryChecker = (query: string) => readonly QueryProblem[];

const checkers = new Map<RuleLanguage, QueryChecker>([
  ["kuery", kqlChecker],
  ["eql", eqlChecker],
]);

/** Registers the checker for a query language (the KQL layer registers "kuery"); replaces an earlier one. */
export function registerQueryChecker(language: RuleLanguage, checker: QueryChecker): void {
  checkers.set(language, checker);
}

export interface ValidateOptions {
  /** The clock for date math (epoch ms); default Date.now(). */
  readonly now?: number;
  /** Checkers that take precedence over the registered ones. */
  readonly queryCheckers?: Partial<Record<RuleLanguage, QueryChecker>>;
}

export interface ValidateContext {
  readonly src: SourceFile;
  readonly locate: Locate;
  /** "toml" checks the whole file ([metadata] too); "kibana" only the rule, with API-only keys allowed. */
  readonly kind: "toml" | "kibana";
  /** How a path is named in messages (the export's own key names for NDJSON). */
  readonly display: (path: readonly (string | number)[]) => string;
  /** Keys allowed in the rule beside the schema (Kibana export bookkeeping such as id, created_at). */
  readonly extraRuleKeys?: ReadonlySet<string>;
  /** Schema-required rule keys this format may omit (Kibana's API does not require `author`). */
  readonly optionalRuleKeys?: ReadonlySet<string>;
}

type Path = readonly (string | number)[];

const KUERY_LIKE: readonly RuleLanguage[] = ["kuery", "lucene"];
const LANGUAGES_BY_TYPE: Readonly<Record<string, readonly RuleLanguage[]>> = {
  query: KUERY_LIKE,
  new_terms: KUERY_LIKE,
  threshold: KUERY_LIKE,
  threat_match: KUERY_LIKE,
  saved_query: KUERY_LIKE,
  eql: ["eql"],
  esql: ["esql"],
  machine_learning: [],
};
const REQUIRED_BY_TYPE: Readonly<Record<string, readonly string[]>> = {
  query: ["query"],
  new_terms: ["query", "new_terms"],
  threshold: ["query", "threshold"],
  threat_match: ["query", "threat_index", "threat_mapping", "threat_query"],
  saved_query: [],
  eql: ["query", "language"],
  esql: ["query", "language"],
  machine_learning: ["anomaly_threshold", "machine_learning_job_id"],
};

/** Types and languages the engine runs today. */
const RUNNABLE_TYPES = new Set(["query", "new_terms", "eql", "threshold"]);

export function isTable(v: Plain | undefined): v is PlainTable {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(s: Schema): string {
  switch (s.kind) {
    case "string":
      return "a string";
    case "integer":
      return "an integer";
    case "boolean":
      return "a boolean";
    case "array":
      return s.of.kind === "string" ? "an array of strings" : s.of.kind === "table" ? "an array of tables" : "an array";
    case "table":
      return "a table";
    case "any":
      return "any value";
    case "either":
      return s.options.map(describe).join(" or ");
    default:
      return assertNever(s);
  }
}

function describeValue(v: Plain): string {
  if (typeof v === "string") return "a string";
  if (typeof v === "number") return Number.isInteger(v) ? "an integer" : "a float";
  if (typeof v === "boolean") return "a boolean";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return "a table";
}

function shallowFits(v: Plain, s: Schema): boolean {
  switch (s.kind) {
    case "string":
      return typeof v === "string";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "boolean":
      return typeof v === "boolean";
    case "array":
      return Array.isArray(v) && v.every((x) => shallowFits(x, s.of));
    case "table":
      return isTable(v);
    case "any":
      return true;
    case "either":
      return s.options.some((o) => shallowFits(v, o));
    default:
      return assertNever(s);
  }
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

class Validator {
  readonly out: Diagnostic[] = [];
  constructor(
    private readonly ctx: ValidateContext,
    private readonly opts: ValidateOptions,
  ) {}

  /** The span of a path's key or value; falls back to the nearest located ancestor, then the file start. */
  span(path: Path, part: "key" | "value"): Span {
    for (let p = path; ; p = p.slice(0, -1)) {
      const l = this.ctx.locate(p);
      if (l) return part === "key" ? spanOf(this.ctx.src, l.keyStart, l.keyEnd) : spanOf(this.ctx.src, l.valueStart, l.valueEnd);
      if (p.length === 0) return spanOf(this.ctx.src, 0, 0);
    }
  }

  /** A span inside a string value at `offset` of its text, exact when the file holds the text verbatim. */
  inString(path: Path, offset: number, length: number): { span: Span; exact: boolean } {
    const l: Located | undefined = this.ctx.locate(path);
    if (l?.string && !l.string.hasEscapes) {
      const start = Math.min(l.string.contentStart + offset, l.string.contentEnd);
      return { span: spanOf(this.ctx.src, start, Math.min(start + Math.max(length, 1), Math.max(l.string.contentEnd, start + 1))), exact: true };
    }
    return { span: this.span(path, "value"), exact: false };
  }

  push(code: Code, message: string, span: Span, extra?: { notes?: Note[]; help?: string }): void {
    this.out.push(diagnostic(code, message, span, extra));
  }

  name(path: Path): string {
    return this.ctx.display(path);
  }

  check(v: Plain, s: Schema, path: Path): void {
    switch (s.kind) {
      case "string":
        if (typeof v !== "string") return this.mistyped(v, s, path);
        if (s.oneOf && !s.oneOf.includes(v)) {
          this.push("RULE004", `Field "${this.name(path)}" must be one of ${s.oneOf.map((o) => `"${o}"`).join(", ")}; found "${v}".`, this.span(path, "value"));
        }
        return;
      case "integer":
        if (typeof v !== "number" || !Number.isInteger(v)) return this.mistyped(v, s, path);
        if ((s.min !== undefined && v < s.min) || (s.max !== undefined && v > s.max)) {
          const range = s.max === undefined ? `at least ${s.min ?? 0}` : `between ${s.min ?? 0} and ${s.max}`;
          this.push("RULE004", `Field "${this.name(path)}" must be ${range}; found ${v}.`, this.span(path, "value"));
        }
        return;
      case "boolean":
        if (typeof v !== "boolean") this.mistyped(v, s, path);
        return;
      case "array":
        if (!Array.isArray(v)) return this.mistyped(v, s, path);
        v.forEach((x, i) => this.check(x, s.of, [...path, i]));
        return;
      case "table": {
        if (!isTable(v)) return this.mistyped(v, s, path);
        for (const [k, f] of Object.entries(s.fields)) {
          const optional = s === RULE_SCHEMA && this.ctx.optionalRuleKeys?.has(k) === true;
          if (f.required === true && !optional && !(k in v)) {
            this.push("RULE001", `Missing required field "${this.name([...path, k])}".`, this.span(path, "key"));
          }
        }
        for (const [k, x] of Object.entries(v)) {
          const f = Object.prototype.hasOwnProperty.call(s.fields, k) ? s.fields[k] : undefined;
          if (f) this.check(x, f.schema, [...path, k]);
          else if (s.open !== true && !(s === RULE_SCHEMA && this.ctx.extraRuleKeys?.has(k) === true)) this.unknown(k, s, path);
        }
        return;
      }
      case "any":
        return;
      case "either": {
        const fit = s.options.find((o) => shallowFits(v, o));
        if (fit) this.check(v, fit, path);
        else this.mistyped(v, s, path);
        return;
      }
      default:
        return assertNever(s);
    }
  }

  private mistyped(v: Plain, s: Schema, path: Path): void {
    const shown = typeof v === "string" ? ` ("${v.length > 40 ? `${v.slice(0, 40)}…` : v}")` : typeof v === "object" ? "" : ` (${String(v)})`;
    this.push("RULE003", `Field "${this.name(path)}" must be ${describe(s)}, found ${describeValue(v)}${shown}.`, this.span(path, "value"));
  }

  private unknown(k: string, s: Schema & { kind: "table" }, path: Path): void {
    const near = Object.keys(s.fields)
      .map((f) => ({ f, d: levenshtein(k, f) }))
      .filter((x) => x.d <= 2)
      .sort((a, b) => a.d - b.d)[0];
    this.push("RULE002", `Unknown field "${this.name([...path, k])}".`, this.span([...path, k], "key"), near ? { help: `did you mean "${near.f}"?` } : undefined);
  }

  /** Parses date math at `path`, reporting RULE005 at the exact character; returns epoch ms or undefined. */
  dateMath(path: Path, value: Plain | undefined, now: number): number | undefined {
    if (typeof value !== "string") return undefined;
    try {
      return parseDateMath(value, now);
    } catch (e) {
      if (!(e instanceof DateMathError)) throw e;
      const at = this.inString(path, e.offset, 1);
      const msg = e.message.replace(/\.$/, "");
      this.push("RULE005", `Invalid date math "${value}" in "${this.name(path)}": ${msg}.`, at.span, {
        notes: at.exact ? [] : [{ message: `the error is at character ${e.offset + 1} of the value` }],
        help: `use "now", "now-9m", "now-1d/d" or an ISO date such as "2024-01-31T00:00:00Z"`,
      });
      return undefined;
    }
  }

  semantic(rule: PlainTable, now: number): void {
    const R = ["rule"];
    const type = typeof rule.type === "string" ? rule.type : undefined;
    const language = typeof rule.language === "string" ? rule.language : undefined;
    const known = type !== undefined && Object.prototype.hasOwnProperty.call(LANGUAGES_BY_TYPE, type);
    if (type !== undefined && known) {
      for (const k of REQUIRED_BY_TYPE[type]) {
        if (!(k in rule)) this.push("RULE001", `Missing required field "${this.name([...R, k])}" for a ${type} rule.`, this.span(R, "key"));
      }
      const allowed = LANGUAGES_BY_TYPE[type];
      if (language !== undefined && (LANGUAGES_BY_TYPE.query.includes(language as RuleLanguage) || ["eql", "esql"].includes(language))) {
        if (!allowed.includes(language as RuleLanguage)) {
          const fix = allowed.length === 0 ? "remove the language" : `use ${allowed.map((l) => `"${l}"`).join(" or ")}`;
          this.push("RULE010", `Language "${language}" cannot be used with rule type "${type}"; ${fix}.`, this.span([...R, "language"], "value"));
        }
      }
    }
    const from = this.dateMath([...R, "from"], rule.from ?? "now-6m", now);
    this.dateMath([...R, "to"], rule.to, now);
    if (typeof rule.interval === "string") {
      try {
        parseDuration(rule.interval);
      } catch (e) {
        if (!(e instanceof DateMathError)) throw e;
        this.push("RULE006", `Invalid interval "${rule.interval}" in "${this.name([...R, "interval"])}": ${e.message.replace(/^invalid duration "[^"]*": /, "")}`.replace(/\.?$/, "."), this.inString([...R, "interval"], e.offset, 1).span);
      }
    }
    const nt = rule.new_terms;
    if (type === "new_terms" && isTable(nt)) this.newTerms(nt, from, now);
    this.query(rule, type, language);
  }

  private newTerms(nt: PlainTable, from: number | undefined, now: number): void {
    const P = ["rule", "new_terms"];
    if (typeof nt.field === "string" && nt.field !== "new_terms_fields") {
      this.push("RULE011", `"${this.name([...P, "field"])}" must be "new_terms_fields"; found "${nt.field}".`, this.span([...P, "field"], "value"));
    }
    if (Array.isArray(nt.value)) {
      const fields = nt.value;
      if (fields.length < 1 || fields.length > 3) {
        this.push("RULE007", `A new terms rule takes 1 to 3 fields; found ${fields.length}.`, this.span([...P, "value"], "value"));
      }
      const seen = new Set<string>();
      fields.forEach((f, i) => {
        if (typeof f !== "string") return;
        if (f === "") this.push("RULE004", `New terms field ${i + 1} is empty.`, this.span([...P, "value", i], "value"));
        if (seen.has(f)) this.push("RULE008", `Duplicate new terms field "${f}".`, this.span([...P, "value", i], "value"));
        seen.add(f);
      });
    }
    const hws = nt.history_window_start;
    if (!Array.isArray(hws)) return;
    if (hws.length === 0) {
      this.push("RULE011", `"${this.name([...P, "history_window_start"])}" needs one entry; found none.`, this.span([...P, "history_window_start"], "value"));
      return;
    }
    if (hws.length > 1) {
      this.push("RULE011", `"${this.name([...P, "history_window_start"])}" takes one entry; found ${hws.length}.`, this.span([...P, "history_window_start", 1], "key"));
    }
    const entry = hws[0];
    if (!isTable(entry)) return;
    const HP = [...P, "history_window_start", 0];
    if (typeof entry.field === "string" && entry.field !== "history_window_start") {
      this.push("RULE011", `"${this.name([...HP, "field"])}" must be "history_window_start"; found "${entry.field}".`, this.span([...HP, "field"], "value"));
    }
    const start = this.dateMath([...HP, "value"], entry.value, now);
    if (start !== undefined && from !== undefined && start >= from && typeof entry.value === "string") {
      const iso = (t: number) => new Date(t).toISOString();
      this.push(
        "RULE009",
        "History window size is smaller than rule interval + additional lookback, 'historyWindowStart' must be earlier than 'from'",
        this.span([...HP, "value"], "value"),
        {
          notes: [
            { message: `history_window_start "${entry.value}" resolves to ${iso(start)} (clock ${iso(now)})` },
            { message: `from resolves to ${iso(from)}`, span: this.ctx.locate(["rule", "from"]) ? this.span(["rule", "from"], "value") : undefined },
          ],
          help: "make the history window reach further back than `from`, e.g. \"now-7d\"",
        },
      );
    }
  }

  private query(rule: PlainTable, type: string | undefined, language: string | undefined): void {
    if (typeof rule.query !== "string") return;
    const lang = (language ?? (type === "eql" || type === "esql" ? type : "kuery")) as RuleLanguage;
    // a language the type cannot use is RULE010 already; its query is not read in that language
    if (type !== undefined && Object.prototype.hasOwnProperty.call(LANGUAGES_BY_TYPE, type) && !LANGUAGES_BY_TYPE[type].includes(lang)) return;
    const checker = this.opts.queryCheckers?.[lang] ?? checkers.get(lang);
    if (!checker) return;
    const QP = ["rule", "query"];
    for (const p of checker(rule.query)) {
      const at = this.inString(QP, p.offset, p.length);
      this.push(p.code, p.message, at.span, {
        notes: at.exact ? [] : [{ message: `the query string has escapes, so tern points at its start; the problem is at character ${p.offset + 1} of the query text` }],
      });
    }
  }
}

/** Validates a TOML-shaped rule document (`{metadata, rule, …}`); returns every problem found. */
export function validateRuleDoc(doc: PlainTable, ctx: ValidateContext, opts: ValidateOptions = {}): Diagnostic[] {
  const v = new Validator(ctx, opts);
  const now = opts.now ?? Date.now();
  if (ctx.kind === "toml") v.check(doc, FILE_SCHEMA, []);
  else v.check(doc.rule ?? {}, RULE_SCHEMA, ["rule"]);
  const rule = doc.rule;
  if (isTable(rule)) v.semantic(rule, now);
  return v.out;
}

/** Why a rule cannot run yet, or undefined when the engine runs it. */
export function notRunnableReason(type: string, language: string | undefined): string | undefined {
  if (!RUNNABLE_TYPES.has(type)) return `rule type "${type}" (tern runs query, new_terms, eql and threshold rules)`;
  const lang = language ?? (type === "eql" ? "eql" : "kuery");
  if (type === "eql") return lang === "eql" ? undefined : `query language "${lang}" for an eql rule`;
  if (lang !== "kuery") return `query language "${lang}" (tern runs KQL, "kuery", for query, new_terms and threshold rules)`;
  return undefined;
}
