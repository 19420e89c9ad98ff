// The benchmark's report (issue 6 "The benchmark"): per-contender throughput (events/s, MB/s), peak RSS
// and the ratios to tern, as a text table for the terminal, bench/results.json and a hand-written SVG bar
// chart. A ratio "tern ×" is the contender's time divided by tern's: 3.0 means tern was 3 times faster.

export type ContenderKind = "floor" | "baseline" | "filter" | "new-terms" | "many-rules" | "eql";

export interface ContenderResult {
  readonly name: string;
  readonly description: string;
  readonly kind: ContenderKind;
  readonly status: "ok" | "skipped";
  /** Why it was skipped. */
  readonly reason?: string;
  readonly seconds?: number;
  readonly eventsPerSecond?: number;
  readonly mbPerSecond?: number;
  readonly peakRssMB?: number;
  /** Lines, matches or alerts, by kind. */
  readonly count?: number;
  /** Events and bytes it read, when not the whole workload (a prefix: python-eql, tern-eql-subset). */
  readonly events?: number;
  readonly bytes?: number;
  /** Contender time ÷ tern replay time, and ÷ tern stream time (per event, for a contender over a prefix). */
  readonly ternReplayRatio?: number;
  readonly ternStreamRatio?: number;
}

/** Fill in the throughput and the ratios from raw seconds. */
export function withRates(results: readonly ContenderResult[], events: number, bytes: number): ContenderResult[] {
  const secs = (name: string): number | undefined => results.find((r) => r.name === name && r.status === "ok")?.seconds;
  const replay = secs("tern-replay");
  const stream = secs("tern-stream");
  return results.map((r) => {
    if (r.status !== "ok" || r.seconds === undefined) return r;
    const s = r.seconds;
    // per event, so that a contender over a prefix compares fairly: equal to s / tern's s over the whole file
    const scale = events / (r.events ?? events);
    return {
      ...r,
      eventsPerSecond: (r.events ?? events) / s,
      mbPerSecond: (r.bytes ?? bytes) / 1e6 / s,
      ...(replay !== undefined ? { ternReplayRatio: (s * scale) / replay } : {}),
      ...(stream !== undefined ? { ternStreamRatio: (s * scale) / stream } : {}),
    };
  });
}

function fmtInt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
function fmt(n: number | undefined, digits: number): string {
  return n === undefined ? "–" : n.toFixed(digits);
}

/** A fixed-width text table, one row per contender. */
export function formatTable(results: readonly ContenderResult[]): string {
  const head = ["contender", "time s", "events/s", "MB/s", "peak RSS MB", "tern replay ×", "tern stream ×", "count"];
  const rows = results.map((r) =>
    r.status === "ok"
      ? [r.name, fmt(r.seconds, 2), r.eventsPerSecond === undefined ? "–" : fmtInt(r.eventsPerSecond), fmt(r.mbPerSecond, 1), fmt(r.peakRssMB, 0), fmt(r.ternReplayRatio, 2), fmt(r.ternStreamRatio, 2), r.count === undefined ? "–" : fmtInt(r.count)]
      : [r.name, `skipped: ${r.reason ?? ""}`, "", "", "", "", "", ""],
  );
  const widths = head.map((h, i) => Math.max(h.length, ...rows.filter((r) => r[2] !== "" || i === 0).map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells[2] === "" && cells[0] !== head[0]
      ? `${cells[0].padEnd(widths[0])}  ${cells[1]}`
      : cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n") + "\n";
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A horizontal bar chart of events/s (log-free, linear scale), tern bars highlighted. */
export function renderSvg(results: readonly ContenderResult[], title: string): string {
  const ok = results.filter((r) => r.status === "ok" && r.eventsPerSecond !== undefined);
  const max = Math.max(1, ...ok.map((r) => r.eventsPerSecond ?? 0));
  const labelW = 170;
  const barW = 480;
  const rowH = 26;
  const top = 44;
  const height = top + ok.length * rowH + 16;
  const width = labelW + barW + 150;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`,
  ];
  ok.forEach((r, i) => {
    const y = top + i * rowH;
    const w = Math.max(1, Math.round(((r.eventsPerSecond ?? 0) / max) * barW));
    const fill = r.name.startsWith("tern") ? "#1f6feb" : "#8c959f";
    parts.push(
      `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${esc(r.name)}</text>`,
      `<rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 8}" fill="${fill}"/>`,
      `<text x="${labelW + w + 6}" y="${y + 15}">${esc(fmtInt(r.eventsPerSecond ?? 0))} ev/s · ${esc(fmt(r.peakRssMB, 0))} MB</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
