// `--format ecs` normalisation (docs/sources.md §3.3, §4, §6.4–§6.6, §5.1; table in docs/sources-mapping.md):
// documents from Linux sensors that are not Elastic Defend are rewritten into Defend's vocabulary where the
// intent is unambiguous, so rules written for Defend match them. Recognised producers:
//   - Auditbeat auditd / auditd_manager (event.module "auditd" with auditd.paths[]);
//   - Auditbeat file_integrity (event.module "file_integrity");
//   - Elastic's sysmon_linux integration (event.dataset "sysmon_linux.log").
// Everything else (Defend, Endgame, unknown) is returned unchanged, as the same object. A rewritten
// document is a copy; the input is never mutated. The action the sensor wrote is kept in
// `tern.normalized_from` ("<module>:<action>") so a reader can tell a rewritten event from a native one.

import type { EventDoc } from "../../event/types.js";
import { getValues } from "../../event/fields.js";
import { baseName, fileFieldsOf, joinPath } from "./file-fields.js";

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function first(doc: EventDoc, path: string): unknown {
  return getValues(doc, path)[0];
}

function str(doc: EventDoc, path: string): string | undefined {
  const v = first(doc, path);
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

function strings(doc: EventDoc, path: string): string[] {
  return getValues(doc, path).filter((v): v is string => typeof v === "string");
}

/** Removes every spelling of `path` (nested, dotted, mixed) so the value written next is the only one. */
function removeField(node: Obj, parts: readonly string[], i: number): void {
  let key = parts[i];
  for (let j = i + 1; ; j++) {
    if (Object.prototype.hasOwnProperty.call(node, key)) {
      if (j === parts.length) delete node[key];
      else {
        const child = node[key];
        if (isObj(child)) removeField(child, parts, j);
      }
    }
    if (j >= parts.length) break;
    key += "." + parts[j];
  }
}

/** Sets `path` to `value` as nested objects, after removing other spellings of it. */
function setField(doc: Obj, path: string, value: unknown): void {
  const parts = path.split(".");
  removeField(doc, parts, 0);
  let node = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = node[parts[i]];
    if (isObj(next)) node = next;
    else {
      const created: Obj = {};
      node[parts[i]] = created;
      node = created;
    }
  }
  node[parts[parts.length - 1]] = value;
}

function hasField(doc: EventDoc, path: string): boolean {
  return getValues(doc, path).length > 0;
}

/** file.* from a path, keeping any value the sensor already wrote (file.extension included). */
function setFileFields(doc: Obj, path: string, overwritePath: boolean): void {
  const f = fileFieldsOf(path);
  if (overwritePath || !hasField(doc, "file.path")) setField(doc, "file.path", f.path);
  if (overwritePath || !hasField(doc, "file.name")) setField(doc, "file.name", f.name);
  if (overwritePath || !hasField(doc, "file.directory")) setField(doc, "file.directory", f.directory);
  if (overwritePath) {
    if (f.extension === undefined) removeField(doc, ["file", "extension"], 0);
    else setField(doc, "file.extension", f.extension);
  } else if (!hasField(doc, "file.extension") && f.extension !== undefined) setField(doc, "file.extension", f.extension);
}

function setAction(doc: Obj, module: string, from: string, action: string, category: string, type: string): void {
  setField(doc, "event.action", action);
  setField(doc, "event.category", [category]);
  setField(doc, "event.type", [type]);
  setField(doc, "tern.normalized_from", `${module}:${from}`);
  if (!hasField(doc, "host.os.type")) setField(doc, "host.os.type", "linux");
}

interface AuditPath {
  name?: string;
  nametype?: string;
  inode?: string;
  mode?: string;
}

function auditPaths(doc: EventDoc): AuditPath[] {
  const out: AuditPath[] = [];
  for (const p of getValues(doc, "auditd.paths")) {
    if (!isObj(p)) continue;
    const g = (k: string): string | undefined => {
      const v = getValues(p, k)[0];
      return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
    };
    out.push({ name: g("name"), nametype: (g("nametype") ?? g("objtype"))?.toUpperCase(), inode: g("inode"), mode: g("mode") });
  }
  return out;
}

function isDir(mode: string | undefined): boolean {
  if (mode === undefined || !/^[0-7]+$/.test(mode)) return false;
  return (parseInt(mode, 8) & 0o170000) === 0o040000;
}

function absolute(doc: EventDoc, name: string, paths: readonly AuditPath[]): string | undefined {
  if (name.startsWith("/")) return joinPath("/", name);
  // A relative name: the PARENT entry when it is absolute, else the working directory (§3.1 working rule).
  const parent = paths.find((p) => p.nametype === "PARENT" && p.name?.startsWith("/"));
  if (parent?.name !== undefined) return joinPath(parent.name, name);
  const cwd = str(doc, "process.working_directory") ?? str(doc, "process.cwd");
  return cwd === undefined ? undefined : joinPath(cwd, name);
}

