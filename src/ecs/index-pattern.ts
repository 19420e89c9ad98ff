// The index pattern (Kibana "data view") shape: a field list with mapping types. It lives beside the ECS
// table because both describe fields; the DSL translation (compile/dsl) and the evaluator read it.

/** One field of an index pattern, in the shape Kibana's data-view field spec uses for query building. */
export interface IndexPatternField {
  name: string;
  /** Kibana's field family: "string", "number", "date", "boolean", "ip", "nested", … */
  type: string;
  /** The Elasticsearch mapping types behind the field, e.g. ["keyword"] or ["text"]. */
  esTypes?: string[];
  scripted?: boolean;
  script?: string;
  lang?: string;
  subType?: { nested?: { path: string }; multi?: { parent: string } };
}

export interface IndexPattern {
  title?: string;
  fields: readonly IndexPatternField[];
}
