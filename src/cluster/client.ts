// The one seam to an Elasticsearch or OpenSearch cluster: the official client of each (their request
// shapes differ), behind the few operations tern uses. Credentials and the CA certificate come from the
// environment or a config file (access.ts), never from the command line; a URL with a user or password in
// it is refused. TLS is always verified.

import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { authorization, clusterAccess, ClusterAccessError, HOW_TO_GIVE_CREDENTIALS, type ClusterAccess } from "./access.js";

export type ClusterFlavor = "elasticsearch" | "opensearch";

export interface ClusterClient {
  readonly flavor: ClusterFlavor;
  readonly version: string;
  /** The waits before each retry of a request the cluster could not serve now (delaysOf). */
  readonly retryDelays: readonly number[];
  /** One REST call; the parsed response body. Errors carry the server's status and reason. */
  request<T = unknown>(method: "GET" | "PUT" | "POST" | "DELETE", path: string, body?: unknown, query?: Record<string, string>): Promise<T>;
  /** Whether an index (or data stream, or alias) of that name exists. */
  indexExists(name: string): Promise<boolean>;
  /** A `_bulk` request of action/document pairs; the response's items. */
  bulk(lines: readonly unknown[], refresh?: boolean): Promise<BulkItem[]>;
  close(): Promise<void>;
}

export interface BulkItem {
  readonly op: string;
  readonly status: number;
  readonly id?: string;
  readonly index?: string;
  readonly error?: { type?: string; reason?: string };
}

export class ClusterError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Errors of a TLS certificate check: the cure is the cluster's CA. */
const TLS_CODES = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT", "CERT_UNTRUSTED", "CERT_HAS_EXPIRED", "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** `GET /` with the run's credentials and CA: its status, x-elastic-product header and body text. */
function getRoot(url: URL, access: ClusterAccess): Promise<{ status: number; product: string | undefined; text: string }> {
  const headers: Record<string, string> = access.auth === undefined ? {} : { authorization: authorization(access.auth) };
  return new Promise((res, rej) => {
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(new URL("/", url), { method: "GET", headers, ...(access.ca !== undefined ? { ca: access.ca } : {}), timeout: 30_000 }, (r) => {
      const chunks: Buffer[] = [];
      r.on("data", (c: Buffer) => chunks.push(c));
      r.on("end", () => {
        const product = r.headers["x-elastic-product"];
        res({ status: r.statusCode ?? 0, product: typeof product === "string" ? product : undefined, text: Buffer.concat(chunks).toString("utf8") });
      });
      r.on("error", rej);
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("no answer in 30 s"), { code: "ETIMEDOUT" })));
    req.on("error", rej);
    req.end();
  });
}

function describe(e: unknown): ClusterError {
  type Cause = { type?: string; reason?: string };
  const err = e as { meta?: { statusCode?: number | null; body?: { error?: (Cause & { root_cause?: Cause[] }) | string } }; message?: string };
  // a connection error carries status 0 (the Elasticsearch client) or none: no answer at all
  const code = err.meta?.statusCode;
  const status = code === 0 || code === null || code === undefined ? undefined : code;
  const body = err.meta?.body?.error;
  // "all shards failed" says nothing: the first root cause names the problem
  const cause = typeof body === "object" ? (body.root_cause?.[0] ?? body) : undefined;
  const reason = typeof body === "string" ? body : cause?.reason !== undefined ? `${cause.type ?? "error"}: ${cause.reason}` : (err.message ?? String(e));
  return new ClusterError(status !== undefined ? `${status} ${reason}` : reason, status);
}

/**
 * Waits before each retry of a request the cluster could not serve now: a 429 (too many requests), a
 * 502/503/504 or no answer at all (connection refused or lost). About 45 s in all, long enough for a node
 * to restart; then the error stands. Every request tern sends may be repeated: documents are created with
 * their ids (a repeat is a 409) and searches only read.
 */
export const RETRY_DELAYS_MS: readonly number[] = [250, 500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000];

