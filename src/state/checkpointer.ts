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
  /** One Int32, the worker's state (CheckpointerState), changed by both sides and notified on CLOSED. */
  readonly state: SharedArrayBuffer;
  readonly minIntervalMs: number;
}

/**
 * STARTING → OPEN (the worker, before it opens its connection) → CLOSED (after it closed it); or STARTING →
 * CANCELLED (the store closing before the worker got that far: it then never opens one).
 */
export const enum CheckpointerState {
  STARTING = 0,
  OPEN = 1,
  CLOSED = 2,
  CANCELLED = 3,
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
    private readonly state: Int32Array,
  ) {
    worker.on("error", () => (this.alive = false));
    worker.on("exit", () => (this.alive = false));
  }

  /** A checkpointer for the store file at `path`, or undefined when no worker thread can start. */
  static start(path: string): Checkpointer | undefined {
    const state = new SharedArrayBuffer(4);
    const workerData: CheckpointerData = { path, state, minIntervalMs: CHECKPOINT_INTERVAL_MS };
    try {
      const worker = startWorker(workerStartOf(import.meta.url, "checkpoint-worker"), { workerData, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
      // a run that ends does not wait for it (close() does, briefly)
      worker.unref();
      return new Checkpointer(worker, new Int32Array(state));
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
   * SQLite then copies what is left of the log and removes it, as without a checkpointer. A worker still
   * starting is told never to open one (a run that ends just after starting it does not wait for it).
   * Returns how it ended: "cancelled" (it was still starting), "closed" (its connection is closed), or
   * "unanswered" (it did not answer within CLOSE_WAIT_MS, or had died; it is terminated).
   */
  close(): "cancelled" | "closed" | "unanswered" {
    const was = Atomics.compareExchange(this.state, 0, CheckpointerState.STARTING, CheckpointerState.CANCELLED);
    if (was === CheckpointerState.OPEN && this.alive) {
      this.worker.postMessage("close");
      Atomics.wait(this.state, 0, CheckpointerState.OPEN, CLOSE_WAIT_MS);
    }
    this.alive = false;
    void this.worker.terminate();
    const now = Atomics.load(this.state, 0);
    return now === CheckpointerState.CANCELLED ? "cancelled" : now === CheckpointerState.CLOSED ? "closed" : "unanswered";
  }
}
