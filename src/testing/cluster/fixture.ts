// A test server and a client for one describe block: started (or shared, see testCluster) before its
// tests and closed after them. Test support only.
import { after, before } from "node:test";
import { connectCluster, type ClusterClient } from "../../cluster/client.js";
import { testCluster, type ClusterKind, type RunningCluster } from "./servers.js";

export interface ClusterFixture {
  readonly server: RunningCluster;
  readonly client: ClusterClient;
}

/** Registers the block's before/after hooks; the server and client are there once `before` has run. */
export function useCluster(kind: ClusterKind, start: (kind: ClusterKind) => Promise<RunningCluster> = testCluster): ClusterFixture {
  let server: RunningCluster | undefined;
  let client: ClusterClient | undefined;
  before(async () => {
    server = await start(kind);
    client = await connectCluster(server.url);
  });
  after(async () => {
    await client?.close();
    await server?.stop();
  });
  const ready = <T>(x: T | undefined): T => {
    if (x === undefined) throw new Error("the cluster fixture is used before its before hook ran");
    return x;
  };
  return {
    get server() {
      return ready(server);
    },
    get client() {
      return ready(client);
    },
  };
}
