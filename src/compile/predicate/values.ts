// Leaf-value parsing for KQL evaluation (docs/kql.md §7.2, §7.3, §7.6): KQL's decimal-number form, IPv4/
// IPv6 addresses and CIDR networks, ISO-8601 instants (with their precision, for Elasticsearch's date
// rounding), and the text analyser of analyzer.ts with the phrase test built on it. Pure functions shared
// by the compiled predicate and the reference interpreter; the clause logic built on them lives in each of
// those separately.

import { parseDateMath } from "../../util/datemath.js";
import { compileWildcard } from "../../util/wildcard.js";
import { analyze, lowerCase } from "./analyzer.js";

/** §7.2: the only number syntax a query value may use to equal a numeric leaf. */
const NUMERIC_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function parseKqlNumber(text: string): number | undefined {
  return NUMERIC_RE.test(text) ? Number(text) : undefined;
}

// ---- IP addresses ---------------------------------------------------------------------------------

/** An address as 16 bytes (IPv4 mapped into ::ffff:0:0/96, as Elasticsearch stores it). */
export type IpBytes = Uint8Array;

function parseIpv4(s: string, out: Uint8Array, at: number): boolean {
  const parts = s.split(".");
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^\d{1,3}$/.test(p)) return false;
    const n = Number(p);
    if (n > 255) return false;
    out[at + i] = n;
  }
  return true;
}

/** Parses an IPv4 or IPv6 address (no zone id, no brackets) into 16 bytes. */
export function parseIp(s: string): IpBytes | undefined {
  const out = new Uint8Array(16);
  if (s.includes(":")) {
    const dbl = s.indexOf("::");
    if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) return undefined;
    const headText = dbl >= 0 ? s.slice(0, dbl) : s;
    const tailText = dbl >= 0 ? s.slice(dbl + 2) : "";
    const head = headText === "" ? [] : headText.split(":");
    const tail = tailText === "" ? [] : tailText.split(":");
    const groups: number[] = [];
    const push = (list: string[], isLast: boolean): boolean => {
      for (let i = 0; i < list.length; i++) {
        const g = list[i];
        if (isLast && i === list.length - 1 && g.includes(".")) {
          const v4 = new Uint8Array(4);
          if (!parseIpv4(g, v4, 0)) return false;
          groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
        } else {
          if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
          groups.push(parseInt(g, 16));
        }
      }
      return true;
    };
    if (!push(head, dbl < 0)) return undefined;
    const headCount = groups.length;
    if (!push(tail, true)) return undefined;
    const tailCount = groups.length - headCount;
    if (dbl < 0 ? groups.length !== 8 : groups.length > 7) return undefined;
    const filled = [...groups.slice(0, headCount), ...new Array<number>(8 - groups.length).fill(0), ...groups.slice(headCount, headCount + tailCount)];
    for (let i = 0; i < 8; i++) {
      out[2 * i] = filled[i] >> 8;
      out[2 * i + 1] = filled[i] & 0xff;
    }
    return out;
  }
  out[10] = 0xff;
  out[11] = 0xff;
  return parseIpv4(s, out, 12) ? out : undefined;
}

export interface Cidr {
  readonly net: IpBytes;
  /** Prefix length in the 128-bit space. */
  readonly bits: number;
}

/** Parses `addr/len` (len ≤ 32 for IPv4, ≤ 128 for IPv6). */
export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf("/");
  if (slash < 0) return undefined;
  const lenText = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return undefined;
  const addrText = s.slice(0, slash);
  const net = parseIp(addrText);
  if (net === undefined) return undefined;
  const v4 = !addrText.includes(":");
  const len = Number(lenText);
  if (len > (v4 ? 32 : 128)) return undefined;
  return { net, bits: v4 ? len + 96 : len };
}

export function ipInCidr(ip: IpBytes, cidr: Cidr): boolean {
  const full = cidr.bits >> 3;
  for (let i = 0; i < full; i++) if (ip[i] !== cidr.net[i]) return false;
  const rest = cidr.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (ip[full] & mask) === (cidr.net[full] & mask);
}

