// Can a rule fire on what a source gives? (`tern coverage`, docs/sources-mapping.md "Coverage".)
//
// A rule's query is checked against what the source writes: `and` needs every part, `or` one branch, a
// negation nothing (it holds on events without the field); a comparison needs its field (in EQL a
// comparison with a missing field is false, so `!=`, `not in` and function arguments need it too, except
// `?optional` fields), and on the fields tern writes from a fixed vocabulary (event.category, event.type,
// event.action, host.os.type) a value the source writes. A sequence needs each of its stages and its join
// keys. The rule can fire when its index patterns select the source's events and its query can hold;
// otherwise the verdict names the fields and values that block it. This is a necessary condition, not a
// proof: a rule that passes may still need values the data never has.

import type { KqlNode, KqlValueNode } from "../lang/kql/ast.js";
import type { EqlExpr, EqlStatement, EqlEventFilter, EqlField } from "../lang/eql/ast.js";
import { compileIndexPatterns, linuxSourceAliases } from "../engine/index-filter.js";

/** What a source writes: field paths, the values of its vocabulary fields, the indices of its events. */
export interface SourceCapabilities {
  readonly fields: ReadonlySet<string>;
  readonly values: ReadonlyMap<string, ReadonlySet<string>>;
  readonly indices: readonly string[];
}

/** The fields whose values come from a fixed vocabulary (compared case-insensitively). */
export const VOCABULARY_FIELDS = ["event.category", "event.type", "event.action", "host.os.type"] as const;

const set = (...xs: string[]): ReadonlySet<string> => new Set(xs);

const AUDITD_FIELDS = [
  "@timestamp", "host.name", "host.id", "host.os.type",
  "event.kind", "event.module", "event.category", "event.type", "event.action", "event.outcome", "event.ingested",
  "auditd.sequence", "auditd.key", "auditd.syscall", "auditd.path_resolution",
  "user.id", "user.name", "user.effective.id", "user.effective.name", "user.audit.id", "user.audit.name", "group.id", "group.name",
  "process.pid", "process.entity_id", "process.name", "process.executable", "process.working_directory", "process.args", "process.args_count", "process.command_line",
  "process.interactive", "process.thread.capabilities.permitted", "process.thread.capabilities.effective",
  "process.user.id", "process.user.name", "process.real_user.id", "process.real_user.name", "process.saved_user.id", "process.saved_user.name",
  "process.group.id", "process.group.name", "process.real_group.id", "process.real_group.name", "process.saved_group.id", "process.saved_group.name",
  "process.parent.pid", "process.parent.entity_id", "process.parent.name", "process.parent.executable", "process.parent.args", "process.parent.args_count",
  "process.parent.command_line", "process.parent.user.id", "process.parent.group.id", "process.parent.interactive",
  "file.path", "file.name", "file.directory", "file.extension", "file.inode", "file.mode", "file.uid", "file.gid", "file.owner", "file.group",
  "file.Ext.original.path", "file.Ext.original.name", "file.Ext.original.directory", "file.Ext.original.extension",
  "source.ip", "source.port", "destination.ip", "destination.port", "network.direction", "network.type",
];

const SYSMON_FIELDS = [
  "@timestamp", "host.name", "host.id", "host.os.type",
  "event.kind", "event.module", "event.provider", "event.code", "event.category", "event.type", "event.action", "event.ingested",
  "user.name", "sysmon.record_id",
  "process.pid", "process.entity_id", "process.name", "process.executable", "process.command_line", "process.args", "process.args_count", "process.working_directory",
  "process.parent.pid", "process.parent.entity_id", "process.parent.name", "process.parent.executable", "process.parent.command_line",
  "process.parent.args", "process.parent.args_count",
  "file.path", "file.name", "file.directory", "file.extension",
  "source.ip", "source.port", "source.domain", "destination.ip", "destination.port", "destination.domain", "network.transport", "network.direction",
];

