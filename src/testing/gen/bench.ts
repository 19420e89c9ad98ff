// The benchmark workload generator (issue 6 "The benchmark"): N Linux endpoint events in Elastic Defend's
// shape, deterministic for a seed, of which exactly round(N × matchFraction) match the seed rule's query
// (seed/shared_object_new_terms.toml) and those carry exactly `pairs` distinct (file.path, process.name).
// Streams lines; memory is O(hosts + pairs), never O(N). Non-matching events include near misses
// (excluded package managers, .so.N versions, /usr/lib64, deletions) so a prefilter cannot skip them all.

import { Rng } from "./rng.js";
import {
  ROOT,
  defendTime,
  fileEvent,
  makeHost,
  makeProcess,
  millisTime,
  networkEvent,
  processEvent,
  type EventTimes,
  type GenHost,
  type GenProcess,
  type GenUser,
  type OsFamily,
} from "./defend.js";

export interface BenchGenOptions {
  readonly events: number;
  readonly seed: number;
  /** Fraction of events the seed query matches, in [0, 1]; the count is round(events × fraction). */
  readonly matchFraction: number;
  /** Distinct (file.path, process.name) among the matching events; ≤ matches, and ≥ 1 when matches > 0. */
  readonly pairs: number;
  /** Time span of event.ingested, in days. */
  readonly days: number;
  /**
   * Fraction of events that are near misses (default 0.02): file events sharing the query's words (.so,
   * /usr/lib/, /dev/shm/, creation) that fail one condition, so a byte prefilter must pass them to the
   * parser. Real endpoint data has far fewer; 2 % stands for package-update bursts.
   */
  readonly nearMissFraction?: number;
  /** First event.ingested (default 2024-06-10T00:00:00Z). */
  readonly start?: string;
}

export interface BenchGenMeta {
  readonly generator: "tern-bench-v1";
  readonly events: number;
  readonly seed: number;
  readonly matchFraction: number;
  readonly matches: number;
  readonly pairs: number;
  readonly nearMissFraction: number;
  /** Exactly round(events × nearMissFraction). */
  readonly nearMisses: number;
  readonly days: number;
  readonly start: string;
  /** event.ingested of the last event. */
  readonly end: string;
}

export const DEFAULT_START = "2024-06-10T00:00:00.000Z";
export const DEFAULT_NEAR_MISS = 0.02;

/** Checks options and computes the exact counts; throws a plain Error with a usage message when invalid. */
export function benchMeta(o: BenchGenOptions): BenchGenMeta {
  if (!Number.isInteger(o.events) || o.events < 1) throw new Error(`--events must be a positive integer (got ${o.events})`);
  if (!(o.matchFraction >= 0 && o.matchFraction <= 1)) throw new Error(`--match-fraction must be in [0, 1] (got ${o.matchFraction})`);
  if (!Number.isInteger(o.seed)) throw new Error(`--seed must be an integer (got ${o.seed})`);
  if (!(o.days > 0)) throw new Error(`--days must be > 0 (got ${o.days})`);
  const matches = Math.round(o.events * o.matchFraction);
  if (!Number.isInteger(o.pairs) || o.pairs < 0 || o.pairs > matches || (matches > 0 && o.pairs < 1)) {
    throw new Error(`--pairs must be an integer in [${matches > 0 ? 1 : 0}, ${matches}] for ${matches} matching events (got ${o.pairs})`);
  }
  const nearMissFraction = o.nearMissFraction ?? DEFAULT_NEAR_MISS;
  const nearMisses = Math.round(o.events * nearMissFraction);
  if (!(nearMissFraction >= 0 && nearMisses + matches <= o.events)) throw new Error(`--near-miss-fraction must be in [0, 1 - match fraction] (got ${nearMissFraction})`);
  const startMs = Date.parse(o.start ?? DEFAULT_START);
  if (Number.isNaN(startMs)) throw new Error(`--start is not a date: ${o.start}`);
  const spanMs = Math.round(o.days * 86_400_000);
  if (spanMs < o.events) throw new Error(`--days too short: ${o.events} events need at least ${o.events} ms so that ingest times stay distinct`);
  return {
    generator: "tern-bench-v1",
    events: o.events,
    seed: o.seed,
    matchFraction: o.matchFraction,
    matches,
    pairs: o.pairs,
    nearMissFraction,
    nearMisses,
    days: o.days,
    start: new Date(startMs).toISOString(),
    end: new Date(startMs + ingestOffset(o.events - 1, o.events, spanMs)).toISOString(),
  };
}

