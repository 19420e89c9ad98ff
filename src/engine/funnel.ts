// A rule's funnel: how the events of one run thinned out on their way to alerts — read, matched by the
// query (within the rule's index patterns), with a usable time and the fields the rule type needs, inside an
// execution's window, bringing a new term (new_terms), and alerted — and, when nothing came out, the one
// step that stopped everything, in a few words. The run summary prints it; the state keeps each rule's
// latest for `tern report`.

import type { RuleRunSummary, RunSummary } from "./run.js";
import type { FunnelRow } from "../state/sqlite.js";

export interface FunnelStep {
  readonly step: string;
  readonly count: number;
}

/** Why a rule made no alert, from its counters, in a few words. */
export function whyNoAlert(r: RuleRunSummary): string {
  if (r.matched === 0 && r.noTime > 0) return "none of the events it matched has a usable time";
  if (r.matched === 0) return r.notSelected > 0 ? "its index patterns select none of the events its query matched" : "no event matched its query";
  if (r.usable === 0) return "none of the events it matched has the fields it needs (its new-terms or threshold fields)";
  if (r.inWindow === 0 && r.executions > 0) return "none of its events fell inside an execution's window (--start/--end decide the executions)";
  if (r.type === "new_terms" && r.inWindow > 0 && r.withNewTerm === 0) return "every term its events carried was already in its history (none new)";
  if (r.duplicates > 0) return "every alert it found was already stored";
  return "the events it matched made no alert (their new terms already known, no threshold reached, no sequence completed)";
}

/** Every step a funnel can have, in order (a rule type without new terms has no "with a new term"). */
export const FUNNEL_STEPS = ["events read", "matched the query", "usable (time and fields)", "in an execution's window", "with a new term", "alerts"] as const;

/** The funnel's steps in order, from the events the run read. */
export function funnelSteps(r: RuleRunSummary, eventsRead: number): FunnelStep[] {
  const [read, matched, usable, inWindow, withNewTerm, alerts] = FUNNEL_STEPS;
  const steps: FunnelStep[] = [
    { step: read, count: eventsRead },
    { step: matched, count: r.matched + r.noTime },
    { step: usable, count: r.usable },
    { step: inWindow, count: r.inWindow },
  ];
  if (r.type === "new_terms") steps.push({ step: withNewTerm, count: r.withNewTerm });
  steps.push({ step: alerts, count: r.alerts });
  return steps;
}

/** What the state keeps of a rule's funnel (the JSON of a FunnelRow). */
export interface StoredFunnel {
  readonly steps: readonly FunnelStep[];
  readonly duplicates: number;
  readonly suppressed: number;
  readonly notSelected: number;
  /** Why it made no alert; null when it made some. */
  readonly why: string | null;
}

/**
 * The events a run read, for the funnel's first step: the lines that were not bad. The byte prefilter's
 * skipped lines were read too (it skips only lines no rule can match).
 */
export function eventsRead(s: RunSummary): number {
  return s.stats.lines - s.stats.bad;
}

/** One rule's funnel of a run that read `read` events, with why it made no alert. */
export function ruleFunnel(r: RuleRunSummary, read: number): StoredFunnel {
  return { steps: funnelSteps(r, read), duplicates: r.duplicates, suppressed: r.suppressed, notSelected: r.notSelected, why: r.alerts === 0 ? whyNoAlert(r) : null };
}

/** Each rule's funnel of a finished run, as the state stores it. */
export function funnelRows(s: RunSummary, ranAt: number): FunnelRow[] {
  const read = eventsRead(s);
  return s.rules.map((r) => ({ ruleId: r.ruleId, ranAt, name: r.name, type: r.type, funnel: JSON.stringify(ruleFunnel(r, read)) }));
}
