// NDJSON alert sink (issue 4 "Sinks"): one alert document per line to stdout or to a file created 0600.
// `write` resolves when the bytes are handed to the OS (stdout) or fsynced (file), so the engine commits
// state only after the alerts are out (see engine/run.ts for the rerun guarantee).

import { closeSync, fsyncSync, writeSync } from "node:fs";
import { openOutputFile } from "./output-file.js";
import type { Writable } from "node:stream";
import type { EventDoc } from "../event/types.js";
import type { AlertSink } from "../engine/ports.js";

function lines(alerts: readonly EventDoc[], json: readonly string[] | undefined): string {
  return (json ?? alerts.map((a) => JSON.stringify(a))).join("\n") + "\n";
}

export function streamSink(out: Writable): AlertSink {
  return {
    write(alerts: readonly EventDoc[], json?: readonly string[]): Promise<void> {
      if (alerts.length === 0) return Promise.resolve();
      const text = lines(alerts, json);
      return new Promise((resolve, reject) => {
        out.write(text, (err) => (err ? reject(err) : resolve()));
      });
    },
    close: () => Promise.resolve(),
  };
}

/** Appends to `path` (a new file is created 0600; see output-file.ts for links and devices). */
export function fileSink(path: string): AlertSink {
  const { fd, regular } = openOutputFile(path, "--output");
  return {
    write(alerts: readonly EventDoc[], json?: readonly string[]): Promise<void> {
      if (alerts.length === 0) return Promise.resolve();
      writeSync(fd, lines(alerts, json));
      if (regular) fsyncSync(fd);
      return Promise.resolve();
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
    write(batch: readonly EventDoc[]): Promise<void> {
      alerts.push(...batch);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}
