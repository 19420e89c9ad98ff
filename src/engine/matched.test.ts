// Replay's spilled events: the hit and its JSON read back exactly; an id derived from the line's text is not
// hashed when the event is spilled, only when a spilled hit is read, and it is the id the source gives.
import { test } from "node:test";
import assert from "node:assert/strict";
import { eventId } from "../event/id.js";
import type { InputEvent } from "../event/types.js";
import { TextSpill } from "../state/spill.js";
import { spilledFullHit, spilledHit, spilledHitAndText, spillEvent } from "./matched.js";

test("an event whose id derives from its JSON text is spilled without hashing it, and read back with that id", () => {
  const spill = new TextSpill();
  try {
    const json = '{"@timestamp":"2024-06-10T14:03:11Z","host":{"name":"wéb01"}}';
    const index = "logs-endpoint.events.file-default";
    let hashed = 0;
    const ev: InputEvent = {
      _index: index,
      get _id() {
        hashed++;
        return eventId(index, Buffer.from(json, "utf8"));
      },
      _source: JSON.parse(json) as InputEvent["_source"],
      loc: { file: "f.ndjson", line: 3, byteOffset: 120 },
      json,
      idOfJson: true,
    };
    const ref = spillEvent(spill, ev);
    assert.equal(hashed, 0);
    assert.equal(spill.get(ref), '["logs-endpoint.events.file-default",null,"f.ndjson",3,120]');
    const back = spilledHit(spill, ref);
    assert.equal(back._id, eventId(index, Buffer.from(json, "utf8")));
    assert.match(back._id, /^[0-9a-f]{40}$/);
    assert.deepEqual(back.loc, { file: "f.ndjson", line: 3, byteOffset: 120 });
    assert.deepEqual(spilledFullHit(spill, ref)._source, { "@timestamp": "2024-06-10T14:03:11Z", host: { name: "wéb01" } });
    // the hit and its source's text in one read
    const both = spilledHitAndText(spill, ref);
    assert.equal(both.hit._id, back._id);
    assert.equal(both.text, json);
    // the full hit is that hit with its source parsed
    const full = spilledFullHit(spill, ref);
    assert.deepEqual({ ...full, _source: undefined }, { ...back, _source: undefined });
    assert.deepEqual(full._source, { "@timestamp": "2024-06-10T14:03:11Z", host: { name: "wéb01" } });

    // an id of its own (an Elasticsearch hit, a normalised event) is written as it is
    const own = spillEvent(spill, { _index: "i", _id: "hit-7", _source: { a: 1 }, loc: { file: "g", line: 1, byteOffset: 0 } });
    assert.equal(spill.get(own), '["i","hit-7","g",1,0]');
    assert.equal(spilledHit(spill, own)._id, "hit-7");
    assert.equal(spill.get(own + 1), '{"a":1}');
  } finally {
    spill.close();
  }
});
