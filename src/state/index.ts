// Public surface of the SQLite memory (issue 4 "Memory"); see docs/engine.md "Memory".
export { SqliteStore, DEFAULT_INDEX_AFTER_LOOKUPS, type TermRow, type AlertRow, type ExecutionRow, type Checkpoint, type StateStats } from "./sqlite.js";
