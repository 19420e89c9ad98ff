// Newline-aligned byte ranges of a regular file (issue 6, worker threads): a file split into N ranges that
// each start at a line start and end just after a newline (or at EOF), so N workers can read, prefilter
// and parse one range each and every line belongs to exactly one range.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";

export interface ByteRange {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

/** Offset just past the first newline at or after `from` (file size when there is none). */
function nextLineStart(fd: number, from: number, size: number, probe: Buffer): number {
  let at = from;
  while (at < size) {
    const n = readSync(fd, probe, 0, probe.length, at);
    if (n <= 0) break;
    const nl = probe.subarray(0, n).indexOf(10);
    if (nl >= 0) return at + nl + 1;
    at += n;
  }
  return size;
}

/**
 * Up to `n` ranges covering the file [0, size) in order, cut after newlines near size/n, size 2·size/n…
 * Fewer ranges come back when lines are longer than a share (empty ranges are dropped).
 */
export function newlineRanges(path: string, n: number, probeBytes = 64 * 1024): ByteRange[] {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const probe = Buffer.allocUnsafe(Math.max(1, probeBytes));
    const cuts = [0];
    for (let i = 1; i < n; i++) {
      const target = Math.floor((size * i) / n);
      // a cut at `target` must not split a line: move it past the newline of the line holding byte target-1
      const cut = target === 0 ? 0 : nextLineStart(fd, target - 1, size, probe);
      if (cut > cuts[cuts.length - 1] && cut < size) cuts.push(cut);
    }
    cuts.push(size);
    const out: ByteRange[] = [];
    for (let i = 0; i + 1 < cuts.length; i++) if (cuts[i + 1] > cuts[i]) out.push({ start: cuts[i], end: cuts[i + 1] });
    return out;
  } finally {
    closeSync(fd);
  }
}
