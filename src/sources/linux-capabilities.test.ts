import { test } from "node:test";
import assert from "node:assert/strict";
import { capabilityNames } from "./linux-capabilities.js";

test("capability masks: bit n is capability n of <linux/capability.h>", () => {
  // bit 7 CAP_SETUID, bit 6 CAP_SETGID
  assert.deepEqual(capabilityNames("00000000000000c0"), ["CAP_SETGID", "CAP_SETUID"]);
  assert.deepEqual(capabilityNames("2000"), ["CAP_NET_RAW"]);
  assert.deepEqual(capabilityNames("0"), []);
  // the full set of a 5.x kernel (41 capabilities) ends with CAP_CHECKPOINT_RESTORE; bit 41 is unnamed
  const all = capabilityNames("000001ffffffffff");
  assert.equal(all?.length, 41);
  assert.deepEqual([all?.[0], all?.[21], all?.[40]], ["CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_CHECKPOINT_RESTORE"]);
  assert.deepEqual(capabilityNames("20000000000"), ["CAP_41"]);
  assert.equal(capabilityNames("xyz"), undefined);
  assert.equal(capabilityNames(undefined), undefined);
});
