// The auditd source's public surface (docs/sources.md §3, §6.3).
export { AuditdAssembler, type AuditdAssemblerOptions, type AssembledEvent, type AssemblerStats } from "./assembler.js";
export { openAuditdSource, type AuditdSourceOptions } from "./source.js";
export { parseAuditRecord, decodeValue, decodeArgv, MalformedRecordError, type AuditRecord, type AuditValue } from "./record.js";
export { auditEventToEcs, execveArgs, type ToEcsContext } from "./to-ecs.js";
