// When two loaded rules are "the same rule" (issue 2: the one-line seed must load to the canonical seed's
// model). The model keeps text as written; a file that lost its newlines cannot know where prose lines
// were wrapped, so equality compares prose fields (description, note, setup, false_positives) and KQL
// query text with whitespace runs collapsed — outside quoted KQL strings only, where whitespace matters.
import type { Rule } from "./model.js";

/** Collapses each whitespace run to one space and trims: line wrapping in prose carries no meaning. */
export function normalizeProse(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Collapses whitespace between KQL tokens, keeping quoted strings (and their escapes) byte for byte. */
export function normalizeKqlWhitespace(query: string): string {
  let out = "";
  let i = 0;
  while (i < query.length) {
    const c = query[i];
    if (c === '"') {
      let j = i + 1;
      while (j < query.length && query[j] !== '"') j += query[j] === "\\" ? 2 : 1;
      out += query.slice(i, j + 1);
      i = j + 1;
    } else if (/\s/.test(c)) {
      while (i < query.length && /\s/.test(query[i])) i++;
      out += " ";
    } else {
      out += c;
      i++;
    }
  }
  return out.trim();
}

/** The rule without its origin, prose and KQL whitespace normalised: equal for the same rule however it was written. */
export function comparableRule(rule: Rule): Omit<Rule, "origin"> {
  const { origin: _origin, ...rest } = rule;
  const out: { -readonly [K in keyof Omit<Rule, "origin">]: Rule[K] } = { ...rest, description: normalizeProse(rule.description) };
  if (rule.note !== undefined) out.note = normalizeProse(rule.note);
  if (rule.setup !== undefined) out.setup = normalizeProse(rule.setup);
  out.false_positives = rule.false_positives.map(normalizeProse);
  if (rule.query !== undefined && rule.language === "kuery") out.query = normalizeKqlWhitespace(rule.query);
  return out;
}
