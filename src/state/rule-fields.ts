// An alert's rule fields as text: most of an alert's JSON is its rule's own fields, the same in every alert of
// the rule. The state stores each alert without them and the rule's texts once (sqlite.ts); the alert's
// builder can say where it put them (engine/alert.ts), and the NDJSON sinks copy their encoded bytes there.

/**
 * The texts of a rule's fields in its alerts' JSON (each run of members with its leading comma; `after`
 * may be ""), stored once per rule instead of in every alert (engine/alert.ts builds them once per rule).
 */
export interface RuleFieldsText {
  readonly before: string;
  readonly after: string;
  readonly ruleUuid: string;
}

/**
 * `doc` without the rule's texts, and where they were: `before` cut first, `after` searched after it in
 * what is left. Putting them back at those places (after first) gives `doc` again whichever occurrence
 * was cut, so an event that happened to hold the same text could not change the document read back.
 * Undefined when `doc` does not hold them (a document built otherwise).
 */
export function cutRuleFields(doc: string, text: RuleFieldsText): { rest: string; beforeAt: number; afterAt: number | null } | undefined {
  const beforeAt = doc.indexOf(text.before);
  if (text.before === "" || beforeAt < 0) return undefined;
  let rest = doc.slice(0, beforeAt) + doc.slice(beforeAt + text.before.length);
  if (text.after === "") return { rest, beforeAt, afterAt: null };
  const afterAt = rest.indexOf(text.after, beforeAt);
  if (afterAt < 0) return undefined;
  rest = rest.slice(0, afterAt) + rest.slice(afterAt + text.after.length);
  return { rest, beforeAt, afterAt };
}

/**
 * A document already cut by its builder (engine/alert.ts knows where it put the rule's texts): what
 * cutRuleFields(of, fields) would store, without searching. Used only for the document `of` and the texts
 * `fields` it was made for.
 */
export interface RuleFieldsCut {
  readonly of: string;
  readonly fields: RuleFieldsText;
  readonly rest: string;
  readonly beforeAt: number;
  readonly afterAt: number | null;
}

/**
 * The runs of a cut document around its rule's texts: up to `before`, between `before` and `after`, and
 * the rest (empty when there is no `after`). The texts go back between them (restoreRuleFields; the NDJSON
 * sinks write their bytes there).
 */
export function cutRuns(rest: string, beforeAt: number, afterAt: number | null): readonly [string, string, string] {
  const at = afterAt ?? rest.length;
  return [rest.slice(0, beforeAt), rest.slice(beforeAt, at), rest.slice(at)];
}

/** The document `cutRuleFields` cut. */
export function restoreRuleFields(rest: string, beforeAt: number, afterAt: number | null, text: Pick<RuleFieldsText, "before" | "after">): string {
  const [head, middle, tail] = cutRuns(rest, beforeAt, afterAt);
  return head + text.before + middle + (afterAt === null ? "" : text.after) + tail;
}
