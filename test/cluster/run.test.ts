// tern run --cluster: the same engine with the cluster as its event source and alerts written back into
// it. On a real Elasticsearch and OpenSearch holding the example events (loaded by tern index), the seed
// rule and an EQL rule give exactly the alerts — ids and documents — that a local run gives over the same
// documents exported as hits (same _index and _id); the alerts are created in the alerts index, and a
// rerun finds them there.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CORPUS_DIR, REPO_ROOT, SEED_DIR } from "../../src/testing/paths.js";
import { runCli } from "../../src/testing/cli.js";
import { EXAMPLE_PLANTED_ALERTS, plantedForm } from "../../src/testing/gen/examples.js";
import { testCluster, type ClusterKind, type RunningCluster } from "../../src/testing/cluster/servers.js";
import { connectCluster, type ClusterClient } from "../../src/cluster/client.js";

const EXAMPLES = join(REPO_ROOT, "examples", "events");
const RUN = ["--start", "2024-06-10T00:00:00Z", "--end", "2024-06-14T00:00:00Z"];
/** Alerts without what differs from run to run (the execution's uuid). */
const comparable = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      const a = JSON.parse(l) as Record<string, unknown>;
      delete a["kibana.alert.rule.execution.uuid"];
      return a;
    });

for (const kind of ["elasticsearch", "opensearch"] as ClusterKind[]) {
  describe(`tern run --cluster on ${kind}`, () => {
    let server: RunningCluster;
    let client: ClusterClient;
    let dir: string;
    let hits: string;
    before(async () => {
      server = await testCluster(kind);
      client = await connectCluster(server.url);
      dir = mkdtempSync(join(tmpdir(), "tern-crun-"));
      const loaded = await runCli(["index", EXAMPLES, "--cluster", server.url]);
      assert.equal(loaded.code, 0, loaded.stderr);
      // the documents as the cluster holds them, as hits: what a local run must see to give the same ids
      const lines: string[] = [];
      for (const stream of ["file", "network", "process"]) {
        const all = await client.request<{ hits: { hits: { _index: string; _id: string; _source: unknown }[] } }>("POST", `/logs-endpoint.events.${stream}-default/_search`, { size: 10_000, sort: ["_doc"] });
        lines.push(...all.hits.hits.map((h) => JSON.stringify({ _index: h._index, _id: h._id, _source: h._source })));
      }
      assert.equal(lines.length, 11_699);
      hits = join(dir, "hits.ndjson");
      writeFileSync(hits, lines.join("\n") + "\n");
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await client?.close();
      await server?.stop();
    });

    test("the seed rule: the six planted alerts, the same ids and documents as a local run over the same hits, created in the alerts index", async () => {
      const local = await runCli(["run", SEED_DIR, "--events", hits, "--state", ":memory:", ...RUN]);
      const remote = await runCli(["run", SEED_DIR, "--cluster", server.url, "--state", join(dir, "seed.db"), ...RUN]);
      assert.equal(remote.code, 0, remote.stderr);
      // (from 00:00 the first night's two writes fall in one execution, which orders them by their terms)
      assert.deepEqual(comparable(remote.stdout).map(plantedForm).sort(), [...EXAMPLE_PLANTED_ALERTS].sort());
      assert.deepEqual(comparable(remote.stdout), comparable(local.stdout));
      assert.match(remote.stderr, new RegExp(`  cluster: {8}${kind} ${server.version.replace(/\./g, "\\.")}: 6 alerts created in \\.alerts-security\\.alerts-default\\n`));
      const stored = await client.request<{ hits: { hits: { _id: string }[] } }>("POST", "/.alerts-security.alerts-default/_search", { size: 100, query: { match_all: {} } });
      assert.deepEqual(stored.hits.hits.map((h) => h._id).sort(), comparable(remote.stdout).map((a) => String(a["kibana.alert.uuid"])).sort());
      // another run with a fresh memory alerts again; the cluster already has every one (its 409s)
      const again = await runCli(["run", SEED_DIR, "--cluster", server.url, "--state", ":memory:", ...RUN]);
      assert.match(again.stderr, /: 0 alerts created in \.alerts-security\.alerts-default, 6 already there\n/);
    });

    test("an EQL rule (the web server shell of the examples): the same alert as locally", async () => {
      const rule = join(CORPUS_DIR, "rules", "linux", "persistence_webserver_suspicious_command_execution.toml");
      const local = await runCli(["run", rule, "--events", hits, "--state", ":memory:", ...RUN]);
      const remote = await runCli(["run", rule, "--cluster", server.url, "--state", ":memory:", ...RUN]);
      assert.equal(remote.code, 0, remote.stderr);
      assert.equal(comparable(remote.stdout).length, 1);
      assert.deepEqual(comparable(remote.stdout), comparable(local.stdout));
    });
  });
}

test("tern run: --events or --cluster, one of them; --cluster needs --start", async () => {
  const none = await runCli(["run", SEED_DIR, "--state", ":memory:"]);
  assert.deepEqual([none.code, none.stderr], [2, "tern run: give the events: --events <inputs...> (files, globs, directories, - for stdin) or --cluster <url>\n"]);
  const both = await runCli(["run", SEED_DIR, "--events", EXAMPLES, "--cluster", "http://127.0.0.1:9200", "--state", ":memory:"]);
  assert.deepEqual([both.code, both.stderr], [2, "tern run: --events and --cluster cannot be used together: the events come from one or the other\n"]);
  const noStart = await runCli(["run", SEED_DIR, "--cluster", "http://127.0.0.1:9200", "--state", ":memory:"]);
  assert.deepEqual([noStart.code, noStart.stderr], [2, "tern run: --cluster runs a backfill: it needs --start (and takes --end, default now), in replay mode, of ECS events (no --follow, --mode stream or --format)\n"]);
});
