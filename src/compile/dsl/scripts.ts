// Script queries for scripted index-pattern fields (docs/kql.md §5: "scripted field → a script
// query"): `is` compares the script's value (any element, for a list) to the query value; `range`
// compares it with each operator. The painless text is tern's own; the query shape is Kibana's.
import type { RangeOperator } from "./node.js";
import { KqlDslError } from "./fields.js";
import type { DslQuery, IndexPatternField } from "./types.js";

const OP_SYMBOL: Record<RangeOperator, string> = { gt: ">", gte: ">=", lt: "<", lte: "<=" };

/** Boolean fields accept true/false, "true"/"false" and 1/0 as values; anything else is an error. */
function convertValue(field: IndexPatternField, value: unknown): unknown {
  if (field.type !== "boolean" || typeof value === "boolean") return value;
  if (value === 1 || value === "true") return true;
  if (value === 0 || value === "false") return false;
  throw new KqlDslError(`${String(value)} is not a valid boolean value for boolean field ${field.name}`);
}

function scriptBody(field: IndexPatternField, source: string, params: Record<string, unknown>): DslQuery {
  const body: Record<string, unknown> = { source };
  if (field.lang !== undefined) body["lang"] = field.lang;
  body["params"] = params;
  return { script: body };
}

/** `{script:{script:{source,lang,params:{value}}}}` for `field:value` on a scripted field. */
export function phraseScriptQuery(field: IndexPatternField, value: unknown): DslQuery {
  const script = field.script ?? "";
  // A painless script may be a block, not an expression, so it runs inside a lambda.
  const source =
    field.lang === "painless"
      ? "boolean ternEq(Supplier s, def v) { def x = s.get(); if (x instanceof List) { for (def e : x) { if (e == v) { return true; } } return false; } return x == v; } " +
        `ternEq(() -> { ${script} }, params.value);`
      : `(${script}) == value`;
  return { script: scriptBody(field, source, { value: convertValue(field, value) }) };
}

/** `{script:{script:{source,lang,params:{op:value}}}}` for `field <op> value` on a scripted field. */
export function rangeScriptQuery(field: IndexPatternField, op: RangeOperator, value: unknown): DslQuery {
  const script = field.script ?? "";
  const v = field.type === "number" && typeof value === "string" ? parseFloat(value) : value;
  const sym = OP_SYMBOL[op];
  let source: string;
  if (field.lang === "painless") {
    const cmp =
      field.type === "date"
        ? `boolean ${op}(Supplier s, def v) { return s.get().toInstant().compareTo(Instant.parse(v)) ${sym} 0; }`
        : `boolean ${op}(Supplier s, def v) { return s.get() ${sym} v; }`;
    source = `${cmp} ${op}(() -> { ${script} }, params.${op})`;
  } else {
    source = `(${script})${sym}${op}`;
  }
  return { script: scriptBody(field, source, { [op]: v }) };
}