export function compareIp(a: IpBytes, b: IpBytes): number {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

// ---- dates ----------------------------------------------------------------------------------------

/** §7.3's ISO-8601 form: date, optional time to any precision, optional zone. */
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

export type DatePrecision = "d" | "m" | "s" | "ms";

export interface Instant {
  /** Epoch milliseconds of the first instant the text denotes. */
  readonly t: number;
  /** Epoch milliseconds of the last instant it denotes (its precision rounded up), for date-field equality and ranges. */
  readonly end: number;
  readonly hasZone: boolean;
}

const PRECISION_MS: Readonly<Record<DatePrecision, number>> = { d: 86_400_000, m: 60_000, s: 1_000, ms: 1 };

/** Offset of `tz` from UTC in ms at instant `t`: "UTC", "Z", "±hh:mm" or an IANA zone ("Browser" = this process's zone). */
export function zoneOffsetMs(tz: string, t: number): number | undefined {
  if (tz === "UTC" || tz === "Z" || tz === "GMT") return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(tz);
  if (m) return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3_600_000 + Number(m[3]) * 60_000);
  const zone = tz === "Browser" ? Intl.DateTimeFormat().resolvedOptions().timeZone : tz;
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
  } catch {
    return undefined;
  }
  const parts: Record<string, number> = {};
  for (const p of fmt.formatToParts(new Date(t))) if (p.type !== "literal") parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return asUtc - (t - (((t % 1000) + 1000) % 1000));
}

/**
 * Parses an ISO-8601 date or date-time. Text without a zone is read in `tz` (default UTC); `end` is the last
 * millisecond of the text's precision (`2024-02-28` → the end of that day).
 */
export function parseIsoInstant(text: string, tz?: string): Instant | undefined {
  const m = ISO_RE.exec(text);
  if (!m) return undefined;
  const [, ys, mos, ds, hs, mis, ss, frac, zone] = m;
  const month = Number(mos);
  const day = Number(ds);
  const hour = hs === undefined ? 0 : Number(hs);
  const minute = mis === undefined ? 0 : Number(mis);
  const second = ss === undefined ? 0 : Number(ss);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = frac === undefined ? 0 : Number(frac.padEnd(3, "0").slice(0, 3));
  const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  d.setUTCFullYear(Number(ys), month - 1, day);
  if (d.getUTCDate() !== day) return undefined;
  let t = d.getTime();
  if (zone !== undefined && zone !== "Z") {
    const digits = zone.slice(1).replace(":", "");
    t -= (zone[0] === "-" ? -1 : 1) * (Number(digits.slice(0, 2)) * 3_600_000 + Number(digits.slice(2, 4)) * 60_000);
  } else if (zone === undefined && tz !== undefined) {
    const off = zoneOffsetMs(tz, t);
    if (off !== undefined) t -= zoneOffsetMs(tz, t - off) ?? off;
  }
  const precision: DatePrecision = hs === undefined ? "d" : ss === undefined ? "m" : frac === undefined ? "s" : "ms";
  return { t, end: t + PRECISION_MS[precision] - 1, hasZone: zone !== undefined };
}

/** Resolves `now…` date math against the clock; undefined when the text is not date math or is malformed. */
export function resolveDateMath(text: string, now: number, roundUp: boolean): number | undefined {
  if (!text.startsWith("now")) return undefined;
  try {
    return parseDateMath(text, now, { roundUp });
  } catch {
    return undefined;
  }
}

/** Epoch-millisecond digits, which Elasticsearch date fields accept besides ISO text. */
export function parseEpochMillis(text: string): number | undefined {
  return /^-?\d{1,16}$/.test(text) ? Number(text) : undefined;
}

// ---- text analysis (§7.6) ---------------------------------------------------------------------------

export { analyze } from "./analyzer.js";

/**
 * A wildcard value on a text field, read as the query_string query Kibana sends for it reads it:
 * whitespace separates terms and any term may match (`*S3 Browser*` is `*s3` or `browser*`); a term
 * with a `*` matches a token (lower-cased as the analyzer's normaliser does), a term without one any of
 * its analysed tokens. `segments` are the text between the wildcards. Answers a leaf's tokens.
 */
export function textWildcard(segments: readonly string[]): (tokens: readonly string[]) => boolean {
  const terms: string[][] = [];
  let term: string[] = [""];
  const close = () => {
    if (term.length > 1 || term[0] !== "") terms.push(term);
    term = [""];
  };
  segments.forEach((seg, i) => {
    for (const ch of seg) {
      if (/\s/.test(ch)) close();
      else term[term.length - 1] += ch;
    }
    if (i < segments.length - 1) term.push("");
  });
  close();
  const tests = terms.map((t): ((tokens: readonly string[]) => boolean) => {
    if (t.length > 1) {
      const m = compileWildcard(t.map(lowerCase));
      return (tokens) => tokens.some((tok) => m(tok));
    }
    const want = analyze(t[0]);
    return (tokens) => want.some((w) => tokens.includes(w));
  });
  return (tokens) => tests.some((t) => t(tokens));
}

/**
 * Do the `needle` tokens occur consecutively, in order, in `hay`? (match_phrase) The standard analyzer
 * gives every token the next position, the pieces of an over-long word too, so list order is position.
 */
export function containsPhrase(hay: readonly string[], needle: readonly string[]): boolean {
  if (needle.length === 0) return false;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
