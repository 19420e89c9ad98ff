// The compact text replay keeps join keys in (encodeFactKeys / decodeFactKeys) gives back the same facts.

import { test } from "node:test";
import assert from "node:assert/strict";
import { NO_KEYS } from "../../compile/eql/statement.js";
import { decodeFactKeys, encodeFactKeys, type EqlFacts } from "./search.js";

const tuple = (...values: (string | number | boolean | null)[]) => ({ id: JSON.stringify(values), values });

test("fact keys survive the round trip: stages that did not match, key-less stages, typed values, until", () => {
  const f: EqlFacts<number> = {
    ref: 0,
    ord: { ts: 1, seq: 2 },
    stageKeys: [undefined, [NO_KEYS], [tuple("a", 1), tuple('q"uo\\te', null), tuple(true, "1")]],
    untilKeys: new Set([JSON.stringify(["a", 1]), JSON.stringify(["b"])]),
  };
  const text = encodeFactKeys(f);
  assert.equal(text, '[[0,[[]],[["a",1],["q\\"uo\\\\te",null],[true,"1"]]],["[\\"a\\",1]","[\\"b\\"]"]]');
  const back = decodeFactKeys(text, 9, { ts: 5, seq: 6 });
  assert.equal(back.ref, 9);
  assert.deepEqual(back.ord, { ts: 5, seq: 6 });
  assert.deepEqual(back.stageKeys, f.stageKeys);
  assert.equal(back.stageKeys[1]?.[0], NO_KEYS);
  assert.deepEqual(back.untilKeys, f.untilKeys);
  const noUntil = decodeFactKeys(encodeFactKeys({ ...f, untilKeys: undefined }), 0, f.ord);
  assert.equal(noUntil.untilKeys, undefined);
  assert.equal("untilKeys" in noUntil, false);
});
