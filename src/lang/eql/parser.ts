// The EQL parser: recursive descent over Elasticsearch's EqlBase grammar (docs/eql.md §2), building the AST
// of ast.ts and throwing EqlSyntaxError for everything Elasticsearch rejects while parsing or verifying a
// query that does not depend on the index mapping (join, lineage, unsupported pipes and functions, array
// indexes, field-to-field comparisons, malformed sequences and samples).
//
//   statement   := query ( '|' pipe )* EOF
//   query       := sequence | sample | eventQuery                 ('join' is rejected)
//   eventQuery  := eventFilter
//   eventFilter := ( 'any' | IDENT | STRING ) 'where' expr
//   sequence    := 'sequence' [ 'by' keys [ params ] | params ] stage+ [ 'until' stage ]
//   params      := 'with' 'maxspan' '=' NUMBER [ IDENT ]
//   stage       := ( '[' | '![' ) eventFilter ']' [ 'by' keys ] [ 'with' IDENT '=' NUMBER ]
//   sample      := 'sample' [ 'by' keys ] ( '[' eventFilter ']' [ 'by' keys ] )*
//   keys        := expr ( ',' expr )*                              (each must be a field)
//   pipe        := IDENT [ expr ( ',' expr )* ]                    (head N / tail N only)
//   expr        := or ;  or := and ( 'or' and )* ;  and := not ( 'and' not )*
//   not         := 'not' not | IDENT 'of' … (rejected) | value
//   value       := additive [ ( '==' | '!=' | '<' | '<=' | '>' | '>=' ) additive ]
//   additive    := mult ( ( '+' | '-' ) mult )* ;  mult := unary ( ( '*' | '/' | '%' ) unary )*
//   unary       := ( '-' | '+' ) unary | primary [ predicate ]
//   predicate   := [ 'not' ] ( 'in' | 'in~' ) '(' expr ( ',' expr )* ')'
//                | ( ':' | 'like' | 'like~' | 'regex' | 'regex~' ) ( constant | '(' constant ( ',' constant )* ')' )
//   primary     := constant | ( IDENT | IDENT~ ) '(' [ expr ( ',' expr )* ] ')' | name | '(' expr ')'
//   name        := [ '?' ] ident ( '.' ident )*                    (`a[0]` is rejected)
//   constant    := 'null' | 'true' | 'false' | NUMBER | STRING

import {
  EQL_FUNCTIONS,
  MAX_EQL_TREE_DEPTH,
  eqlTreeDepth,
  type EqlCompareOp,
  type EqlEventFilter,
  type EqlExpr,
  type EqlField,
  type EqlFunctionName,
  type EqlLiteral,
  type EqlMatchOp,
  type EqlMaxspan,
  type EqlPipe,
  type EqlSampleStage,
  type EqlSequenceStage,
  type EqlSpan,
  type EqlStatement,
} from "./ast.js";
import { tokenize, type Token } from "./lexer.js";
import { EqlSyntaxError, type EqlSyntaxErrorCode } from "./syntax-error.js";

export interface ParseEqlOptions {
  /** Maximum nesting of parentheses, `not` and signs; deeper input is EQL003. Default DEFAULT_MAX_DEPTH. */
  maxDepth?: number;
}

/** Far beyond any real rule, far below what the JS stack can take. */
export const DEFAULT_MAX_DEPTH = 200;

/** Elasticsearch's limits on `with runs=N`. */
export const MAX_RUNS = 100;

const COMPARE_OPS: ReadonlySet<string> = new Set(["==", "!=", "<", "<=", ">", ">="]);
const MATCH_OPS: ReadonlySet<string> = new Set([":", "like", "like~", "regex", "regex~"]);
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Pipes of the EQL language that Elasticsearch does not implement. */
const UNSUPPORTED_PIPES: ReadonlySet<string> = new Set(["count", "filter", "sort", "unique", "unique_count", "window"]);
/** Functions of the Python EQL library that Elasticsearch does not have (docs/eql.md §6). */
const UNSUPPORTED_FUNCTIONS: ReadonlySet<string> = new Set(["arraycontains", "arraycount", "arraysearch", "match", "matchlite", "safe", "wildcard"]);
const FUNCTION_BY_LOWER: ReadonlyMap<string, EqlFunctionName> = new Map((Object.keys(EQL_FUNCTIONS) as EqlFunctionName[]).map((k) => [k.toLowerCase(), k]));

