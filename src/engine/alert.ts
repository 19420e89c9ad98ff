// Kibana's alert document (new_terms.md §7): the source `_source` with `event.kind` removed, deep-merged
// with flat `kibana.*` keys (rule fields, ancestors, reason, new terms). Ids: new_terms uses object-hash of
// [_index, _id, "undefined", "<space>:<rule uuid>", newTerms] (§7.1); query rules use Kibana's
// `generateId`: sha256 hex of _index + _id + "undefined" + "<space>:<rule uuid>" (hits carry no _version).

import { createHash } from "node:crypto";
import objectHash from "object-hash";
import type { EventDoc, InputEvent } from "../event/types.js";
import { getValues } from "../event/fields.js";
import type { Rule, Severity } from "../rules/model.js";
import { originalTime } from "./time.js";
import { buildReason } from "./reason.js";
import { isJsonObject } from "../util/json-object.js";
import type { RuleFieldsCut, RuleFieldsText } from "../state/rule-fields.js";

export interface AlertContext {
  readonly spaceId: string;
  /** Kibana's rule saved-object id (`kibana.alert.rule.uuid`); `rule_id` unless --rule-uuid. */
  readonly ruleUuid: string;
  /** Alert build time (ms): the simulated execution start in replay, the wall clock in stream mode. */
  readonly now: number;
  readonly executionUuid: string;
  readonly executionType: "scheduled" | "manual";
  readonly kibanaVersion: string;
}

export function newTermsAlertId(hit: Pick<InputEvent, "_index" | "_id">, spaceId: string, ruleUuid: string, newTerms: readonly unknown[]): string {
  return objectHash([hit._index, hit._id, "undefined", `${spaceId}:${ruleUuid}`, newTerms]);
}

export function queryAlertId(hit: Pick<InputEvent, "_index" | "_id">, spaceId: string, ruleUuid: string): string {
  return createHash("sha256").update(hit._index + hit._id + "undefined" + `${spaceId}:${ruleUuid}`).digest("hex");
}

const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { low: 0, medium: 1, high: 2, critical: 3 };

/**
 * The value at `path` as lodash's `get` reads it, which is how Kibana reads override fields from the
 * source: the whole path as one key if the object has it (`"event.severity": 3`), else one key per
 * dot-separated segment; arrays are not looked into on the way down.
 */
export function sourceGet(doc: EventDoc, path: string): unknown {
  if (HAS.call(doc, path)) return doc[path];
  let v: unknown = doc;
  for (const seg of path.split(".")) {
    if (!isJsonObject(v) || !HAS.call(v, seg)) return undefined;
    v = v[seg];
  }
  return v;
}

const HAS = Object.prototype.hasOwnProperty;
const ECS_SEVERITY_FIELD = "event.severity";

/**
 * severity_mapping as Kibana's buildSeverityFromMapping: mappings sorted from low to critical, the last
 * whose value the field holds wins. `event.severity` compares as a number (the mapping's value floored,
 * the event's safe integers); any other field compares as text over the event's strings and safe integers.
 */
export function alertSeverity(rule: Rule, doc: EventDoc): Severity {
  let out: Severity | undefined;
  const sorted = [...rule.severity_mapping].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  for (const m of sorted) {
    const got = sourceGet(doc, m.field);
    const values = Array.isArray(got) ? got : [got];
    const numeric = m.field === ECS_SEVERITY_FIELD;
    const want = numeric ? Math.floor(Number(m.value)) : m.value;
    const held = values.some((v) => (typeof v === "number" && Number.isSafeInteger(v) ? (numeric ? v : String(v)) : typeof v === "string" && !numeric ? v : undefined) === want);
    if (held) out = m.severity;
  }
  return out ?? rule.severity;
}

/**
 * risk_score_mapping as Kibana's buildRiskScoreFromMapping: the first mapping's field only; the largest of
 * its values that is, or whose text is, a number in [0, 100]; else the rule's score.
 */