/** What `--format auditd` and `--format sysmon-linux` write (docs/sources-mapping.md). */
export const FORMAT_CAPABILITIES: Readonly<Record<"auditd" | "sysmon-linux", SourceCapabilities>> = {
  auditd: {
    fields: new Set(AUDITD_FIELDS),
    values: new Map([
      ["event.category", set("process", "file", "network")],
      ["event.type", set("start", "end", "change", "creation", "deletion")],
      ["event.action", set("exec", "fork", "end", "uid_change", "gid_change", "creation", "rename", "deletion", "connection_attempted", "connection_accepted")],
      ["host.os.type", set("linux")],
    ]),
    indices: ["logs-endpoint.events.process-auditd", "logs-endpoint.events.file-auditd", "logs-endpoint.events.network-auditd"],
  },
  "sysmon-linux": {
    fields: new Set(SYSMON_FIELDS),
    values: new Map([
      ["event.category", set("process", "file", "network")],
      ["event.type", set("start", "end", "creation", "deletion")],
      ["event.action", set("exec", "end", "creation", "deletion", "connection_attempted", "connection_accepted")],
      ["host.os.type", set("linux")],
    ]),
    indices: ["logs-endpoint.events.process-sysmon", "logs-endpoint.events.file-sysmon", "logs-endpoint.events.network-sysmon"],
  },
};

/** Why a query (or one stage of it) cannot match the source's events: fields it lacks, values it never has. */
export interface Blockers {
  readonly fields: ReadonlySet<string>;
  readonly values: readonly string[];
}

const isVocabulary = (f: string): boolean => (VOCABULARY_FIELDS as readonly string[]).includes(f);

/** All must hold: any child's blockers block. */
function allOf(parts: readonly (Blockers | undefined)[]): Blockers | undefined {
  const blocked = parts.filter((b): b is Blockers => b !== undefined);
  if (blocked.length === 0) return undefined;
  return { fields: new Set(blocked.flatMap((b) => [...b.fields])), values: [...new Set(blocked.flatMap((b) => b.values))] };
}

/** One must hold: blocked only when every child is, by all their blockers. */
function anyOf(parts: readonly (Blockers | undefined)[]): Blockers | undefined {
  return parts.some((b) => b === undefined) ? undefined : allOf(parts);
}

/** A field the event must have, with the values it may take when it is a vocabulary field. */
function leaf(caps: SourceCapabilities, field: string, allowed?: readonly string[]): Blockers | undefined {
  if (!caps.fields.has(field)) return { fields: new Set([field]), values: [] };
  const have = caps.values.get(field);
  if (allowed === undefined || !isVocabulary(field) || have === undefined) return undefined;
  const want = [...new Set(allowed.map((v) => v.toLowerCase()))].sort();
  return want.some((v) => have.has(v)) ? undefined : { fields: new Set(), values: [`${field} ${want.length === 1 ? "" : "one of "}${want.join(", ")}`] };
}

// ---- KQL ---------------------------------------------------------------------------------------------

function kqlName(v: KqlValueNode): string | undefined {
  // a field written with a wildcard names many fields: nothing definite is needed
  return v.type === "literal" && typeof v.value === "string" ? v.value : undefined;
}

/** Why no event of the source can match a KQL query (undefined: some event could). */
export function kqlBlockers(node: KqlNode, caps: SourceCapabilities): Blockers | undefined {
  switch (node.function) {
    case "and":
      return allOf(node.arguments.map((n) => kqlBlockers(n, caps)));
    case "or":
      return anyOf(node.arguments.map((n) => kqlBlockers(n, caps)));
    case "not":
    case "nested":
      // a negation holds on events without the field; nested documents are not judged
      return undefined;
    case "is": {
      const [f, v] = node.arguments;
      const name = f.type === "literal" && f.value === null ? undefined : kqlName(f);
      if (name === undefined) return undefined;
      return leaf(caps, name, v.type === "literal" && v.value !== null ? [String(v.value)] : undefined);
    }
    case "range": {
      const name = kqlName(node.arguments[0]);
      return name === undefined ? undefined : leaf(caps, name);
    }
    case "exists":
      return typeof node.arguments[0].value === "string" ? leaf(caps, node.arguments[0].value) : undefined;
    default:
      return undefined;
  }
}

// ---- EQL ---------------------------------------------------------------------------------------------

const needed = (e: EqlExpr): EqlField | undefined => (e.kind === "field" && !e.optional ? e : undefined);