/** Parses an EQL statement. Throws EqlSyntaxError for text Elasticsearch rejects. */
export function parseEql(text: string, opts: ParseEqlOptions = {}): EqlStatement {
  const p = new Parser(text, tokenize(text), opts.maxDepth ?? DEFAULT_MAX_DEPTH);
  try {
    return boundedDepth(p, p.statement());
  } catch (e) {
    if (e instanceof RangeError) throw p.error(p.peek(), "The query nests too deeply to parse.", "EQL003");
    throw e;
  }
}

/** Parses a single `where` expression (as `tern eql match --expr` and tests use). */
export function parseEqlExpression(text: string, opts: ParseEqlOptions = {}): EqlExpr {
  const p = new Parser(text, tokenize(text), opts.maxDepth ?? DEFAULT_MAX_DEPTH);
  try {
    const e = p.expression();
    p.expectEof();
    return boundedDepth(p, e);
  } catch (e) {
    if (e instanceof RangeError) throw p.error(p.peek(), "The query nests too deeply to parse.", "EQL003");
    throw e;
  }
}

/** The tree, or EQL003 when a long chain made it deeper than every later stage can walk. */
function boundedDepth<T extends EqlStatement | EqlExpr>(p: Parser, tree: T): T {
  const depth = eqlTreeDepth(tree);
  if (depth <= MAX_EQL_TREE_DEPTH) return tree;
  throw p.error({ start: tree.span?.start ?? 0, end: (tree.span?.start ?? 0) + 1 }, `The query is ${depth} levels deep (a long chain of and, or, comparisons or arithmetic); tern takes at most ${MAX_EQL_TREE_DEPTH}.`, "EQL003");
}

