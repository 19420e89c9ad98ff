// The KQL (kuery) parser: hand-written recursive descent over the grammar of docs/kql.md §1–§2, building
// the Kibana-shaped AST of §3 and throwing KqlSyntaxError (§4). Kibana's parser is a packrat PEG, so the
// set of rejected inputs, the caret offset and the expectation list all follow from PEG failure
// bookkeeping; this file reproduces that bookkeeping (furthest failure, silenced named rules, memoised
// rule results) rather than guessing error positions.
//
// Grammar (ordered choice; WS = space, TAB, CR, LF, NBSP). Named rules report only their own name.
//   start      := WS* OrQuery? WS*                        blank -> is(*, *)
//   OrQuery    := AndQuery (OR AndQuery)*                 AndQuery := NotQuery (AND NotQuery)*
//   NotQuery   := NOT SubQuery | SubQuery                 SubQuery := "(" WS* OrQuery WS* ")" | Nested
//   Nested     := Field WS* ":" WS* "{" WS* OrQuery WS* "}" | FieldRange | FieldValue | Value
//   FieldRange := Field WS* ("<=" | ">=" | "<" | ">") WS* Literal
//   FieldValue := Field WS* ":" WS* List
//   List       := "(" WS* OrList WS* ")" | Value          (OrList/AndList/NotList mirror the query levels)
//   Field "field name" := Literal     Value "value" := Quoted | Unquoted     Literal "literal" := same
//   OR "OR" := WS+ "or"i WS+   AND "AND" := WS+ "and"i WS+   NOT "NOT" := "not"i WS+
//   Unquoted   := ( \t | \r | \n | \<special> | \uXXXX | \or | \and | \not | "*" | <char not special, not
//                   at WS "or" WS | WS "and" WS | "not" WS> )+      then trim, then null/true/false/wildcard
//   Quoted     := '"' ( \t | \r | \n | \uXXXX | \\ | \" | <any char but "> )* '"'

import {
  KQL_WILDCARD_MARKER,
  hasLeadingWildcard,
  type KqlLiteral,
  type KqlNode,
  type KqlRangeOperator,
  type KqlSpan,
  type KqlValueNode,
} from "./ast.js";
import { KqlSyntaxError, expectedMessage } from "./syntax-error.js";

export interface ParseKqlOptions {
  /** When false, an unquoted value wildcard starting with `*` (other than a lone `*`) is an error. Default true. */
  allowLeadingWildcards?: boolean;
  /** Maximum nesting of `(` and `{`; deeper input is a KqlSyntaxError (KQL003). Default DEFAULT_MAX_DEPTH. */
  maxDepth?: number;
  /**
   * Receives the parser's work: one step per character test (whitespace, keyword letters, literal
   * characters). Tests bound it to show the work grows linearly with the input.
   */
  counter?: { steps: number };
}

/** Far beyond any real rule (the corpus nests < 10 deep), far below what the JS stack can take. */
export const DEFAULT_MAX_DEPTH = 500;

export const LEADING_WILDCARD_MESSAGE =
  "Leading wildcards are disabled. See query:allowLeadingWildcards in Advanced Settings.";

/** Parses a KQL query into its AST. Throws KqlSyntaxError for any input Kibana rejects. */
export function parseKql(text: string, opts: ParseKqlOptions = {}): KqlNode {
  const parser = new Parser(text, opts.allowLeadingWildcards ?? true, opts.maxDepth ?? DEFAULT_MAX_DEPTH);
  try {
    return parser.parse();
  } catch (err) {
    // The depth guard keeps recursion bounded; this only fires if a caller already sits deep in the stack.
    if (err instanceof RangeError) throw parser.depthError(parser.pos, "Query nesting is too deep to parse.");
    throw err;
  } finally {
    if (opts.counter !== undefined) opts.counter.steps += parser.steps;
  }
}

