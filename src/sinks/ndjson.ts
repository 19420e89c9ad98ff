// NDJSON alert sink (issue 4 "Sinks"): one alert document per line to stdout or to a file created 0600.
// `write` resolves when every byte is handed to the OS (a pipe or terminal) or written and fsynced (a file,
// stdout redirected to one included), so the engine commits state only after the alerts are out (see
// engine/run.ts for the rerun guarantee). A write that fails (a full disk) rejects with SNK001; an --output
// file with a ledger is also cut back to what the state records (sinks/output-ledger.ts).

import { closeSync } from "node:fs";
import { openOutputFile, syncFully, writeError, writeFully } from "./output-file.js";
import { trackOutput, type OutputTracker } from "./output-ledger.js";
import type { Writable } from "node:stream";
import type { EventDoc } from "../event/types.js";
import type { AlertSink, OutputLedger, SinkAlert } from "../engine/ports.js";
import { cutRuns, type RuleFieldsText } from "../state/rule-fields.js";


/** The UTF-8 bytes of a rule's field texts, encoded once for all its alerts (keyed by the texts' object). */
const RULE_BYTES = new WeakMap<RuleFieldsText, { readonly before: Buffer; readonly after: Buffer }>();

function ruleBytes(fields: RuleFieldsText): { readonly before: Buffer; readonly after: Buffer } {
  let b = RULE_BYTES.get(fields);
  if (b === undefined) RULE_BYTES.set(fields, (b = { before: Buffer.from(fields.before, "utf8"), after: Buffer.from(fields.after, "utf8") }));
  return b;
}

/**
 * The alerts as NDJSON bytes. Most of an alert's text is its rule's fields, the same in every alert of the
 * rule: where the builder says where they are (a cut made for that very text), only the rest is encoded
 * and the rule's bytes are copied. Encoding every text whole cost about 18 µs an alert (485 Linux rules'
 * alerts, 13 kB each), this about 1.7. The bytes are the same either way.
 */
export function alertLines(alerts: readonly SinkAlert[]): Buffer {
  const texts = alerts.map((a) => a.json ?? JSON.stringify(a.doc));
  // at most 3 bytes per UTF-16 unit, and a newline each
  let max = 0;
  for (const t of texts) max += t.length * 3 + 1;
  const out = Buffer.allocUnsafe(max);
  let o = 0;
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i];
    const cut = alerts[i].cut;
    if (cut === undefined || cut.of !== text) o += out.write(text, o, "utf8");
    else {
      const rule = ruleBytes(cut.fields);
      const [head, middle, tail] = cutRuns(cut.rest, cut.beforeAt, cut.afterAt);
      o += out.write(head, o, "utf8");
      o += rule.before.copy(out, o);
      o += out.write(middle, o, "utf8");
      if (cut.afterAt !== null) o += rule.after.copy(out, o);
      o += out.write(tail, o, "utf8");
    }
    out[o++] = 0x0a;
  }
  return out.subarray(0, o);
}

/** A stream (stdout on a pipe or terminal, a test's PassThrough): resolves on the write callback. */
export function streamSink(out: Writable, what = "stdout"): AlertSink {
  return {
    write(alerts: readonly SinkAlert[]): Promise<void> {
      if (alerts.length === 0) return Promise.resolve();
      const text = alertLines(alerts);
      return new Promise((resolve, reject) => {
        out.write(text, (err) => {
          if (err === null || err === undefined) resolve();
          // a reader that went away ends the run quietly (cli/main.ts)
          else reject((err as NodeJS.ErrnoException).code === "EPIPE" ? err : writeError(what, err));
        });
      });
    },
    close: () => Promise.resolve(),
  };
}

/**
 * Writes to an open descriptor (stdout redirected to a regular file), every byte, fsynced when `regular`.
 * It cannot cut a file it did not open, so an interrupted run may leave a partial last line there.
 */
export function fdSink(fd: number, regular: boolean, what = "stdout"): AlertSink {
  return {
    write(alerts: readonly SinkAlert[]): Promise<void> {
      if (alerts.length === 0) return Promise.resolve();
      try {
        writeFully(fd, alertLines(alerts), what);
        if (regular) syncFully(fd, what);
      } catch (e) {
        return Promise.reject(e);
      }
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

export interface FileSinkOptions {
  /**
   * Where the file's durable length is recorded (the state store). Without one the file is appended to
   * with at-least-once delivery across crashes, like stdout.
   */
  readonly ledger?: OutputLedger;
  /** One line per thing the user should know (an interrupted write removed, a replaced file). */
  readonly onNotice?: (message: string) => void;
}

/** Appends to `path` (a new file is created 0600; see output-file.ts for links and devices). */
export function fileSink(path: string, opts: FileSinkOptions = {}): AlertSink {
  const what = `--output ${path}`;
  const { fd, regular } = openOutputFile(path, "--output");
  let tracker: OutputTracker | undefined;
  try {
    if (regular && opts.ledger !== undefined) tracker = trackOutput(fd, path, what, opts.ledger, opts.onNotice ?? (() => undefined));
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return {
    write(alerts: readonly SinkAlert[]): Promise<void> {
      if (alerts.length === 0) return Promise.resolve();
      const bytes = alertLines(alerts);
      try {
        tracker?.begin(bytes.length);
        try {
          writeFully(fd, bytes, what);
          if (regular) syncFully(fd, what);
        } catch (e) {
          tracker?.rollback();
          throw e;
        }
        tracker?.written(bytes);
      } catch (e) {
        return Promise.reject(e);
      }
      return Promise.resolve();
    },
    commit(): void {
      tracker?.commit();
    },
    close(): Promise<void> {
      closeSync(fd);
      return Promise.resolve();
    },
  };
}

/** Keeps alerts in memory (tests, library callers). */
export function memorySink(): AlertSink & { readonly alerts: EventDoc[] } {
  const alerts: EventDoc[] = [];
  return {
    alerts,
    write(batch: readonly SinkAlert[]): Promise<void> {
      for (const a of batch) alerts.push(a.doc);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}
