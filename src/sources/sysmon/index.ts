// The Sysmon for Linux source's public surface (docs/sources.md §5.1, §6.7).
export { openSysmonSource, type SysmonSourceOptions } from "./source.js";
export { parseSysmonLine, sysmonToEcs, MalformedSysmonError, type SysmonEvent, type SysmonEcsContext } from "./parse.js";
