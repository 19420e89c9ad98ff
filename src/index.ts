// tern's library entry: the public surface, re-exported from each layer's index.
export * from "./diag/index.js";
export { VERSION } from "./version.js";
export * from "./sources/ndjson/index.js";
