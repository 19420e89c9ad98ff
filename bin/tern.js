#!/usr/bin/env node
import { tuneHeap } from "../dist/src/cli/heap.js";
import { main } from "../dist/src/cli/main.js";
tuneHeap();
main(process.argv).then((code) => { process.exitCode = code; });
