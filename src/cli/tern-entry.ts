// A process entry for the CLI that works from sources (tsx) and compiled output alike; tests spawn it.
import { tuneHeap } from "./heap.js";
import { main } from "./main.js";
tuneHeap();
main(process.argv).then((code) => {
  process.exitCode = code;
});
