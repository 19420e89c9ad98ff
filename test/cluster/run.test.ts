// tern run --cluster: the same engine with the cluster as its event source and alerts written back into
// it. On a real Elasticsearch and OpenSearch holding the example events (loaded by tern index), the seed
// rule and an EQL rule give exactly the alerts — ids and documents — that a local run gives over the same
// documents exported as hits (same _index and _id); the alerts are created in the alerts index, and a
// rerun finds them there. Through a fault proxy (429s, cut connections) nothing is lost or doubled. --follow
// runs continuously from now and carries on after a restart.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CORPUS_DIR, REPO_ROOT, SEED_DIR } from "../../src/testing/paths.js";
import { runCli } from "../../src/testing/cli.js";
import { EXAMPLE_PLANTED_ALERTS, plantedForm } from "../../src/testing/gen/examples.js";
import { testCluster, type ClusterKind, type RunningCluster } from "../../src/testing/cluster/servers.js";
import { startFaultProxy } from "../../src/testing/cluster/fault-proxy.js";
import { spawnTern, until } from "../../src/testing/process.js";
import { testRuleToml } from "../../src/testing/cluster/rule-toml.js";
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
      // tern's mapping of the alerts index: text fields are keywords, so a term query on a rule id finds its alerts
      const byRuleId = await client.request<{ hits: { total: { value: number } } }>("POST", "/.alerts-security.alerts-default/_search", { size: 0, track_total_hits: true, query: { term: { "kibana.alert.rule.rule_id": "aebaa51f-2a91-4f6a-850b-b601db2293f4" } } });
      assert.equal(byRuleId.hits.total.value, 6);
      // another run with a fresh memory alerts again; the cluster already has every one (its 409s)
      const again = await runCli(["run", SEED_DIR, "--cluster", server.url, "--state", ":memory:", ...RUN]);
      assert.match(again.stderr, /: 0 alerts created in \.alerts-security\.alerts-default, 6 already there\n/);
    });

    test("new_terms by the cluster's own searches (the default) or over fetched events (--cluster-searches fetch): the same alerts", async () => {
      const searched = await runCli(["run", SEED_DIR, "--cluster", server.url, "--state", ":memory:", "--alerts-index", ".alerts-searches", ...RUN]);
      assert.equal(searched.code, 0, searched.stderr);
      assert.match(searched.stderr, /^tern run: 1 new_terms rule run by the cluster's own searches \([\d,]+ requests\)\n/m);
      assert.match(searched.stderr, /aebaa51f-2a91-4f6a-850b-b601db2293f4 {2}Shared Object Created or Changed by Previously Unknown Process: 6 alerts, \d+ matched, /);
      const fetched = await runCli(["run", SEED_DIR, "--cluster", server.url, "--cluster-searches", "fetch", "--state", ":memory:", "--alerts-index", ".alerts-searches", ...RUN]);
      assert.equal(fetched.code, 0, fetched.stderr);
      assert.doesNotMatch(fetched.stderr, /own searches/);
      assert.deepEqual(comparable(searched.stdout), comparable(fetched.stdout));
      assert.equal(comparable(fetched.stdout).length, 6);
    });

    test("a new_terms field the cluster cannot aggregate (text, by dynamic mapping): that rule runs over fetched events, with a note, and alerts as locally", async () => {
      await client.request("PUT", "/plain-hosts/_doc/p1?refresh=true", { "@timestamp": "2024-06-11T10:00:00.000Z", event: { action: "plain-test" }, host: { name: "plain-host" } });
      const rules = join(dir, "plain-rules");
      mkdirSync(rules);
      writeFileSync(join(rules, "plain-nt.toml"), testRuleToml({ ruleId: "plain-nt", name: "Plain new hosts", index: "plain-hosts", query: "host.name:*", type: "new_terms" }) + NEW_HOSTS);
      const r = await runCli(["run", rules, "--cluster", server.url, "--state", ":memory:", "--alerts-index", ".alerts-plain", ...RUN]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^tern run: plain-nt: run over the events fetched from the cluster: field host\.name is mapped as text, which the cluster cannot aggregate\n/m);
      assert.deepEqual(comparable(r.stdout).map((a) => [a["kibana.alert.new_terms"], a["kibana.alert.original_time"]]), [[["plain-host"], "2024-06-11T10:00:00.000Z"]]);
    });

    test("an EQL rule (the web server shell of the examples): the same alert as locally", async () => {
      const rule = join(CORPUS_DIR, "rules", "linux", "persistence_webserver_suspicious_command_execution.toml");
      const local = await runCli(["run", rule, "--events", hits, "--state", ":memory:", ...RUN]);
      const remote = await runCli(["run", rule, "--cluster", server.url, "--state", ":memory:", ...RUN]);
      assert.equal(remote.code, 0, remote.stderr);
      assert.equal(comparable(remote.stdout).length, 1);
      assert.deepEqual(comparable(remote.stdout), comparable(local.stdout));
    });

    test("faults: every third request answered 429, then connections cut: the same six alerts, none lost or twice", async () => {
      const proxy = await startFaultProxy(server.url, kind);
      try {
        const local = await runCli(["run", SEED_DIR, "--events", hits, "--state", ":memory:", ...RUN]);
        proxy.rejectEvery(3);
        const busy = await runCli(["run", SEED_DIR, "--cluster", proxy.url, "--state", ":memory:", "--alerts-index", ".alerts-faults", ...RUN]);
        assert.equal(busy.code, 0, busy.stderr);
        assert.deepEqual(comparable(busy.stdout), comparable(local.stdout));
        assert.match(busy.stderr, /: 6 alerts created in \.alerts-faults\n/);
        assert.ok(proxy.faults.rejected >= 2, `429s sent: ${proxy.faults.rejected}`);
        proxy.rejectEvery(0);
        // a node that stops answering for a while (each cut connection is one failed attempt)
        proxy.dropNext(6);
        const cut = await runCli(["run", SEED_DIR, "--cluster", proxy.url, "--state", ":memory:", "--alerts-index", ".alerts-faults", ...RUN]);
        assert.equal(cut.code, 0, cut.stderr);
        assert.deepEqual(comparable(cut.stdout), comparable(local.stdout));
        assert.match(cut.stderr, /: 0 alerts created in \.alerts-faults, 6 already there\n/);
        assert.equal(proxy.faults.dropped, 6);
        const stored = await client.request<{ hits: { total: { value: number } } }>("POST", "/.alerts-faults/_search", { size: 0, track_total_hits: true });
        assert.equal(stored.hits.total.value, 6);
        // past the retries (none allowed here): a clean error, exit 2, nothing half-done
        proxy.dropNext(1_000);
        const gone = await runCli(["run", SEED_DIR, "--cluster", proxy.url, "--state", ":memory:", ...RUN], { env: { TERN_CLUSTER_RETRIES: "0" } });
        assert.equal(gone.code, 2, gone.stderr);
        assert.match(gone.stderr, /^tern run: the cluster failed: .+; the executions committed so far stay done, rerun with the same --state to carry on\n$/m);
        assert.equal(gone.stdout, "");
        const bad = await runCli(["run", SEED_DIR, "--cluster", proxy.url, "--state", ":memory:", ...RUN], { env: { TERN_CLUSTER_RETRIES: "many" } });
        assert.deepEqual([bad.code, bad.stderr], [2, "tern run: TERN_CLUSTER_RETRIES=many: give a whole number of retries from 0 to 9\n"]);
      } finally {
        await proxy.close();
      }
    });

    test("--follow: every rule at its interval from now; stopped and restarted, it runs what it missed, alerts nothing twice and keeps new-terms history in its memory", async () => {
      const stream = "logs-follow-default";
      const put = async (id: string, host: string) => {
        await client.request("PUT", `/${stream}/_create/${id}?refresh=true`, { "@timestamp": new Date().toISOString(), event: { action: "follow-test" }, host: { name: host } });
      };
      const keyword = { type: "keyword" };
      await client.request("PUT", `/_index_template/tern-follow-test`, { index_patterns: [stream], data_stream: {}, priority: 500, template: { mappings: { properties: { event: { properties: { action: keyword } }, host: { properties: { name: keyword } } } } } });
      await put("a", "a");
      const rules = join(dir, "follow-rules");
      mkdirSync(rules);
      writeFileSync(join(rules, "follow.toml"), testRuleToml(FOLLOW));
      // new terms over host.name with a window of 2 s and an hour of history
      writeFileSync(join(rules, "follow-nt.toml"), testRuleToml({ ...FOLLOW, ruleId: "follow-nt", name: "Follow new hosts", type: "new_terms", from: "now-2s" }) + NEW_HOSTS);
      const state = join(dir, "follow.db");
      const args = ["run", rules, "--cluster", server.url, "--follow", "--state", state, "--alerts-index", ".alerts-follow"];
      const first = spawnTern(args);
      await until(() => byRule(first.out()).length === 2, "the first alerts", first);
      await put("b", "b");
      await until(() => byRule(first.out()).length === 4, "the second alerts", first);
      first.p.kill("SIGTERM");
      assert.deepEqual((await first.exit).code, 0, first.err());
      assert.deepEqual(byRule(first.out()).sort(), ["follow-nt a", "follow-nt b", "follow-rule a", "follow-rule b"]);
      assert.match(first.err(), /tern run: followed http:\/\/127\.0\.0\.1:\d+ for [\d.]+ s: [\d,]+ executions in [\d,]+ rounds, 4 alerts\n/);
      // while tern is down: a new host, host a again, and a few missed executions; host a's first event is
      // older than the new-terms window, so only the memory knows it was seen
      await new Promise((r) => setTimeout(r, 2_500));
      await put("c", "c");
      await put("a2", "a");
      await new Promise((r) => setTimeout(r, 1_000));
      const second = spawnTern(args);
      await until(() => byRule(second.out()).length === 3, "the alerts of the events indexed while down", second);
      await new Promise((r) => setTimeout(r, 3_000));
      second.p.kill("SIGTERM");
      assert.equal((await second.exit).code, 0, second.err());
      assert.deepEqual(byRule(second.out()).sort(), ["follow-nt c", "follow-rule a", "follow-rule c"]);
      assert.match(second.err(), /tern run: follow-rule: \d+ executions missed since \S+ \(tern was not running\): running them now\n/);
      const stored = await client.request<{ hits: { hits: { _source: { host: { name: string } } }[] } }>("POST", "/.alerts-follow/_search", { size: 10, query: { match_all: {} } });
      assert.deepEqual(stored.hits.hits.map((h) => h._source.host.name).sort(), ["a", "a", "a", "b", "b", "c", "c"]);
    });
  });
}

