// The state store's checkpoints in a worker thread. In WAL mode each commit appends pages to the
// write-ahead log, and by default the committing connection copies the log into the database file once it
// holds 1,000 pages: on a run that stores tens of thousands of alerts that copy is most of the cost of
// storing one (about 21 of 36 µs an alert, measured with the alerts of 485 Linux rules). A store that
// writes that much hands it to a second connection in a worker thread, which checkpoints at most every
// CHECKPOINT_INTERVAL_MS while the run goes on on a core that is otherwise idle; the store's own
// connection still checkpoints past OWN_CHECKPOINT_PAGES, should the worker fall behind or be missing.

import type { Worker } from "node:worker_threads";
import { startWorker, workerStartOf } from "../util/worker-start.js";

/** What the worker is given. */
export interface CheckpointerData {
  readonly path: string;
  /** An Int32 set to 1 (and notified) once the worker's connection is closed. */
  readonly closed: SharedArrayBuffer;
  readonly minIntervalMs: number;
}

export const CHECKPOINT_INTERVAL_MS = 100;
/** The store's own threshold (pages of the log) once a checkpointer runs; SQLite's default is 1,000. */
export const OWN_CHECKPOINT_PAGES = 10_000;
/** How long close() waits for the worker to close its connection. */
const CLOSE_WAIT_MS = 2000;

export class Checkpointer {
  private alive = true;

  private constructor(
    private readonly worker: Worker,
    private readonly closed: Int32Array,
  ) {
    worker.on("error", () => (this.alive = false));
    worker.on("exit", () => (this.alive = false));
  }

  /** A checkpointer for the store file at `path`, or undefined when no worker thread can start. */
  static start(path: string): Checkpointer | undefined {
    const closed = new SharedArrayBuffer(4);
    const workerData: CheckpointerData = { path, closed, minIntervalMs: CHECKPOINT_INTERVAL_MS };
    try {
      const worker = startWorker(workerStartOf(import.meta.url, "checkpoint-worker"), { workerData, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
      // a run that ends does not wait for it (close() does, briefly)
      worker.unref();
      return new Checkpointer(worker, new Int32Array(closed));
    } catch {
      return undefined;
    }
  }

  /** The store committed: the worker checkpoints now or at the end of its interval. */
  committed(): void {
    if (this.alive) this.worker.postMessage("committed");
  }

  /**
   * Closes the worker's connection before the store closes its own, so that the store's is the last one:
   * SQLite then copies what is left of the log and removes it, as without a checkpointer. Returns whether
   * the worker's connection is closed (false: it did not answer within CLOSE_WAIT_MS, or had ended before).
   */
  close(): boolean {
    if (this.alive) {
      this.worker.postMessage("close");
      Atomics.wait(this.closed, 0, 0, CLOSE_WAIT_MS);
    }
    this.alive = false;
    void this.worker.terminate();
    return Atomics.load(this.closed, 0) === 1;
  }
}