/** `op` with the client's errors described (ClusterError) and retried as `delays` allow. */
function guarded<T>(delays: readonly number[], op: () => Promise<T>): Promise<T> {
  return withRetries(delays, async () => {
    try {
      return await op();
    } catch (e) {
      throw describe(e);
    }
  });
}

/** The waits this run allows: TERN_CLUSTER_RETRIES (0 to 9, default 9) of RETRY_DELAYS_MS. */
export function delaysOf(env: NodeJS.ProcessEnv): readonly number[] {
  const n = env.TERN_CLUSTER_RETRIES === undefined || env.TERN_CLUSTER_RETRIES === "" ? RETRY_DELAYS_MS.length : Number(env.TERN_CLUSTER_RETRIES);
  if (!Number.isInteger(n) || n < 0) throw new ClusterError(`TERN_CLUSTER_RETRIES=${env.TERN_CLUSTER_RETRIES ?? ""}: give a whole number of retries from 0 to ${RETRY_DELAYS_MS.length}`);
  return RETRY_DELAYS_MS.slice(0, n);
}

function retryable(e: ClusterError): boolean {
  return e.status === undefined || e.status === 429 || e.status === 502 || e.status === 503 || e.status === 504;
}

/** `op` until it succeeds, a non-retryable error, or the delays run out; `onRetry` hears of each wait. */
export async function withRetries<T>(delays: readonly number[], op: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await op();
    } catch (e) {
      const err = e instanceof ClusterError ? e : describe(e);
      if (!retryable(err) || attempt >= delays.length) throw err;
      await new Promise((r) => setTimeout(r, delays[attempt]));
    }
  }
}

/**
 * A `_bulk` of `[action, document]` pairs until every item has settled: items the cluster answered 429
 * (its write queue was full) are sent again after a wait. The items in the pairs' order.
 */
export async function bulkSettled(client: ClusterClient, pairs: readonly (readonly [unknown, unknown])[], refresh = false): Promise<BulkItem[]> {
  const delays = client.retryDelays;
  const out: BulkItem[] = new Array<BulkItem>(pairs.length);
  let todo = pairs.map((_, i) => i);
  for (let attempt = 0; todo.length > 0; attempt++) {
    const items = await client.bulk(todo.flatMap((i) => [pairs[i][0], pairs[i][1]]), refresh);
    const again: number[] = [];
    items.forEach((it, k) => {
      if (it.status === 429 && attempt < delays.length) again.push(todo[k]);
      else out[todo[k]] = it;
    });
    todo = again;
    if (todo.length > 0) await new Promise((r) => setTimeout(r, delays[attempt]));
  }
  return out;
}

/** Connects and finds out which server it is (OpenSearch names itself in `GET /`; Elasticsearch's responses carry x-elastic-product). */
export async function connectCluster(url: string, env: NodeJS.ProcessEnv = process.env): Promise<ClusterClient> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ClusterError(`--cluster ${url}: not a URL (give http://host:port or https://host:port)`);
  }
  const retryDelays = delaysOf(env);
  if (parsed.username !== "" || parsed.password !== "") throw new ClusterError(`--cluster: credentials do not go in the URL (it shows in process lists); ${HOW_TO_GIVE_CREDENTIALS}`);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new ClusterError(`--cluster ${url}: give http://host:port or https://host:port`);
  let access: ClusterAccess;
  try {
    access = clusterAccess(env);
  } catch (e) {
    if (e instanceof ClusterAccessError) throw new ClusterError(e.message);
    throw e;
  }
  let res: { status: number; product: string | undefined; text: string };
  try {
    res = await getRoot(parsed, access);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code ?? (e as Error).message;
    if (code !== undefined && TLS_CODES.has(code)) {
      const hint = access.ca === undefined ? "give the CA certificate that signed it with TERN_CLUSTER_CA=<file.pem> or `ca` in the config file" : "the CA certificate given did not sign it";
      throw new ClusterError(`cannot reach ${url}: its TLS certificate is not trusted (${why}); ${hint}`);
    }
    throw new ClusterError(`cannot reach ${url}: ${why}; check the address and that the cluster is up`);
  }
  let info: { version?: { distribution?: string; number?: string } } = {};
  try {
    info = JSON.parse(res.text) as typeof info;
  } catch {
    // not JSON: decided below by the header
  }
  if (res.status === 401 || res.status === 403) throw new ClusterError(`${url} refused the credentials (${res.status}); ${HOW_TO_GIVE_CREDENTIALS}`, res.status);
  if (info.version?.distribution === "opensearch") return openSearch(url, info.version.number ?? "?", access, retryDelays);
  if (res.product === "Elasticsearch") return elastic(url, info.version?.number, access, retryDelays);
  throw new ClusterError(`${url} is neither Elasticsearch nor OpenSearch (GET / answered ${res.status})`);
}