function normalizeAuditbeat(doc: EventDoc, action: string): EventDoc {
  const paths = auditPaths(doc);
  const creates = paths.filter((p) => p.nametype === "CREATE" && p.name !== undefined && !isDir(p.mode));
  const deletes = paths.filter((p) => p.nametype === "DELETE" && p.name !== undefined && !isDir(p.mode));
  const outcome = str(doc, "event.outcome");
  if (outcome !== undefined && outcome !== "success") return doc;
  switch (action) {
    case "opened-file":
    case "linked":
    case "symlinked": {
      // opened-file covers reads too: only a CREATE path item says a file came into being.
      const c = creates[0];
      const path = c?.name === undefined ? undefined : absolute(doc, c.name, paths);
      if (path === undefined) return doc;
      const out = structuredClone(doc) as Obj;
      setAction(out, "auditd", action, "creation", "file", "creation");
      setFileFields(out, path, true);
      return out;
    }
    case "renamed": {
      // Auditbeat's file.path is the OLD name; the new one is the CREATE item.
      const c = creates[0];
      const path = c?.name === undefined ? undefined : absolute(doc, c.name, paths);
      if (path === undefined) return doc;
      const out = structuredClone(doc) as Obj;
      const old = deletes.find((d) => d.inode !== undefined && d.inode === c.inode) ?? deletes[0];
      const oldPath = old?.name === undefined ? undefined : absolute(doc, old.name, paths);
      setAction(out, "auditd", action, "rename", "file", "change");
      setFileFields(out, path, true);
      if (oldPath !== undefined) setField(out, "file.Ext.original", fileFieldsOf(oldPath));
      return out;
    }
    case "deleted": {
      const d = deletes[0];
      const path = d?.name === undefined ? undefined : absolute(doc, d.name, paths);
      if (path === undefined) return doc;
      const out = structuredClone(doc) as Obj;
      setAction(out, "auditd", action, "deletion", "file", "deletion");
      setFileFields(out, path, true);
      return out;
    }
    case "executed": {
      const out = structuredClone(doc) as Obj;
      setAction(out, "auditd", action, "exec", "process", "start");
      return out;
    }
    default:
      return doc;
  }
}

function normalizeFim(doc: EventDoc): EventDoc {
  const actions = strings(doc, "event.action");
  // Several actions can share one event (["created","updated"]); creation wins, then move, then delete.
  const pick: [string, string, string] | undefined = actions.includes("created")
    ? ["created", "creation", "creation"]
    : actions.includes("moved")
      ? ["moved", "rename", "change"]
      : actions.includes("deleted")
        ? ["deleted", "deletion", "deletion"]
        : undefined;
  const path = str(doc, "file.path");
  if (pick === undefined || path === undefined) return doc;
  const out = structuredClone(doc) as Obj;
  setAction(out, "file_integrity", actions.join(","), pick[1], "file", pick[2]);
  setFileFields(out, path, false);
  return out;
}

function normalizeSysmonIntegration(doc: EventDoc): EventDoc {
  const code = str(doc, "event.code");
  const map: Record<string, [string, string, string]> = {
    "1": ["exec", "process", "start"],
    "11": ["creation", "file", "creation"],
    "23": ["deletion", "file", "deletion"],
    "26": ["deletion", "file", "deletion"],
  };
  const m = code === undefined ? undefined : map[code];
  if (m === undefined) return doc;
  const out = structuredClone(doc) as Obj;
  setAction(out, "sysmon_linux", str(doc, "event.action") ?? "", m[0], m[1], m[2]);
  // The integration fills process.name with the syslog tag ("sysmon"); the process is basename(Image).
  const exe = str(doc, "process.executable");
  if (exe !== undefined) setField(out, "process.name", baseName(exe));
  const path = str(doc, "file.path");
  if (m[1] === "file" && path !== undefined) setFileFields(out, path, false);
  return out;
}

/** A document in Defend's vocabulary when its producer and intent are recognised; else the same object. */
export function normalizeEcsEvent(doc: EventDoc): EventDoc {
  const module = str(doc, "event.module");
  const dataset = str(doc, "event.dataset");
  if (module === "auditd" && hasField(doc, "auditd.paths")) {
    const action = str(doc, "event.action");
    return action === undefined ? doc : normalizeAuditbeat(doc, action);
  }
  if (module === "auditd" && str(doc, "event.action") === "executed") return normalizeAuditbeat(doc, "executed");
  if (module === "file_integrity") return normalizeFim(doc);
  if (dataset === "sysmon_linux.log") return normalizeSysmonIntegration(doc);
  return doc;
}
