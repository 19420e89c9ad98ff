// EQL's functions as Elasticsearch evaluates them in scripts (docs/eql.md §6): SQL-like null handling
// (a null where a value is needed gives null), Java's string and number formatting, integer arithmetic
// for two integers. Values carry a static kind so `concat(5.0)` prints "5.0" as Java does. Pure.

import { parseCidr, parseIp, ipInCidr } from "../predicate/values.js";
import type { EqlFunctionName } from "../../lang/eql/ast.js";

/** A script value: string, number, boolean or null (missing). */
export type ScriptValue = string | number | boolean | null;

/** What a script expression yields, when known before evaluation ("unknown": a dynamically mapped field). */
export type ScriptKind = "integer" | "double" | "string" | "boolean" | "unknown";

export interface TypedValue {
  readonly v: ScriptValue;
  readonly kind: ScriptKind;
}

/** Java's Double.toString: "5.0", "42.5", "1.0E7", "1.0E-4". */
export function javaDouble(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity";
  if (n === 0) return Object.is(n, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(n);
    return s.includes(".") ? s : `${s}.0`;
  }
  const [mant, exp] = n.toExponential().split("e");
  return `${mant.includes(".") ? mant : `${mant}.0`}E${exp.startsWith("+") ? exp.slice(1) : exp}`;
}

/** A value as text the way Elasticsearch's string conversion writes it. */
export function toText(x: TypedValue): string | null {
  const v = x.v;
  if (v === null) return null;
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (x.kind === "double") return javaDouble(v);
  if (x.kind === "unknown" && !Number.isInteger(v)) return javaDouble(v);
  return Number.isInteger(v) ? (Number.isSafeInteger(v) ? String(v) : BigInt(v).toString()) : javaDouble(v);
}

/** Whether two numbers combine with integer semantics (both integral and of integer kind, or unknown and integral). */
export function integerMath(a: TypedValue, b: TypedValue): boolean {
  const intish = (x: TypedValue) => x.kind === "integer" || (x.kind === "unknown" && typeof x.v === "number" && Number.isInteger(x.v));
  return intish(a) && intish(b);
}

/** `+ - * / %` on numbers; null for null operands, a non-number, or a division by zero (an error in Elasticsearch). */
export function arithmetic(op: "+" | "-" | "*" | "/" | "%", a: TypedValue, b: TypedValue): ScriptValue {
  if (typeof a.v !== "number" || typeof b.v !== "number") return null;
  const x = a.v;
  const y = b.v;
  const ints = integerMath(a, b);
  switch (op) {
    case "+":
      return x + y;
    case "-":
      return x - y;
    case "*":
      return x * y;
    case "/":
      if (y === 0) return null;
      return ints ? Math.trunc(x / y) : x / y;
    case "%":
      if (y === 0) return ints ? null : NaN;
      return x % y;
    default: {
      const never: never = op;
      throw new Error(`unknown operator ${String(never)}`);
    }
  }
}

function str(x: TypedValue | undefined): string | null {
  if (x === undefined) return null;
  return toText(x);
}

function int(x: TypedValue | undefined): number | null | undefined {
  if (x === undefined) return undefined;
  if (x.v === null) return null;
  if (typeof x.v === "number") return Math.trunc(x.v);
  return null;
}

/**
 * `number(s[, base])` as Elasticsearch's ToNumberFunctionProcessor: base 10 (the default) tries a long
 * (digits and a sign, no spaces) and then a double (Java's Double.valueOf, which trims whitespace); a
 * lower-case `0x` prefix means base 16; another base parses a long in that base. Null when it does not parse
 * (an error in Elasticsearch). `integer` says whether the result is a long.
 */
export function parseEqlNumber(text: string, base: number | null): { value: number; integer: boolean } | null {
  let b = base ?? 10;
  let s = text;
  const hex = /^([+-]?)0x/.exec(s);
  if (hex !== null && (base === null || base === 16)) {
    s = hex[1] + s.slice(hex[0].length);
    b = 16;
  }
  if (b === 10) {
    if (/^[+-]?\d+$/.test(s)) return { value: Number(s), integer: true };
    const t = s.trim();
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/.test(t)) return { value: Number(t.replace(/[dDfF]$/, "")), integer: false };
    if (/^[+-]?(NaN|Infinity)$/.test(t)) return { value: Number(t), integer: false };
    return null;
  }
  if (b < 2 || b > 36) return null;
  const m = /^([+-]?)([0-9a-zA-Z]+)$/.exec(s);
  if (m === null) return null;
  const digits = "0123456789abcdefghijklmnopqrstuvwxyz".slice(0, b);
  let n = 0;
  for (const ch of m[2].toLowerCase()) {
    const d = digits.indexOf(ch);
    if (d < 0) return null;
    n = n * b + d;
  }
  return { value: m[1] === "-" ? -n : n, integer: true };
}