function describe(t: Token): string {
  switch (t.kind) {
    case "eof":
      return "end of input";
    case "string":
      return "a string";
    case "integer":
    case "decimal":
      return `number ${t.text}`;
    case "qident":
      return `\`${t.text}\``;
    case "tident":
      return `"${t.text}~"`;
    default:
      return `"${t.text}"`;
  }
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly text: string,
    private readonly toks: readonly Token[],
    private readonly maxDepth: number,
  ) {}

  peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)];
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== "eof") this.i++;
    return t;
  }

  private is(kind: Token["kind"], text?: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === kind && (text === undefined || t.text === text);
  }

  private accept(kind: Token["kind"], text?: string): Token | undefined {
    return this.is(kind, text) ? this.next() : undefined;
  }

  error(t: Token | { start: number; end: number }, message: string, code: EqlSyntaxErrorCode = "EQL001"): EqlSyntaxError {
    return new EqlSyntaxError({ query: this.text, offset: t.start, length: Math.max(1, t.end - t.start), message, code });
  }

  private expect(kind: Token["kind"], text: string, what = `"${text}"`): Token {
    const t = this.peek();
    if (t.kind === kind && t.text === text) return this.next();
    throw this.error(t, `Expected ${what} but found ${describe(t)}.`);
  }

  expectEof(): void {
    const t = this.peek();
    if (t.kind === "eof") return;
    if (t.kind === "punct" && t.text === "=") throw this.error(t, 'Use "==" to compare values, not "=".');
    if (t.kind === "punct" && COMPARE_OPS.has(t.text)) throw this.error(t, "Comparisons cannot be chained; use \"and\" between them.");
    throw this.error(t, `Unexpected ${describe(t)}; expected an operator, "and", "or", "|" or the end of the query.`);
  }

  private span(start: number): EqlSpan {
    const prev = this.toks[Math.max(0, this.i - 1)];
    return { start, end: Math.max(start, prev.end) };
  }

  private enter(t: Token): void {
    if (++this.depth > this.maxDepth) throw this.error(t, `The query nests deeper than ${this.maxDepth} levels.`, "EQL003");
  }

  // ---- statements --------------------------------------------------------------------------------------

  statement(): EqlStatement {
    const first = this.peek();
    let st: EqlStatement;
    if (this.is("keyword", "sequence")) st = this.sequence();
    else if (this.is("keyword", "sample")) st = this.sample();
    else if (this.is("keyword", "join")) throw this.error(first, "Join is not supported by Elasticsearch EQL; use a sequence.", "EQL002");
    else {
      const filter = this.eventFilter();
      st = { kind: "event", filter, pipes: [], span: this.span(first.start) };
    }
    while (this.accept("punct", "|")) st.pipes.push(this.pipe());
    // a stray `]` or anything else after a complete statement
    if (!this.is("eof")) {
      const t = this.peek();
      if (st.kind === "event" || st.pipes.length > 0) this.expectEof();
      throw this.error(t, `Unexpected ${describe(t)} after the query; expected "|" or the end of the query.`);
    }
    st.span = this.span(first.start);
    return st;
  }

  private eventFilter(): EqlEventFilter {
    const t = this.peek();
    let category: string | null;
    if (this.accept("keyword", "any")) category = null;
    else if (t.kind === "ident" || t.kind === "string") {
      this.next();
      category = t.text;
    } else if (t.kind === "qident") throw this.error(t, "An event category is a name or a double-quoted string, not a backquoted identifier.");
    else throw this.error(t, `Expected an event category ("any", a name or a string) but found ${describe(t)}.`);
    this.expect("keyword", "where");
    const where = this.expression();
    return { category, where, span: this.span(t.start) };
  }

  private pipe(): EqlPipe {
    const t = this.peek();
    if (t.kind !== "ident" && t.kind !== "keyword") throw this.error(t, `Expected a pipe name after "|" but found ${describe(t)}.`);
    this.next();
    const name = t.text;
    const args: EqlExpr[] = [];
    if (!this.is("punct", "|") && !this.is("eof")) {
      args.push(this.expression());
      while (this.accept("punct", ",")) args.push(this.expression());
    }
    if (name === "head" || name === "tail") {
      if (args.length !== 1) throw this.error(t, `Pipe [${name}] expects exactly one argument but found [${args.length}].`, "EQL001");
      const a = args[0];
      if (a.kind !== "literal" || typeof a.value !== "number" || a.integer !== true || a.value < 0) {
        throw this.error(a.span ?? t, `Pipe [${name}] expects a positive integer but found [${this.text.slice(a.span?.start ?? t.start, a.span?.end ?? t.end)}].`);
      }
      return { kind: name, count: a.value, span: this.span(t.start) };
    }
    if (UNSUPPORTED_PIPES.has(name)) throw this.error(t, `Pipe [${name}] is not supported by Elasticsearch EQL (only head and tail).`, "EQL002");
    throw this.error(t, `Unrecognized pipe [${name}]; Elasticsearch EQL has head and tail.`, "EQL002");
  }

  private keys(): EqlField[] {
    const out: EqlField[] = [];
    do {
      const e = this.expression();
      if (e.kind !== "field") throw this.error(e.span ?? this.peek(), "Join keys must be field names (optionally ?field); expressions are not supported by Elasticsearch EQL.", "EQL002");
      out.push(e);
    } while (this.accept("punct", ","));
    return out;
  }

  private maxspan(): EqlMaxspan {
    const key = this.peek();
    if (!this.is("keyword", "maxspan")) throw this.error(key, `Expected "maxspan" after "with" but found ${describe(key)}.`);
    this.next();
    this.expect("punct", "=");
    const num = this.peek();
    if (num.kind !== "integer" && num.kind !== "decimal") throw this.error(num, `Expected a time span such as 5m after "maxspan=" but found ${describe(num)}.`);
    this.next();
    if (num.kind === "decimal") throw this.error(num, `Decimal time interval [${num.text}] not supported; use a whole number of a smaller unit.`, "EQL005");
    const unitTok = this.peek();
    if (unitTok.kind !== "ident" || unitTok.start !== num.end) {
      throw this.error(num, `No time unit specified, did you mean [s] as in [${num.text}s]?`, "EQL005");
    }
    this.next();
    const unit = unitTok.text;
    if (!Object.prototype.hasOwnProperty.call(UNIT_MS, unit)) {
      throw this.error(unitTok, `Unrecognized time unit [${unit}] in [${num.text}${unit}], please specify one of [ms, s, m, h, d].`, "EQL005");
    }
    const u = unit as keyof typeof UNIT_MS;
    const value = Number(num.text);
    if (value <= 0) throw this.error(num, `A positive maxspan value is required; found [${value}].`, "EQL005");
    return { value, unit: u, ms: value * UNIT_MS[u] };
  }

  private sequence(): EqlStatement {
    const seqTok = this.next();
    let by: EqlField[] = [];
    let maxspan: EqlMaxspan | undefined;
    if (this.accept("keyword", "by")) {
      by = this.keys();
      const w = this.accept("keyword", "with");
      if (w) maxspan = this.maxspan();
    } else {
      const w = this.accept("keyword", "with");
      if (w) {
        maxspan = this.maxspan();
        if (this.is("keyword", "by")) throw this.error(this.peek(), "Please specify sequence [by] before [with] not after.");
      }
    }
    const stages: EqlSequenceStage[] = [];
    while (this.is("punct", "[") || this.is("punct", "![")) stages.push(this.stage(true));
    let until: EqlSequenceStage | undefined;
    const untilTok = this.accept("keyword", "until");
    if (untilTok) {
      if (this.is("punct", "![")) throw this.error(this.peek(), "An until clause cannot be a missing event ![…].", "EQL005");
      if (!this.is("punct", "[")) throw this.error(this.peek(), `Expected "[" after "until" but found ${describe(this.peek())}.`);
      until = this.stage(false);
    }
    // `with runs=N` repeats a query, so one stage with runs=2 is a two-query sequence.
    const queries = stages.reduce((a, s) => a + s.runs, 0);
    if (queries < 2) {
      const t = stages.length === 0 ? this.peek() : seqTok;
      if (stages.length === 0 && !this.is("eof")) throw this.error(t, `Expected "[" to start a sequence query but found ${describe(t)}.`);
      throw this.error(seqTok, `A sequence requires a minimum of 2 queries, found [${queries}].`, "EQL005");
    }
    if (stages.every((s) => s.missing)) throw this.error(seqTok, "A sequence requires at least one positive event query; found only missing events ![…].", "EQL005");
    if (stages.some((s) => s.missing) && maxspan === undefined) {
      throw this.error(seqTok, "A sequence with missing events ![…] requires a maxspan (sequence with maxspan=…).", "EQL005");
    }
    const keyCount = by.length + stages[0].by.length;
    for (const s of [...stages, ...(until ? [until] : [])]) {
      if (by.length + s.by.length !== keyCount) {
        throw this.error(s.span ?? seqTok, `Inconsistent number of join keys specified; expected [${keyCount - by.length}] but found [${s.by.length}].`, "EQL005");
      }
    }
    return { kind: "sequence", by, maxspan, stages, until, pipes: [], span: this.span(seqTok.start) };
  }

  private stage(allowRuns: boolean): EqlSequenceStage {
    const open = this.next();
    const missing = open.text === "![";
    const filter = this.eventFilter();
    this.expect("punct", "]");
    const by = this.accept("keyword", "by") ? this.keys() : [];
    let runs = 1;
    const w = this.is("keyword", "with") && !this.is("keyword", "maxspan", 1) ? this.next() : undefined;
    if (w) {
      const key = this.peek();
      if (key.kind !== "ident" || key.text !== "runs") throw this.error(key, `Unrecognized option [${key.text}], expecting [runs].`, "EQL005");
      this.next();
      this.expect("punct", "=");
      const num = this.peek();
      if (num.kind !== "integer") throw this.error(num, `Expected a whole number after "runs=" but found ${describe(num)}.`, "EQL005");
      this.next();
      runs = Number(num.text);
      if (!allowRuns) throw this.error(key, "An until clause cannot have runs.", "EQL005");
      if (missing) throw this.error(key, "A missing event ![…] cannot have runs.", "EQL005");
      if (runs < 1 || runs > MAX_RUNS) throw this.error(num, `A query cannot be repeated more than ${MAX_RUNS} times nor less than once; found [${runs}].`, "EQL005");
    }
    return { filter, by, missing, runs, span: this.span(open.start) };
  }

  private sample(): EqlStatement {
    const tok = this.next();
    const by = this.accept("keyword", "by") ? this.keys() : [];
    const stages: EqlSampleStage[] = [];
    while (this.is("punct", "[") || this.is("punct", "![")) {
      const open = this.next();
      if (open.text === "![") throw this.error(open, "A sample cannot contain missing events ![…].", "EQL005");
      const filter = this.eventFilter();
      this.expect("punct", "]");
      const sby = this.accept("keyword", "by") ? this.keys() : [];
      stages.push({ filter, by: sby, span: this.span(open.start) });
    }
    if (this.is("keyword", "with")) throw this.error(this.peek(), "A sample takes no maxspan, runs or until.", "EQL005");
    if (this.is("keyword", "until")) throw this.error(this.peek(), "A sample takes no maxspan, runs or until.", "EQL005");
    if (stages.length < 2) {
      if (stages.length === 0 && !this.is("eof")) throw this.error(this.peek(), `Expected "[" to start a sample query but found ${describe(this.peek())}.`);
      throw this.error(tok, `A sample requires a minimum of 2 queries, found [${stages.length}].`, "EQL005");
    }
    const keyCount = by.length + stages[0].by.length;
    if (keyCount === 0) throw this.error(tok, "A sample requires join keys (sample by … or per-query by …).", "EQL005");
    for (const s of stages) {
      if (by.length + s.by.length !== keyCount) {
        throw this.error(s.span ?? tok, `Inconsistent number of join keys specified; expected [${keyCount - by.length}] but found [${s.by.length}].`, "EQL005");
      }
    }
    return { kind: "sample", by, stages, pipes: [], span: this.span(tok.start) };
  }

  // ---- expressions -------------------------------------------------------------------------------------

  expression(): EqlExpr {
    return this.or();
  }

  private or(): EqlExpr {
    const start = this.peek().start;
    let left = this.and();
    while (this.accept("keyword", "or")) {
      const right = this.and();
      left = { kind: "or", left, right, span: this.span(start) };
    }
    return left;
  }

  private and(): EqlExpr {
    const start = this.peek().start;
    let left = this.not();
    while (this.accept("keyword", "and")) {
      const right = this.not();
      left = { kind: "and", left, right, span: this.span(start) };
    }
    return left;
  }

  private not(): EqlExpr {
    const t = this.peek();
    if (this.is("keyword", "not")) {
      this.next();
      this.enter(t);
      const expr = this.not();
      this.depth--;
      return { kind: "not", expr, span: this.span(t.start) };
    }
    if (t.kind === "ident" && this.is("keyword", "of", 1)) {
      throw this.error(t, `Process relationships ("${t.text} of") are not supported by Elasticsearch EQL.`, "EQL002");
    }
    return this.value();
  }

  private value(): EqlExpr {
    const start = this.peek().start;
    const left = this.additive();
    const op = this.peek();
    if (op.kind === "punct" && COMPARE_OPS.has(op.text)) {
      this.next();
      const right = this.additive();
      const e: EqlExpr = { kind: "compare", op: op.text as EqlCompareOp, left, right, span: this.span(start) };
      // An optional field may be unmapped and then folds to null, so only the compiler (which knows the
      // mapping) can tell whether `?a == ?b` compares two fields.
      if (left.kind === "field" && right.kind === "field" && !left.optional && !right.optional) {
        throw this.error(right.span ?? op, `Comparisons against fields are not supported; offender [${right.name}] in [${op.text}].`, "EQL002");
      }
      return e;
    }
    if (op.kind === "punct" && op.text === "=") throw this.error(op, 'Use "==" to compare values, not "=".');
    return left;
  }

  private additive(): EqlExpr {
    const start = this.peek().start;
    let left = this.mult();
    while (this.is("punct", "+") || this.is("punct", "-")) {
      const op = this.next().text as "+" | "-";
      const right = this.mult();
      left = { kind: "arith", op, left, right, span: this.span(start) };
    }
    return left;
  }

  private mult(): EqlExpr {
    const start = this.peek().start;
    let left = this.unary();
    while (this.is("punct", "*") || this.is("punct", "/") || this.is("punct", "%")) {
      const op = this.next().text as "*" | "/" | "%";
      const right = this.unary();
      left = { kind: "arith", op, left, right, span: this.span(start) };
    }
    return left;
  }

  private unary(): EqlExpr {
    const t = this.peek();
    if (this.is("punct", "-") || this.is("punct", "+")) {
      this.next();
      this.enter(t);
      const expr = this.unary();
      this.depth--;
      const span = this.span(t.start);
      // A sign on a number is part of the constant (Elasticsearch folds it), so `x == -1` stays pushable.
      if (expr.kind === "literal" && typeof expr.value === "number") {
        return { kind: "literal", value: t.text === "-" ? -expr.value : expr.value, integer: expr.integer, span };
      }
      return { kind: "neg", op: t.text as "-" | "+", expr, span };
    }
    const start = t.start;
    const primary = this.primary();
    return this.predicate(primary, start);
  }

  private predicate(value: EqlExpr, start: number): EqlExpr {
    const t = this.peek();
    const negated = this.is("keyword", "not") && (this.is("keyword", "in", 1) || this.is("keyword", "in~", 1));
    if (negated) this.next();
    if (this.is("keyword", "in") || this.is("keyword", "in~")) {
      const kw = this.next();
      this.expect("punct", "(", `"(" after "${kw.text}"`);
      const items: EqlExpr[] = [this.expression()];
      while (this.accept("punct", ",")) items.push(this.expression());
      this.expect("punct", ")", `")" or ","`);
      for (const it of items) {
        if (it.kind === "field" && !it.optional) throw this.error(it.span ?? kw, `Comparisons against fields are not supported; offender [${it.name}] in [${kw.text}].`, "EQL002");
      }
      return { kind: "in", negated, insensitive: kw.text === "in~", value, items, span: this.span(start) };
    }
    if ((t.kind === "punct" && t.text === ":") || (t.kind === "keyword" && MATCH_OPS.has(t.text))) {
      this.next();
      const op = t.text as EqlMatchOp;
      if (this.accept("punct", "(")) {
        const patterns: EqlLiteral[] = [this.constant(op)];
        while (this.accept("punct", ",")) patterns.push(this.constant(op));
        this.expect("punct", ")", `")" or ","`);
        return { kind: "match", op, value, patterns, list: true, span: this.span(start) };
      }
      return { kind: "match", op, value, patterns: [this.constant(op)], list: false, span: this.span(start) };
    }
    return value;
  }

  /** The right side of `:`/like/regex: a constant; a field there is a field-to-field comparison. */
  private constant(op: string): EqlLiteral {
    const t = this.peek();
    const c = this.tryConstant();
    if (c !== undefined) return c;
    if (t.kind === "ident" || t.kind === "qident" || (t.kind === "punct" && t.text === "?")) {
      throw this.error(t, `Comparisons against fields are not supported; the right side of "${op}" must be a constant.`, "EQL002");
    }
    throw this.error(t, `Expected a constant after "${op}" but found ${describe(t)}.`);
  }

  private tryConstant(): EqlLiteral | undefined {
    const t = this.peek();
    const span = { start: t.start, end: t.end };
    switch (t.kind) {
      case "string":
        this.next();
        return { kind: "literal", value: t.text, span };
      case "integer":
      case "decimal": {
        this.next();
        const v = Number(t.text);
        if (!Number.isFinite(v)) throw this.error(t, `Number [${t.text}] is too large.`);
        return t.kind === "integer" ? { kind: "literal", value: v, integer: true, span } : { kind: "literal", value: v, integer: false, span };
      }
      case "keyword":
        if (t.text === "null" || t.text === "true" || t.text === "false") {
          this.next();
          return { kind: "literal", value: t.text === "null" ? null : t.text === "true", span };
        }
        return undefined;
      default:
        return undefined;
    }
  }

  private primary(): EqlExpr {
    const t = this.peek();
    const c = this.tryConstant();
    if (c !== undefined) return c;
    if ((t.kind === "ident" || t.kind === "tident") && this.is("punct", "(", 1)) return this.call();
    if (t.kind === "tident") throw this.error(t, `Expected "(" after the function name "${t.text}~".`);
    if (t.kind === "punct" && t.text === "(") {
      this.next();
      this.enter(t);
      const e = this.expression();
      this.depth--;
      this.expect("punct", ")", `")"`);
      // Parentheses only group; the span covers them so errors point at the whole group.
      return { ...e, span: this.span(t.start) } as EqlExpr;
    }
    if (t.kind === "ident" || t.kind === "qident" || (t.kind === "punct" && t.text === "?")) return this.name();
    if (t.kind === "keyword") throw this.error(t, `Unexpected keyword "${t.text}"; a field named like a keyword must be backquoted (\`${t.text}\`).`);
    throw this.error(t, `Expected a value (a field, a constant, a function call or "(") but found ${describe(t)}.`);
  }

  private name(): EqlField {
    const start = this.peek().start;
    const optional = this.accept("punct", "?") !== undefined;
    const parts: string[] = [this.identifier()];
    for (;;) {
      if (this.is("punct", ".") && (this.is("ident", undefined, 1) || this.is("qident", undefined, 1) || this.is("keyword", undefined, 1))) {
        this.next();
        parts.push(this.identifier());
        continue;
      }
      if (this.is("punct", "[") && this.is("integer", undefined, 1)) {
        throw this.error(this.peek(), "Array indexes are not supported by Elasticsearch EQL.", "EQL002");
      }
      break;
    }
    return { kind: "field", name: parts.join("."), optional, span: this.span(start) };
  }

  private identifier(): string {
    const t = this.peek();
    if (t.kind === "ident" || t.kind === "qident") {
      this.next();
      return t.text;
    }
    if (t.kind === "keyword") throw this.error(t, `Unexpected keyword "${t.text}" in a field name; backquote it (\`${t.text}\`).`);
    throw this.error(t, `Expected a field name but found ${describe(t)}.`);
  }

  private call(): EqlExpr {
    const t = this.next();
    const insensitive = t.kind === "tident";
    this.expect("punct", "(");
    this.enter(t);
    const args: EqlExpr[] = [];
    if (!this.is("punct", ")")) {
      args.push(this.expression());
      while (this.accept("punct", ",")) args.push(this.expression());
    }
    this.depth--;
    this.expect("punct", ")", `")" or ","`);
    const lower = t.text.toLowerCase();
    const name = FUNCTION_BY_LOWER.get(lower);
    const written = t.text + (insensitive ? "~" : "");
    if (name === undefined) {
      if (UNSUPPORTED_FUNCTIONS.has(lower)) throw this.error(t, `Function [${t.text}] is not supported by Elasticsearch EQL.`, "EQL004");
      throw this.error(t, `Unknown function [${written}].`, "EQL004");
    }
    const info = EQL_FUNCTIONS[name];
    if (insensitive && !info.insensitive) throw this.error(t, `Function [${name}] has no case-insensitive variant [${written}].`, "EQL004");
    if (args.length < info.min || args.length > info.max) {
      const want = info.min === info.max ? `${info.min}` : info.max === Infinity ? `at least ${info.min}` : `${info.min} to ${info.max}`;
      throw this.error(t, `Function [${name}] takes ${want} argument${info.min === 1 && info.max === 1 ? "" : "s"}, found [${args.length}].`, "EQL004");
    }
    return { kind: "call", name, insensitive, args, span: this.span(t.start) };
  }
}
