// Dispatch keys: only values a query requires (sound), and the table that picks an event's candidate rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseKql } from "../../lang/kql/index.js";
import { parseEql } from "../../lang/eql/index.js";
import { dispatchTable, eqlDispatchKey, kqlDispatchKey } from "./dispatch.js";

const kql = (q: string) => kqlDispatchKey(parseKql(q));
const eql = (q: string, f?: string) => eqlDispatchKey(parseEql(q), f);

test("KQL keys: a required event.action, else event.category, else event.type; never from or-branches that do not all say, nor negations or wildcards", () => {
  assert.deepEqual(kql("event.category:process and event.action:(exec or fork) and process.name:bash"), { field: "event.action", values: ["exec", "fork"] });
  assert.deepEqual(kql('event.category:"Process" and process.name:bash'), { field: "event.category", values: ["process"] });
  assert.deepEqual(kql("(event.category:file and x:1) or event.category:network"), { field: "event.category", values: ["file", "network"] });
  assert.equal(kql("event.category:file or process.name:bash"), undefined);
  assert.equal(kql("not event.category:file"), undefined);
  assert.equal(kql("event.category:fi*"), undefined);
  assert.equal(kql("process.name:bash"), undefined);
});

test("EQL keys: the event.action values every stage requires, else the stages' categories (the override's field), none with `any`", () => {
  assert.deepEqual(eql('process where event.type == "start" and event.action in ("exec", "exec_event")'), { field: "event.action", values: ["exec", "exec_event"] });
  assert.deepEqual(eql('process where event.action : "EXEC"'), { field: "event.action", values: ["exec"] });
  // one stage says nothing about the action: the categories of all stages
  assert.deepEqual(eql('sequence by process.entity_id with maxspan=1m [process where event.action == "exec"] [file where true] ![network where true]'), { field: "event.category", values: ["file", "network", "process"] });
  assert.deepEqual(eql("process where true", "x.cat"), { field: "x.cat", values: ["process"] });
  assert.equal(eql('any where event.action : "ex*"'), undefined);
  assert.deepEqual(eql('process where event.action != "exec"'), { field: "event.category", values: ["process"] });
  assert.deepEqual(eql('process where event.action not in ("exec")'), { field: "event.category", values: ["process"] });
  assert.deepEqual(eql('process where event.action == "exec" or process.name == "x"'), { field: "event.category", values: ["process"] });
});

test("the table: unkeyed items always, keyed ones by the event's values (any of an array, any case), ascending, once", () => {
  const pick = dispatchTable([undefined, { field: "event.category", values: ["process"] }, { field: "event.action", values: ["exec", "fork"] }, { field: "event.category", values: ["file", "process"] }]);
  assert.deepEqual(pick({}), [0]);
  assert.deepEqual(pick({ event: { category: ["Process", "file"] } }), [0, 1, 3]);
  assert.deepEqual(pick({ event: { category: "process", action: "exec" } }), [0, 1, 2, 3]);
  assert.deepEqual(pick({ "event.action": "fork" }), [0, 2]);
  assert.deepEqual(dispatchTable([undefined, undefined])({ event: { category: "x" } }), [0, 1]);
});

test("the table gives each combination of values one list, built once, the same as merging the rules' lists (fast-check)", () => {
  const field = fc.constantFrom("event.category", "event.action", "event.type");
  const value = fc.constantFrom("process", "file", "exec", "Start", "start", 'a"b', "x\u0000y");
  const key = fc.option(fc.record({ field, values: fc.uniqueArray(value.map((v) => v.toLowerCase()), { minLength: 1, maxLength: 3 }) }), { nil: undefined });
  const doc = fc.record({ event: fc.record({ category: fc.oneof(value, fc.array(value, { maxLength: 3 })), action: value, type: fc.array(value, { maxLength: 2 }) }, { requiredKeys: [] }) });
  fc.assert(
    fc.property(fc.array(key, { maxLength: 8 }), fc.array(doc, { maxLength: 12 }), (keys, docs) => {
      const pick = dispatchTable(keys);
      const naive = (d: (typeof docs)[number]) =>
        keys.flatMap((k, i) => {
          if (k === undefined) return [i];
          const [top, sub] = k.field.split(".");
          const raw = (d as Record<string, Record<string, unknown> | undefined>)[top]?.[sub];
          const vs = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map((v) => String(v).toLowerCase());
          return vs.some((v) => k.values.includes(v)) ? [i] : [];
        });
      for (const d of [...docs, ...docs]) assert.deepEqual(pick(d), naive(d));
      // a combination seen before gives back the same array
      for (const d of docs) assert.equal(pick(d), pick(structuredClone(d)));
    }),
    { numRuns: 500 },
  );
});
