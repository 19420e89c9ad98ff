// The NDJSON event source's public surface (issue 4 "Inputs"): openNdjsonSource and its helpers.
export { openNdjsonSource, decodeNdjsonLine, isBlankLine, DEFAULT_MAX_LINE_BYTES, STDIN_NAME } from "./source.js";
export { eventId } from "../../event/id.js";
export type { NdjsonSourceOptions, NdjsonLineSink, LinePrefilter } from "./source.js";
export { expandInputs, defaultIndexName, isEventFileName } from "./expand.js";
export type { InputSpec } from "./expand.js";
