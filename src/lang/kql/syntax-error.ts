// KqlSyntaxError: the error parseKql throws, in Kibana's KQLSyntaxError form (docs/kql.md §4): a three-line
// message ("Expected … but … found.", the query, a dash ruler with a caret at the offset) plus the data
// behind it (offset, 1-based line/column within the query, expectation list, found character, code).

import { SourceFile } from "../../diag/source.js";

/** KQL001 = grammar error, KQL002 = leading wildcard while disabled, KQL003 = nesting too deep. */
export type KqlSyntaxErrorCode = "KQL001" | "KQL002" | "KQL003";

export interface KqlSyntaxErrorInit {
  query: string;
  offset: number;
  shortMessage: string;
  expected?: string[];
  found?: string | null;
  code?: KqlSyntaxErrorCode;
}

export class KqlSyntaxError extends Error {
  override readonly name = "KQLSyntaxError";
  /** The first line of the message. */
  readonly shortMessage: string;
  /** 0-based caret offset into the query (UTF-16 code units). */
  readonly offset: number;
  /** 1-based line and column of `offset` within the query. */
  readonly line: number;
  readonly column: number;
  /** Translated, deduplicated, sorted expectations ("\"(\"", "AND", "value", …); empty for non-grammar errors. */
  readonly expected: string[];
  /** The character at the offset, or null at the end of input (and for non-grammar errors). */
  readonly found: string | null;
  readonly query: string;
  readonly code: KqlSyntaxErrorCode;

  constructor(init: KqlSyntaxErrorInit) {
    super([init.shortMessage, init.query, "-".repeat(init.offset) + "^"].join("\n"));
    this.shortMessage = init.shortMessage;
    this.offset = init.offset;
    const pos = new SourceFile("<kql>", init.query).position(init.offset);
    this.line = pos.line;
    this.column = pos.col;
    this.expected = init.expected ?? [];
    this.found = init.found ?? null;
    this.query = init.query;
    this.code = init.code ?? "KQL001";
  }
}

/** Kibana's first line: the expectation list sorted with JS default sort, the found character quoted. */
export function expectedMessage(expected: readonly string[], found: string | null): string {
  return `Expected ${expected.join(", ")} but ${found === null ? "end of input" : `"${found}"`} found.`;
}
