// TLS and credentials: the test servers speak plain HTTP (their distributions carry no security plugin),
// so an HTTPS proxy with a certificate from a CA made here (openssl) stands in front of each, and records
// the Authorization header of every request it forwards. tern verifies the certificate always: without the
// CA it refuses the cluster and says how to give it; with TERN_CLUSTER_CA or a config file's `ca` it
// works; credentials from the environment or the config file reach every request; a config file that
// holds a secret and others can read is refused.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClusterKind } from "../../src/testing/cluster/servers.js";
import { useCluster } from "../../src/testing/cluster/fixture.js";
import { runCli } from "../../src/testing/cli.js";

/** A CA and a certificate it signed for 127.0.0.1, in `dir`. */
function makeCa(dir: string, name: string): { ca: string; key: string; cert: string } {
  const p = (f: string) => join(dir, `${name}-${f}`);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p("ca.key"), "-out", p("ca.pem"), "-days", "2", "-subj", `/CN=${name} test CA`);
  ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", p("server.key"), "-out", p("server.csr"), "-subj", "/CN=127.0.0.1");
  writeFileSync(p("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  ssl("x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"), "-CAcreateserial", "-out", p("server.pem"), "-days", "2", "-extfile", p("ext.cnf"));
  return { ca: p("ca.pem"), key: p("server.key"), cert: p("server.pem") };
}

for (const kind of ["elasticsearch", "opensearch"] as ClusterKind[]) {
  describe(`TLS and credentials in front of ${kind}`, () => {
    const fx = useCluster(kind);
    let dir: string;
    let proxy: Server;
    let url: string;
    let events: string;
    let otherCa: string;
    let ca: string;
    /** The Authorization header of each request the proxy forwarded ("" when none). */
    const seen: string[] = [];
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "tern-tls-"));
      const tls = makeCa(dir, "tern");
      ca = tls.ca;
      otherCa = makeCa(dir, "other").ca;
      const target = new URL(fx.server.url);
      proxy = createServer({ key: readFileSync(tls.key), cert: readFileSync(tls.cert) }, (req, res) => {
        seen.push(req.headers.authorization ?? "");
        const up = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        });
        up.on("error", () => res.destroy());
        req.pipe(up);
      });
      await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
      url = `https://127.0.0.1:${(proxy.address() as { port: number }).port}`;
      events = join(dir, "events.ndjson");
      writeFileSync(events, [1, 2].map((n) => JSON.stringify({ "@timestamp": "2026-12-05T10:00:00Z", event: { action: `tls-${n}` } })).join("\n") + "\n");
    });
    after(async () => {
      await new Promise((r) => proxy.close(r));
      rmSync(dir, { recursive: true, force: true });
    });

    const index = (env: NodeJS.ProcessEnv) => runCli(["index", events, "--cluster", url, "--index", `logs-tls-${kind}`], { env: { TERN_CLUSTER_RETRIES: "0", ...env } });

    test("the certificate is verified: without the CA, or with another one, tern refuses the cluster and says what to do", async () => {
      const none = await index({});
      assert.equal(none.code, 2);
      assert.equal(none.stderr, `tern index: cannot reach ${url}: its TLS certificate is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE); give the CA certificate that signed it with TERN_CLUSTER_CA=<file.pem> or \`ca\` in the config file\n`);
      const other = await index({ TERN_CLUSTER_CA: otherCa });
      assert.deepEqual([other.code, other.stderr], [2, `tern index: cannot reach ${url}: its TLS certificate is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE); the CA certificate given did not sign it\n`]);
      const notPem = await index({ TERN_CLUSTER_CA: events });
      assert.deepEqual([notPem.code, notPem.stderr], [2, `tern index: TERN_CLUSTER_CA: ${events} holds no PEM certificate\n`]);
    });

    test("with the CA from TERN_CLUSTER_CA, and credentials from the environment on every request", async () => {
      seen.length = 0;
      const ok = await index({ TERN_CLUSTER_CA: ca, TERN_CLUSTER_USER: "tern", TERN_CLUSTER_PASSWORD: "s3cret" });
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stderr, /^tern index: 2 events indexed into /);
      assert.ok(seen.length >= 3, `${seen.length} requests`);
      assert.deepEqual([...new Set(seen)], [`Basic ${Buffer.from("tern:s3cret").toString("base64")}`]);
    });

    test("a config file: refused while others can read its secret; then its CA and API key, which the environment overrides", async () => {
      const cfg = join(dir, `cluster-${kind}.toml`);
      writeFileSync(cfg, `api_key = "k3y"\nca = "tern-ca.pem"\n`);
      chmodSync(cfg, 0o644);
      const open = await index({ TERN_CLUSTER_CONFIG: cfg });
      assert.deepEqual([open.code, open.stderr], [2, `tern index: ${cfg} holds a secret and others can read it (mode 0644); run chmod 600 ${cfg}\n`]);
      chmodSync(cfg, 0o600);
      seen.length = 0;
      const ok = await index({ TERN_CLUSTER_CONFIG: cfg });
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stderr, /^tern index: 0 events indexed into .*, 2 already there;/);
      assert.deepEqual([...new Set(seen)], ["ApiKey k3y"]);
      seen.length = 0;
      const env = await index({ TERN_CLUSTER_CONFIG: cfg, TERN_CLUSTER_API_KEY: "from-env" });
      assert.equal(env.code, 0, env.stderr);
      assert.deepEqual([...new Set(seen)], ["ApiKey from-env"]);
      writeFileSync(cfg, `api_kye = "k3y"\n`);
      const typo = await index({ TERN_CLUSTER_CONFIG: cfg });
      assert.deepEqual([typo.code, typo.stderr], [2, `tern index: ${cfg}: unknown setting "api_kye" (tern reads api_key, username, password, ca)\n`]);
      const missing = await index({ TERN_CLUSTER_CONFIG: join(dir, "nope.toml") });
      assert.deepEqual([missing.code, missing.stderr], [2, `tern index: TERN_CLUSTER_CONFIG=${join(dir, "nope.toml")}: no such file\n`]);
    });
  });
}
