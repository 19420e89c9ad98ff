// `is` (field:value and free text) → Elasticsearch query DSL, docs/kql.md §5 "is(field, value)":
// match_all, free-text multi_match/query_string, and per resolved field exists / wildcard /
// query_string / date range / term / match / match_phrase / script, each in a bool.should.
import {
  autoWrapNested,
  fullFieldNameNode,
  isKeywordField,
  KqlDslError,
  resolveLeafFields,
  timeZoneParam,
} from "./fields.js";
import type { DslIsNode, DslValueNode, LiteralValue } from "./node.js";
import { phraseScriptQuery } from "./scripts.js";
import type { DslConfig, DslContext, DslQuery, IndexPattern } from "./types.js";
import { isLoneWildcard, toQueryStringQuery, wildcardToPlain } from "./wildcard.js";

/** The JSON value a value node sends: the literal as parsed, or the wildcard with plain `*`. */
export function valueOf(node: DslValueNode): LiteralValue {
  return node.type === "wildcard" ? wildcardToPlain(node) : node.value;
}

function caseInsensitive(config: DslConfig): Record<string, boolean> {
  return typeof config.caseInsensitive === "boolean" ? { case_insensitive: config.caseInsensitive } : {};
}

export function isToDsl(
  node: DslIsNode,
  indexPattern: IndexPattern | undefined,
  config: DslConfig,
  context: DslContext,
): DslQuery {
  const [fieldArg, valueArg] = node.arguments;
  const isExists = valueArg.type === "wildcard" && isLoneWildcard(valueArg);
  const isAllFields = fieldArg.type === "wildcard" && isLoneWildcard(fieldArg);
  if (isExists && isAllFields) return { match_all: {} };

  const full = fullFieldNameNode(fieldArg, indexPattern, context.nested?.path);
  const value = valueOf(valueArg);
  if (full.value === null) {
    if (valueArg.type === "wildcard") return { query_string: { query: toQueryStringQuery(valueArg) } };
    const type = valueArg.isQuoted === true ? "phrase" : "best_fields";
    return { multi_match: { type, query: value, lenient: true } };
  }

  // `undefined` reproduces Kibana: an exists query on a scripted field yields no clause and
  // discards the clauses gathered so far; a later field then fails.
  let should: DslQuery[] | undefined = [];
  for (const field of resolveLeafFields(full, indexPattern)) {
    if (should === undefined) {
      throw new KqlDslError(`Exists query on a scripted field cannot be combined with field ${field.name}`);
    }
    if (field.scripted === true) {
      if (isExists) should = undefined;
      else should.push(phraseScriptQuery(field, value));
      continue;
    }
    let query: DslQuery;
    if (isExists) {
      query = { exists: { field: field.name } };
    } else if (valueArg.type === "wildcard") {
      const qs = toQueryStringQuery(valueArg);
      query = isKeywordField(field)
        ? { wildcard: { [field.name]: { value: qs, ...caseInsensitive(config) } } }
        : { query_string: { fields: [field.name], query: qs } };
    } else if (field.type === "date") {
      // match queries take no time zone, so an exact date becomes a closed range.
      query = { range: { [field.name]: { gte: value, lte: value, ...timeZoneParam(config, value) } } };
    } else if (isKeywordField(field)) {
      query = { term: { [field.name]: { value, ...caseInsensitive(config) } } };
    } else {
      query = { [valueArg.isQuoted === true ? "match_phrase" : "match"]: { [field.name]: value } };
    }
    should.push(autoWrapNested(query, field, full, config, context));
  }
  return { bool: { should: should ?? [], minimum_should_match: 1 } };
}