export function alertRiskScore(rule: Rule, doc: EventDoc): number {
  const m = rule.risk_score_mapping[0];
  if (m === undefined) return rule.risk_score;
  const got = sourceGet(doc, m.field);
  let best = -1;
  for (const v of Array.isArray(got) ? got : [got]) {
    const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : NaN;
    if (Number.isFinite(n) && n >= 0 && n <= 100 && n > best) best = n;
  }
  return best >= 0 ? best : rule.risk_score;
}

/** rule_name_override as Kibana's buildRuleNameFromMapping: the field's value when it is a string. */
function alertRuleName(rule: Rule, doc: EventDoc): string {
  if (rule.rule_name_override !== undefined) {
    const v = sourceGet(doc, rule.rule_name_override);
    if (typeof v === "string") return v;
  }
  return rule.name;
}

/** The source without `event.kind` (nested or flat); callers copy it first unless it is theirs alone. */
function dropEventKind(out: EventDoc): EventDoc {
  delete out["event.kind"];
  const ev = out.event;
  if (isJsonObject(ev)) delete ev.kind;
  return out;
}

/** `kibana.alert.original_event.*`: every `event.*` leaf of the source, flat (kind included). */
function originalEvent(src: EventDoc): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (node: unknown, prefix: string) => {
    if (isJsonObject(node)) {
      for (const [k, v] of Object.entries(node)) walk(v, prefix === "" ? k : `${prefix}.${k}`);
    } else if (prefix !== "") {
      out[`kibana.alert.original_event.${prefix}`] = node;
    }
  };
  for (const [k, v] of Object.entries(src)) {
    if (k === "event") walk(v, "");
    else if (k.startsWith("event.")) walk(v, k.slice("event.".length));
  }
  return out;
}

export interface Ancestor {
  id: string;
  type: "event" | "signal";
  index: string;
  depth: number;
  rule?: string;
}

function ancestry(hit: InputEvent): { ancestors: Ancestor[]; depth: number } {
  const src = hit._source;
  const parentDepth = getValues(src, "kibana.alert.depth")[0];
  if (typeof parentDepth === "number") {
    // The source is itself an alert: keep its chain and add it as a signal ancestor.
    const prior = (getValues(src, "kibana.alert.ancestors").filter(isJsonObject) as unknown as Ancestor[]).map((a) => ({ ...a }));
    const ruleUuid = getValues(src, "kibana.alert.rule.uuid")[0];
    const self: Ancestor = { id: hit._id, type: "signal", index: hit._index, depth: parentDepth };
    if (typeof ruleUuid === "string") self.rule = ruleUuid;
    return { ancestors: [...prior, self], depth: parentDepth + 1 };
  }
  return { ancestors: [{ id: hit._id, type: "event", index: hit._index, depth: 0 }], depth: 1 };
}

