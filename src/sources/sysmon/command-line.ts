// Sysmon for Linux writes a process's command line as one string (its argv joined by spaces), no
// argument vector. Elastic's Sysmon for Linux integration derives `process.args` (and the parent's) by
// splitting that string with the Windows command-line convention, so tern does the same, and rules reading
// `process.args` give the answers they give on that integration's data:
// - spaces and tabs separate arguments, except inside double quotes;
// - 2n backslashes before a double quote give n backslashes, and the quote opens or closes quoting;
//   2n+1 backslashes before it give n backslashes and a literal quote;
// - backslashes not followed by a quote are literal;
// - inside quotes, two double quotes give one literal quote and end the quoted part (the pre-2008 rule).

/** The arguments of a command line written by Sysmon (empty for an empty or blank line). */
export function commandLineArgs(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && (line[i] === " " || line[i] === "\t")) i++;
    if (i >= n) break;
    let arg = "";
    let quoted = false;
    let slashes = 0;
    for (; i < n; i++) {
      const c = line[i];
      if ((c === " " || c === "\t") && !quoted) break;
      if (c === "\\") {
        slashes++;
        continue;
      }
      if (c === '"') {
        arg += "\\".repeat(slashes >> 1);
        if (slashes % 2 === 1) arg += '"';
        else if (quoted && line[i + 1] === '"') {
          arg += '"';
          i++;
          quoted = false;
        } else quoted = !quoted;
        slashes = 0;
        continue;
      }
      arg += "\\".repeat(slashes) + c;
      slashes = 0;
    }
    args.push(arg + "\\".repeat(slashes));
  }
  return args;
}
