// tern's library entry: the public surface, re-exported from each layer's index.
export * from "./diag/index.js";
export { VERSION } from "./version.js";
export {
  parseKql,
  toKqlText,
  stripSpans,
  KqlSyntaxError,
  KQL_WILDCARD_MARKER,
  type ParseKqlOptions,
  type KqlSyntaxErrorCode,
  type KqlNode,
  type KqlFunction,
  type KqlAnyNode,
  type KqlIsNode,
  type KqlRangeNode,
  type KqlAndNode,
  type KqlOrNode,
  type KqlNotNode,
  type KqlNestedNode,
  type KqlExistsNode,
  type KqlLiteral,
  type KqlWildcard,
  type KqlValueNode,
  type KqlRangeOperator,
  type KqlSpan,
} from "./lang/kql/index.js";
export {
  parseEql,
  parseEqlExpression,
  toEqlText,
  toEqlExprText,
  stripEqlSpans,
  EqlSyntaxError,
  EQL_FUNCTIONS,
  type EqlSyntaxErrorCode,
  type EqlStatement,
  type EqlExpr,
  type EqlEventQuery,
  type EqlSequence,
  type EqlSample,
  type EqlEventFilter,
  type EqlField,
  type EqlLiteral,
  type EqlSpan,
} from "./lang/eql/index.js";
export {
  compileEqlStatement as compileEql,
  compileEqlExpr,
  compileEqlFilter,
  EqlCompileError,
  ecsEqlMapping,
  type CompiledEql,
  type CompileEqlOptions,
  type EqlMapping,
  type EqlFieldMapping,
  type EqlPredicate,
  type JoinKeyValue,
} from "./compile/eql/index.js";
export { eqlSearch, type EqlSearchOptions, type EqlSearchResult, type EqlSequenceHit } from "./engine/eql/search.js";
export * from "./sources/ndjson/index.js";
export * from "./sources/auditd/index.js";
export * from "./sources/sysmon/index.js";
export * from "./sources/ecs-normalize/index.js";
export * from "./sources/follow/index.js";
export * from "./sources/parallel/index.js";
export { compileKql, evaluateKql, type KqlEvalOptions, type KqlPredicate } from "./compile/predicate/index.js";
export { kqlPrefilter, kqlUnionPrefilter, requirementsOf, describeRequirements, type KqlPrefilter } from "./compile/prefilter/index.js";
export { compileWildcard, wildcardSegments, WILDCARD_MARKER, type WildcardMatcher } from "./util/wildcard.js";
export {
  toElasticsearchQuery,
  KqlDslError,
  type DslConfig,
  type DslContext,
  type DslQuery,
  type IndexPattern,
  type IndexPatternField,
} from "./compile/dsl/index.js";
export { ecsFieldType, ecsIndexPattern, ecsFieldNames, type EsFieldType, ECS_VERSION, ENDPOINT_PACKAGE_VERSION } from "./ecs/field-types.js";
export {
  loadRules,
  loadRuleFile,
  expandRulePaths,
  registerQueryChecker,
  notRunnableReason,
  comparableRule,
  type LoadResult,
  type LoadedRule,
  type LoadOptions,
  type RuleStatus,
  type QueryChecker,
  type QueryProblem,
  type ValidateOptions,
  type Rule,
  type RuleType,
  type RuleLanguage,
  type RuleOrigin,
  type Severity as RuleSeverity,
  type Threat,
  type ThreatEntry,
  type ThreatTechnique,
  type NewTermsParams,
  type ThresholdParams,
} from "./rules/index.js";
export { parseDateMath, parseDuration, DateMathError } from "./util/datemath.js";
export * from "./engine/index.js";
export * from "./state/index.js";
export * from "./sinks/index.js";
