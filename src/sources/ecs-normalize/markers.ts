// The prefilter guard for `--format ecs` normalisation (docs/sources-mapping.md): the KQL prefilter judges
// the RAW line, but normalizeEcsEvent rewrites Auditbeat / auditd_manager / file_integrity / sysmon_linux
// documents into Defend's vocabulary (an "opened-file" line becomes "creation"), so such lines must skip
// the prefilter. A cheap byte search for the producer markers the normaliser keys on; a line with a
// `\u` escape could spell a marker in escapes, so it skips the prefilter too (sound, rarely taken).

const MARKERS = ["auditd", "file_integrity", "sysmon_linux", "\\u"].map((m) => Buffer.from(m, "latin1"));

/** True when normalizeEcsEvent may rewrite the document on this line (so no raw-line prefilter may drop it). */
export function mayBeNormalized(line: Uint8Array | string): boolean {
  if (typeof line === "string") return MARKERS.some((m) => line.includes(m.toString("latin1")));
  const b = Buffer.isBuffer(line) ? line : Buffer.from(line.buffer, line.byteOffset, line.byteLength);
  for (const m of MARKERS) if (b.indexOf(m) >= 0) return true;
  return false;
}
