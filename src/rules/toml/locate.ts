// Key path → place in a TOML file. smol-toml keeps no positions, so this is a light re-scan of text that
// already parsed: table headers, `key = value` pairs, array elements and inline tables, each recorded by
// its path ("rule.threat[0].technique[1].id"). STYLE.md §2.3: every rule diagnostic points at its place.
import { scanKey, scanString, skipBlanks, skipTrivia, type ScannedString } from "./scan.js";

export interface Located {
  /** The key (or table header) span. */
  readonly keyStart: number;
  readonly keyEnd: number;
  /** The value span (for a table header: the header itself). */
  readonly valueStart: number;
  readonly valueEnd: number;
  /** Set when the value is a string: where its content lies in the file. */
  readonly string?: ScannedString;
}

/** Joins path segments: names with ".", array indices as "[n]". */
export function pathKey(path: readonly (string | number)[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? seg : `.${seg}`;
  }
  return out;
}

/** A function that finds a path's place; the same shape serves TOML files and NDJSON exports. */
export type Locate = (path: readonly (string | number)[]) => Located | undefined;

export class TomlLocator {
  private readonly entries = new Map<string, Located>();

  constructor(private readonly text: string) {
    try {
      this.scan();
    } catch {
      // Positions are best effort: whatever was recorded before a surprise stays usable.
    }
  }

  get(path: readonly (string | number)[]): Located | undefined {
    return this.entries.get(pathKey(path));
  }

  readonly locate: Locate = (path) => this.get(path);

  private record(path: string, loc: Located): void {
    if (!this.entries.has(path)) this.entries.set(path, loc);
  }

  private scan(): void {
    const text = this.text;
    const aotCount = new Map<string, number>();
    // Resolves a header's segments against the arrays of tables opened so far.
    const resolve = (segments: readonly string[], isArray: boolean): string => {
      let path = "";
      segments.forEach((seg, i) => {
        path = path === "" ? seg : `${path}.${seg}`;
        const last = i === segments.length - 1;
        if (last && isArray) {
          const n = aotCount.get(path) ?? 0;
          aotCount.set(path, n + 1);
          path = `${path}[${n}]`;
        } else if (aotCount.has(path)) {
          path = `${path}[${(aotCount.get(path) ?? 1) - 1}]`;
        }
      });
      return path;
    };
    let table = "";
    let p = skipTrivia(text, 0);
    while (p < text.length) {
      if (text[p] === "[") {
        const isArray = text[p + 1] === "[";
        const key = scanKey(text, p + (isArray ? 2 : 1));
        let end = skipBlanks(text, key.end);
        end += isArray ? 2 : 1;
        table = resolve(key.segments, isArray);
        this.record(table, { keyStart: p, keyEnd: end, valueStart: p, valueEnd: end });
        p = skipTrivia(text, end);
        continue;
      }
      p = this.pair(table, p);
      p = skipTrivia(text, p);
    }
  }

  /** Scans `key = value` at `p` inside table path `prefix`; returns the offset after the value. */
  private pair(prefix: string, p: number): number {
    const text = this.text;
    const key = scanKey(text, p);
    let path = prefix;
    for (const seg of key.segments) path = path === "" ? seg : `${path}.${seg}`;
    let v = skipBlanks(text, key.end);
    if (text[v] !== "=") throw new Error("expected =");
    v = skipBlanks(text, v + 1);
    return this.value(path, key.start, key.end, v);
  }

  private value(path: string, keyStart: number, keyEnd: number, v: number): number {
    const text = this.text;
    const c = text[v];
    if (c === '"' || c === "'") {
      const s = scanString(text, v);
      this.record(path, { keyStart, keyEnd, valueStart: v, valueEnd: s.end, string: s });
      return s.end;
    }
    if (c === "[") {
      let p = skipTrivia(text, v + 1);
      let i = 0;
      while (text[p] !== "]" && p < text.length) {
        p = this.value(`${path}[${i}]`, p, p, p);
        i++;
        p = skipTrivia(text, p);
        if (text[p] === ",") p = skipTrivia(text, p + 1);
      }
      this.record(path, { keyStart, keyEnd, valueStart: v, valueEnd: p + 1 });
      return p + 1;
    }
    if (c === "{") {
      let p = skipBlanks(text, v + 1);
      while (text[p] !== "}" && p < text.length) {
        p = this.pair(path, p);
        p = skipBlanks(text, p);
        if (text[p] === ",") p = skipBlanks(text, p + 1);
      }
      this.record(path, { keyStart, keyEnd, valueStart: v, valueEnd: p + 1 });
      return p + 1;
    }
    let e = v;
    while (e < text.length && !/[,\]}\n\r#]/.test(text[e])) e++;
    while (e > v && /\s/.test(text[e - 1])) e--;
    this.record(path, { keyStart, keyEnd, valueStart: v, valueEnd: e });
    return e;
  }
}
