// How the tern process lets V8 grow its heap. Events are parsed, used by the rules and dropped, but a batch
// outlives a few young-generation collections, so much of that garbage reaches the old generation. After
// each full collection V8 lets the old generation grow to up to four times what survived it before the next
// one: a run with 50 MB live peaked at 240 MB of heap, mostly garbage. A growing factor of 1.25 keeps the
// peak near what is live, at no measured cost to a run: 485 Linux rules, 1 M bench events, two worker
// threads: 419 → 300 MB peak RSS; one thread, 200,000 events: 434 → 260 MB; 30-40 s and 9.2-9.3 s either
// way (the machine's noise). The price: a process with a large live heap that promotes garbage quickly
// pays more full collections (a synthetic churn with 50 MB live: about 2.4 → 3.4 s; heap.test.ts). V8
// reads the factor at every full collection, so setting it once the process runs works, and worker
// threads share it.
import v8 from "node:v8";

/** The old generation may grow to (1 + this / 100) times what the last full collection kept. */
export const HEAP_GROWING_PERCENT = 25;

/** Applies the process's heap growth policy (the CLI's entries call it first). */
export function tuneHeap(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
