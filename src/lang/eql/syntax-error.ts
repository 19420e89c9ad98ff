// EqlSyntaxError: what parseEql throws for text Elasticsearch would reject at parse or verification time
// (docs/eql.md §1–§2, §6). Offsets are 0-based UTF-16 positions in the query; line/column are 1-based
// within the query, and rules/validate.ts maps the offset into the rule file.

import { SourceFile } from "../../diag/source.js";

/**
 * EQL001 = syntax error, EQL002 = a construct Elasticsearch's EQL rejects (join, lineage, other pipes,
 * array indexes, field-to-field comparisons…), EQL003 = nesting too deep, EQL004 = a function used wrongly
 * (unknown name, wrong number of arguments, no case-insensitive form), EQL005 = a sequence or sample that is
 * not well formed (too few stages, key counts that differ, a bad maxspan or runs).
 */
export type EqlSyntaxErrorCode = "EQL001" | "EQL002" | "EQL003" | "EQL004" | "EQL005";

export class EqlSyntaxError extends Error {
  override readonly name = "EqlSyntaxError";
  /** The message without the query and caret. */
  readonly shortMessage: string;
  readonly offset: number;
  /** Length of the offending text (at least 1). */
  readonly length: number;
  readonly line: number;
  readonly column: number;
  readonly query: string;
  readonly code: EqlSyntaxErrorCode;

  constructor(init: { query: string; offset: number; length?: number; message: string; code?: EqlSyntaxErrorCode }) {
    const pos = new SourceFile("<eql>", init.query).position(init.offset);
    const lineText = new SourceFile("<eql>", init.query).lineText(pos.line);
    super([`${init.message} (line ${pos.line}:${pos.col})`, lineText, " ".repeat(Math.max(0, pos.col - 1)) + "^"].join("\n"));
    this.shortMessage = init.message;
    this.offset = init.offset;
    this.length = Math.max(1, init.length ?? 1);
    this.line = pos.line;
    this.column = pos.col;
    this.query = init.query;
    this.code = init.code ?? "EQL001";
  }
}
