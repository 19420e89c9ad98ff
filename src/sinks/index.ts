// Public surface of the alert sinks (issue 4 "Sinks").
export { streamSink, fdSink, fileSink, memorySink, type FileSinkOptions } from "./ndjson.js";
