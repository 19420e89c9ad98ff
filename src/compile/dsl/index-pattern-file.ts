// Reads an index pattern (data view field list) from JSON for `tern kql dsl --index-pattern`
// (docs/kql.md §5 "With an index pattern"). Accepted shapes: {fields:[…]}, a bare [ … ] of fields,
// Kibana's saved-object export ({attributes:{title, fields:"<JSON string>"}}) and a {name: spec} map.
import { readFileSync } from "node:fs";
import { diagnostic, DiagnosticError, fileSpan } from "../../diag/index.js";
import type { IndexPattern, IndexPatternField } from "./types.js";
import { isJsonObject } from "../../util/json-object.js";

function fail(path: string, message: string): never {
  throw new DiagnosticError([diagnostic("KQL021", message, fileSpan(path))]);
}

function optString(path: string, where: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string") fail(path, `${where} must be a string`);
  return v;
}

function toField(path: string, i: number, raw: unknown): IndexPatternField {
  const where = `fields[${i}]`;
  if (!isJsonObject(raw)) fail(path, `${where} is not an object`);
  const name = raw["name"];
  if (typeof name !== "string" || name === "") fail(path, `${where}.name must be a non-empty string`);
  const field: IndexPatternField = { name, type: optString(path, `${where}.type`, raw["type"]) ?? "" };
  const esTypes = raw["esTypes"];
  if (esTypes !== undefined) {
    if (!Array.isArray(esTypes) || !esTypes.every((t): t is string => typeof t === "string")) {
      fail(path, `${where}.esTypes must be an array of strings`);
    }
    field.esTypes = esTypes;
  }
  const scripted = raw["scripted"];
  if (scripted !== undefined) {
    if (typeof scripted !== "boolean") fail(path, `${where}.scripted must be a boolean`);
    field.scripted = scripted;
  }
  const script = optString(path, `${where}.script`, raw["script"]);
  if (script !== undefined) field.script = script;
  const lang = optString(path, `${where}.lang`, raw["lang"]);
  if (lang !== undefined) field.lang = lang;
  const subType = raw["subType"];
  if (subType !== undefined) {
    if (!isJsonObject(subType)) fail(path, `${where}.subType is not an object`);
    const out: NonNullable<IndexPatternField["subType"]> = {};
    const nested = subType["nested"];
    if (nested !== undefined) {
      const p = isJsonObject(nested) ? nested["path"] : undefined;
      if (typeof p !== "string") fail(path, `${where}.subType.nested.path must be a string`);
      out.nested = { path: p };
    }
    const multi = subType["multi"];
    if (multi !== undefined) {
      const p = isJsonObject(multi) ? multi["parent"] : undefined;
      if (typeof p !== "string") fail(path, `${where}.subType.multi.parent must be a string`);
      out.multi = { parent: p };
    }
    field.subType = out;
  }
  return field;
}

/** Parses index-pattern JSON text; `path` names the file in diagnostics (KQL021). */
export function parseIndexPattern(text: string, path: string): IndexPattern {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    fail(path, `not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  let title: unknown;
  let fields: unknown = doc;
  if (isJsonObject(doc)) {
    const body = isJsonObject(doc["attributes"]) ? doc["attributes"] : doc;
    title = body["title"];
    fields = body["fields"];
    // Saved-object exports store the field list as a JSON string.
    if (typeof fields === "string") {
      try {
        fields = JSON.parse(fields);
      } catch {
        fail(path, "fields is a string but not a JSON array");
      }
    }
    if (isJsonObject(fields)) fields = Object.values(fields);
  }
  if (!Array.isArray(fields)) fail(path, 'expected {"fields": [ … ]} or an array of fields');
  const ip: IndexPattern = { fields: fields.map((f: unknown, i) => toField(path, i, f)) };
  if (typeof title === "string") ip.title = title;
  return ip;
}

export function loadIndexPatternFile(path: string): IndexPattern {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = isJsonObject(e) && typeof e["code"] === "string" ? e["code"] : "read error";
    fail(path, `cannot read index pattern file (${code})`);
  }
  return parseIndexPattern(text, path);
}
