// Faults around `tern run --cluster --follow`, on a server of its own (it is restarted): tern killed with
// SIGKILL in the middle of its rounds and started again, then the server itself stopped and started again
// while tern keeps following. Every event indexed alerts exactly once: in the --output file (whose durable
// length the memory records) and in the cluster's alerts index (created with Kibana's ids).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCluster, type ClusterKind } from "../../src/testing/cluster/servers.js";
import { useCluster } from "../../src/testing/cluster/fixture.js";
import { spawnTern, until } from "../../src/testing/process.js";
import { testRuleToml } from "../../src/testing/cluster/rule-toml.js";

const RULE = testRuleToml({ ruleId: "fault-rule", name: "Fault test", index: "logs-faults-*", query: "event.action:fault-test" });

const STREAM = "logs-faults-default";

for (const kind of ["elasticsearch", "opensearch"] as ClusterKind[]) {
  describe(`faults on ${kind}`, () => {
    // A server of its own: the test restarts it.
    const fx = useCluster(kind, startCluster);
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), "tern-faults-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    test("tern killed mid-run and restarted, then the server stopped and restarted under it: every event alerts once, in the output file and the alerts index", async () => {
      const put = async (id: string) => {
        await fx.client.request("PUT", `/${STREAM}/_create/${id}?refresh=true`, { "@timestamp": new Date().toISOString(), event: { action: "fault-test" }, host: { name: id } });
      };
      const keyword = { type: "keyword" };
      await fx.client.request("PUT", "/_index_template/tern-faults-test", { index_patterns: [STREAM], data_stream: {}, priority: 500, template: { mappings: { properties: { event: { properties: { action: keyword } }, host: { properties: { name: keyword } } } } } });
      const rules = join(dir, "rules");
      mkdirSync(rules);
      writeFileSync(join(rules, "fault.toml"), RULE);
      const output = join(dir, "alerts.ndjson");
      const args = ["run", rules, "--cluster", fx.server.url, "--follow", "--state", join(dir, "state.db"), "--output", output, "--alerts-index", ".alerts-faults"];
      const hosts = () => (existsSync(output) ? readFileSync(output, "utf8").split("\n").filter((l) => l !== "").map((l) => (JSON.parse(l) as { host: { name: string } }).host.name) : []);

      await put("a");
      const first = spawnTern(args);
      await until(() => hosts().length === 1, "the first alert", first);
      // killed while it follows, with an event indexed a moment before: its round may be anywhere
      await put("b");
      await new Promise((r) => setTimeout(r, 700));
      first.p.kill("SIGKILL");
      assert.equal((await first.exit).signal, "SIGKILL");

      const second = spawnTern(args);
      await until(() => hosts().includes("b"), "the alert of the event indexed around the kill", second);
      // the restarted tern is following (its own round alerted) before the server goes away
      await put("b2");
      await until(() => hosts().includes("b2"), "the restarted tern's first alert", second);
      // the server goes away under the running tern and comes back on the same data
      await fx.server.restart();
      await put("c");
      await until(() => hosts().includes("c"), "the alert of the event indexed after the server came back", second, 90_000);
      await new Promise((r) => setTimeout(r, 2_000));
      second.p.kill("SIGTERM");
      const end = await second.exit;
      assert.equal(end.code, 0, second.err());

      assert.deepEqual(hosts(), ["a", "b", "b2", "c"]);
      const stored = await fx.client.request<{ hits: { hits: { _id: string; _source: { host: { name: string } } }[] } }>("POST", "/.alerts-faults/_search", { size: 10, query: { match_all: {} } });
      assert.deepEqual(stored.hits.hits.map((h) => h._source.host.name).sort(), ["a", "b", "b2", "c"]);
      const ids = readFileSync(output, "utf8").split("\n").filter((l) => l !== "").map((l) => (JSON.parse(l) as Record<string, string>)["kibana.alert.uuid"]);
      assert.deepEqual(stored.hits.hits.map((h) => h._id).sort(), [...ids].sort());
    });
  });
}
