// A small file-name glob for `--events` inputs (issue 4 "Inputs"): `*` (any run of characters within one
// path segment), `?` (one character) and `**` (zero or more whole directories). No braces or classes.
// Segment matching is greedy over the literal pieces between stars, so it never backtracks exponentially:
// each piece is located once, left to right (O(pattern × text) at worst, linear for star-only patterns).

import { readdirSync, statSync } from "node:fs";
import { join, sep } from "node:path";

/** True when the text contains a glob metacharacter we expand (`*` or `?`). */
export function hasGlobMeta(text: string): boolean {
  return text.includes("*") || text.includes("?");
}

/** Does `piece` (literal with `?` wildcards, no `*`) match `text` at position `at`? */
function pieceAt(piece: string, text: string, at: number, counter?: { steps: number }): boolean {
  if (at + piece.length > text.length) return false;
  for (let i = 0; i < piece.length; i++) {
    if (counter !== undefined) counter.steps++;
    const c = piece.charCodeAt(i);
    if (c !== 63 /* ? */ && c !== text.charCodeAt(at + i)) return false;
  }
  return true;
}

/** First position ≥ from where `piece` matches, or -1. */
function findPiece(piece: string, text: string, from: number, counter?: { steps: number }): number {
  if (!piece.includes("?")) {
    const at = text.indexOf(piece, from);
    if (counter !== undefined) counter.steps += (at < 0 ? text.length : at + piece.length) - from;
    return at;
  }
  for (let at = from; at + piece.length <= text.length; at++) if (pieceAt(piece, text, at, counter)) return at;
  return -1;
}

/**
 * Match one path segment (no separators) against a pattern of literals, `*` and `?`. Greedy leftmost
 * placement of each middle piece is correct for star patterns: if any placement works, the leftmost does.
 * `counter` (tests) adds the characters compared or searched over.
 */
export function matchSegment(pattern: string, text: string, counter?: { steps: number }): boolean {
  const pieces = pattern.split("*");
  if (pieces.length === 1) return pattern.length === text.length && pieceAt(pattern, text, 0);
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  if (first.length + last.length > text.length) return false;
  if (!pieceAt(first, text, 0) || !pieceAt(last, text, text.length - last.length)) return false;
  let pos = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const p = pieces[i];
    if (p.length === 0) continue;
    const at = findPiece(p, text, pos, counter);
    if (at < 0 || at + p.length > end) return false;
    pos = at + p.length;
  }
  return true;
}

/** Split a pattern into its fixed leading directory and the segments that contain wildcards. */
function splitPattern(pattern: string): { base: string; segments: string[] } {
  const parts = pattern.split(/[\\/]+/);
  const absolute = pattern.startsWith("/");
  let i = 0;
  const fixed: string[] = [];
  while (i < parts.length - 1 && !hasGlobMeta(parts[i])) fixed.push(parts[i++]);
  const base = absolute ? sep + fixed.filter((p) => p !== "").join(sep) : fixed.join(sep) || ".";
  return { base, segments: parts.slice(i).filter((p) => p !== "") };
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/**
 * Expand a glob to the regular files it names, sorted by path (UTF-16 order), so that runs over the same
 * tree read files in the same order. Hidden entries match only a pattern
 * segment that itself starts with a dot.
 */
export function expandGlob(pattern: string): string[] {
  const { base, segments } = splitPattern(pattern);
  const out: string[] = [];
  const join2 = (dir: string, name: string): string => (dir === "." && !pattern.startsWith("./") ? name : join(dir, name));
  const walk = (dir: string, idx: number): void => {
    if (idx === segments.length) return;
    const seg = segments[idx];
    const lastSeg = idx === segments.length - 1;
    if (seg === "**") {
      // zero directories: the rest of the pattern here; then one more level down, still at `**`
      if (lastSeg) {
        for (const name of listDir(dir)) {
          if (name.startsWith(".")) continue;
          const p = join2(dir, name);
          if (isDir(p)) walk(p, idx);
          else out.push(p);
        }
        return;
      }
      walk(dir, idx + 1);
      for (const name of listDir(dir)) {
        if (name.startsWith(".")) continue;
        const p = join2(dir, name);
        if (isDir(p)) walk(p, idx);
      }
      return;
    }
    for (const name of listDir(dir)) {
      if (name.startsWith(".") && !seg.startsWith(".")) continue;
      if (!matchSegment(seg, name)) continue;
      const p = join2(dir, name);
      if (lastSeg) {
        if (!isDir(p)) out.push(p);
      } else if (isDir(p)) walk(p, idx + 1);
    }
  };
  walk(base, 0);
  return [...new Set(out)].sort();
}
