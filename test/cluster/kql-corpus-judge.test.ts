// Elasticsearch and OpenSearch as the judges of tern's KQL over the whole corpus: for every active kuery
// query of the detection-rules corpus, documents made from the query (src/testing/kql-docs.ts: matches,
// near misses, case, arrays, nulls, numbers as text, malformed addresses, unicode) are indexed into one
// index with the mapping `tern index` gives events (ECS types, multi-fields, malformed values ignored),
// and the documents the server selects with tern's translation of the query (as Kibana sends it) must be
// exactly the ones tern's evaluator selects.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ClusterKind } from "../../src/testing/cluster/servers.js";
import { useCluster } from "../../src/testing/cluster/fixture.js";
import { mapLimit } from "../../src/util/map-limit.js";
import { ECS_INDEX_SETTINGS, ecsDynamicTemplates } from "../../src/cluster/ecs-mapping.js";
import { parseKql, type KqlNode, type KqlValueNode } from "../../src/lang/kql/index.js";
import { KQL_WILDCARD_MARKER } from "../../src/lang/kql/ast.js";
import { toElasticsearchQuery } from "../../src/compile/dsl/index.js";
import { compileKql } from "../../src/compile/predicate/index.js";
import { ecsIndexPattern } from "../../src/ecs/field-types.js";
import { activeKueryQueries } from "../../src/testing/corpus.js";
import { docsFor, nestedPaths, objectPathsOf, pathUses } from "../../src/testing/kql-docs.js";

const DOCS_PER_QUERY = 40;
const TEXT_DOCS_PER_VALUE = 8;
const INDEX = "kql-corpus-judge";

interface Case {
  readonly file: string;
  readonly query: string;
  readonly ast: KqlNode;
  readonly docs: Record<string, unknown>[];
}

function corpusCases(): Case[] {
  const parsed = activeKueryQueries()
    .filter((q) => q.query.trim() !== "")
    .map((q) => ({ ...q, ast: parseKql(q.query) }));
  // One index holds every query's documents, so a path one query reads as a value and another as an
  // object gets values from neither (a mapping gives a name one kind).
  const objects = objectPathsOf(parsed.flatMap((q) => pathUses(q.ast).map((u) => u.path)));
  return parsed.map((q, i) => ({ ...q, docs: docsFor(q.ast, 1000 + i, DOCS_PER_QUERY, objects) }));
}

/**
 * The corpus's values on a text field: every distinct value of an `is` clause (a quoted copy of each
 * unquoted literal too) as `message:<value>`, on documents holding it as text — analysis, phrases, and
 * wildcards read as query_string reads them (whitespace splits the terms).
 */
function textCases(corpus: readonly Case[]): Case[] {
  const seen = new Map<string, KqlValueNode>();
  const walk = (n: KqlNode): void => {
    if (n.function === "is") {
      const v = n.arguments[1];
      if (!(v.type === "literal" && (v.value === null || typeof v.value === "boolean")) && !(v.type === "wildcard" && v.value === KQL_WILDCARD_MARKER)) {
        seen.set(JSON.stringify(v), v);
        if (v.type === "literal" && !v.isQuoted) seen.set(JSON.stringify({ ...v, isQuoted: true }), { ...v, isQuoted: true });
      }
    } else if (n.function === "and" || n.function === "or") n.arguments.forEach(walk);
    else if (n.function === "not") walk(n.arguments[0]);
    else if (n.function === "nested") walk(n.arguments[1]);
  };
  corpus.forEach((c) => walk(c.ast));
  return [...seen.values()].map((v, i) => {
    const ast: KqlNode = { type: "function", function: "is", arguments: [{ type: "literal", value: "message", isQuoted: false }, v] };
    return { file: "(text)", query: `message:${v.type === "wildcard" ? v.value.split(KQL_WILDCARD_MARKER).join("*") : v.isQuoted ? JSON.stringify(v.value) : String(v.value)}`, ast, docs: docsFor(ast, 50_000 + i, TEXT_DOCS_PER_VALUE) };
  });
}

for (const kind of ["elasticsearch", "opensearch"] as ClusterKind[]) {
  describe(`${kind} as the judge of tern's KQL over the corpus`, () => {
    const fx = useCluster(kind);
    const corpus = corpusCases();
    const cases = [...corpus, ...textCases(corpus)];
    const refused = new Set<string>();
    // As the index behind a data view: the integration fields queries search nested are mapped nested.
    const nestedProperties = Object.fromEntries([...new Set(cases.flatMap((c) => nestedPaths(c.ast)))].map((p) => [p, { type: "nested" }]));
    before(async () => {
      const client = fx.client;
      if (await client.indexExists(INDEX)) await client.request("DELETE", `/${INDEX}`);
      await client.request("PUT", `/${INDEX}`, {
        settings: ECS_INDEX_SETTINGS,
        mappings: {
          // tern reads a number in a field it has no type for as it is; a `long` chosen by dynamic mapping
          // would truncate 1000.5 (the field's integration decides that in a real cluster: a mapping matter).
          dynamic_templates: [...ecsDynamicTemplates(client.flavor), { numbers: { match_mapping_type: "long", mapping: { type: "double" } } }],
          properties: { ...nestedProperties, tern_q: { type: "integer" } },
        },
      });
      const lines: unknown[] = [];
      cases.forEach((c, q) => c.docs.forEach((d, i) => lines.push({ index: { _index: INDEX, _id: `${q}-${i}` } }, { ...d, tern_q: q })));
      for (let at = 0; at < lines.length; at += 4000) {
        const items = await client.bulk(lines.slice(at, at + 4000));
        for (const it of items) if (it.status >= 300 && it.id !== undefined) refused.add(it.id);
      }
      await client.request("POST", `/${INDEX}/_refresh`);
    });

    test("every corpus kuery query, and each of its values on a text field, selects the same documents in the server as in tern", async () => {
      const pattern = ecsIndexPattern();
      const disagree: string[] = [];
      let compared = 0;
      let selected = 0;
      const hits = await mapLimit(cases, 4, async (c, q) => {
        const r = await fx.client.request<{ hits: { hits: { _id: string }[] } }>("POST", `/${INDEX}/_search`, {
          size: c.docs.length,
          _source: false,
          query: { bool: { filter: [{ term: { tern_q: q } }, toElasticsearchQuery(c.ast, pattern)] } },
        });
        return new Set(r.hits.hits.map((h) => h._id));
      });
      cases.forEach((c, q) => {
        const local = compileKql(c.ast);
        c.docs.forEach((d, i) => {
          const id = `${q}-${i}`;
          if (refused.has(id)) return;
          compared++;
          const here = local(d);
          if (here) selected++;
          if (here !== hits[q].has(id)) disagree.push(`${c.file.replace(/.*detection-rules\//, "")} ${JSON.stringify(c.query.slice(0, 160))}\n    doc ${id} ${JSON.stringify(d)}: server=${hits[q].has(id)} tern=${here}`);
        });
      });
      console.log(`${kind}: ${corpus.length} corpus queries and ${cases.length - corpus.length} of their values on a text field, ${compared} documents compared (${selected} selected), ${refused.size} refused by the server`);
      assert.deepEqual(disagree.slice(0, 400), [], `${disagree.length} disagreements`);
    });
  });
}