// The clients are loaded when a run talks to a cluster: they take about a tenth of a second to load, which
// every local run would otherwise pay at start.
async function elastic(url: string, known: string | undefined, access: ClusterAccess, retryDelays: readonly number[]): Promise<ClusterClient> {
  const { Client: ElasticClient } = await import("@elastic/elasticsearch");
  const a = access.auth;
  const client = new ElasticClient({ node: url, ...(a === undefined ? {} : { auth: a }), ...(access.ca !== undefined ? { tls: { ca: access.ca } } : {}) });
  const request = <T>(method: string, path: string, body?: unknown, query?: Record<string, string>): Promise<T> =>
    guarded(retryDelays, async () => {
      return (await client.transport.request({ method, path, body: body as Record<string, unknown> | undefined, querystring: query })) as T;
    });
  // Some test distributions answer GET / with 405: the node's own version is in _nodes.
  let version = known;
  if (version === undefined) {
    const nodes = await request<{ nodes: Record<string, { version: string }> }>("GET", "/_nodes/_local", undefined, { filter_path: "nodes.*.version" });
    version = Object.values(nodes.nodes)[0]?.version ?? "?";
  }
  return {
    flavor: "elasticsearch",
    version,
    retryDelays,
    request,
    indexExists: (name) =>
      guarded(retryDelays, async () => {
        return await client.indices.exists({ index: name });
      }),
    bulk: (lines, refresh = false) =>
      guarded(retryDelays, async () => {
        const r = await client.bulk({ operations: lines as Record<string, unknown>[], refresh });
        return r.items.map((it) => {
          const [op, v] = Object.entries(it)[0];
          return { op, status: v.status, id: v._id ?? undefined, index: v._index, error: v.error as BulkItem["error"] };
        });
      }),
    close: () => client.close(),
  };
}

async function openSearch(url: string, version: string, access: ClusterAccess, retryDelays: readonly number[]): Promise<ClusterClient> {
  const { Client: OpenSearchClient } = await import("@opensearch-project/opensearch");
  const a = access.auth;
  const client = new OpenSearchClient({
    node: url,
    ...(a === undefined ? {} : "apiKey" in a ? { headers: { authorization: authorization(a) } } : { auth: a }),
    ...(access.ca !== undefined ? { ssl: { ca: access.ca } } : {}),
  });
  const request = <T>(method: string, path: string, body?: unknown, query?: Record<string, string>): Promise<T> =>
    guarded(retryDelays, async () => {
      const r = await client.transport.request({ method, path, body: body as Record<string, unknown> | undefined, querystring: query });
      return r.body as T;
    });
  return {
    flavor: "opensearch",
    version,
    retryDelays,
    request,
    indexExists: (name) =>
      guarded(retryDelays, async () => {
        return (await client.indices.exists({ index: name })).body;
      }),
    bulk: (lines, refresh = false) =>
      guarded(retryDelays, async () => {
        const r = await client.bulk({ body: lines as Record<string, unknown>[], refresh });
        return (r.body.items as Record<string, { status: number; _id?: string; _index?: string; error?: BulkItem["error"] }>[]).map((it) => {
          const [op, v] = Object.entries(it)[0];
          return { op, status: v.status, id: v._id, index: v._index, error: v.error };
        });
      }),
    close: () => client.close(),
  };
}