function stringItems(items: readonly EqlExpr[]): string[] | undefined {
  const out: string[] = [];
  for (const i of items) {
    if (i.kind !== "literal" || typeof i.value !== "string") return undefined;
    out.push(i.value);
  }
  return out;
}

/** Why no event can satisfy an EQL condition (a comparison with a missing field is false in EQL). */
export function eqlBlockers(e: EqlExpr, caps: SourceCapabilities): Blockers | undefined {
  switch (e.kind) {
    case "and":
      return allOf([eqlBlockers(e.left, caps), eqlBlockers(e.right, caps)]);
    case "or":
      return anyOf([eqlBlockers(e.left, caps), eqlBlockers(e.right, caps)]);
    case "not":
      return undefined;
    case "compare": {
      const f = needed(e.left) ?? needed(e.right);
      if (f === undefined) return undefined;
      const other = f === e.left ? e.right : e.left;
      // `field == null` holds for a missing field
      if (other.kind === "literal" && other.value === null) return e.op === "==" ? undefined : leaf(caps, f.name);
      return leaf(caps, f.name, e.op === "==" && other.kind === "literal" && typeof other.value === "string" ? [other.value] : undefined);
    }
    case "in": {
      const f = needed(e.value);
      return f === undefined ? undefined : leaf(caps, f.name, e.negated ? undefined : stringItems(e.items));
    }
    case "match": {
      const f = needed(e.value);
      if (f === undefined) return undefined;
      const plain = e.op === ":" || e.op === "like" || e.op === "like~" ? stringItems(e.patterns)?.filter((p) => !/[*?]/.test(p)) : undefined;
      return leaf(caps, f.name, plain !== undefined && plain.length === e.patterns.length ? plain : undefined);
    }
    case "call": {
      const f = e.args.length > 0 ? needed(e.args[0]) : undefined;
      return f === undefined ? undefined : leaf(caps, f.name);
    }
    default:
      return undefined;
  }
}

function filterBlockers(f: EqlEventFilter, caps: SourceCapabilities, categoryField: string, keys: readonly EqlField[]): Blockers | undefined {
  const parts = [eqlBlockers(f.where, caps), ...keys.filter((k) => !k.optional).map((k) => leaf(caps, k.name))];
  if (f.category !== null) parts.push(leaf(caps, categoryField, [f.category]));
  return allOf(parts);
}

/** Why no events can satisfy an EQL statement: each event it needs (stage, sample filter) must be possible. */
export function eqlStatementBlockers(st: EqlStatement, caps: SourceCapabilities, categoryField = "event.category"): Blockers | undefined {
  switch (st.kind) {
    case "event":
      return filterBlockers(st.filter, caps, categoryField, []);
    case "sequence":
      return allOf(st.stages.filter((s) => !s.missing).map((s) => filterBlockers(s.filter, caps, categoryField, [...st.by, ...s.by])));
    case "sample":
      return allOf(st.stages.map((s) => filterBlockers(s.filter, caps, categoryField, [...st.by, ...s.by])));
    default:
      return undefined;
  }
}

// ---- verdict -----------------------------------------------------------------------------------------

export type CoverageVerdict = { readonly canFire: true } | { readonly canFire: false; readonly reason: string; readonly missingFields: readonly string[] };

/** The verdict for a rule with these index patterns whose query has these blockers. */
export function coverageOf(index: readonly string[] | undefined, caps: SourceCapabilities, blockers: Blockers | undefined): CoverageVerdict {
  if (index !== undefined && index.length > 0) {
    const selects = compileIndexPatterns(index);
    const reached = caps.indices.some((i) => selects(i) || linuxSourceAliases(i).some((a) => selects(a)));
    if (!reached) return { canFire: false, reason: `needs an index tern never writes for this source (${index.join(", ")})`, missingFields: [] };
  }
  if (blockers === undefined) return { canFire: true };
  const fields = [...blockers.fields].sort();
  const what = [...(fields.length > 0 ? [fields.join(", ")] : []), ...blockers.values];
  return { canFire: false, reason: `needs ${what.join("; ")}`, missingFields: fields };
}
