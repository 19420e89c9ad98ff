// Types for KQL → Elasticsearch Query DSL translation (docs/kql.md §5): the index pattern
// (Kibana "data view" field list) that drives field resolution, and the config/context options.
import type { DslNode } from "./node.js";

export type { IndexPattern, IndexPatternField } from "../../ecs/index-pattern.js";

/** Kibana's query-building options (kql.md §5). */
export interface DslConfig {
  /** "Browser" means the host's guessed zone; any other string is sent as-is. */
  dateFormatTZ?: string;
  caseInsensitive?: boolean;
  nestedIgnoreUnmapped?: boolean;
  filtersInMustClause?: boolean;
}

/** Set while translating inside a `nested` node. */
export interface DslContext {
  nested?: { path: string };
}

export type DslQuery = Record<string, unknown>;

/** Translates a child node in the caller's context (and/or/not). */
export type Translate = (child: DslNode) => DslQuery;
/** Translates a child node in a given context (nested). */
export type TranslateIn = (child: DslNode, context: DslContext) => DslQuery;
