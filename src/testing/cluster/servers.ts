// Real Elasticsearch and OpenSearch servers for tests: their integration-test distributions from Maven
// Central (checked against Maven's SHA-1), unpacked once into a cache, started single-node on a free
// loopback port with a small heap, and stopped (data removed) when the test is done or the process exits.
// Both refuse to run as root, so as root they run as `nobody`, from a cache outside /root
// (/var/cache/tern-cluster); otherwise from ~/.cache/tern/cluster (TERN_CLUSTER_CACHE overrides both).

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export type ClusterKind = "elasticsearch" | "opensearch";

interface Distribution {
  readonly version: string;
  readonly url: string;
  /** Environment variable names the start script reads. */
  readonly env: { readonly javaHome: string; readonly pathConf: string; readonly javaOpts: string };
}

const MAVEN = "https://repo1.maven.org/maven2";

export const DISTRIBUTIONS: Readonly<Record<ClusterKind, Distribution>> = {
  elasticsearch: {
    version: "8.15.0",
    url: `${MAVEN}/org/elasticsearch/distribution/integ-test-zip/elasticsearch/8.15.0/elasticsearch-8.15.0.zip`,
    env: { javaHome: "ES_JAVA_HOME", pathConf: "ES_PATH_CONF", javaOpts: "ES_JAVA_OPTS" },
  },
  opensearch: {
    version: "2.19.6",
    url: `${MAVEN}/org/opensearch/distribution/integ-test-zip/opensearch/2.19.6/opensearch-2.19.6.zip`,
    env: { javaHome: "OPENSEARCH_JAVA_HOME", pathConf: "OPENSEARCH_PATH_CONF", javaOpts: "OPENSEARCH_JAVA_OPTS" },
  },
};

const isRoot = (): boolean => typeof process.getuid === "function" && process.getuid() === 0;

/** `nobody`'s uid and gid, when tern runs as root. */
function runAs(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  const r = spawnSync("id", ["-u", "nobody"], { encoding: "utf8" });
  const g = spawnSync("id", ["-g", "nobody"], { encoding: "utf8" });
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

function cacheDir(): string {
  return process.env.TERN_CLUSTER_CACHE ?? (isRoot() ? "/var/cache/tern-cluster" : join(homedir(), ".cache", "tern", "cluster"));
}

/** The Java home of the `java` on PATH (the distributions carry no JDK). */
function javaHome(): string {
  if (process.env.JAVA_HOME !== undefined && existsSync(join(process.env.JAVA_HOME, "bin", "java"))) return process.env.JAVA_HOME;
  const which = spawnSync("sh", ["-c", "command -v java"], { encoding: "utf8" });
  const java = which.stdout.trim();
  if (which.status !== 0 || java === "") throw new Error("no java on PATH: the cluster test servers need Java 17 (scripts/setup-system.sh installs it)");
  return dirname(dirname(realpathSync(java)));
}

async function fetchBytes(url: string): Promise<Buffer> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return Buffer.from(await res.arrayBuffer());
    } catch (e) {
      if (attempt >= 3) throw new Error(`cannot download ${url}: ${e instanceof Error ? e.message : String(e)}`);
      await new Promise((r) => setTimeout(r, 2_000 * attempt));
    }
  }
}

/** The unpacked distribution's home, downloading and unpacking it the first time. */
export async function ensureDistribution(kind: ClusterKind): Promise<string> {
  const dist = DISTRIBUTIONS[kind];
  const cache = cacheDir();
  const home = join(cache, `${kind}-${dist.version}`);
  const top = join(home, `${kind}-${dist.version}`);
  if (existsSync(join(top, "bin", kind))) return top;
  mkdirSync(cache, { recursive: true, mode: 0o755 });
  const [zip, sha1] = await Promise.all([fetchBytes(dist.url), fetchBytes(`${dist.url}.sha1`)]);
  const want = sha1.toString("utf8").trim().split(/\s+/)[0];
  const got = createHash("sha1").update(zip).digest("hex");
  if (got !== want) throw new Error(`${dist.url}: SHA-1 ${got} is not Maven's ${want}`);
  // Unpacked beside, then renamed into place: two processes never see a half-unpacked distribution.
  const tmp = mkdtempSync(join(cache, `.${kind}-`));
  writeFileSync(join(tmp, "dist.zip"), zip);
  const unzip = spawnSync("unzip", ["-q", join(tmp, "dist.zip"), "-d", join(tmp, "home")], { encoding: "utf8" });
  if (unzip.status !== 0) throw new Error(`unzip ${dist.url}: ${unzip.stderr || unzip.error?.message || `exit ${unzip.status}`} (scripts/setup-system.sh installs unzip)`);
  chmodSync(tmp, 0o755);
  spawnSync("chmod", ["-R", "a+rX", join(tmp, "home")]);
  try {
    renameSync(join(tmp, "home"), home);
  } catch (e) {
    if (!existsSync(join(top, "bin", kind))) throw e;
  }
  rmSync(tmp, { recursive: true, force: true });
  return top;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr !== null ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

export interface RunningCluster {
  readonly kind: ClusterKind;
  readonly version: string;
  readonly url: string;
  stop(): Promise<void>;
  /** Stops the server (SIGTERM, as an operator would) and starts it again on its data and port. */
  restart(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const p of running) if (p.pid !== undefined) try {
    process.kill(-p.pid, "SIGKILL");
  } catch {
    // already gone
  }
});

