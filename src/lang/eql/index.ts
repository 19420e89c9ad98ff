// The EQL language layer's public surface (docs/eql.md §1–§2): the AST, the parser, the syntax error and
// the printer. Evaluation builds on it in src/compile/eql, sequences and samples in src/engine/eql.
export * from "./ast.js";
export { parseEql, parseEqlExpression, DEFAULT_MAX_DEPTH as EQL_DEFAULT_MAX_DEPTH, MAX_RUNS, type ParseEqlOptions } from "./parser.js";
export { EqlSyntaxError, type EqlSyntaxErrorCode } from "./syntax-error.js";
export { toEqlText, toEqlExprText, printString as toEqlString } from "./print.js";
export { tokenize as tokenizeEql, type Token as EqlToken } from "./lexer.js";
