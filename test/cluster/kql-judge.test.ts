// Elasticsearch and OpenSearch as the judges of tern's KQL: the 135 match cases of kql_cases.json are
// indexed into a real server (ECS field types where ECS has the field, keyword for other strings), and
// each case's query, translated by tern into Elasticsearch's query DSL exactly as Kibana would send it,
// is searched. The server's answer must be the case's expected result and tern's own local one. The
// servers are the integration-test distributions from Maven Central (src/testing/cluster/servers.ts).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { KQL_CASES } from "../../src/testing/paths.js";
import type { ClusterKind } from "../../src/testing/cluster/servers.js";
import { useCluster } from "../../src/testing/cluster/fixture.js";
import { parseKql } from "../../src/lang/kql/index.js";
import { parseIp } from "../../src/compile/predicate/values.js";
import { toElasticsearchQuery } from "../../src/compile/dsl/index.js";
import { compileKql } from "../../src/compile/predicate/index.js";
import { ecsFieldType, ecsIndexPattern } from "../../src/ecs/field-types.js";
import { dslNestedPaths, nestedPaths } from "../../src/testing/kql-docs.js";

interface MatchCase {
  kind: "match";
  query: string;
  doc: Record<string, unknown>;
  expected: boolean;
}
const cases = (JSON.parse(readFileSync(KQL_CASES, "utf8")) as { kind: string }[]).filter((c): c is MatchCase => c.kind === "match");

/** Types the integration-test distributions have; the others are mapped to the nearest one they do. */
const AVAILABLE: Record<string, string> = { wildcard: "keyword", constant_keyword: "keyword", match_only_text: "text", scaled_float: "double", flattened: "keyword", version: "keyword", unsigned_long: "long" };

/**
 * The mapping a case's index gets: the ECS type of each leaf path ECS knows, `ip` for another string that
 * is an address (the fields the detection-rules evaluator tests name "ip"), keyword for other strings,
 * and `nested` for the paths the query searches with a nested query.
 */
function mappingFor(doc: Record<string, unknown>, nested: readonly string[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const node = (path: string): Record<string, unknown> => {
    let props = properties;
    const parts = path.split(".");
    for (const [i, p] of parts.slice(0, -1).entries()) {
      const here = parts.slice(0, i + 1).join(".");
      const child = (props[p] ??= { ...(nested.includes(here) ? { type: "nested" } : {}), properties: {} }) as { properties: Record<string, unknown> };
      props = child.properties;
    }
    return props;
  };
  for (const n of nested) {
    const last = n.split(".").pop() as string;
    node(n)[last] ??= { type: "nested", properties: {} };
  }
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, path));
    if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) walk(x, path === "" ? k : `${path}.${k}`);
      return;
    }
    const t = ecsFieldType(path);
    const type = t !== undefined && t !== "object" && t !== "nested" ? (AVAILABLE[t] ?? t) : typeof v === "string" && parseIp(v) !== undefined ? "ip" : undefined;
    if (type === undefined) return;
    const last = path.split(".").pop() as string;
    node(path)[last] ??= { type };
  };
  walk(doc, "");
  properties.tern_case = { type: "integer" };
  return { dynamic_templates: [{ strings: { match_mapping_type: "string", mapping: { type: "keyword" } } }], properties };
}

for (const kind of ["elasticsearch", "opensearch"] as ClusterKind[]) {
  describe(`${kind} as the judge of tern's KQL`, () => {
    const fx = useCluster(kind);

    test(`the server is ${kind} ${kind === "elasticsearch" ? "8.15.0" : "2.19.6"}, found by tern's client`, () => {
      assert.deepEqual([fx.client.flavor, fx.client.version], [kind, fx.server.version]);
    });

    test("all 135 match cases: the server's hits for tern's DSL are the expected result and tern's local one", async () => {
      const disagree: string[] = [];
      const pattern = ecsIndexPattern();
      for (const [i, c] of cases.entries()) {
        // One index per case: the cases' documents give one name different types.
        const ast = parseKql(c.query);
        const dsl = toElasticsearchQuery(ast, pattern);
        // As the index behind a data view: the nested fields the query names are mapped nested.
        const nested = [...new Set([...nestedPaths(ast), ...dslNestedPaths(dsl)])].sort();
        await fx.client.request("PUT", `/kql-case-${i}`, { settings: { number_of_replicas: 0 }, mappings: mappingFor(c.doc, nested) });
        const items = await fx.client.bulk([{ index: { _index: `kql-case-${i}`, _id: "1" } }, { ...c.doc, tern_case: i }], true);
        const indexed = items[0]?.status < 300;
        const local = compileKql(ast)(c.doc);
        let server: boolean | string;
        try {
          const r = await fx.client.request<{ hits: { total: { value: number } } }>("POST", `/kql-case-${i}/_search`, { size: 0, track_total_hits: true, query: { bool: { filter: [{ term: { tern_case: i } }, dsl] } } });
          server = r.hits.total.value === 1;
        } catch (e) {
          server = (e as Error).message;
        }
        if (!indexed || server !== c.expected || local !== c.expected) disagree.push(`#${i} ${c.query}: ${indexed ? `server=${server}` : "not indexed"} local=${local} expected=${c.expected}`);
      }
      assert.deepEqual(disagree, []);
    });
  });
}
