// A process entry for the CLI that works from sources (tsx) and compiled output alike; tests spawn it.
import { main } from "./main.js";
main(process.argv).then((code) => {
  process.exitCode = code;
});
