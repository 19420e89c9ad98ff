// Public surface of the alert sinks (issue 4 "Sinks").
export { streamSink, fileSink, memorySink } from "./ndjson.js";
