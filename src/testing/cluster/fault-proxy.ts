// A fault injector in front of a real test cluster: an HTTP proxy on a free loopback port that forwards
// every request to the server, except those it is told to fail — answered 429 as a busy node answers
// (es_rejected_execution_exception), or with the connection cut as a stopped node does. The cluster
// behind it is real; only the faults are made.

import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FaultProxy {
  readonly url: string;
  /** Answer every `n`-th request 429 (0: none). The client's handshake (`GET /`, `GET /_nodes/…`) always passes. */
  rejectEvery(n: number): void;
  /** Cut the connection of the next `n` requests (the handshake passes) without an answer. */
  dropNext(n: number): void;
  /** Requests answered 429, and connections cut, so far. */
  readonly faults: { rejected: number; dropped: number };
  close(): Promise<void>;
}

export async function startFaultProxy(target: string, product: "elasticsearch" | "opensearch"): Promise<FaultProxy> {
  const to = new URL(target);
  let every = 0;
  let drop = 0;
  let seen = 0;
  const faults = { rejected: 0, dropped: 0 };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const handshake = req.method === "GET" && (req.url === "/" || (req.url ?? "").startsWith("/_nodes/"));
    if (!handshake && drop > 0) {
      drop--;
      faults.dropped++;
      req.socket.destroy();
      return;
    }
    if (!handshake && every > 0 && ++seen % every === 0) {
      faults.rejected++;
      req.resume();
      const body = JSON.stringify({ error: { root_cause: [{ type: "es_rejected_execution_exception", reason: "rejected execution (queue full)" }], type: "es_rejected_execution_exception", reason: "rejected execution (queue full)" }, status: 429 });
      res.writeHead(429, { "content-type": "application/json", ...(product === "elasticsearch" ? { "x-elastic-product": "Elasticsearch" } : {}) });
      res.end(body);
      return;
    }
    const up = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", () => req.socket.destroy());
    req.pipe(up);
  });
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    rejectEvery: (n) => {
      every = n;
      seen = 0;
    },
    dropNext: (n) => {
      drop = n;
    },
    faults,
    close: () =>
      new Promise<void>((res) => {
        server.closeAllConnections();
        server.close(() => res());
      }),
  };
}
