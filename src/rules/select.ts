// Choosing rules from what was loaded: by tag, MITRE tactic or technique, severity, type and name, the way a
// detection engineer narrows Elastic's content to the part under test. Values of one criterion are
// alternatives; criteria combine (a rule must meet each one given). Rules whose `[metadata] maturity` is
// "deprecated" or "development" are left out unless asked for, as detection-rules itself does when it
// builds a release.

import { matchSegment } from "../util/glob.js";
import type { LoadedRule, LoadResult } from "./load.js";
import type { Rule } from "./model.js";

export interface RuleSelection {
  readonly tags?: readonly string[];
  /** Tactic ids (TA0002) or names (Execution). */
  readonly tactics?: readonly string[];
  /** Technique or sub-technique ids (T1059 takes its sub-techniques too) or names. */
  readonly techniques?: readonly string[];
  readonly severities?: readonly string[];
  readonly types?: readonly string[];
  /** A glob over the rule's name: `*` any run of characters, `?` one; case is ignored. */
  readonly name?: string;
  readonly includeDeprecated?: boolean;
}

export interface Selected {
  readonly result: LoadResult;
  /** Rules left out for their maturity. */
  readonly deprecated: number;
  /** Rules left out by the criteria. */
  readonly unselected: number;
}

const NOT_RELEASED = new Set(["deprecated", "development"]);

const fold = (s: string) => s.toLowerCase();

function anyOf(wanted: readonly string[] | undefined, have: readonly string[]): boolean {
  if (wanted === undefined || wanted.length === 0) return true;
  const set = new Set(have.map(fold));
  return wanted.some((w) => set.has(fold(w)));
}

function techniques(rule: Rule): { ids: string[]; names: string[] } {
  const ids: string[] = [];
  const names: string[] = [];
  for (const t of rule.threat) {
    for (const te of t.technique ?? []) {
      ids.push(te.id);
      names.push(te.name);
      for (const st of te.subtechnique ?? []) {
        ids.push(st.id);
        names.push(st.name);
      }
    }
  }
  return { ids, names };
}

/** Does the rule meet every criterion given? (Maturity is not a criterion: see selectRules.) */
export function meetsSelection(rule: Rule, sel: RuleSelection): boolean {
  if (!anyOf(sel.tags, rule.tags)) return false;
  if (!anyOf(sel.severities, [rule.severity])) return false;
  if (!anyOf(sel.types, [rule.type])) return false;
  if (sel.tactics !== undefined && sel.tactics.length > 0 && !anyOf(sel.tactics, rule.threat.flatMap((t) => [t.tactic.id, t.tactic.name]))) return false;
  if (sel.techniques !== undefined && sel.techniques.length > 0) {
    const { ids, names } = techniques(rule);
    // T1059 names the technique and every T1059.xxx under it
    const byId = sel.techniques.some((w) => ids.some((id) => fold(id) === fold(w) || fold(id).startsWith(`${fold(w)}.`)));
    if (!byId && !anyOf(sel.techniques, names)) return false;
  }
  if (sel.name !== undefined && !matchSegment(fold(sel.name), fold(rule.name))) return false;
  return true;
}

/** Whether any criterion is given (maturity aside). */
export function hasCriteria(sel: RuleSelection): boolean {
  return [sel.tags, sel.tactics, sel.techniques, sel.severities, sel.types].some((x) => x !== undefined && x.length > 0) || sel.name !== undefined;
}

/** The loaded rules the selection takes; the diagnostics of rules it leaves out go with them. */
export function selectRules(result: LoadResult, sel: RuleSelection): Selected {
  const kept: LoadedRule[] = [];
  const dropped = new Set<object>();
  let deprecated = 0;
  let unselected = 0;
  for (const lr of result.rules) {
    const maturity = lr.rule.metadata.maturity;
    if (sel.includeDeprecated !== true && typeof maturity === "string" && NOT_RELEASED.has(maturity)) {
      deprecated++;
      for (const d of lr.diagnostics) dropped.add(d);
    } else if (!meetsSelection(lr.rule, sel)) {
      unselected++;
      for (const d of lr.diagnostics) dropped.add(d);
    } else {
      kept.push(lr);
    }
  }
  if (deprecated === 0 && unselected === 0) return { result, deprecated, unselected };
  return { result: { ...result, rules: kept, diagnostics: result.diagnostics.filter((d) => !dropped.has(d)) }, deprecated, unselected };
}
