// Starting a worker thread from the module next to the caller, compiled or (tests under tsx) as source.

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

/** How a worker is started: a script URL, or (tests under tsx) an eval'd loader of its .ts source. */
export type WorkerStart = { readonly url: URL } | { readonly evalCode: string };

/** The worker script `name` (without extension) beside the module at `base` (its import.meta.url). */
export function workerStartOf(base: string, name: string): WorkerStart {
  const js = new URL(`./${name}.js`, base);
  if (existsSync(fileURLToPath(js))) return { url: js };
  // running from sources under tsx (tests): worker threads do not inherit tsx's loader, so the worker
  // imports its .ts through tsx's tsImport
  const ts = new URL(`./${name}.ts`, base).href;
  const api = import.meta.resolve("tsx/esm/api");
  return { evalCode: `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(ts)}, ${JSON.stringify(ts)}));` };
}

export function startWorker(how: WorkerStart, opts: WorkerOptions = {}): Worker {
  return "url" in how ? new Worker(how.url, opts) : new Worker(how.evalCode, { ...opts, eval: true });
}
