// SOCKADDR records: the `saddr=` hex of the socket address a connect/accept/bind call passed or got back
// (struct sockaddr as the kernel copied it: the family in host byte order, then the address). Only the
// Internet families become ECS addresses; unix, netlink and the rest are named and otherwise left alone.

/** A decoded socket address. */
export type SocketAddress =
  | { readonly family: "ipv4" | "ipv6"; readonly ip: string; readonly port: number }
  | { readonly family: "unix"; readonly path: string }
  | { readonly family: "other"; readonly code: number };

const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;

/** Decodes `saddr` hex; undefined when it is not hex or too short to hold a family. */
export function decodeSockaddr(hex: string): SocketAddress | undefined {
  if (!/^(?:[0-9A-Fa-f]{2})+$/.test(hex) || hex.length < 4) return undefined;
  const b = Buffer.from(hex, "hex");
  // sa_family is host order; every architecture audit runs on that tern has tables for is little-endian
  const family = b.readUInt16LE(0);
  if (family === AF_INET && b.length >= 8) {
    return { family: "ipv4", port: b.readUInt16BE(2), ip: `${b[4]}.${b[5]}.${b[6]}.${b[7]}` };
  }
  if (family === AF_INET6 && b.length >= 24) {
    const groups: string[] = [];
    for (let i = 8; i < 24; i += 2) groups.push(b.readUInt16BE(i).toString(16));
    return { family: "ipv6", port: b.readUInt16BE(2), ip: compressIpv6(groups, b) };
  }
  if (family === AF_UNIX) {
    // a path ends at its first NUL; an abstract socket's name starts with one (shown as "@name")
    const rest = b.subarray(2);
    const abstract = rest.length > 0 && rest[0] === 0;
    const body = abstract ? rest.subarray(1) : rest;
    const nul = body.indexOf(0);
    return { family: "unix", path: (abstract ? "@" : "") + body.subarray(0, nul >= 0 ? nul : body.length).toString("utf8") };
  }
  return { family: "other", code: family };
}

/** RFC 5952 text: the longest run (≥ 2) of zero groups becomes "::"; IPv4-mapped addresses keep the dotted tail. */
function compressIpv6(groups: readonly string[], b: Buffer): string {
  if (groups.slice(0, 5).every((g) => g === "0") && groups[5] === "ffff") return `::ffff:${b[20]}.${b[21]}.${b[22]}.${b[23]}`;
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(":");
  return `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`;
}