const FOLLOW = { ruleId: "follow-rule", name: "Follow test", index: "logs-follow-*", query: "event.action:follow-test" };

const NEW_HOSTS = `
[rule.new_terms]
field = "new_terms_fields"
value = ["host.name"]
[[rule.new_terms.history_window_start]]
field = "history_window_start"
value = "now-1h"
`;

const byRule = (stdout: string) => comparable(stdout).map((a) => `${String(a["kibana.alert.rule.rule_id"])} ${(a.host as { name: string }).name}`);

test("tern run: --events or --cluster, one of them; --cluster needs --start", async () => {
  const none = await runCli(["run", SEED_DIR, "--state", ":memory:"]);
  assert.deepEqual([none.code, none.stderr], [2, "tern run: give the events: --events <inputs...> (files, globs, directories, - for stdin) or --cluster <url>\n"]);
  const both = await runCli(["run", SEED_DIR, "--events", EXAMPLES, "--cluster", "http://127.0.0.1:9200", "--state", ":memory:"]);
  assert.deepEqual([both.code, both.stderr], [2, "tern run: --events and --cluster cannot be used together: the events come from one or the other\n"]);
  const noStart = await runCli(["run", SEED_DIR, "--cluster", "http://127.0.0.1:9200", "--state", ":memory:"]);
  assert.deepEqual([noStart.code, noStart.stderr], [2, "tern run: --cluster runs a backfill: it needs --start (and takes --end, default now), in replay mode, of ECS events (no --mode stream or --format); --follow runs continuously instead\n"]);
  const followEnd = await runCli(["run", SEED_DIR, "--cluster", "http://127.0.0.1:9200", "--follow", "--end", "now", "--state", ":memory:"]);
  assert.deepEqual([followEnd.code, followEnd.stderr], [2, "tern run: --cluster --follow runs every rule at its interval from now (or --start) until stopped: no --end, --mode stream or --format\n"]);
});
