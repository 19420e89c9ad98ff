// Where tern's cluster credentials and CA come from (access.ts): the environment over the config file,
// the default file under XDG_CONFIG_HOME, relative CA paths, and the checks on a file holding a secret.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { authorization, clusterAccess } from "./access.js";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

test("the environment over the config file; the default file under XDG_CONFIG_HOME; CA paths relative to the file", () => {
  const dir = mkdtempSync(join(tmpdir(), "tern-access-"));
  try {
    const cfgDir = join(dir, "xdg", "tern");
    mkdirSync(cfgDir, { recursive: true });
    writeFileSync(join(cfgDir, "ca.pem"), PEM);
    const cfg = join(cfgDir, "cluster.toml");
    writeFileSync(cfg, 'username = "alice"\npassword = "pw"\nca = "ca.pem"\n');
    chmodSync(cfg, 0o600);
    const xdg = { XDG_CONFIG_HOME: join(dir, "xdg") };
    assert.deepEqual(clusterAccess(xdg, "/nonexistent"), { auth: { username: "alice", password: "pw" }, ca: Buffer.from(PEM) });
    assert.deepEqual(clusterAccess({ ...xdg, TERN_CLUSTER_API_KEY: "k" }, "/nonexistent").auth, { apiKey: "k" });
    assert.deepEqual(clusterAccess({ ...xdg, TERN_CLUSTER_USER: "bob" }, "/nonexistent").auth, { username: "bob", password: "" });
    // without XDG_CONFIG_HOME: ~/.config/tern/cluster.toml
    mkdirSync(join(dir, "home", ".config"), { recursive: true });
    assert.deepEqual(clusterAccess({}, join(dir, "home")), {});
    // a file without a secret may be readable by others
    const open = join(dir, "open.toml");
    writeFileSync(open, `ca = "${join(cfgDir, "ca.pem")}"\n`);
    chmodSync(open, 0o644);
    assert.deepEqual(clusterAccess({ TERN_CLUSTER_CONFIG: open }, "/nonexistent"), { ca: Buffer.from(PEM) });
    writeFileSync(open, "username = 7\n");
    assert.throws(() => clusterAccess({ TERN_CLUSTER_CONFIG: open }, "/nonexistent"), { message: `${open}: username must be a string` });
    writeFileSync(open, "username = \n");
    assert.throws(() => clusterAccess({ TERN_CLUSTER_CONFIG: open }, "/nonexistent"), /not a TOML file tern can read/);
    assert.throws(() => clusterAccess({ TERN_CLUSTER_CA: join(dir, "none.pem") }, "/nonexistent"), { message: `TERN_CLUSTER_CA: cannot read the CA certificate ${join(dir, "none.pem")}: ENOENT` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the Authorization header of each kind of credential", () => {
  assert.equal(authorization({ apiKey: "abc" }), "ApiKey abc");
  assert.equal(authorization({ username: "u", password: "p:w" }), `Basic ${Buffer.from("u:p:w").toString("base64")}`);
});
