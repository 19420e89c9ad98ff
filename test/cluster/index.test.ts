// tern index: events into data streams of a real Elasticsearch and OpenSearch (src/testing/cluster),
// with ECS field types, hits keeping their _id and going to the stream their backing index names,
// converted auditd events, bad lines counted, and a rerun that indexes nothing twice.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { REALDATA_DIR, REPO_ROOT } from "../../src/testing/paths.js";
import { runCli } from "../../src/testing/cli.js";
import { testCluster, type ClusterKind, type RunningCluster } from "../../src/testing/cluster/servers.js";
import { connectCluster, type ClusterClient } from "../../src/cluster/client.js";

const EXAMPLES = join(REPO_ROOT, "examples", "events");

for (const kind of ["elasticsearch", "opensearch"] as ClusterKind[]) {
  describe(`tern index into ${kind}`, () => {
    let server: RunningCluster;
    let client: ClusterClient;
    let dir: string;
    before(async () => {
      server = await testCluster(kind);
      client = await connectCluster(server.url);
      dir = mkdtempSync(join(tmpdir(), "tern-index-"));
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await client?.close();
      await server?.stop();
    });
    const count = async (index: string, query: Record<string, unknown> = { match_all: {} }) =>
      (await client.request<{ count: number }>("POST", `/${index}/_count`, { query })).count;

    test("the examples go to their three Defend data streams, with ECS types; a rerun adds nothing", async () => {
      const r = await runCli(["index", EXAMPLES, "--cluster", server.url]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        r.stderr,
        `tern index: 11,699 events indexed into ${kind} ${server.version}; 11,699 lines read, 0 bad\n  logs-endpoint.events.file-default: 2,757\n  logs-endpoint.events.network-default: 3,696\n  logs-endpoint.events.process-default: 5,246\n`,
      );
      const ds = await client.request<{ data_streams: { name: string }[] }>("GET", "/_resolve/index/logs-endpoint.events.*");
      assert.deepEqual(ds.data_streams.map((d) => d.name).sort(), ["logs-endpoint.events.file-default", "logs-endpoint.events.network-default", "logs-endpoint.events.process-default"]);
      const mapping = await client.request<Record<string, { mappings: { properties: Record<string, { properties?: Record<string, { type?: string; properties?: Record<string, { type?: string }> }>; type?: string }> } }>>("GET", "/logs-endpoint.events.network-default/_mapping");
      const props = Object.values(mapping)[0].mappings.properties;
      assert.deepEqual(
        [props["@timestamp"].type, props.source.properties?.ip.type, props.source.properties?.port.type, props.process.properties?.pid.type, props.process.properties?.name.type],
        ["date", "ip", "long", "long", "keyword"],
      );
      // ECS types at work: a CIDR query on the ip field
      assert.ok((await count("logs-endpoint.events.network-default", { term: { "source.ip": "10.0.0.0/8" } })) > 0);
      const again = await runCli(["index", EXAMPLES, "--cluster", server.url]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stderr.split("\n")[0], `tern index: 0 events indexed into ${kind} ${server.version}, 11,699 already there; 11,699 lines read, 0 bad`);
      assert.equal(await count("logs-endpoint.events.*"), 11_699);
    });

    test("hits keep their _id and go to the data stream their backing index names; plain events to --index; bad lines counted", async () => {
      const hits = join(dir, "hits.ndjson");
      const src = { "@timestamp": "2026-11-10T08:00:00.000Z", "event": { "ingested": "2026-11-10T08:00:05Z", "category": ["file"] }, "file": { "path": "/tmp/x.so" } };
      writeFileSync(hits, [JSON.stringify({ _index: ".ds-logs-endpoint.events.file-default-2026.11.10-000001", _id: "hit-one", _source: src }), "{not json", JSON.stringify({ _index: "logs-tern.test-default", _id: "hit-two", _source: src })].join("\n") + "\n");
      const r = await runCli(["index", hits, "--cluster", server.url]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^tern index: 2 events indexed .*; 3 lines read, 1 bad\n {2}logs-endpoint\.events\.file-default: 1\n {2}logs-tern\.test-default: 1\nbad lines: 1\n {2}.*hits\.ndjson:2: invalid-json: /);
      const got = await client.request<{ hits: { hits: { _index: string; _source: Record<string, unknown> }[] } }>("POST", "/logs-endpoint.events.file-default/_search", { query: { ids: { values: ["hit-one"] } } });
      assert.equal(got.hits.hits.length, 1);
      assert.match(got.hits.hits[0]._index, /^\.ds-logs-endpoint\.events\.file-default-/);
      assert.deepEqual(got.hits.hits[0]._source, src);
      const plain = join(dir, "plain.ndjson");
      writeFileSync(plain, JSON.stringify({ "@timestamp": "2026-11-10T08:00:00Z", message: "a" }) + "\n" + JSON.stringify({ "@timestamp": "2026-11-10T08:00:01Z", message: "b", data_stream: { type: "logs", dataset: "other", namespace: "x" } }) + "\n");
      const p = await runCli(["index", plain, "--cluster", server.url, "--index", "logs-tern.plain-default"]);
      assert.equal(p.code, 0, p.stderr);
      assert.equal(await count("logs-tern.plain-default"), 2);
      const byField = await runCli(["index", plain, "--cluster", server.url]);
      assert.match(byField.stderr, / {2}logs-other-x: 1\n {2}plain: 1\n/);
    });

    test("a converted audit log goes to the Defend streams its events name", async () => {
      const log = join(REALDATA_DIR, "tern-capture", "audit-debian12-so-activity.log");
      const r = await runCli(["index", log, "--format", "auditd", "--cluster", server.url, "--hostname", "vm"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /\n {2}logs-endpoint\.events\.file-auditd: 18\n {2}logs-endpoint\.events\.process-auditd: 74\n/);
    });
  });
}

test("tern index: an unreachable cluster or credentials in the URL are exit 2 with what to do", async () => {
  // a port nothing listens on: one just freed
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const down = await runCli(["index", EXAMPLES, "--cluster", `http://127.0.0.1:${port}`]);
  assert.deepEqual([down.code, down.stderr], [2, `tern index: cannot reach http://127.0.0.1:${port}: ECONNREFUSED; check the address and that the cluster is up\n`]);
  const creds = await runCli(["index", EXAMPLES, "--cluster", "http://elastic:secret@127.0.0.1:9"]);
  assert.deepEqual([creds.code, creds.stderr], [2, "tern index: --cluster: credentials do not go in the URL (it shows in process lists); set TERN_CLUSTER_USER and TERN_CLUSTER_PASSWORD, or TERN_CLUSTER_API_KEY, or put them in a config file (TERN_CLUSTER_CONFIG)\n"]);
});
