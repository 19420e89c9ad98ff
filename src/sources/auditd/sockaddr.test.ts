// saddr decoding against go-libaudit's auparse golden for audit-rhel7.log (an independent decoder), and
// the IPv6 text forms.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REALDATA_DIR } from "../../testing/paths.js";
import { decodeSockaddr } from "./sockaddr.js";

test("every SOCKADDR of go-libaudit's rhel7 golden decodes to its address, port and family", () => {
  const golden = JSON.parse(readFileSync(join(REALDATA_DIR, "go-libaudit", "auparse", "testdata", "audit-rhel7.log.golden"), "utf8")) as ({ record_type?: string; raw_msg: string; data: Record<string, string> } | null)[];
  const rows = golden.filter((g) => g?.record_type === "sockaddr").map((g) => ({ hex: (g?.raw_msg ?? "").split("saddr=")[1], data: g?.data ?? {} }));
  assert.equal(rows.length, 5);
  for (const { hex, data } of rows) {
    const a = decodeSockaddr(hex);
    if (data.family === "ipv4" || data.family === "ipv6") assert.deepEqual(a, { family: data.family, ip: data.addr, port: Number(data.port) }, hex);
    else if (data.family === "unix") assert.deepEqual(a, { family: "unix", path: data.path }, hex);
    else assert.equal(a?.family, "other", hex);
  }
});

test("IPv6 text: the longest zero run is ::, IPv4-mapped keeps its dotted tail; bad hex is undefined", () => {
  const v6 = (groups: string) => decodeSockaddr(`0A000050${"00000000"}${groups}00000000`);
  assert.deepEqual(v6("20010db8000000000001000000000001"), { family: "ipv6", port: 80, ip: "2001:db8::1:0:0:1" });
  assert.deepEqual(v6("00000000000000000000ffffc0000201"), { family: "ipv6", port: 80, ip: "::ffff:192.0.2.1" });
  assert.deepEqual(v6("fe800000000000000000000000000001"), { family: "ipv6", port: 80, ip: "fe80::1" });
  assert.deepEqual(v6("20010db8000100020003000400050006"), { family: "ipv6", port: 80, ip: "2001:db8:1:2:3:4:5:6" });
  assert.deepEqual(decodeSockaddr("0100006162630000"), { family: "unix", path: "@abc" });
  assert.equal(decodeSockaddr("zz"), undefined);
  assert.equal(decodeSockaddr("02"), undefined);
});
