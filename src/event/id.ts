// Content-derived event ids, in the event layer so that whoever keeps an event's JSON text (the sources,
// replay's spill) can compute its id when it is needed instead of when the line is read.
import { createHash } from "node:crypto";
import type { EventDoc, InputEvent } from "./types.js";

/**
 * `_id` of an event whose line has none: the first 20 bytes (40 hex digits) of sha256(index, 0x00, the
 * line's bytes without its CR/LF). Content-derived so it is the same on every rerun, whatever the file is
 * called (with --index), wherever the line sits in the file, and after files are split, concatenated or
 * recompressed. Two byte-identical lines in the same index get the same id ON PURPOSE: they are the same
 * document, exactly as when a fingerprint becomes the Elasticsearch `_id` and the second write replaces the
 * first; adding the line number would make ids change whenever lines are inserted above, and counting
 * repeats would need memory that grows with the input. Alerts for the second copy then dedupe against the
 * first (same alert id).
 */
export function eventId(index: string, line: Uint8Array): string {
  return createHash("sha256").update(index).update("\u0000").update(line).digest().toString("hex", 0, 20);
}

/**
 * The event of a plain line (no `_id` of its own) parsed from `json`: its content-derived `_id` is computed
 * when first read (`idOfJson`), since most parsed events match no rule and never need one. `json` must be
 * the line's bytes decoded from valid UTF-8, so that encoding it again gives those bytes back.
 */
export function plainLineEvent(index: string, json: string, source: EventDoc, loc: InputEvent["loc"], rules: Uint8Array | undefined): InputEvent {
  let id: string | undefined;
  return {
    _index: index,
    get _id() {
      return (id ??= eventId(index, Buffer.from(json, "utf8")));
    },
    _source: source,
    loc,
    json,
    idOfJson: true,
    ...(rules === undefined ? {} : { rules }),
  };
}
