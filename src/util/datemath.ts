// Elastic date math with an injectable clock (issue 2 "datemath"; new_terms.md §1.1, §2): `now`, `now-9m`,
// chains such as `now-1d/d`, rounding `/unit` (down, or up with `roundUp`), absolute ISO dates and
// `<iso>||<math>`; plus `parseDuration` for rule intervals ("5m"). Everything is computed in UTC.
// Units follow Elastic: y M w d h H m s (M = month, m = minute, h/H = hour), plus ms.

/** Bad date math or duration text; `offset` is the 0-based place in the text where it goes wrong. */
export class DateMathError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly text: string,
  ) {
    super(message);
    this.name = "DateMathError";
  }
}

type Unit = "y" | "M" | "w" | "d" | "h" | "m" | "s" | "ms";

const UNIT_ALIASES: Readonly<Record<string, Unit>> = { y: "y", M: "M", w: "w", d: "d", h: "h", H: "h", m: "m", s: "s", ms: "ms" };

const FIXED_MS: Readonly<Record<"w" | "d" | "h" | "m" | "s" | "ms", number>> = {
  w: 7 * 86_400_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
};

function assertNever(x: never): never {
  throw new Error(`unexpected value ${String(x)}`);
}

function daysInMonth(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

/** Adds `n` calendar months, clamping the day to the target month's length (as Kibana's moment does). */
function addMonths(t: number, n: number): number {
  const d = new Date(t);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + n;
  const year = Math.floor(total / 12);
  const month0 = total - year * 12;
  const day = Math.min(d.getUTCDate(), daysInMonth(year, month0));
  return Date.UTC(year, month0, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

function add(t: number, n: number, unit: Unit): number {
  switch (unit) {
    case "y":
      return addMonths(t, 12 * n);
    case "M":
      return addMonths(t, n);
    case "w":
    case "d":
    case "h":
    case "m":
    case "s":
    case "ms":
      return t + n * FIXED_MS[unit];
    default:
      return assertNever(unit);
  }
}

/** Start of the unit containing `t`. Weeks start on Sunday, as in Kibana's server-side moment ("en" locale). */
function startOf(t: number, unit: Unit): number {
  const d = new Date(t);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth();
  const day = d.getUTCDate();
  switch (unit) {
    case "y":
      return Date.UTC(y, 0, 1);
    case "M":
      return Date.UTC(y, mo, 1);
    case "w":
      return Date.UTC(y, mo, day - d.getUTCDay());
    case "d":
      return Date.UTC(y, mo, day);
    case "h":
      return Date.UTC(y, mo, day, d.getUTCHours());
    case "m":
      return Date.UTC(y, mo, day, d.getUTCHours(), d.getUTCMinutes());
    case "s":
      return Date.UTC(y, mo, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
    case "ms":
      return t;
    default:
      return assertNever(unit);
  }
}

/** Last millisecond of the unit containing `t`. */
function endOf(t: number, unit: Unit): number {
  return add(startOf(t, unit), 1, unit) - 1;
}

const ISO_RE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Parses an absolute ISO 8601 date (date only, or date-time with optional zone; no zone = UTC). */
function parseIso(text: string, base: number, full: string): number {
  const m = ISO_RE.exec(text);
  if (!m) {
    throw new DateMathError(
      `invalid date "${text}": expected "now" with optional math (e.g. "now-9m") or an ISO 8601 date (e.g. "2024-01-31T12:00:00Z")`,
      base,
      full,
    );
  }
  const [, ys, mos, ds, hs, mis, ss, frac, zone] = m;
  const year = Number(ys);
  const month = mos === undefined ? 1 : Number(mos);
  const day = ds === undefined ? 1 : Number(ds);
  const hour = hs === undefined ? 0 : Number(hs);
  const minute = mis === undefined ? 0 : Number(mis);
  const second = ss === undefined ? 0 : Number(ss);
  const ms = frac === undefined ? 0 : Number(frac.padEnd(3, "0").slice(0, 3));
  const bad = (what: string, at: number): never => {
    throw new DateMathError(`invalid date "${text}": ${what}`, base + at, full);
  };
  if (month < 1 || month > 12) bad(`month ${mos ?? ""} out of range 01-12`, 5);
  if (day < 1 || day > daysInMonth(year, month - 1)) bad(`day ${ds ?? ""} out of range for ${ys}-${mos ?? ""}`, 8);
  // 24:00:00 is ISO's "end of day"; anything else past 23:59:59 is wrong.
  if (hour > 24 || (hour === 24 && (minute !== 0 || second !== 0 || ms !== 0))) bad(`hour ${hs ?? ""} out of range`, 11);
  if (minute > 59) bad(`minute ${mis ?? ""} out of range`, 14);
  if (second > 59) bad(`second ${ss ?? ""} out of range`, 17);
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  d.setUTCFullYear(year, month - 1, day);
  let t = d.getTime();
  if (zone !== undefined && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const zh = Number(digits.slice(0, 2));
    const zm = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (zh > 23 || zm > 59) bad(`time zone offset ${zone} out of range`, text.length - zone.length);
    t -= sign * (zh * 3_600_000 + zm * 60_000);
  }
  return t;
}

/** Applies a math chain (`-1d/d+2h`) that starts at `base` in `full`. */
function applyMath(full: string, base: number, time: number, roundUp: boolean): number {
  let t = time;
  let i = base;
  while (i < full.length) {
    const opAt = i;
    const op = full[i++];
    if (op !== "+" && op !== "-" && op !== "/") {
      throw new DateMathError(`unexpected "${op}" in date math: expected "+", "-" or "/"`, opAt, full);
    }
    const numAt = i;
    while (i < full.length && full[i] >= "0" && full[i] <= "9") i++;
    const digits = full.slice(numAt, i);
    if (op === "/" && digits !== "") {
      throw new DateMathError(`rounding takes a unit without a number, e.g. "/d", not "/${digits}…"`, numAt, full);
    }
    const n = digits === "" ? 1 : Number(digits);
    if (!Number.isSafeInteger(n)) throw new DateMathError(`number ${digits} is too large`, numAt, full);
    const unitAt = i;
    while (i < full.length && /[A-Za-z]/.test(full[i])) i++;
    const unitText = full.slice(unitAt, i);
    const unit = Object.prototype.hasOwnProperty.call(UNIT_ALIASES, unitText) ? UNIT_ALIASES[unitText] : undefined;
    if (unit === undefined) {
      const what = unitText === "" ? (i < full.length ? `"${full[i]}"` : "end of text") : `"${unitText}"`;
      throw new DateMathError(
        `expected a time unit (y, M, w, d, h, H, m, s, ms) after "${full.slice(opAt, unitAt)}" but found ${what}`,
        unitAt,
        full,
      );
    }
    if (op === "/") t = roundUp ? endOf(t, unit) : startOf(t, unit);
    else t = add(t, op === "+" ? n : -n, unit);
    if (!Number.isFinite(t) || Math.abs(t) > 8.64e15) throw new DateMathError("date math result is out of range", opAt, full);
  }
  return t;
}

/**
 * Parses Elastic date math against the clock `now` (epoch ms) and returns epoch ms.
 * `roundUp` makes `/unit` round to the unit's last millisecond (Kibana uses it for range ends).
 */
export function parseDateMath(text: string, now: number, opts: { roundUp?: boolean } = {}): number {
  const roundUp = opts.roundUp ?? false;
  if (text.trim() === "") throw new DateMathError("empty date math", 0, text);
  if (text.startsWith("now")) return applyMath(text, 3, now, roundUp);
  const sep = text.indexOf("||");
  const datePart = sep < 0 ? text : text.slice(0, sep);
  const anchor = parseIso(datePart, 0, text);
  if (sep < 0) return anchor;
  return applyMath(text, sep + 2, anchor, roundUp);
}

const DURATION_UNITS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a rule interval ("30s", "5m", "1h", "1d") to milliseconds; a positive integer and one unit. */
export function parseDuration(text: string): number {
  const m = /^([0-9]+)([A-Za-z]*)$/.exec(text);
  if (!m) {
    const at = /^[0-9]*/.exec(text)?.[0].length ?? 0;
    throw new DateMathError(`invalid duration "${text}": expected a whole number and a unit s, m, h or d (e.g. "5m")`, at, text);
  }
  const [, digits, unit] = m;
  const factor = DURATION_UNITS[unit];
  if (factor === undefined || !Object.prototype.hasOwnProperty.call(DURATION_UNITS, unit)) {
    throw new DateMathError(
      `invalid duration "${text}": ${unit === "" ? "missing unit" : `unknown unit "${unit}"`}; use s, m, h or d (e.g. "5m")`,
      digits.length,
      text,
    );
  }
  const n = Number(digits);
  if (n === 0) throw new DateMathError(`invalid duration "${text}": must be greater than zero`, 0, text);
  if (!Number.isSafeInteger(n * factor)) throw new DateMathError(`invalid duration "${text}": too large`, 0, text);
  return n * factor;
}
