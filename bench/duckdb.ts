// The DuckDB contenders of the benchmark (issue 6 "The benchmark"): the seed rule's query as a SQL filter,
// and its new-terms step as SQL (a match is new when its (file.path, process.name) had no occurrence in the
// 7 days before it, by event.ingested falling back to @timestamp — tern's stream semantics, which equal
// replay's on the generated workload because new pairs never burst past max_signals and the data spans
// less than the history window). Runs in its own process so its time and peak RSS are its own.
// Usage: node dist/bench/duckdb.js filter|new-terms FILE  → prints {"rows":N,"keys":[...]} on stdout.
import { DuckDBInstance } from "@duckdb/node-api";

/** Only the columns the rule needs, typed, so DuckDB projects instead of inferring the whole schema. */
const COLUMNS = `{
  '@timestamp': 'VARCHAR',
  'host': 'STRUCT(os STRUCT(type VARCHAR))',
  'event': 'STRUCT(action VARCHAR, id VARCHAR, ingested VARCHAR)',
  'file': 'STRUCT(path VARCHAR, extension VARCHAR)',
  'process': 'STRUCT(name VARCHAR)'
}`;

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** The seed query: host.os.type:linux and event.action:(…) and file.path:(/dev/shm/* or /usr/lib/*) and
 * file.extension:so and process.name:(* and not (…)). Keyword fields: exact, case-sensitive. */
export const SEED_WHERE = `
  host.os.type = 'linux'
  AND event.action IN ('creation', 'file_create_event', 'file_rename_event', 'rename')
  AND (starts_with(file.path, '/dev/shm/') OR starts_with(file.path, '/usr/lib/'))
  AND file.extension = 'so'
  AND process.name IS NOT NULL
  AND process.name NOT IN ('5', 'dockerd', 'dpkg', 'rpm', 'snapd', 'exe', 'yum', 'vmis-launcher')`;

export function filterSql(file: string): string {
  return `SELECT event.id AS id
FROM read_json(${sqlString(file)}, format = 'newline_delimited', columns = ${COLUMNS})
WHERE ${SEED_WHERE}`;
}

export function newTermsSql(file: string, historyDays = 7): string {
  return `WITH m AS (
  SELECT file.path AS path, process.name AS name, event.id AS id,
         coalesce(TRY_CAST(event.ingested AS TIMESTAMPTZ), TRY_CAST("@timestamp" AS TIMESTAMPTZ)) AS ts
  FROM read_json(${sqlString(file)}, format = 'newline_delimited', columns = ${COLUMNS})
  WHERE ${SEED_WHERE}
), w AS (
  SELECT *, lag(ts) OVER (PARTITION BY path, name ORDER BY ts, id) AS prev FROM m WHERE ts IS NOT NULL
)
SELECT path, name, id FROM w
WHERE prev IS NULL OR prev < ts - INTERVAL ${historyDays} DAY
ORDER BY ts, id`;
}

export async function runDuckdb(mode: "filter" | "new-terms", file: string): Promise<{ rows: number; keys: string[] }> {
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    const reader = await conn.runAndReadAll(mode === "filter" ? filterSql(file) : newTermsSql(file));
    const rows = reader.getRows();
    const keys = rows.map((r) => r.map((v) => String(v)).join("\t"));
    return { rows: rows.length, keys };
  } finally {
    conn.closeSync();
  }
}

if (/[\\/]duckdb\.(js|ts)$/.test(process.argv[1] ?? "")) {
  const [mode, file] = process.argv.slice(2);
  if ((mode !== "filter" && mode !== "new-terms") || file === undefined) {
    process.stderr.write("usage: duckdb filter|new-terms FILE\n");
    process.exit(2);
  }
  runDuckdb(mode, file).then((r) => process.stdout.write(JSON.stringify(r) + "\n"));
}
