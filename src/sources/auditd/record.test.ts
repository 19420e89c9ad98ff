// parseAuditRecord and value decoding (docs/sources.md §3.1 "Encoding", "ENRICHED format"; §7.2).

import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeArgv, decodeValue, MalformedRecordError, parseAuditRecord, plainValue } from "./record.js";

test("header: node, type, epoch ms, stamp text and serial", () => {
  const r = parseAuditRecord('node=host1 type=CWD msg=audit(1451781471.394:194438): cwd="/"');
  assert.equal(r.node, "host1");
  assert.equal(r.type, "CWD");
  assert.equal(r.timeMs, 1451781471394);
  assert.equal(r.stamp, "1451781471.394");
  assert.equal(r.serial, 194438);
  assert.deepEqual([...r.fields], [["cwd", { text: "/", quoted: true }]]);
});

test("ENRICHED: fields after 0x1D are interpretations; without the separator upper-case keys are too", () => {
  const a = parseAuditRecord('type=SYSCALL msg=audit(1.000:1): syscall=87 uid=0\x1dSYSCALL=unlink UID="root"');
  assert.deepEqual([...a.enriched], [["SYSCALL", "unlink"], ["UID", "root"]]);
  assert.deepEqual(a.order, ["syscall", "uid"]);
  const b = parseAuditRecord('type=SYSCALL msg=audit(1.000:1): syscall=87 key="delete" ARCH=x86_64 SYSCALL=unlink AUID="na"');
  assert.deepEqual([...b.enriched], [["ARCH", "x86_64"], ["SYSCALL", "unlink"], ["AUID", "na"]]);
  assert.deepEqual(b.order, ["syscall", "key"]);
});

test("single-quoted msg='…' and braced values are one value; bare words are skipped", () => {
  const r = parseAuditRecord("type=USER_CMD msg=audit(1.5:2): user pid=4151 msg='cwd=\"/\" cmd=6C73 res=success' SADDR={ saddr_fam=inet }");
  assert.deepEqual(r.fields.get("msg"), { text: 'cwd="/" cmd=6C73 res=success', quoted: true });
  assert.equal(r.fields.get("pid")?.text, "4151");
  assert.equal(r.timeMs, 1500);
});

test("decodeValue: quoted literal, unquoted even-length hex decoded, (null)/?/(none) absent", () => {
  assert.equal(decodeValue({ text: "CAFE", quoted: true }), "CAFE");
  assert.equal(decodeValue({ text: "E8AFBB2F", quoted: false }), "读/");
  assert.equal(decodeValue({ text: "top", quoted: false }), "top");
  assert.equal(decodeValue({ text: "(null)", quoted: false }), undefined);
  assert.equal(decodeValue({ text: "?", quoted: false }), undefined);
  assert.equal(decodeValue(undefined), undefined);
});

test("decodeArgv: NUL-separated hex argv, or one quoted argument", () => {
  assert.deepEqual(decodeArgv({ text: "6C73002D6C00", quoted: false }), ["ls", "-l"]);
  assert.deepEqual(decodeArgv({ text: "bash", quoted: true }), ["bash"]);
  assert.deepEqual(decodeArgv({ text: "61000062", quoted: false }), ["a", "", "b"]);
});

test("malformed: no header, unterminated quotes", () => {
  assert.throws(() => parseAuditRecord("hello"), MalformedRecordError);
  assert.throws(() => parseAuditRecord("type=X msg=audit(1.1:1): a=\"x"), { message: 'unterminated quoted value for "a"' });
  assert.throws(() => parseAuditRecord("type=X msg=audit(1.1:1): a={x"), { message: 'unterminated {…} value for "a"' });
});

test("absent values and the edges of hex: plainValue never decodes, decodeValue and decodeArgv only even-length hex", () => {
  const v = (text: string, quoted = false) => ({ text, quoted });
  assert.deepEqual(["", "(null)", "?", "(none)"].map((t) => plainValue(v(t))), [undefined, undefined, undefined, undefined]);
  assert.deepEqual([plainValue(undefined), plainValue(v("0")), plainValue(v("414243")), plainValue(v("x y", true))], [undefined, "0", "414243", "x y"]);
  assert.deepEqual(["", "(none)"].map((t) => decodeValue(v(t))), [undefined, undefined]);
  assert.deepEqual([decodeValue(v("(null)", true)), decodeValue(v("?", true)), decodeValue(v("", true))], [undefined, "?", ""]);
  // odd length or a non-hex digit: the text itself
  assert.deepEqual([decodeValue(v("414")), decodeValue(v("41G2")), decodeValue(v("4142"))], ["414", "41G2", "AB"]);
  assert.deepEqual([decodeArgv(undefined), decodeArgv(v("(null)")), decodeArgv(v("?", false)), decodeArgv(v("(null)", true))], [undefined, undefined, undefined, undefined]);
  assert.deepEqual([decodeArgv(v("abc")), decodeArgv(v("414")), decodeArgv(v("6C730000")), decodeArgv(v("00")), decodeArgv(v("0061"))], [["abc"], ["414"], ["ls"], [], ["", "a"]]);
});
