// The prefilter guard for `--format ecs` normalisation (docs/sources-mapping.md): the KQL prefilter judges
// the RAW line, but normalizeEcsEvent rewrites Auditbeat / auditd_manager / file_integrity / sysmon_linux
// documents into Defend's vocabulary (an "opened-file" line becomes "creation"), so such lines must pass
// it whatever the rules need. This query selects every document normalizeEcsEvent may rewrite (it keys on
// these two fields); OR-ed into the rules' union prefilter it keeps the prefilter sound for normalised
// events at the cost of a few more needles in the same scan.
export const NORMALIZED_PRODUCERS_KQL = 'event.module:("auditd" or "file_integrity") or event.dataset:"sysmon_linux.log"';