/** `kibana.alert.rule.parameters`: the rule's params in Kibana's snake_case API form. */
function ruleParameters(rule: Rule): Record<string, unknown> {
  const p: Record<string, unknown> = {
    description: rule.description,
    risk_score: rule.risk_score,
    severity: rule.severity,
    license: rule.license ?? "",
    author: rule.author,
    false_positives: rule.false_positives,
    from: rule.from,
    rule_id: rule.rule_id,
    max_signals: rule.max_signals,
    risk_score_mapping: rule.risk_score_mapping,
    severity_mapping: rule.severity_mapping,
    threat: rule.threat,
    to: rule.to,
    references: rule.references,
    version: rule.version ?? 1,
    exceptions_list: rule.exceptions_list ?? [],
    immutable: false,
    type: rule.type,
  };
  if (rule.note !== undefined) p.note = rule.note;
  if (rule.setup !== undefined) p.setup = rule.setup;
  if (rule.building_block_type !== undefined) p.building_block_type = rule.building_block_type;
  if (rule.rule_name_override !== undefined) p.rule_name_override = rule.rule_name_override;
  if (rule.timestamp_override !== undefined) p.timestamp_override = rule.timestamp_override;
  if (rule.timestamp_override_fallback_disabled !== undefined) p.timestamp_override_fallback_disabled = rule.timestamp_override_fallback_disabled;
  if (rule.timeline_id !== undefined) p.timeline_id = rule.timeline_id;
  if (rule.timeline_title !== undefined) p.timeline_title = rule.timeline_title;
  if (rule.language !== undefined) p.language = rule.language;
  if (rule.query !== undefined) p.query = rule.query;
  if (rule.index !== undefined) p.index = rule.index;
  if (rule.data_view_id !== undefined) p.data_view_id = rule.data_view_id;
  if (rule.filters !== undefined) p.filters = rule.filters;
  if (rule.new_terms !== undefined) {
    p.new_terms_fields = rule.new_terms.fields;
    p.history_window_start = rule.new_terms.history_window_start;
  }
  if (rule.threshold !== undefined) {
    // Kibana stores the threshold normalized: `field` always an array (normalizeThresholdObject).
    const th: Record<string, unknown> = { field: [...rule.threshold.field], value: rule.threshold.value };
    if (rule.threshold.cardinality !== undefined) th.cardinality = rule.threshold.cardinality.map((c) => ({ field: c.field, value: c.value }));
    p.threshold = th;
  }
  if (rule.alert_suppression !== undefined) p.alert_suppression = rule.alert_suppression;
  if (rule.event_category_override !== undefined) p.event_category_override = rule.event_category_override;
  if (rule.timestamp_field !== undefined) p.timestamp_field = rule.timestamp_field;
  if (rule.tiebreaker_field !== undefined) p.tiebreaker_field = rule.tiebreaker_field;
  if (rule.investigation_fields !== undefined) p.investigation_fields = rule.investigation_fields;
  if (rule.required_fields !== undefined) p.required_fields = rule.required_fields;
  if (rule.related_integrations !== undefined) p.related_integrations = rule.related_integrations;
  return p;
}

const RULE_TYPE_INFO: Readonly<Record<string, { category: string; typeId: string }>> = {
  eql: { category: "Event Correlation Rule", typeId: "siem.eqlRule" },
  new_terms: { category: "New Terms Rule", typeId: "siem.newTermsRule" },
  query: { category: "Custom Query Rule", typeId: "siem.queryRule" },
  threshold: { category: "Threshold Rule", typeId: "siem.thresholdRule" },
};

/** Per-alert values of the Kibana fields; the rest comes from the rule and the context. */
interface AlertValues {
  readonly id: string;
  readonly ancestors: readonly Ancestor[];
  readonly depth: number;
  readonly reason: string;
  readonly severity: Severity;
  readonly riskScore: number;
  readonly name: string;
  readonly originalTime?: string;
  /** `kibana.alert.original_event.*` of a source event. */
  readonly originalEvent?: Record<string, unknown>;
  readonly newTerms?: readonly unknown[];
}

/**
 * The alert fields that depend on the rule (and its uuid) alone, in the two runs where Kibana's field order
 * puts them: `before` from `kibana.alert.rule.rule_id` to `.parameters`, `after` the optional ones that follow
 * the event's `original_event` fields. Built and serialised once per rule: they are most of an alert's bytes
 * (parameters, threat, note), the same in every alert of the rule.
 */
interface RulePart {
  readonly before: Readonly<Record<string, unknown>>;
  readonly after: Readonly<Record<string, unknown>>;
  /**
   * Their JSON members as they stand in an alert's text, each with the comma before it (after: "" when
   * empty): spliced into alerts, and stored once per rule by the state.
   */
  readonly text: RuleFieldsText;
}

const RULE_PARTS = new WeakMap<Rule, Map<string, RulePart>>();

/** The JSON members of an object: its serialisation without the braces. */
const members = (o: Readonly<Record<string, unknown>>): string => JSON.stringify(o).slice(1, -1);