// A value list parses before its field is known (Kibana builds closures); this is the field-less tree.
type ValueTree =
  | { kind: "value"; node: KqlValueNode; span: KqlSpan }
  | { kind: "or" | "and"; items: ValueTree[]; span: KqlSpan }
  | { kind: "not"; item: ValueTree; span: KqlSpan };

interface LiteralResult {
  node: KqlValueNode;
  end: number;
}

const FAILED = null;

// Expectation texts exactly as Kibana's KQLSyntaxError renders them.
const EXP = {
  lparen: '"("',
  rparen: '")"',
  lbrace: '"{"',
  rbrace: '"}"',
  colon: '":"',
  lte: '"<="',
  gte: '">="',
  lt: '"<"',
  gt: '">"',
  and: "AND",
  or: "OR",
  not: "NOT",
  value: "value",
  literal: "literal",
  field: "field name",
  space: "whitespace",
  end: "end of input",
} as const;

function isSpaceCode(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0;
}

// \ ( ) : < > " * { }
function isSpecialCode(c: number): boolean {
  return c === 92 || c === 40 || c === 41 || c === 58 || c === 60 || c === 62 || c === 34 || c === 42 || c === 123 || c === 125;
}

function isHexCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

class Parser {
  pos = 0;
  steps = 0;
  private readonly n: number;
  /** >0 inside a named rule or a lookahead: failures there are not reported individually. */
  private silent = 0;
  private maxFailPos = 0;
  private readonly expected = new Set<string>();
  /**
   * Positions where the whitespace rule already ran. Kibana's parser memoises every rule, so a whitespace
   * test first made silently (inside OR/AND/NOT or the keyword lookahead) is never reported later at the
   * same position; this is what keeps "whitespace" out of some expectation lists.
   */
  private readonly spaceSeen: Uint8Array;
  private readonly literalMemo = new Map<number, LiteralResult | null>();
  private readonly fieldMemo = new Map<number, LiteralResult | null>();
  private readonly namedLiteralMemo = new Map<number, LiteralResult | null>();
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly allowLeadingWildcards: boolean,
    private readonly maxDepth: number,
  ) {
    this.n = text.length;
    this.spaceSeen = new Uint8Array(this.n + 1);
  }

  parse(): KqlNode {
    this.spaces();
    const query = this.orQuery();
    this.spaces();
    if (this.pos < this.n) {
      this.fail(EXP.end);
      throw this.syntaxError();
    }
    if (query !== FAILED) return query;
    const star = (): KqlValueNode => ({ type: "wildcard", value: KQL_WILDCARD_MARKER });
    return { type: "function", function: "is", arguments: [star(), star()], span: { start: 0, end: this.n } };
  }

  // ---- failure bookkeeping (furthest position wins; ties accumulate) ----------------------------------

  private fail(expectation: string, at: number = this.pos): void {
    if (this.silent > 0 || at < this.maxFailPos) return;
    if (at > this.maxFailPos) {
      this.maxFailPos = at;
      this.expected.clear();
    }
    this.expected.add(expectation);
  }

  private syntaxError(): KqlSyntaxError {
    const expected = [...this.expected].sort();
    const found = this.maxFailPos < this.n ? this.text.charAt(this.maxFailPos) : null;
    return new KqlSyntaxError({
      query: this.text,
      offset: this.maxFailPos,
      shortMessage: expectedMessage(expected, found),
      expected,
      found,
      code: "KQL001",
    });
  }

  depthError(at: number, message = `Query nesting exceeds the maximum depth of ${this.maxDepth}.`): KqlSyntaxError {
    const offset = Math.min(at, this.n);
    return new KqlSyntaxError({
      query: this.text,
      offset,
      shortMessage: message,
      found: offset < this.n ? this.text.charAt(offset) : null,
      code: "KQL003",
    });
  }

  private enter(at: number): void {
    if (++this.depth > this.maxDepth) throw this.depthError(at);
  }

  // ---- whitespace and keywords ------------------------------------------------------------------------

  /** The whitespace rule at `at` (does not move). */
  private spaceAt(at: number): boolean {
    this.steps++;
    const ok = at < this.n && isSpaceCode(this.text.charCodeAt(at));
    if (this.spaceSeen[at] === 0) {
      this.spaceSeen[at] = 1;
      if (!ok) this.fail(EXP.space, at);
    }
    return ok;
  }

  /** WS* */
  private spaces(): void {
    while (this.spaceAt(this.pos)) this.pos++;
  }

  /** WS+ */
  private spacesPlus(): boolean {
    if (!this.spaceAt(this.pos)) return false;
    this.pos++;
    this.spaces();
    return true;
  }

  /** Case-insensitive ASCII word at `at` (Kibana's 'or'i etc.; no non-ASCII letter lowercases to these). */
  private wordAt(at: number, word: string): boolean {
    if (at + word.length > this.n) return false;
    for (let i = 0; i < word.length; i++) {
      this.steps++;
      if ((this.text.charCodeAt(at + i) | 0x20) !== word.charCodeAt(i)) return false;
    }
    return true;
  }

  /** A named keyword rule: OR / AND are WS+ word WS+, NOT is word WS+. Reports only its name, at its start. */
  private keyword(word: "or" | "and" | "not", name: string): boolean {
    const start = this.pos;
    this.silent++;
    let ok = word === "not" || this.spacesPlus();
    if (ok && this.wordAt(this.pos, word)) {
      this.pos += word.length;
      ok = this.spacesPlus();
    } else ok = false;
    this.silent--;
    if (!ok) {
      this.pos = start;
      this.fail(name);
    }
    return ok;
  }

  /** The lookahead that ends an unquoted value: WS "or" WS | WS "and" WS | "not" WS (always silent). */
  private keywordAhead(at: number): boolean {
    if (this.spaceAt(at) && this.wordAt(at + 1, "or") && this.spaceAt(at + 3)) return true;
    if (this.spaceAt(at) && this.wordAt(at + 1, "and") && this.spaceAt(at + 4)) return true;
    return this.wordAt(at, "not") && this.spaceAt(at + 3);
  }

  // ---- queries -----------------------------------------------------------------------------------------

  private orQuery(): KqlNode | null {
    const start = this.pos;
    const first = this.andQuery();
    if (first === FAILED) return FAILED;
    const items = [first];
    for (;;) {
      const save = this.pos;
      if (!this.keyword("or", EXP.or)) break;
      const next = this.andQuery();
      if (next === FAILED) {
        this.pos = save;
        break;
      }
      items.push(next);
    }
    if (items.length === 1) return first;
    return { type: "function", function: "or", arguments: items, span: { start, end: endOf(items) } };
  }

  private andQuery(): KqlNode | null {
    const start = this.pos;
    const first = this.notQuery();
    if (first === FAILED) return FAILED;
    const items = [first];
    for (;;) {
      const save = this.pos;
      if (!this.keyword("and", EXP.and)) break;
      const next = this.notQuery();
      if (next === FAILED) {
        this.pos = save;
        break;
      }
      items.push(next);
    }
    if (items.length === 1) return first;
    return { type: "function", function: "and", arguments: items, span: { start, end: endOf(items) } };
  }

  private notQuery(): KqlNode | null {
    const start = this.pos;
    if (this.keyword("not", EXP.not)) {
      const sub = this.subQuery();
      if (sub !== FAILED) return { type: "function", function: "not", arguments: [sub], span: { start, end: endOf([sub]) } };
      this.pos = start;
    }
    return this.subQuery();
  }

  private subQuery(): KqlNode | null {
    return this.parenthesised(() => this.orQuery(), () => this.nestedQuery());
  }

  /** `"(" space* inner space* ")"`, else `otherwise` — shared by sub-queries and value lists (same failures). */
  private parenthesised<T>(inner: () => T | null, otherwise: () => T | null): T | null {
    const start = this.pos;
    if (this.text.charCodeAt(start) === 40) {
      this.enter(start);
      this.pos++;
      this.spaces();
      const node = inner();
      if (node !== FAILED) {
        this.spaces();
        if (this.text.charCodeAt(this.pos) === 41) {
          this.pos++;
          this.depth--;
          return node;
        }
        this.fail(EXP.rparen);
      }
      this.depth--;
      this.pos = start;
    } else this.fail(EXP.lparen);
    return otherwise();
  }

  private nestedQuery(): KqlNode | null {
    const start = this.pos;
    const field = this.field();
    if (field !== FAILED) {
      this.spaces();
      if (this.text.charCodeAt(this.pos) === 58) {
        this.pos++;
        this.spaces();
        if (this.text.charCodeAt(this.pos) === 123) {
          this.enter(this.pos);
          this.pos++;
          this.spaces();
          const inner = this.orQuery();
          if (inner !== FAILED) {
            this.spaces();
            if (this.text.charCodeAt(this.pos) === 125) {
              this.pos++;
              this.depth--;
              return { type: "function", function: "nested", arguments: [field, inner], span: { start, end: this.pos } };
            }
            this.fail(EXP.rbrace);
          }
          this.depth--;
        } else this.fail(EXP.lbrace);
      } else this.fail(EXP.colon);
      this.pos = start;
    }
    return this.fieldRange() ?? this.fieldValue() ?? this.valueExpression();
  }

  private fieldRange(): KqlNode | null {
    const start = this.pos;
    const field = this.field();
    if (field === FAILED) return FAILED;
    this.spaces();
    const op = this.rangeOperator();
    if (op !== FAILED) {
      this.spaces();
      const value = this.literal();
      if (value !== FAILED) {
        return { type: "function", function: "range", arguments: [field, op, value], span: { start, end: value.span?.end ?? this.pos } };
      }
    }
    this.pos = start;
    return FAILED;
  }

  private rangeOperator(): KqlRangeOperator | null {
    const c = this.text.charCodeAt(this.pos);
    const eq = this.text.charCodeAt(this.pos + 1) === 61;
    if (c === 60 && eq) {
      this.pos += 2;
      return "lte";
    }
    this.fail(EXP.lte);
    if (c === 62 && eq) {
      this.pos += 2;
      return "gte";
    }
    this.fail(EXP.gte);
    if (c === 60) {
      this.pos++;
      return "lt";
    }
    this.fail(EXP.lt);
    if (c === 62) {
      this.pos++;
      return "gt";
    }
    this.fail(EXP.gt);
    return FAILED;
  }

  private fieldValue(): KqlNode | null {
    const start = this.pos;
    const field = this.field();
    if (field === FAILED) return FAILED;
    this.spaces();
    if (this.text.charCodeAt(this.pos) === 58) {
      this.pos++;
      this.spaces();
      const list = this.listOfValues();
      if (list !== FAILED) return applyField(list, field);
    } else this.fail(EXP.colon);
    this.pos = start;
    return FAILED;
  }

  private valueExpression(): KqlNode | null {
    const value = this.value();
    if (value === FAILED) return FAILED;
    return applyField(value, null);
  }

  // ---- value lists --------------------------------------------------------------------------------------

  private listOfValues(): ValueTree | null {
    return this.parenthesised(() => this.orList(), () => this.value());
  }

  private orList(): ValueTree | null {
    return this.listLevel("or", EXP.or, () => this.andList());
  }

  private andList(): ValueTree | null {
    return this.listLevel("and", EXP.and, () => this.notList());
  }

  private listLevel(word: "or" | "and", name: string, next: () => ValueTree | null): ValueTree | null {
    const start = this.pos;
    const first = next();
    if (first === FAILED) return FAILED;
    const items = [first];
    for (;;) {
      const save = this.pos;
      if (!this.keyword(word, name)) break;
      const item = next();
      if (item === FAILED) {
        this.pos = save;
        break;
      }
      items.push(item);
    }
    if (items.length === 1) return first;
    return { kind: word, items, span: { start, end: items[items.length - 1].span.end } };
  }

  private notList(): ValueTree | null {
    const start = this.pos;
    if (this.keyword("not", EXP.not)) {
      const item = this.listOfValues();
      if (item !== FAILED) return { kind: "not", item, span: { start, end: item.span.end } };
      this.pos = start;
    }
    return this.listOfValues();
  }

  // ---- named leaf rules -----------------------------------------------------------------------------------

  /** Value "value": a quoted or unquoted literal; the leading-wildcard check runs as soon as it matches. */
  private value(): ValueTree | null {
    const start = this.pos;
    this.silent++;
    const r = this.rawLiteral(start);
    this.silent--;
    if (r === FAILED) {
      this.fail(EXP.value);
      return FAILED;
    }
    if (!this.allowLeadingWildcards && r.node.type === "wildcard" && hasLeadingWildcard(r.node)) {
      throw new KqlSyntaxError({ query: this.text, offset: start, shortMessage: LEADING_WILDCARD_MESSAGE, code: "KQL002" });
    }
    this.pos = r.end;
    return { kind: "value", node: r.node, span: { start, end: r.end } };
  }

  /** Field "field name" := Literal; memoised, so a retry at the same position reports nothing new. */
  private field(): KqlValueNode | null {
    return this.named(this.fieldMemo, EXP.field);
  }

  /** Literal "literal": the range value. */
  private literal(): KqlValueNode | null {
    return this.named(this.namedLiteralMemo, EXP.literal);
  }

  private named(memo: Map<number, LiteralResult | null>, name: string): KqlValueNode | null {
    const start = this.pos;
    let r = memo.get(start);
    if (r === undefined) {
      this.silent++;
      // Field and Literal share Kibana's Literal rule: a Field computed first silences a later Literal.
      const inner = memo === this.fieldMemo ? this.namedLiteralMemo.get(start) : undefined;
      r = inner !== undefined ? inner : this.rawLiteral(start);
      if (memo === this.fieldMemo && inner === undefined) this.namedLiteralMemo.set(start, r);
      this.silent--;
      memo.set(start, r);
      if (r === FAILED) this.fail(name, start);
    }
    if (r === FAILED) return FAILED;
    this.pos = r.end;
    return r.node;
  }

  /** QuotedString / UnquotedLiteral at `start` (always under a named rule, so silent). */
  private rawLiteral(start: number): LiteralResult | null {
    let r = this.literalMemo.get(start);
    if (r === undefined) {
      r = this.text.charCodeAt(start) === 34 ? this.quoted(start) : null;
      if (r === null) r = this.unquoted(start);
      this.literalMemo.set(start, r);
    }
    return r;
  }

  private quoted(start: number): LiteralResult | null {
    const t = this.text;
    let i = start + 1;
    let out = "";
    let chunk = i;
    while (i < this.n) {
      this.steps++;
      const c = t.charCodeAt(i);
      if (c === 34) {
        out += t.slice(chunk, i);
        const node: KqlLiteral = { type: "literal", value: out, isQuoted: true, span: { start, end: i + 1 } };
        return { node, end: i + 1 };
      }
      if (c === 92) {
        const d = t.charCodeAt(i + 1);
        let rep: string | null = null;
        let len = 2;
        if (d === 116) rep = "\t";
        else if (d === 114) rep = "\r";
        else if (d === 110) rep = "\n";
        else if (d === 117 && this.hex4(i + 2)) {
          rep = String.fromCharCode(parseInt(t.slice(i + 2, i + 6), 16));
          len = 6;
        } else if (d === 92 || d === 34) rep = t.charAt(i + 1);
        if (rep !== null) {
          out += t.slice(chunk, i) + rep;
          i += len;
          chunk = i;
          continue;
        }
        // Any other backslash is a literal character inside quotes.
      }
      i++;
    }
    return FAILED;
  }

  private hex4(at: number): boolean {
    if (at + 4 > this.n) return false;
    for (let k = 0; k < 4; k++) if (!isHexCode(this.text.charCodeAt(at + k))) return false;
    return true;
  }

  private unquoted(start: number): LiteralResult | null {
    const t = this.text;
    let i = start;
    let out = "";
    let hasWildcard = false;
    for (;;) {
      this.steps++;
      const c = i < this.n ? t.charCodeAt(i) : -1;
      if (c === 92) {
        const d = t.charCodeAt(i + 1);
        if (d === 116) out += "\t";
        else if (d === 114) out += "\r";
        else if (d === 110) out += "\n";
        else if (isSpecialCode(d)) out += t.charAt(i + 1);
        else if (d === 117 && this.hex4(i + 2)) {
          out += String.fromCharCode(parseInt(t.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        } else {
          const kw = this.wordAt(i + 1, "or") ? 2 : this.wordAt(i + 1, "and") || this.wordAt(i + 1, "not") ? 3 : 0;
          if (kw === 0) break;
          out += t.slice(i + 1, i + 1 + kw);
          i += 1 + kw;
          continue;
        }
        i += 2;
        continue;
      }
      if (c === 42) {
        out += KQL_WILDCARD_MARKER;
        hasWildcard = true;
        i++;
        continue;
      }
      if (c !== -1 && isSpecialCode(c)) break;
      if (this.keywordAhead(i)) break;
      if (c === -1) break;
      out += t.charAt(i);
      i++;
    }
    if (i === start) return FAILED;
    return { node: classify(out.trim(), hasWildcard, trimmedSpan(t, start, i)), end: i };
  }
}

/** Kibana's classification of an unquoted literal, after trim: null, booleans, wildcard, else string. */
function classify(sequence: string, hasWildcard: boolean, span: KqlSpan): KqlValueNode {
  if (sequence === "null") return { type: "literal", value: null, isQuoted: false, span };
  if (sequence === "true") return { type: "literal", value: true, isQuoted: false, span };
  if (sequence === "false") return { type: "literal", value: false, isQuoted: false, span };
  if (hasWildcard) return { type: "wildcard", value: sequence, span };
  return { type: "literal", value: sequence, isQuoted: false, span };
}

const TRIMMED = /\s/;

function trimmedSpan(text: string, start: number, end: number): KqlSpan {
  let s = start;
  let e = end;
  while (s < e && TRIMMED.test(text.charAt(s))) s++;
  while (e > s && TRIMMED.test(text.charAt(e - 1))) e--;
  return { start: s, end: e };
}

/** Spans end at the last token, never at whitespace an unquoted value swallowed before a keyword. */
function endOf(items: readonly KqlNode[]): number {
  return items[items.length - 1].span?.end ?? 0;
}

/** Distributes the field over a value list (Kibana: `a:(b or c)` is or[is(a,b), is(a,c)]). */
function applyField(tree: ValueTree, field: KqlValueNode | null): KqlNode {
  switch (tree.kind) {
    case "value": {
      const fieldNode: KqlValueNode = field === null ? { type: "literal", value: null, isQuoted: false } : { ...field };
      const start = field?.span?.start ?? tree.span.start;
      return { type: "function", function: "is", arguments: [fieldNode, tree.node], span: { start, end: tree.span.end } };
    }
    case "or":
    case "and":
      return { type: "function", function: tree.kind, arguments: tree.items.map((item) => applyField(item, field)), span: tree.span };
    case "not":
      return { type: "function", function: "not", arguments: [applyField(tree.item, field)], span: tree.span };
  }
}
