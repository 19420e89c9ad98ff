// tern's library entry: the public surface, re-exported from each layer's index.
export * from "./diag/index.js";
export { VERSION } from "./version.js";
export * from "./sources/ndjson/index.js";
export * from "./sources/auditd/index.js";
export * from "./sources/sysmon/index.js";
export * from "./sources/ecs-normalize/index.js";