function rulePart(rule: Rule, ruleUuid: string): RulePart {
  let byUuid = RULE_PARTS.get(rule);
  if (byUuid === undefined) RULE_PARTS.set(rule, (byUuid = new Map()));
  const known = byUuid.get(ruleUuid);
  if (known !== undefined) return known;
  const info = RULE_TYPE_INFO[rule.type] ?? { category: rule.type, typeId: `siem.${rule.type}Rule` };
  const before: Record<string, unknown> = {
    "kibana.alert.rule.rule_id": rule.rule_id,
    "kibana.alert.rule.uuid": ruleUuid,
    "kibana.alert.rule.type": rule.type,
    "kibana.alert.rule.category": info.category,
    "kibana.alert.rule.rule_type_id": info.typeId,
    "kibana.alert.rule.producer": "siem",
    "kibana.alert.rule.consumer": "siem",
    "kibana.alert.rule.revision": 0,
    "kibana.alert.rule.description": rule.description,
    "kibana.alert.rule.author": rule.author,
    "kibana.alert.rule.references": rule.references,
    "kibana.alert.rule.false_positives": rule.false_positives,
    "kibana.alert.rule.threat": rule.threat,
    "kibana.alert.rule.tags": rule.tags,
    "kibana.alert.rule.severity": rule.severity,
    "kibana.alert.rule.risk_score": rule.risk_score,
    "kibana.alert.rule.severity_mapping": rule.severity_mapping,
    "kibana.alert.rule.risk_score_mapping": rule.risk_score_mapping,
    "kibana.alert.rule.from": rule.from,
    "kibana.alert.rule.to": rule.to,
    "kibana.alert.rule.interval": rule.interval,
    "kibana.alert.rule.max_signals": rule.max_signals,
    "kibana.alert.rule.indices": rule.index ?? [],
    "kibana.alert.rule.version": rule.version ?? 1,
    "kibana.alert.rule.immutable": false,
    "kibana.alert.rule.license": rule.license ?? "",
    "kibana.alert.rule.exceptions_list": rule.exceptions_list ?? [],
    "kibana.alert.rule.enabled": rule.enabled ?? true,
    "kibana.alert.rule.actions": [],
    "kibana.alert.rule.meta.from": rule.from,
    "kibana.alert.rule.parameters": ruleParameters(rule),
  };
  const after: Record<string, unknown> = {};
  if (rule.note !== undefined) after["kibana.alert.rule.note"] = rule.note;
  if (rule.building_block_type !== undefined) {
    after["kibana.alert.rule.building_block_type"] = rule.building_block_type;
    after["kibana.alert.building_block_type"] = rule.building_block_type;
  }
  if (rule.rule_name_override !== undefined) after["kibana.alert.rule.rule_name_override"] = rule.rule_name_override;
  if (rule.timestamp_override !== undefined) after["kibana.alert.rule.timestamp_override"] = rule.timestamp_override;
  if (rule.timeline_id !== undefined) after["kibana.alert.rule.timeline_id"] = rule.timeline_id;
  if (rule.timeline_title !== undefined) after["kibana.alert.rule.timeline_title"] = rule.timeline_title;
  const afterJson = members(after);
  const part: RulePart = { before, after, text: { before: `,${members(before)}`, after: afterJson === "" ? "" : `,${afterJson}`, ruleUuid } };
  byUuid.set(ruleUuid, part);
  return part;
}

/**
 * The flat `kibana.*` (and `@timestamp`, `event.kind`) fields of an alert (Kibana's buildAlertFields), in
 * its order: `head` (the execution's and this alert's), the rule part's `before`, `varying` (the event's
 * `original_event` fields, original time, new terms), the rule part's `after`. The four share no key.
 */