/** Ingest time offset of event i: evenly spaced, ≥ 1 ms apart (benchMeta checks span ≥ n). */
function ingestOffset(i: number, n: number, spanMs: number): number {
  return Math.floor(i * (spanMs / n));
}

/** Process names of matching events: none is excluded by the seed query's process.name list. */
const MATCH_PROCS = ["gcc", "ld", "cc1", "cc1plus", "collect2", "python3", "curl", "wget", "cp", "mv", "install", "make", "bash", "sh", "node", "java", "perl", "ruby", "cargo", "rustc", "clang", "ld.lld", "strip", "objcopy", "tar", "unzip", "pip3", "ansible-playbook", "systemd", "busybox"];
const WORDS = ["util", "crypto", "hook", "audit", "cache", "compat", "plugin", "helper", "net", "core", "proc", "shim", "loader", "ssl", "z", "x"];

/** The (file.path, process.name) of pair j; the path embeds j, so pairs are distinct by construction. */
export function pairOf(j: number): { path: string; process: string } {
  const w = WORDS[j % WORDS.length];
  const path = j % 3 === 0 ? `/dev/shm/.t${j}/lib${w}.so` : `/usr/lib/x86_64-linux-gnu/lib${w}-${j}.so`;
  return { path, process: MATCH_PROCS[j % MATCH_PROCS.length] };
}

const FAMILIES: readonly OsFamily[] = ["debian", "ubuntu", "rhel"];
const USERS: readonly GenUser[] = [ROOT, { id: "1000", name: "alice" }, { id: "1001", name: "bob" }, { id: "998", name: "jenkins" }, { id: "33", name: "www-data" }];

interface HostCtx {
  host: GenHost;
  pool: GenProcess[];
  seq: number;
  pkg: GenProcess;
  docker: GenProcess;
}

/** Everyday processes on a host, each with a plausible parent chain under systemd (pid 1). */
function makePool(rng: Rng, host: GenHost, startSec: number): { pool: GenProcess[]; pkg: GenProcess; docker: GenProcess } {
  const systemd = makeProcess(host, 1, "/usr/lib/systemd/systemd", "/sbin/init", ROOT, startSec - 86_400);
  const sshd = makeProcess(host, rng.range(500, 900), "/usr/sbin/sshd", "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups", ROOT, startSec - 86_000, systemd);
  const cron = makeProcess(host, rng.range(400, 700), "/usr/sbin/cron", "/usr/sbin/cron -f", ROOT, startSec - 86_000, systemd);
  const pool: GenProcess[] = [systemd];
  const pid = (): number => rng.range(1000, 4_000_000);
  const user = (): GenUser => rng.pick(USERS);
  for (let k = 0; k < 4; k++) {
    const u = user();
    const shell = makeProcess(host, pid(), "/usr/bin/bash", "-bash", u, startSec - rng.int(80_000), sshd);
    pool.push(shell);
    const cmds = [
      ["/usr/bin/ls", "ls -la"],
      ["/usr/bin/grep", "grep -r error /var/log/syslog"],
      ["/usr/bin/python3", "python3 manage.py runserver"],
      ["/usr/bin/git", "git pull --ff-only"],
      ["/usr/bin/vim", "vim /etc/hosts"],
      ["/usr/bin/curl", "curl -s https://example.com/health"],
      ["/usr/bin/ssh", "ssh deploy@10.0.4.30"],
      ["/usr/bin/gcc", "gcc -O2 -c main.c -o /tmp/ccA1b2C3.o"],
    ];
    for (const [exe, cmd] of cmds) pool.push(makeProcess(host, pid(), exe, cmd, u, startSec - rng.int(80_000), shell));
  }
  pool.push(makeProcess(host, pid(), "/usr/bin/logrotate", "/usr/sbin/logrotate /etc/logrotate.conf", ROOT, startSec, cron));
  pool.push(makeProcess(host, pid(), "/usr/sbin/nginx", "nginx: worker process", { id: "33", name: "www-data" }, startSec - 80_000, systemd));
  pool.push(makeProcess(host, pid(), "/usr/bin/node", "node /srv/app/server.js", { id: "1000", name: "alice" }, startSec - 80_000, systemd));
  const pkgExe = host.family === "rhel" ? "/usr/bin/rpm" : "/usr/bin/dpkg";
  const pkg = makeProcess(host, pid(), pkgExe, host.family === "rhel" ? "rpm -Uvh openssl-libs-3.0.7-27.el9.x86_64.rpm" : "dpkg --unpack libssl3_3.0.13-1_amd64.deb", ROOT, startSec, systemd);
  const docker = makeProcess(host, pid(), "/usr/bin/dockerd", "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock", ROOT, startSec - 86_000, systemd);
  return { pool, pkg, docker };
}

