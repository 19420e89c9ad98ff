// One audit.log line → an AuditRecord (docs/sources.md §3.1, §7.2): the optional `node=` prefix, the
// record type, the `msg=audit(EPOCH.mmm:SERIAL):` stamp, the raw key=value fields and, for
// log_format=ENRICHED, the upper-case interpretations after the 0x1D separator (or, when a forwarder
// turned the separator into a space, any all-upper-case key). Values keep whether they were quoted,
// because auditd's rule is "quoted means literal, unquoted may be hex".

export interface AuditValue {
  readonly text: string;
  readonly quoted: boolean;
}

export interface AuditRecord {
  readonly node?: string;
  readonly type: string;
  /** Epoch milliseconds from the stamp. */
  readonly timeMs: number;
  /** The stamp's time text as written ("1795835242.816"), part of the grouping key. */
  readonly stamp: string;
  readonly serial: number;
  readonly fields: ReadonlyMap<string, AuditValue>;
  readonly enriched: ReadonlyMap<string, string>;
  /** Field names in line order (EXECVE arguments are read in this order). */
  readonly order: readonly string[];
}

export class MalformedRecordError extends Error {}

const GS = "\x1d";
const HEADER = /^(?:node=(\S+) )?type=(\S+) msg=audit\((\d+)(?:\.(\d+))?:(\d+)\):?/;

function isUpperKey(k: string): boolean {
  return /^[A-Z][A-Z0-9_]*$/.test(k);
}

/** Parses `key=value` pairs; value is "quoted", 'single-quoted', {braced} or a bare token. */
function parsePairs(s: string, sink: (key: string, v: AuditValue) => void): void {
  let i = 0;
  const n = s.length;
  while (i < n) {
    while (i < n && s.charCodeAt(i) === 32) i++;
    if (i >= n) break;
    let j = i;
    while (j < n && s[j] !== "=" && s[j] !== " ") j++;
    if (j >= n || s[j] === " ") {
      // A bare word without "=" (e.g. "user" in "type=USER_CMD msg=…: user pid=…"): no field.
      i = j;
      continue;
    }
    const key = s.slice(i, j);
    j++;
    const c = s[j];
    if (c === '"' || c === "'") {
      const close = s.indexOf(c, j + 1);
      if (close < 0) throw new MalformedRecordError(`unterminated quoted value for "${key}"`);
      sink(key, { text: s.slice(j + 1, close), quoted: true });
      i = close + 1;
    } else if (c === "{") {
      const close = s.indexOf("}", j + 1);
      if (close < 0) throw new MalformedRecordError(`unterminated {…} value for "${key}"`);
      sink(key, { text: s.slice(j, close + 1), quoted: true });
      i = close + 1;
    } else {
      let k = j;
      while (k < n && s.charCodeAt(k) !== 32) k++;
      sink(key, { text: s.slice(j, k), quoted: false });
      i = k;
    }
  }
}

export interface ParseAuditRecordOptions {
  /** Parse the key=value fields only for record types this accepts (the header is always checked). */
  readonly fieldsFor?: (type: string) => boolean;
}

const EMPTY_FIELDS: ReadonlyMap<string, AuditValue> = new Map();
const EMPTY_ENRICHED: ReadonlyMap<string, string> = new Map();

export function parseAuditRecord(line: string, opts: ParseAuditRecordOptions = {}): AuditRecord {
  const m = HEADER.exec(line);
  if (m === null) throw new MalformedRecordError("not an audit record (expected \"type=… msg=audit(EPOCH:SERIAL):\")");
  const [, node, type, secs, frac, serialText] = m;
  const fracText = (frac ?? "").slice(0, 3).padEnd(3, "0");
  const timeMs = Number(secs) * 1000 + Number(fracText);
  const serial = Number(serialText);
  if (!Number.isSafeInteger(timeMs) || !Number.isSafeInteger(serial)) throw new MalformedRecordError("audit stamp out of range");
  const stamp = frac === undefined ? secs : `${secs}.${frac}`;
  if (opts.fieldsFor !== undefined && !opts.fieldsFor(type)) {
    const bare: AuditRecord = { type, timeMs, stamp, serial, fields: EMPTY_FIELDS, enriched: EMPTY_ENRICHED, order: [] };
    return node === undefined ? bare : { ...bare, node };
  }
  const rest = line.slice(m[0].length);
  const gs = rest.indexOf(GS);
  const rawPart = gs < 0 ? rest : rest.slice(0, gs);
  const fields = new Map<string, AuditValue>();
  const enriched = new Map<string, string>();
  const order: string[] = [];
  parsePairs(rawPart, (k, v) => {
    if (gs < 0 && isUpperKey(k)) enriched.set(k, v.text);
    else {
      if (!fields.has(k)) order.push(k);
      fields.set(k, v);
    }
  });
  if (gs >= 0) parsePairs(rest.slice(gs + 1), (k, v) => enriched.set(k, v.text));
  const rec: AuditRecord = { type, timeMs, stamp, serial, fields, enriched, order };
  return node === undefined ? rec : { ...rec, node };
}

const HEX = /^(?:[0-9A-Fa-f]{2})+$/;
const utf8 = new TextDecoder("utf-8");

/** Hex text → bytes (caller checked the shape). */
export function hexBytes(hex: string): Uint8Array {
  return Buffer.from(hex, "hex");
}

/**
 * A value as text: quoted values are literal; unquoted even-length hex is decoded (auditd hex-encodes
 * anything with spaces, quotes, control or non-ASCII bytes); "(null)", "?" and "" mean absent.
 */
export function decodeValue(v: AuditValue | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (v.quoted) return v.text === "(null)" ? undefined : v.text;
  const t = v.text;
  if (t === "" || t === "(null)" || t === "?" || t === "(none)") return undefined;
  if (HEX.test(t)) return utf8.decode(hexBytes(t));
  return t;
}

/** A plain (never hex) field: numbers, flags, names written bare. */
export function plainValue(v: AuditValue | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.text;
  if (t === "" || t === "(null)" || t === "?" || t === "(none)") return undefined;
  return t;
}

/** proctitle / EXECVE-style argv: hex of NUL-separated arguments, or one literal argument. */
export function decodeArgv(v: AuditValue | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  if (v.quoted || !HEX.test(v.text)) {
    const t = plainValue(v);
    return t === undefined ? undefined : [t];
  }
  const bytes = hexBytes(v.text);
  const args: string[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0) {
      if (i > start || i < bytes.length) args.push(utf8.decode(bytes.subarray(start, i)));
      start = i + 1;
    }
  }
  while (args.length > 0 && args[args.length - 1] === "") args.pop();
  return args;
}
