// How tern gets into a cluster: credentials (an API key, or a user and password) and the CA certificate
// its TLS is checked against, from the environment or a config file — never from the command line, where
// process lists show them. The environment wins over the file. TLS is always verified: a cluster whose
// certificate a private CA signed needs that CA (TERN_CLUSTER_CA, or `ca` in the file).
//
// The file (TERN_CLUSTER_CONFIG, else $XDG_CONFIG_HOME/tern/cluster.toml or ~/.config/tern/cluster.toml
// when it exists) is TOML:
//   api_key = "…"                 # or
//   username = "tern"
//   password = "…"
//   ca = "ca.pem"                 # relative to the file's directory
// A file holding a secret must be its reader's (or root's) and not readable by group or others (as ssh asks
// of its keys); otherwise tern refuses it and says how to fix it.

import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { parse } from "smol-toml";

export type ClusterAuth = { readonly apiKey: string } | { readonly username: string; readonly password: string };

export interface ClusterAccess {
  readonly auth?: ClusterAuth;
  /** The PEM CA certificate(s) the cluster's TLS certificate is checked against (else the system's). */
  readonly ca?: Buffer;
}

/** How to give tern credentials, for the errors that ask for them. */
export const HOW_TO_GIVE_CREDENTIALS = "set TERN_CLUSTER_USER and TERN_CLUSTER_PASSWORD, or TERN_CLUSTER_API_KEY, or put them in a config file (TERN_CLUSTER_CONFIG)";
/** Where credentials and a CA come from, for the `--cluster` option's help. */
export const CLUSTER_ACCESS_HELP = "credentials from TERN_CLUSTER_USER and TERN_CLUSTER_PASSWORD, or TERN_CLUSTER_API_KEY, or the file TERN_CLUSTER_CONFIG names; a private CA from TERN_CLUSTER_CA";

/** A setting tern cannot use: the message says which and what to do. */
export class ClusterAccessError extends Error {}

const KEYS = new Set(["api_key", "username", "password", "ca"]);

/** The config file tern reads: TERN_CLUSTER_CONFIG, else the default path when that exists. */
function configPath(env: NodeJS.ProcessEnv, home: string): string | undefined {
  const given = env.TERN_CLUSTER_CONFIG;
  if (given !== undefined && given !== "") {
    if (!existsSync(given)) throw new ClusterAccessError(`TERN_CLUSTER_CONFIG=${given}: no such file`);
    return given;
  }
  const base = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== "" ? env.XDG_CONFIG_HOME : join(home, ".config");
  const p = join(base, "tern", "cluster.toml");
  return existsSync(p) ? p : undefined;
}

function readConfig(path: string): Record<string, string> {
  let doc: Record<string, unknown>;
  try {
    doc = parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new ClusterAccessError(`${path}: not a TOML file tern can read: ${(e as Error).message.split("\n")[0]}`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (!KEYS.has(k)) throw new ClusterAccessError(`${path}: unknown setting "${k}" (tern reads ${[...KEYS].join(", ")})`);
    if (typeof v !== "string") throw new ClusterAccessError(`${path}: ${k} must be a string`);
    out[k] = v;
  }
  if (out.api_key !== undefined || out.password !== undefined) {
    const st = statSync(path);
    const uid = process.getuid?.();
    if ((st.mode & 0o077) !== 0) {
      throw new ClusterAccessError(`${path} holds a secret and others can read it (mode ${(st.mode & 0o777).toString(8).padStart(4, "0")}); run chmod 600 ${path}`);
    }
    if (uid !== undefined && st.uid !== uid && st.uid !== 0) throw new ClusterAccessError(`${path} holds a secret and belongs to another user (uid ${st.uid}); tern reads only its own`);
  }
  return out;
}

function readCa(path: string, from: string): Buffer {
  try {
    const pem = readFileSync(path);
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) throw new ClusterAccessError(`${from}: ${path} holds no PEM certificate`);
    return pem;
  } catch (e) {
    if (e instanceof ClusterAccessError) throw e;
    throw new ClusterAccessError(`${from}: cannot read the CA certificate ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** The credentials and CA for this run, from `env` and the config file. */
export function clusterAccess(env: NodeJS.ProcessEnv, home: string = homedir()): ClusterAccess {
  const file = configPath(env, home);
  const cfg = file === undefined ? {} : readConfig(file);
  let auth: ClusterAuth | undefined;
  if (env.TERN_CLUSTER_API_KEY) auth = { apiKey: env.TERN_CLUSTER_API_KEY };
  else if (env.TERN_CLUSTER_USER !== undefined) auth = { username: env.TERN_CLUSTER_USER, password: env.TERN_CLUSTER_PASSWORD ?? "" };
  else if (cfg.api_key !== undefined) auth = { apiKey: cfg.api_key };
  else if (cfg.username !== undefined) auth = { username: cfg.username, password: cfg.password ?? "" };
  let ca: Buffer | undefined;
  if (env.TERN_CLUSTER_CA !== undefined && env.TERN_CLUSTER_CA !== "") ca = readCa(resolve(env.TERN_CLUSTER_CA), "TERN_CLUSTER_CA");
  else if (cfg.ca !== undefined && file !== undefined) ca = readCa(isAbsolute(cfg.ca) ? cfg.ca : join(dirname(file), cfg.ca), file);
  return { ...(auth !== undefined ? { auth } : {}), ...(ca !== undefined ? { ca } : {}) };
}

/** The Authorization header for `auth`. */
export function authorization(auth: ClusterAuth): string {
  return "apiKey" in auth ? `ApiKey ${auth.apiKey}` : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
}
