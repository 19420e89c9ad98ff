// EQL evaluation with Elasticsearch's semantics (docs/eql.md §3–§9): field types, the rewritten and
// compiled `where` clause, functions, and whole statements (stages, join keys, until, maxspan, pipes).
export { compileEqlExpr, compileEqlFilter, EqlCompileError, MAX_SCRIPT_COMBINATIONS, type CompileEqlOptions, type EqlPredicate } from "./compile.js";
export { compileEqlQuery, compileEqlStatement, keyExtractor, MAX_KEY_COMBINATIONS, type CompiledEql, type CompiledStage, type JoinKeyValue, type KeyTuple, type KeyExtractor } from "./statement.js";
export { ecsEqlMapping, eqlTypeOf, valueReader, parseEqlDate, compareVersion, type EqlFieldMapping, type EqlMapping, type EqlType, type IndexedValue } from "./mapping.js";
export { callFunction, javaDouble, parseEqlNumber, type ScriptValue, type TypedValue } from "./functions.js";