/** Python slice bounds: negative counts from the end, clamped to [0, len]. */
function sliceIndex(i: number, len: number): number {
  if (i < 0) return Math.max(0, len + i);
  return Math.min(i, len);
}

/**
 * Calls an EQL function. `insensitive` is the `~` form. Returns the value and its kind. Errors that make
 * Elasticsearch fail the whole search (an unparseable number(), a division by zero) yield null here: the
 * event does not match.
 */
export function callFunction(name: EqlFunctionName, args: readonly TypedValue[], insensitive: boolean): TypedValue {
  const lower = (s: string) => (insensitive ? s.toLowerCase() : s);
  switch (name) {
    case "add":
    case "subtract":
    case "multiply":
    case "divide":
    case "modulo": {
      const op = ({ add: "+", subtract: "-", multiply: "*", divide: "/", modulo: "%" } as const)[name];
      const v = arithmetic(op, args[0], args[1]);
      return { v, kind: integerMath(args[0], args[1]) ? "integer" : "double" };
    }
    case "between": {
      const s = str(args[0]);
      const left = str(args[1]);
      const right = str(args[2]);
      if (s === null || left === null || right === null) return { v: null, kind: "string" };
      const greedy = args[3]?.v === true;
      if (s === "" || left === "" || right === "") return { v: s, kind: "string" };
      const m = lower(s);
      const l = lower(left);
      const r = lower(right);
      let li = m.indexOf(l);
      if (li < 0) return { v: "", kind: "string" };
      li += l.length;
      const ri = greedy ? m.lastIndexOf(r) : m.indexOf(r, li);
      return { v: ri >= 0 && ri >= li ? s.slice(li, ri) : "", kind: "string" };
    }
    case "cidrMatch": {
      const ip = str(args[0]);
      if (ip === null) return { v: null, kind: "boolean" };
      const addr = parseIp(ip);
      if (addr === undefined) return { v: false, kind: "boolean" };
      for (const a of args.slice(1)) {
        const c = str(a);
        if (c === null) continue;
        const cidr = parseCidr(c) ?? (parseIp(c) !== undefined ? parseCidr(`${c}/${c.includes(":") ? 128 : 32}`) : undefined);
        if (cidr !== undefined && ipInCidr(addr, cidr)) return { v: true, kind: "boolean" };
      }
      return { v: false, kind: "boolean" };
    }
    case "concat": {
      let out = "";
      for (const a of args) {
        const t = toText(a);
        if (t === null) return { v: null, kind: "string" };
        out += t;
      }
      return { v: out, kind: "string" };
    }
    case "endsWith":
    case "startsWith": {
      const s = str(args[0]);
      const sub = str(args[1]);
      if (s === null || sub === null) return { v: null, kind: "boolean" };
      return { v: name === "endsWith" ? lower(s).endsWith(lower(sub)) : lower(s).startsWith(lower(sub)), kind: "boolean" };
    }
    case "indexOf": {
      const s = str(args[0]);
      const sub = str(args[1]);
      const start = args.length > 2 ? int(args[2]) : 0;
      if (s === null || sub === null || start === null || start === undefined) return { v: null, kind: "integer" };
      // Java's String.indexOf: a negative start is 0; an empty substring is found at min(start, length)
      const at = lower(s).indexOf(lower(sub), Math.max(0, start));
      const found = sub === "" ? Math.min(Math.max(0, start), s.length) : at;
      return { v: found < 0 ? null : found, kind: "integer" };
    }
    case "length": {
      const s = str(args[0]);
      return { v: s === null ? null : s.length, kind: "integer" };
    }
    case "number": {
      const s = str(args[0]);
      if (s === null) return { v: null, kind: "unknown" };
      const base = args.length > 1 ? int(args[1]) : null;
      const n = parseEqlNumber(s, base ?? null);
      return n === null ? { v: null, kind: "unknown" } : { v: n.value, kind: n.integer ? "integer" : "double" };
    }
    case "string":
      return { v: toText(args[0]), kind: "string" };
    case "stringContains": {
      const s = str(args[0]);
      const sub = str(args[1]);
      if (s === null || sub === null) return { v: null, kind: "boolean" };
      if (s === "" || sub === "") return { v: false, kind: "boolean" };
      return { v: lower(s).includes(lower(sub)), kind: "boolean" };
    }
    case "substring": {
      const s = str(args[0]);
      if (s === null) return { v: null, kind: "string" };
      const st = int(args[1]);
      const en = args.length > 2 ? int(args[2]) : undefined;
      const a = sliceIndex(st ?? 0, s.length);
      const b = en === undefined || en === null ? s.length : sliceIndex(en, s.length);
      return { v: a >= b ? "" : s.slice(a, b), kind: "string" };
    }
    default: {
      const never: never = name;
      throw new Error(`unknown EQL function ${String(never)}`);
    }
  }
}