function alertFieldParts(rule: Rule, ctx: AlertContext, v: AlertValues): { head: Record<string, unknown>; part: RulePart; varying: Record<string, unknown> } {
  const now = new Date(ctx.now).toISOString();
  const head: Record<string, unknown> = {
    "@timestamp": now,
    "event.kind": "signal",
    "kibana.version": ctx.kibanaVersion,
    "kibana.space_ids": [ctx.spaceId],
    "kibana.alert.uuid": v.id,
    "kibana.alert.start": now,
    "kibana.alert.last_detected": now,
    "kibana.alert.intended_timestamp": now,
    "kibana.alert.status": "active",
    "kibana.alert.workflow_status": "open",
    "kibana.alert.workflow_tags": [],
    "kibana.alert.workflow_assignee_ids": [],
    "kibana.alert.depth": v.depth,
    "kibana.alert.ancestors": v.ancestors,
    "kibana.alert.reason": v.reason,
    "kibana.alert.severity": v.severity,
    "kibana.alert.risk_score": v.riskScore,
    "kibana.alert.rule.execution.type": ctx.executionType,
    "kibana.alert.rule.execution.uuid": ctx.executionUuid,
    "kibana.alert.rule.name": v.name,
  };
  const varying: Record<string, unknown> = { ...v.originalEvent };
  if (v.originalTime !== undefined) varying["kibana.alert.original_time"] = v.originalTime;
  if (v.newTerms !== undefined) varying["kibana.alert.new_terms"] = [...v.newTerms];
  return { head, part: rulePart(rule, ctx.ruleUuid), varying };
}

/**
 * The JSON texts of the rule's own fields in its alerts (each with its leading comma), the same strings for
 * every alert: the state stores them once per rule (state/sqlite.ts cutRuleFields).
 */
export function ruleFieldsText(rule: Rule, ruleUuid: string): RuleFieldsText {
  return rulePart(rule, ruleUuid).text;
}

/** The alert fields as one object, in Kibana's order. */
function alertFields(rule: Rule, ctx: AlertContext, v: AlertValues): Record<string, unknown> {
  const { head, part, varying } = alertFieldParts(rule, ctx, v);
  return Object.assign(head, part.before, varying, part.after);
}

/** Whether an object has an own key starting with `kibana.` (an alert read back as a source has them). */
function hasFlatKibanaKey(o: EventDoc): boolean {
  for (const k in o) if (k.startsWith("kibana.")) return true;
  return false;
}

/** An alert document and its JSON text (`JSON.stringify(doc)`, byte for byte). */
export interface BuiltAlert {
  readonly doc: EventDoc;
  readonly json: string;
  /** The JSON without the rule part's texts, as the state stores it (when they were spliced in). */
  readonly cut?: RuleFieldsCut;
}

/**
 * The alert document for `hit` (Kibana's transformHitToAlert): the source without `event.kind`, its
 * `event.*` as `kibana.alert.original_event.*`, and the alert fields. `newTerms` only for new_terms rules.
 * `ownsSource`: the caller made `hit._source` for this alert alone (parsed from the replay spill) and never
 * reads it again, so it becomes the alert in place instead of being deep-copied first. `applyOverrides`
 * false (EQL building blocks) keeps the rule's own severity, risk score and name.
 */
export function buildAlert(rule: Rule, hit: InputEvent, id: string, ctx: AlertContext, newTerms?: readonly unknown[], ownsSource = false, applyOverrides = true): EventDoc {
  return assembleAlert(rule, hit, id, ctx, newTerms, ownsSource, applyOverrides, false).doc;
}

/**
 * `buildAlert` with the document's JSON. The rule part's text is spliced in from its cache instead of
 * being serialised again; a source with flat `kibana.*` keys (whose places in the document Object.assign
 * keeps) is serialised whole.
 */
export function buildAlertWithJson(rule: Rule, hit: InputEvent, id: string, ctx: AlertContext, newTerms?: readonly unknown[], ownsSource = false): BuiltAlert {
  return assembleAlert(rule, hit, id, ctx, newTerms, ownsSource, true, true);
}

