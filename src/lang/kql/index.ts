// The KQL (kuery) language layer's public surface (docs/kql.md §1–§4): the AST vocabulary, the parser,
// the syntax error and the printer. Evaluation (src/compile/predicate) and DSL (src/compile/dsl) build on it.
export * from "./ast.js";
export { parseKql, DEFAULT_MAX_DEPTH, LEADING_WILDCARD_MESSAGE, type ParseKqlOptions } from "./parser.js";
export { KqlSyntaxError, type KqlSyntaxErrorCode, type KqlSyntaxErrorInit } from "./syntax-error.js";
export { toKqlText } from "./print.js";
