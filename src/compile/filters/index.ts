export { compileDslQuery, compileRuleFilters, filterClauses, FilterError, type DslQuery } from "./filters.js";