function assembleAlert(rule: Rule, hit: InputEvent, id: string, ctx: AlertContext, newTerms: readonly unknown[] | undefined, ownsSource: boolean, applyOverrides: boolean, withJson: boolean): BuiltAlert {
  const src = hit._source;
  // Read from the source before `event.kind` is removed (in place when owned).
  const origEvent = originalEvent(src);
  const orig = originalTime(src);
  const severity = applyOverrides ? alertSeverity(rule, src) : rule.severity;
  const riskScore = applyOverrides ? alertRiskScore(rule, src) : rule.risk_score;
  const name = applyOverrides ? alertRuleName(rule, src) : rule.name;
  const { ancestors, depth } = ancestry(hit);
  const alert: EventDoc = ownsSource ? dropEventKind(src) : dropEventKind(structuredClone(src));
  const spliceable = withJson && !hasFlatKibanaKey(alert);
  const { head, part, varying } = alertFieldParts(rule, ctx, { id, ancestors, depth, reason: buildReason(alert, severity, name), severity, riskScore, name, originalTime: orig, originalEvent: origEvent, newTerms });
  Object.assign(alert, head);
  // The source and head hold no key of the rule part or `varying` (no flat kibana.* key in the source),
  // so their text is the document's up to the rule part.
  const headJson = spliceable ? JSON.stringify(alert) : "";
  const doc = Object.assign(alert, part.before, varying, part.after);
  if (!withJson) return { doc, json: "" };
  if (!spliceable) return { doc, json: JSON.stringify(doc) };
  const varyingJson = members(varying);
  const start = headJson.slice(0, -1);
  const vary = varyingJson === "" ? "" : `,${varyingJson}`;
  const { before, after } = part.text;
  const json = `${start}${before}${vary}${after}}`;
  return { doc, json, cut: { of: json, fields: part.text, rest: `${start}${vary}}`, beforeAt: start.length, afterAt: after === "" ? null : start.length + vary.length } };
}

/** What the alerts table indexes of an alert besides its id, rule and times (state/sqlite.ts AlertRow). */
export interface AlertIndexFields {
  readonly ruleName: string;
  readonly severity: string;
  readonly host: string | null;
  readonly process: string | null;
  readonly file: string | null;
  readonly instanceId: string | null;
  readonly buildingBlock: boolean;
}

function firstString(doc: EventDoc, path: string): string | null {
  for (const v of getValues(doc, path)) if (typeof v === "string") return v;
  return null;
}

/** An alert document's AlertIndexFields. */
export function alertIndexFields(d: EventDoc): AlertIndexFields {
  return {
    ruleName: String(d["kibana.alert.rule.name"]),
    severity: String(d["kibana.alert.severity"]),
    host: firstString(d, "host.name"),
    process: firstString(d, "process.executable") ?? firstString(d, "process.name"),
    file: firstString(d, "file.path") ?? firstString(d, "file.name"),
    instanceId: typeof d["kibana.alert.instance.id"] === "string" ? d["kibana.alert.instance.id"] : null,
    buildingBlock: d["kibana.alert.building_block_type"] !== undefined && d["kibana.alert.building_block_type"] !== null,
  };
}

// ---- EQL sequences: building blocks and the shell alert (eql_alerts.md §3) ------------------------------

const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");

const ancestorsText = (list: readonly Ancestor[]): string => list.reduce((acc, a) => acc + a.id + a.index, "");

/** lodash `intersection`: the distinct values of `a` (SameValueZero) that `b` also holds, in `a`'s order. */
function arrayIntersection(a: readonly unknown[], b: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const x of a) if (b.includes(x) && !out.includes(x)) out.push(x);
  return out;
}

/**
 * Kibana's objectPairIntersection: keys both objects have; equal values kept, nested objects recursed,
 * arrays (a scalar against an array counts as a one-element array) intersected; other differing values
 * dropped. An object with no defined value left is undefined.
 */
export function objectPairIntersection(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (a === undefined || b === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, av] of Object.entries(a)) {
    if (!(key in b)) continue;
    const bv = b[key];
    if (isJsonObject(av) && isJsonObject(bv)) out[key] = objectPairIntersection(av, bv);
    else if (av === bv) out[key] = av;
    else if (Array.isArray(av) && Array.isArray(bv)) out[key] = arrayIntersection(av, bv);
    else if (Array.isArray(av)) out[key] = arrayIntersection(av, [bv]);
    else if (Array.isArray(bv)) out[key] = arrayIntersection([av], bv);
  }
  return Object.values(out).some((v) => v !== undefined) ? out : undefined;
}