/** Starts a single-node server and waits until its cluster health is yellow or green. */
export async function startCluster(kind: ClusterKind, timeoutMs = 180_000): Promise<RunningCluster> {
  const dist = DISTRIBUTIONS[kind];
  const home = await ensureDistribution(kind);
  const owner = runAs();
  const run = mkdtempSync(join(cacheDir(), `run-${kind}-`));
  chmodSync(run, 0o755);
  cpSync(join(home, "config"), join(run, "config"), { recursive: true });
  mkdirSync(join(run, "data"));
  mkdirSync(join(run, "logs"));
  // The shipped jvm.options write GC logs and heap dumps to paths relative to the working directory.
  const opts = join(run, "config", "jvm.options");
  const kept = readFileSync(opts, "utf8").split("\n").filter((l) => !/Xlog:gc|HeapDumpPath|ErrorFile/.test(l));
  writeFileSync(opts, [...kept, "-Xlog:disable", `-XX:ErrorFile=${join(run, "logs", "hs_err_pid%p.log")}`, ""].join("\n"));
  if (owner !== undefined) {
    for (const p of walk(run)) chownSync(p, owner.uid, owner.gid);
  }
  const port = await freePort();
  const settings = [
    `path.data=${join(run, "data")}`,
    `path.logs=${join(run, "logs")}`,
    "discovery.type=single-node",
    `http.port=${port}`,
    "network.host=127.0.0.1",
    "cluster.routing.allocation.disk.threshold_enabled=false",
    ...(kind === "elasticsearch" ? ["xpack.security.enabled=false"] : []),
  ].flatMap((s) => ["-E", s]);
  const bin = join(home, "bin", kind);
  const env = { ...process.env, [dist.env.javaHome]: javaHome(), [dist.env.pathConf]: join(run, "config"), [dist.env.javaOpts]: "-Xms512m -Xmx512m" };
  const [cmd, args] = owner !== undefined ? ["runuser", ["-u", "nobody", "--", bin, ...settings]] : [bin, settings];
  const url = `http://127.0.0.1:${port}`;
  let log = "";
  let child: ChildProcess;
  let exited: number | null | undefined;
  const launch = () => {
    const c = spawn(cmd, args as string[], { cwd: run, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    child = c;
    exited = undefined;
    running.add(c);
    const keep = (b: Buffer) => {
      log = (log + b.toString("utf8")).slice(-8_000);
    };
    c.stdout?.on("data", keep);
    c.stderr?.on("data", keep);
    c.once("exit", (code) => {
      if (child === c) exited = code;
      running.delete(c);
    });
  };
  const halt = async (): Promise<void> => {
    const c = child;
    if (exited === undefined && c.pid !== undefined) {
      const gone = new Promise<void>((r) => c.once("exit", () => r()));
      try {
        process.kill(-c.pid, "SIGTERM");
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          if (c.pid !== undefined) process.kill(-c.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }, 15_000);
      await gone;
      clearTimeout(timer);
    }
  };
  const stop = async (): Promise<void> => {
    await halt();
    rmSync(run, { recursive: true, force: true });
  };
  const healthy = async (): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (exited !== undefined) {
        await stop();
        throw new Error(`${kind} ${dist.version} exited (${String(exited)}) before it answered; its last output:\n${log}`);
      }
      try {
        const res = await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=1s`);
        if (res.ok) {
          const health = (await res.json()) as { status?: string };
          if (health.status === "yellow" || health.status === "green") return;
        }
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`${kind} ${dist.version} did not answer within ${timeoutMs / 1000} s; its last output:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  const restart = async (): Promise<void> => {
    await halt();
    launch();
    await healthy();
  };
  launch();
  await healthy();
  return { kind, version: dist.version, url, stop, restart };
}

function walk(dir: string): string[] {
  const out = [dir];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

const shared = new Map<ClusterKind, Promise<RunningCluster>>();

/**
 * A server for this test process: the one TERN_TEST_ELASTICSEARCH_URL / TERN_TEST_OPENSEARCH_URL names,
 * else one started on first use and stopped when the process exits.
 */
export function testCluster(kind: ClusterKind): Promise<RunningCluster> {
  const given = process.env[kind === "elasticsearch" ? "TERN_TEST_ELASTICSEARCH_URL" : "TERN_TEST_OPENSEARCH_URL"];
  if (given !== undefined && given !== "") {
    const restart = () => Promise.reject(new Error(`a server given by URL (${given}) cannot be restarted by the tests`));
    return Promise.resolve({ kind, version: DISTRIBUTIONS[kind].version, url: given, stop: async () => undefined, restart });
  }
  let p = shared.get(kind);
  if (p === undefined) {
    p = startCluster(kind);
    shared.set(kind, p);
  }
  return p;
}