type Kind = "exec" | "fork" | "end" | "net-out" | "net-in" | "net-end" | "file-benign" | "file-delete";
const KINDS: readonly (readonly [Kind, number])[] = [
  ["exec", 22],
  ["fork", 8],
  ["end", 12],
  ["net-out", 15],
  ["net-in", 5],
  ["net-end", 5],
  ["file-benign", 15],
  ["file-delete", 6],
];

/**
 * The events, one JSON text per event (no newline), in event.ingested order. Event i matches the seed query
 * iff floor((i+1)·M/N) > floor(i·M/N): exactly M of them, spread evenly. Among matches, pair j is first used
 * at match number floor(j·M/P) (so new pairs arrive evenly over time, never in a burst that would hit a
 * rule's max_signals) and every other match reuses a pair already seen. Near misses are spread the same
 * way over the non-matching events: exactly K = round(N·nearMissFraction) of them.
 */
export function* benchLines(o: BenchGenOptions): Generator<string> {
  const meta = benchMeta(o);
  const rng = new Rng(o.seed);
  const n = o.events;
  const m = meta.matches;
  const p = o.pairs;
  const startMs = Date.parse(meta.start);
  const spanMs = Math.round(o.days * 86_400_000);
  const hosts: HostCtx[] = [];
  for (let h = 0; h < 20; h++) {
    const fam = FAMILIES[h % FAMILIES.length];
    const name = `${["web", "db", "app", "ci", "k8s-node"][h % 5]}${String(Math.floor(h / 5) + 1).padStart(2, "0")}`;
    const host = makeHost(rng, name, fam, `10.0.${4 + (h % 3)}.${20 + h}`);
    const { pool, pkg, docker } = makePool(rng, host, Math.floor(startMs / 1000));
    hosts.push({ host, pool, seq: rng.range(100_000, 9_000_000), pkg, docker });
  }
  const pairProcs = new Map<number, GenProcess>();
  let introduced = 0;
  let matchNo = 0;
  const k = meta.nearMisses;
  const others = n - m;
  let otherNo = 0;

  for (let i = 0; i < n; i++) {
    const ingestedMs = startMs + ingestOffset(i, n, spanMs);
    const lag = rng.range(2_000, 30_000);
    const isMatch = Math.floor(((i + 1) * m) / n) > Math.floor((i * m) / n);
    let ev: Record<string, unknown>;
    if (isMatch) {
      let j: number;
      if (introduced < p && matchNo === Math.floor((introduced * m) / p)) j = introduced++;
      else j = rng.int(introduced);
      matchNo++;
      let proc = pairProcs.get(j);
      const ctx = hosts[j % hosts.length];
      if (proc === undefined) {
        const pair = pairOf(j);
        const parent = ctx.pool[1 + (j % (ctx.pool.length - 1))];
        proc = makeProcess(ctx.host, rng.range(1000, 4_000_000), `/usr/bin/${pair.process}`, `${pair.process} ${pair.path}`, parent.user, Math.floor(ingestedMs / 1000), parent);
        pairProcs.set(j, proc);
      }
      const t = times(rng, ctx, i, ingestedMs, lag);
      const path = pairOf(j).path;
      ev = rng.int(5) === 0
        ? fileEvent(proc, t, "rename", path, { size: rng.range(8_000, 400_000), elf: true, entropy: 3 + rng.int(300) / 100, originalPath: `/tmp/.build-${rng.hex(6)}/${path.slice(path.lastIndexOf("/") + 1)}` })
        : fileEvent(proc, t, "creation", path, { size: rng.range(8_000, 400_000), elf: true, entropy: 3 + rng.int(300) / 100 });
    } else {
      const ctx = hosts[rng.int(hosts.length)];
      const t = times(rng, ctx, i, ingestedMs, lag);
      const near = Math.floor(((otherNo + 1) * k) / others) > Math.floor((otherNo * k) / others);
      otherNo++;
      ev = near ? nearMiss(rng, ctx, ctx.pool[rng.int(ctx.pool.length)], t) : nonMatching(rng, ctx, t);
    }
    yield JSON.stringify(ev);
  }
}

