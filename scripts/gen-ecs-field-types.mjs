#!/usr/bin/env node
// Regenerates src/ecs/field-types.generated.ts (issue 3, "Field types"): the Elasticsearch mapping
// type of every ECS field, from ECS's published generated/csv/fields.csv (ecs_fields.csv), merged
// with Elastic Defend (endpoint package) field definitions: the package's fields.yml files and/or a
// Field,Type CSV. Defend entries win where both define a name (that is what Defend documents carry).
//
// Usage:
//   node scripts/gen-ecs-field-types.mjs --ecs <fields.csv> [--defend-csv <csv>]... [--defend-fields <fields.yml>]...
//        [--ecs-version V] [--endpoint-version V] [--out src/ecs/field-types.generated.ts] [--check]
// --check exits 1 when the output file would change (for CI), without writing it.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { basename } from "node:path";

function usage(msg) {
  process.stderr.write(`gen-ecs-field-types: ${msg}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { ecs: undefined, defendCsv: [], defendFields: [], ecsVersion: undefined, endpointVersion: undefined,
    out: "src/ecs/field-types.generated.ts", check: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === "--ecs") opts.ecs = next();
    else if (a === "--defend-csv") opts.defendCsv.push(next());
    else if (a === "--defend-fields") opts.defendFields.push(next());
    else if (a === "--ecs-version") opts.ecsVersion = next();
    else if (a === "--endpoint-version") opts.endpointVersion = next();
    else if (a === "--out") opts.out = next();
    else if (a === "--check") opts.check = true;
    else usage(`unknown argument ${a}`);
  }
  if (opts.ecs === undefined) usage("--ecs <fields.csv> is required");
  return opts;
}

/** RFC 4180 CSV: quoted cells, doubled quotes, commas and newlines inside quotes. `#` lines are comments. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  let atLineStart = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (atLineStart && !quoted && ch === "#") {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    atLineStart = false;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { row.push(cell); cell = ""; }
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      if (row.length > 1 || row[0] !== "") rows.push(row);
      row = [];
      cell = "";
      atLineStart = true;
    } else cell += ch;
  }
  if (cell !== "" || row.length > 0) { row.push(cell); rows.push(row); }
  return rows;
}

/** Rows of a CSV with a header naming `Field` and `Type` (and optionally `ECS_Version`). */
function readFieldCsv(path) {
  const rows = parseCsv(readFileSync(path, "utf8"));
  const header = rows.shift();
  if (header === undefined) usage(`${path}: empty`);
  const fi = header.indexOf("Field");
  const ti = header.indexOf("Type");
  const vi = header.indexOf("ECS_Version");
  if (fi < 0 || ti < 0) usage(`${path}: header needs Field and Type columns`);
  return rows.map((r) => ({ name: r[fi], type: r[ti], version: vi >= 0 ? r[vi] : undefined }));
}

/**
 * The fields of an Elastic package / Beats `fields.yml` (nested `- name:` items with `type`,
 * `fields` and `multi_fields`), flattened to dotted names. Only the keys this needs are read, by
 * indentation, so no YAML library is required.
 */
export function parseFieldsYml(text) {
  const out = [];
  const open = [];
  const unquote = (s) => s.replace(/^'(.*)'$/, "$1").replace(/^"(.*)"$/, "$1");
  const close = (item) => {
    if (item.type !== undefined && item.type !== "group") out.push({ name: item.name, type: item.type });
  };
  for (const line of text.split(/\r?\n/)) {
    const item = /^( *)- name: *(.+?) *$/.exec(line);
    if (item) {
      const indent = item[1].length;
      while (open.length > 0 && open[open.length - 1].indent >= indent) close(open.pop());
      const parent = open[open.length - 1];
      const own = unquote(item[2]);
      open.push({ indent, name: parent ? `${parent.name}.${own}` : own, type: undefined });
      continue;
    }
    const type = /^( *)type: *(\S+) *$/.exec(line);
    const top = open[open.length - 1];
    if (type && top && type[1].length === top.indent + 2) top.type = unquote(type[2]);
  }
  while (open.length > 0) close(open.pop());
  return out;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const types = new Map();
  const ecsRows = readFieldCsv(opts.ecs);
  for (const r of ecsRows) types.set(r.name, r.type);
  const ecsVersion = opts.ecsVersion ?? ecsRows.find((r) => r.version)?.version ?? "unknown";
  let defendCount = 0;
  for (const p of opts.defendFields) {
    for (const f of parseFieldsYml(readFileSync(p, "utf8"))) { types.set(f.name, f.type); defendCount++; }
  }
  for (const p of opts.defendCsv) {
    for (const r of readFieldCsv(p)) { types.set(r.name, r.type); defendCount++; }
  }
  const endpointVersion = opts.endpointVersion ?? (defendCount > 0 ? "unknown" : "none");
  const names = [...types.keys()].sort();
  const inputs = [opts.ecs, ...opts.defendFields.map((p) => `--defend-fields ${p}`), ...opts.defendCsv.map((p) => `--defend-csv ${p}`)];
  const cmd = ["node scripts/gen-ecs-field-types.mjs", `--ecs ${opts.ecs}`,
    ...opts.defendFields.map((p) => `--defend-fields ${p}`), ...opts.defendCsv.map((p) => `--defend-csv ${p}`),
    ...(opts.endpointVersion ? [`--endpoint-version '${opts.endpointVersion}'`] : [])].join(" ");
  const lines = [
    "// GENERATED by scripts/gen-ecs-field-types.mjs - do not edit. Field name -> Elasticsearch mapping type.",
    `// ECS ${ecsVersion} (${basename(opts.ecs)}, ${ecsRows.length} fields) merged with Elastic Defend`,
    `// definitions (${endpointVersion}; ${defendCount} entries, which win over ECS). ${names.length} fields in all.`,
    `// Inputs: ${inputs.join(", ")}`,
    `// Regenerate: ${cmd}`,
    `export const ECS_VERSION = ${JSON.stringify(ecsVersion)};`,
    `export const ENDPOINT_PACKAGE_VERSION = ${JSON.stringify(endpointVersion)};`,
    "export const FIELD_TYPES: Readonly<Record<string, string>> = {",
    ...names.map((n) => `  ${JSON.stringify(n)}: ${JSON.stringify(types.get(n))},`),
    "};",
    "",
  ];
  const text = lines.join("\n");
  if (opts.check) {
    const same = existsSync(opts.out) && readFileSync(opts.out, "utf8") === text;
    process.stderr.write(same ? `${opts.out} is up to date\n` : `${opts.out} is out of date; regenerate it\n`);
    process.exit(same ? 0 : 1);
  }
  writeFileSync(opts.out, text, { mode: 0o600 });
  process.stderr.write(`wrote ${opts.out}: ${names.length} fields (ECS ${ecsRows.length}, Defend ${defendCount})\n`);
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(basename(process.argv[1]))) main();
