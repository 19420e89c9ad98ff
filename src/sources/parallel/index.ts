// Public surface of the parallel NDJSON source (issue 6, worker threads): the source, its helpers and the
// newline-aligned byte ranges it splits files into.
export { openParallelNdjsonSource, largestPlainInput, largestPlainFile, leadingLines, isGzipFile, type ParallelNdjsonOptions, type ParallelRule } from "./source.js";
export { newlineRanges, type ByteRange } from "./ranges.js";