/** The building-block ids of a sequence: each depends on every block's ancestors (generateBuildingBlockIds). */
export function buildingBlockIds(blockAncestors: readonly (readonly Ancestor[])[], ruleUuid: string): string[] {
  const base = blockAncestors.reduce((acc, anc) => acc + ancestorsText(anc) + ruleUuid, "");
  return blockAncestors.map((_, i) => sha256(base + String(i)));
}

export interface SequenceAlerts {
  readonly shell: { readonly id: string; readonly doc: EventDoc };
  readonly blocks: readonly { readonly id: string; readonly doc: EventDoc }[];
}

/**
 * The alerts of one EQL sequence, as Kibana's buildAlertGroupFromSequence builds them: one building block
 * per event (no severity/risk/name overrides; `building_block_type` "default"; `kibana.alert.group.id` =
 * the shell's id, `group.index` = its position) and the shell alert: the intersection of the blocks, depth
 * 2, the blocks as its signal ancestors, `original_time` the first block's `@timestamp`. Missing-event
 * placeholders are not events and get no block. `hits` must each be the caller's own (they become blocks).
 */
export function buildSequenceAlerts(rule: Rule, hits: readonly InputEvent[], ctx: AlertContext): SequenceAlerts {
  const base = hits.map((h) => buildAlert(rule, h, "placeholder-alert-uuid", ctx, undefined, true, false));
  const blockAncestors = base.map((b) => b["kibana.alert.ancestors"] as Ancestor[]);
  const ids = buildingBlockIds(blockAncestors, ctx.ruleUuid);
  base.forEach((b, i) => (b["kibana.alert.uuid"] = ids[i]));
  const merged = base.length === 0 ? {} : base.length === 1 ? base[0] : (base.slice(1).reduce<Record<string, unknown> | undefined>((acc, o) => objectPairIntersection(acc, o), base[0]) ?? {});
  const ancestors: Ancestor[] = [];
  let depth = 0;
  base.forEach((b, i) => {
    const bDepth = typeof b["kibana.alert.depth"] === "number" ? b["kibana.alert.depth"] : 1;
    ancestors.push(...blockAncestors[i], { id: ids[i], type: "signal", index: "", depth: bDepth, rule: ctx.ruleUuid });
    depth = Math.max(depth, bDepth);
  });
  const shellId = sha256(ancestorsText(ancestors) + ctx.ruleUuid);
  const firstTs = base[0]?.["@timestamp"];
  const fields = alertFields(rule, ctx, {
    id: shellId,
    ancestors,
    depth: depth + 1,
    reason: buildReason(merged, rule.severity, rule.name),
    severity: rule.severity,
    riskScore: rule.risk_score,
    name: rule.name,
    originalTime: typeof firstTs === "string" ? firstTs : undefined,
  });
  fields["kibana.alert.group.id"] = shellId;
  const shell: EventDoc = { ...structuredClone(merged), ...fields };
  const blocks = base.map((b, i) => {
    b["kibana.alert.building_block_type"] = "default";
    b["kibana.alert.group.id"] = shellId;
    b["kibana.alert.group.index"] = i;
    return { id: ids[i], doc: b };
  });
  return { shell: { id: shellId, doc: shell }, blocks };
}

/** The event an alert was built from: the alert's own fields less Kibana's, with the event's own time and kind. */
export function alertEvent(doc: Record<string, unknown>): EventDoc {
  const out: EventDoc = {};
  for (const [k, v] of Object.entries(doc)) if (!k.startsWith("kibana.") && k !== "@timestamp" && k !== "event.kind") out[k] = v as EventDoc[string];
  if (typeof doc["kibana.alert.original_time"] === "string") out["@timestamp"] = doc["kibana.alert.original_time"];
  // the alert drops the event's event.kind (it says "signal"); its original is kept aside
  const kind = doc["kibana.alert.original_event.kind"];
  if (kind !== undefined) {
    const ev = out.event;
    if (typeof ev === "object" && ev !== null && !Array.isArray(ev)) out.event = { ...ev, kind: kind as EventDoc[string] };
    else out["event.kind"] = kind as EventDoc[string];
  }
  return out;
}