function times(rng: Rng, ctx: HostCtx, i: number, ingestedMs: number, lag: number): EventTimes {
  ctx.seq += 1 + rng.int(40);
  return {
    timestamp: defendTime(ingestedMs - lag, rng.int(10_000)),
    ingested: millisTime(ingestedMs),
    sequence: ctx.seq,
    id: `${ctx.host.id.slice(0, 12)}+${i.toString(36).padStart(10, "0")}`,
  };
}

const BENIGN_FILES = ["/var/log/nginx/access.log", "/tmp/tmp8f2k1x.json", "/home/alice/.bash_history", "/var/lib/apt/lists/partial/deb.debian.org_debian_dists_bookworm_InRelease", "/etc/hosts.tmp", "/var/cache/man/index.db", "/tmp/ccA1b2C3.o", "/srv/app/.cache/sess-91.tmp", "/usr/lib/python3/dist-packages/__pycache__/six.cpython-311.pyc", "/var/tmp/systemd-private-1/tmp/x"];

function nonMatching(rng: Rng, ctx: HostCtx, t: EventTimes): Record<string, unknown> {
  const kind = rng.weighted(KINDS);
  const proc = ctx.pool[rng.int(ctx.pool.length)];
  switch (kind) {
    case "exec":
      return processEvent(proc, t, "exec");
    case "fork":
      return processEvent(proc, t, "fork");
    case "end":
      return processEvent(proc, t, "end", rng.int(10) === 0 ? 1 : 0);
    case "net-out":
      return networkEvent(proc, t, "connection_attempted", [ctx.host.ip[2], rng.range(32768, 60999)], [`93.184.${rng.int(256)}.${rng.int(256)}`, rng.pick([443, 80, 53, 22, 5432])]);
    case "net-in":
      return networkEvent(proc, t, "connection_accepted", [`10.0.${rng.int(8)}.${rng.int(256)}`, rng.range(32768, 60999)], [ctx.host.ip[2], rng.pick([22, 80, 443])]);
    case "net-end":
      return networkEvent(proc, t, "disconnect_received", [ctx.host.ip[2], rng.range(32768, 60999)], [`10.0.${rng.int(8)}.${rng.int(256)}`, 443]);
    case "file-benign":
      return fileEvent(proc, t, "creation", rng.pick(BENIGN_FILES), { size: rng.range(10, 90_000) });
    case "file-delete":
      return fileEvent(proc, t, rng.int(2) === 0 ? "deletion" : "rename", rng.pick(BENIGN_FILES), { originalPath: "/tmp/.swp" });
    default:
      return assertNever(kind);
  }
}

/** Events that share most of the seed query's words but fail exactly one condition. */
function nearMiss(rng: Rng, ctx: HostCtx, proc: GenProcess, t: EventTimes): Record<string, unknown> {
  const lib = `lib${rng.pick(WORDS)}`;
  switch (rng.int(8)) {
    case 0: // excluded package manager writing a .so into /usr/lib
      return fileEvent(ctx.pkg, t, rng.int(2) === 0 ? "creation" : "rename", `/usr/lib/x86_64-linux-gnu/${lib}.so`, { elf: true, size: 120_000, originalPath: `/usr/lib/x86_64-linux-gnu/${lib}.so.dpkg-new` });
    case 1: // versioned library: extension is the last number
      return fileEvent(proc, t, "creation", `/usr/lib/x86_64-linux-gnu/${lib}.so.3`, { elf: true, size: 90_000 });
    case 2: // unpacked by the package manager under a temporary name
      return fileEvent(ctx.pkg, t, "creation", `/usr/lib/x86_64-linux-gnu/${lib}.so.1.3.dpkg-new`, { elf: true, size: 121_280 });
    case 3: // /usr/lib64 is not /usr/lib/
      return fileEvent(proc, t, "creation", `/usr/lib64/${lib}.so`, { elf: true, size: 50_000 });
    case 4: // dockerd's overlay layers and excluded process
      return fileEvent(ctx.docker, t, "creation", rng.int(2) === 0 ? `/var/lib/docker/overlay2/${rng.hex(12)}/diff/usr/lib/${lib}.so` : `/usr/lib/docker/${lib}.so`, { elf: true, size: 70_000 });
    case 5: // a deletion is not a creation
      return fileEvent(proc, t, "deletion", `/dev/shm/${lib}.so`);
    case 6: // a build tree outside /usr/lib
      return fileEvent(proc, t, "creation", `/home/${proc.user.name}/build/${lib}.so`, { elf: true, size: 30_000 });
    default: // /usr/local/lib is not /usr/lib/ either
      return fileEvent(proc, t, "creation", `/usr/local/lib/${lib}.so`, { elf: true, size: 30_000 });
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected kind ${String(x)}`);
}
