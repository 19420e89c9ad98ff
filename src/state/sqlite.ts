// The embedded memory (issue 4 "Memory"): better-sqlite3 in WAL mode. Per rule and term combination the
// first/last sighting and a count; stored alerts (their ids de-duplicate overlapping windows and reruns);
// replay executions and each rule's schedule cursor; source checkpoints for --follow. The directory is
// created 0700 and the file 0600. Callers group writes with `transaction` (one per batch or execution).
// Term lookups are answered by an in-memory index per term set (state/term-index.ts, docs/engine.md
// "Terms index").

import Database from "better-sqlite3";
import { closeSync, constants, lstatSync, mkdirSync, openSync, statSync } from "node:fs";
import { Checkpointer, OWN_CHECKPOINT_PAGES } from "./checkpointer.js";
import { StateInUseError, lockState } from "./lock.js";
import { dirname } from "node:path";
import { AdapterError, DiagnosticError, diagnostic, fileSpan } from "../diag/index.js";
import { MIGRATIONS } from "./migrations.js";
import { randomBytes } from "node:crypto";
import { hash32, hash53, hash53x, lastHash32 } from "./hash.js";
import { TermIndex } from "./term-index.js";
import type { OutputLedger, OutputRecord } from "../engine/ports.js";
import { cutRuleFields, restoreRuleFields, type RuleFieldsCut, type RuleFieldsText } from "./rule-fields.js";

/** Commits between two looks at the log's size, and the size from which a checkpointer takes over (SQLite's default threshold: 1,000 pages). */
const CHECKPOINTER_CHECK_EVERY = 8;
const CHECKPOINTER_FROM_BYTES = 4 * 1024 * 1024;

/** SQL: the alert is not a building block (its document has no kibana.alert.building_block_type). */
const NOT_BUILDING_BLOCK = "building_block = 0";

/** The columns an alert's whole document is put back together from (see cutRuleFields). */
const DOC_COLUMNS = "doc, rule_fields, before_at, after_at";
interface DocColumns {
  readonly doc: string;
  readonly rule_fields: number | null;
  readonly before_at: number | null;
  readonly after_at: number | null;
}

/**
 * Lookups of a term set answered by SQLite before its index is built: a run that looks up a few
 * combinations does not pay a scan of a large set (about 1.5 s for 1 M rows); 10,000 SQLite lookups
 * cost about 50 ms.
 */
export const DEFAULT_INDEX_AFTER_LOOKUPS = 10_000;

export interface TermRow {
  readonly key: string;
  readonly first: number;
  readonly last: number;
  readonly count: number;
}

/** One bucket of a threshold rule's signal history. */
export interface ThresholdHistoryRow {
  readonly hash: string;
  /** JSON array of {field, value}. */
  readonly terms: string;
  readonly lastSignal: number;
}

export interface AlertRow {
  readonly id: string;
  readonly ruleId: string;
  readonly ruleName: string;
  readonly eventTime: number | null;
  readonly createdAt: number;
  readonly severity: string;
  readonly host: string | null;
  readonly process: string | null;
  readonly file: string | null;
  readonly newTerms: string | null;
  readonly doc: string;
  /** The document's `kibana.alert.instance.id` (alerts of a suppression instance), else null or absent. */
  readonly instanceId?: string | null;
  /** Whether the document has `kibana.alert.building_block_type` (absent: read from the document). */
  readonly buildingBlock?: boolean;
  /** The rule's texts in `doc`, stored once for all its alerts (absent: the document is stored whole). */
  readonly ruleFields?: RuleFieldsText;
  /** `doc` without them, when its builder made it (else they are searched for). */
  readonly cut?: RuleFieldsCut;
}

/** An alert as `tern report` lists it: AlertRow without the document and file, and whether it is a building block. */
export type AlertSummary = Omit<AlertRow, "doc" | "file"> & { readonly buildingBlock: boolean };

export interface ExecutionRow {
  readonly ruleId: string;
  readonly startedAt: number;
  readonly from: number;
  readonly to: number;
  readonly alerts: number;
  readonly duplicates: number;
  readonly warning: string | null;
}

export interface Checkpoint {
  readonly inode: number | null;
  readonly offset: number;
  readonly line: number;
  readonly extra?: string | null;
}

export interface StateStats {
  readonly path: string;
  readonly bytes: number;
  readonly rules: { ruleId: string; terms: number; alerts: number; executions: number; lastStartedAt: number | null }[];
  readonly terms: number;
  readonly alerts: number;
  readonly executions: number;
  readonly checkpoints: number;
}

interface DbTermRow {
  combo: string;
  first_seen: number;
  last_seen: number;
  count: number;
}

/**
 * SQLite result codes that mean the storage failed (full disk, quota, I/O error), not a bug: they become
 * STATE004. better-sqlite3 reports extended codes (SQLITE_IOERR_WRITE, SQLITE_IOERR_FSYNC, …).
 */
function storageFailure(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code !== "string") return undefined;
  if (code === "SQLITE_FULL") return "the disk is full (SQLITE_FULL)";
  if (code.startsWith("SQLITE_IOERR")) return `an I/O error (${code})`;
  if (code === "SQLITE_READONLY" || code.startsWith("SQLITE_READONLY_")) return `the file cannot be written (${code})`;
  // Node's own errors reach here through the lock and the directory it creates
  if (code === "ENOSPC" || code === "EDQUOT" || code === "EIO") return `${code}`;
  return undefined;
}

/** `e` as STATE004 when it is a storage failure of the store at `path`, else `e` itself. */
export function stateWriteError(path: string, e: unknown): unknown {
  const why = storageFailure(e);
  if (why === undefined) return e;
  return new AdapterError("STATE004", "processing", `cannot write the state store ${path}: ${why}; the transaction in progress was rolled back: free space and rerun`, { cause: e });
}

/** A rule's funnel from its latest run (engine/funnel.ts); `funnel` is JSON. */
export interface FunnelRow {
  readonly ruleId: string;
  readonly ranAt: number;
  readonly name: string;
  readonly type: string;
  readonly funnel: string;
}

export class SqliteStore implements OutputLedger {
  readonly db: Database.Database;
  private readonly stmts;
  /** rule id → field list → term set id. */
  private readonly sets = new Map<string, Map<string, number>>();
  /** rule_fields ids by their texts (before, then after), and texts by id. */
  private readonly ruleFieldIds = new Map<string, Map<string, number>>();
  private readonly ruleFieldTexts = new Map<number, { before: string; after: string }>();
  /** term set id → its in-memory index (state/term-index.ts); built on first lookup, written through,
   * dropped on rollback, prune and writes by another connection. */
  private readonly indexes = new Map<number, TermIndex>();
  /** Seed of the index's second hash, new per open: collisions cannot be prepared offline. */
  private readonly seed = randomBytes(4).readUInt32LE(0);
  private dataVersion: number;
  private indexBuildMs = 0;
  /** term set id → lookups answered by SQLite so far; the index is built once they reach `indexAfter`. */
  private readonly sqliteLookups = new Map<number, number>();
  /** Releases the writer's lock (state/lock.ts), when this store holds one. */
  private release: (() => void) | undefined;

  private checkpointer: Checkpointer | undefined;
  /** A checkpointer could not start: the store checkpoints by itself, as SQLite does by default. */
  private checkpointerRefused = false;
  private commitsUnchecked = 0;

  private constructor(
    readonly path: string,
    db: Database.Database,
    private readonly useIndex: boolean,
    private readonly indexAfter: number,
  ) {
    this.db = db;
    this.stmts = {
      getSet: db.prepare<[string, string], { id: number }>("SELECT id FROM term_sets WHERE rule_id = ? AND fields = ?"),
      insertSet: db.prepare("INSERT INTO term_sets (rule_id, fields) VALUES (?, ?)"),
      dataVersion: db.prepare<[], number>("PRAGMA data_version").pluck(),
      countTerms: db.prepare<[number], number>("SELECT count(*) FROM terms WHERE set_id = ?").pluck(),
      scanTerms: db.prepare<[number], unknown>("SELECT hash, combo, first_seen, last_seen, count FROM terms WHERE set_id = ?").raw(),
      getTerm: db.prepare<[number, number, string], Omit<DbTermRow, "combo">>("SELECT first_seen, last_seen, count FROM terms WHERE set_id = ? AND hash = ? AND combo = ?"),
      upsertTerm: db.prepare(
        `INSERT INTO terms (set_id, hash, combo, first_seen, last_seen, count) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (set_id, hash, combo) DO UPDATE SET
           first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen), count = count + excluded.count`,
      ),
      hasAlert: db.prepare<[string], { one: number }>("SELECT 1 AS one FROM alerts WHERE id = ?"),
      ruleFieldsByHash: db.prepare<[number], { id: number; before: string; after: string }>("SELECT id, before, after FROM rule_fields WHERE hash = ?"),
      ruleFieldsById: db.prepare<[number], { before: string; after: string }>("SELECT before, after FROM rule_fields WHERE id = ?"),
      insertRuleFields: db.prepare<[number, string, string, string]>("INSERT INTO rule_fields (hash, rule_uuid, before, after) VALUES (?, ?, ?, ?)"),
      insertAlert: db.prepare(
        `INSERT OR IGNORE INTO alerts (id, rule_id, rule_name, event_time, created_at, severity, host, process, file, new_terms, doc, instance_id, rule_fields, before_at, after_at, building_block)
         VALUES (@id, @ruleId, @ruleName, @eventTime, @createdAt, @severity, @host, @process, @file, @newTerms, @doc, @instanceId, @ruleFields, @beforeAt, @afterAt,
                 coalesce(@buildingBlock, json_extract(@wholeDoc, '$."kibana.alert.building_block_type"') IS NOT NULL))`,
      ),
      hasExecution: db.prepare<[string, number], { one: number }>("SELECT 1 AS one FROM executions WHERE rule_id = ? AND started_at = ?"),
      insertExecution: db.prepare(
        `INSERT OR REPLACE INTO executions (rule_id, started_at, from_ms, to_ms, alerts, duplicates, warning)
         VALUES (@ruleId, @startedAt, @from, @to, @alerts, @duplicates, @warning)`,
      ),
      getSchedule: db.prepare<[string], { interval_ms: number; last_started_at: number }>("SELECT interval_ms, last_started_at FROM schedule WHERE rule_id = ?"),
      setSchedule: db.prepare(
        `INSERT INTO schedule (rule_id, interval_ms, last_started_at) VALUES (?, ?, ?)
         ON CONFLICT (rule_id) DO UPDATE SET interval_ms = excluded.interval_ms, last_started_at = max(last_started_at, excluded.last_started_at)`,
      ),
      eqlPartials: db.prepare<[string], { id: number; stage: number; data: string }>("SELECT id, stage, data FROM eql_partials WHERE rule_id = ? ORDER BY id"),
      addEqlPartial: db.prepare("INSERT OR REPLACE INTO eql_partials (rule_id, id, stage, data) VALUES (?, ?, ?, ?)"),
      deleteEqlPartial: db.prepare("DELETE FROM eql_partials WHERE rule_id = ? AND id = ?"),
      thresholdHistory: db.prepare<[string], { hash: string; terms: string; last_signal: number }>("SELECT hash, terms, last_signal FROM threshold_history WHERE rule_id = ? ORDER BY hash"),
      pruneThresholdHistory: db.prepare("DELETE FROM threshold_history WHERE rule_id = ? AND last_signal <= ?"),
      putThresholdHistory: db.prepare("INSERT OR REPLACE INTO threshold_history (rule_id, hash, terms, last_signal) VALUES (?, ?, ?, ?)"),
      processes: db.prepare<[], { key: string; entry: string | null; gen: number }>("SELECT key, entry, gen FROM processes"),
      setProcess: db.prepare("INSERT OR REPLACE INTO processes (key, entry, gen) VALUES (?, ?, ?)"),
      getCheckpoint: db.prepare<[string], { inode: number | null; offset: number; line: number; extra: string | null }>("SELECT inode, offset, line, extra FROM checkpoints WHERE source_key = ?"),
      setCheckpoint: db.prepare(
        `INSERT INTO checkpoints (source_key, inode, offset, line, extra, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (source_key) DO UPDATE SET inode = excluded.inode, offset = excluded.offset, line = excluded.line, extra = excluded.extra, updated_at = excluded.updated_at`,
      ),
      getOutput: db.prepare<[string], { identity: string; length: number; tail: string; pending: number | null }>("SELECT identity, length, tail, pending FROM outputs WHERE path = ?"),
      setOutput: db.prepare("INSERT OR REPLACE INTO outputs (path, identity, length, tail, pending, updated_at) VALUES (?, ?, ?, ?, ?, ?)"),
    };
    this.dataVersion = this.stmts.dataVersion.get() ?? 0;
  }

  /** Opens (creating if needed) the store at `path`; ":memory:" keeps it in memory. */
  static open(path: string, opts: { cacheMb?: number; termIndex?: boolean; indexAfterLookups?: number; writer?: boolean } = {}): SqliteStore {
    let db: Database.Database;
    let release: (() => void) | undefined;
    try {
      if (path !== ":memory:") {
        // A link could put the store (and its 0600 mode) onto someone else's file: refused.
        let link = false;
        try {
          link = lstatSync(path).isSymbolicLink();
        } catch {
          // absent: created below
        }
        if (link) throw new Error("it is a symbolic link; give the file's own path");
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        // Create the file ourselves, 0600 whatever the umask (SQLite gives -wal/-shm the same mode); an
        // existing file keeps the mode its owner gave it.
        try {
          closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600));
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        }
        if (opts.writer === true) release = lockState(path);
      }
      db = new Database(path);
      db.pragma("journal_mode = WAL");
    } catch (e) {
      release?.();
      if (storageFailure(e) !== undefined) throw stateWriteError(path, e);
      if (e instanceof StateInUseError) throw new DiagnosticError([diagnostic("STATE003", `${e.message.charAt(0).toUpperCase()}${e.message.slice(1)}.`, fileSpan(path))]);
      const why = e instanceof Error ? e.message : String(e);
      throw new DiagnosticError([diagnostic("STATE001", `Cannot open the state store "${path}": ${why}; give --state a tern state file or a new path.`, fileSpan(path))]);
    }
    try {
      return SqliteStore.prepare(path, db, release, opts);
    } catch (e) {
      db.close();
      release?.();
      throw stateWriteError(path, e);
    }
  }

  private static prepare(path: string, db: Database.Database, release: (() => void) | undefined, opts: { cacheMb?: number; termIndex?: boolean; indexAfterLookups?: number }): SqliteStore {
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    // A 32 MiB page cache (default) keeps the upper levels and hot leaves of a large terms B-tree in memory
    // while 1 M combinations stay under 200 MB of RSS; a cache as large as the working set makes random
    // lookups several times faster (bench/state.ts measures both).
    db.pragma(`cache_size = ${-Math.round((opts.cacheMb ?? 32) * 1024)}`);
    const version = Number(db.pragma("user_version", { simple: true }));
    if (version > MIGRATIONS.length) {
      throw new DiagnosticError([diagnostic("STATE002", `The state store "${path}" has schema version ${version}; this tern knows up to ${MIGRATIONS.length}.`, fileSpan(path))]);
    }
    for (let i = version; i < MIGRATIONS.length; i++) {
      db.transaction(() => {
        db.exec(MIGRATIONS[i]);
        db.pragma(`user_version = ${i + 1}`);
      })();
    }
    const store = new SqliteStore(path, db, opts.termIndex ?? true, opts.indexAfterLookups ?? DEFAULT_INDEX_AFTER_LOOKUPS);
    store.release = release;
    return store;
  }

  close(): void {
    // the worker's connection first, so the store's own close is the last and folds the log in
    this.checkpointer?.close();
    this.checkpointer = undefined;
    this.db.close();
    this.release?.();
    this.release = undefined;
  }

  /**
   * Runs `fn` in one transaction (committed when it returns, rolled back when it throws). A full disk or
   * an I/O error is thrown as STATE004 (AdapterError).
   */
  transaction<T>(fn: () => T): T {
    let out: T;
    try {
      out = this.db.transaction(fn)();
    } catch (e) {
      // The indexes may hold what the rollback undid.
      this.forgetCached();
      throw stateWriteError(this.path, e);
    }
    this.committed();
    return out;
  }

  /** Has a checkpointer taken the store's checkpoints over (see committed)? */
  get checkpointing(): boolean {
    return this.checkpointer !== undefined;
  }

  /**
   * After a commit: a store whose log has reached CHECKPOINTER_FROM_BYTES (it writes enough for the copies
   * into the database file to cost: alerts by the ten thousand) hands its checkpoints to a worker thread
   * (checkpointer.ts), which it tells of every commit from then on.
   */
  private committed(): void {
    if (this.checkpointer !== undefined) return this.checkpointer.committed();
    if (this.path === ":memory:" || this.checkpointerRefused || ++this.commitsUnchecked < CHECKPOINTER_CHECK_EVERY) return;
    this.commitsUnchecked = 0;
    let size = 0;
    try {
      size = statSync(`${this.path}-wal`).size;
    } catch {
      return;
    }
    if (size < CHECKPOINTER_FROM_BYTES) return;
    this.checkpointer = Checkpointer.start(this.path);
    if (this.checkpointer === undefined) this.checkpointerRefused = true;
    else this.db.pragma(`wal_autocheckpoint = ${OWN_CHECKPOINT_PAGES}`);
  }

  /** Drops the in-process set ids and term indexes (after a rollback, a prune, or writes by another connection). */
  forgetCached(): void {
    this.sets.clear();
    this.ruleFieldIds.clear();
    this.ruleFieldTexts.clear();
    this.indexes.clear();
  }

  /** Forgets the indexes if another connection committed since the last check (PRAGMA data_version). */
  private checkDataVersion(): void {
    const v = this.stmts.dataVersion.get() ?? 0;
    if (v !== this.dataVersion) {
      this.dataVersion = v;
      this.forgetCached();
    }
  }

  /** The integer id of a (rule, field list) pair; created on first write. */
  private setId(ruleId: string, fields: string, create: boolean): number | undefined {
    let byFields = this.sets.get(ruleId);
    let id = byFields?.get(fields);
    if (id !== undefined) return id;
    id = this.stmts.getSet.get(ruleId, fields)?.id;
    if (id === undefined) {
      if (!create) return undefined;
      id = Number(this.stmts.insertSet.run(ruleId, fields).lastInsertRowid);
    }
    if (byFields === undefined) this.sets.set(ruleId, (byFields = new Map()));
    byFields.set(fields, id);
    return id;
  }

  /** The set's index, built by one scan of its rows on first use. */
  private indexOf(set: number): TermIndex {
    let idx = this.indexes.get(set);
    if (idx !== undefined) return idx;
    const t0 = performance.now();
    idx = new TermIndex(this.stmts.countTerms.get(set) ?? 0);
    const seed = this.seed;
    for (const row of this.stmts.scanTerms.iterate(set)) {
      const [h, combo, first, last, count] = row as [number, string, number, number, number];
      idx.merge(h, hash32(combo, seed), first, last, count);
    }
    this.indexBuildMs += performance.now() - t0;
    this.indexes.set(set, idx);
    return idx;
  }

  /** Size of the term indexes and the time spent building them since open (bench/state.ts reports them). */
  termIndexStats(): { sets: number; entries: number; bytes: number; buildMs: number } {
    let entries = 0;
    let bytes = 0;
    for (const idx of this.indexes.values()) {
      entries += idx.size;
      bytes += idx.bytes;
    }
    return { sets: this.indexes.size, entries, bytes, buildMs: this.indexBuildMs };
  }

  /** Whether lookups of the set go to its index (built now if due), else to SQLite. */
  private indexed(set: number): boolean {
    if (!this.useIndex) return false;
    if (this.indexes.has(set)) return true;
    const n = this.sqliteLookups.get(set) ?? 0;
    if (n < this.indexAfter) {
      this.sqliteLookups.set(set, n + 1);
      return false;
    }
    return true;
  }

  /** One combination, from the set's index, or from SQLite (see `indexed`). */
  private lookup(set: number, key: string): TermRow | undefined {
    if (!this.indexed(set)) {
      const r = this.stmts.getTerm.get(set, hash53(key), key);
      return r === undefined ? undefined : { key, first: r.first_seen, last: r.last_seen, count: r.count };
    }
    const idx = this.indexOf(set);
    const h = hash53x(key, this.seed);
    const slot = idx.find(h, lastHash32);
    return slot < 0 ? undefined : { key, first: idx.first(slot), last: idx.last(slot), count: idx.count(slot) };
  }

  /**
   * Runs `fn` in one read transaction (nested inside a running transaction as a savepoint). Many SQLite
   * lookups in a row are about twice as fast inside one; it also notices writes by another connection.
   */
  read<T>(fn: () => T): T {
    this.checkDataVersion();
    try {
      return this.db.transaction(fn).deferred();
    } catch (e) {
      this.forgetCached();
      throw stateWriteError(this.path, e);
    }
  }

  getTerm(ruleId: string, fields: string, key: string): TermRow | undefined {
    const set = this.setId(ruleId, fields, false);
    if (set === undefined) return undefined;
    return this.lookup(set, key);
  }

  /** Looks up many combinations (the engine's per-run and per-batch path). */
  getTerms(ruleId: string, fields: string, keys: Iterable<string>): Map<string, TermRow> {
    this.checkDataVersion();
    const out = new Map<string, TermRow>();
    const set = this.setId(ruleId, fields, false);
    if (set === undefined) return out;
    const one = () => {
      for (const key of keys) {
        const r = this.lookup(set, key);
        if (r !== undefined) out.set(key, r);
      }
      return out;
    };
    // Until the index is built, one read transaction spares SQLite a lock per statement.
    return this.indexes.has(set) ? one() : this.read(one);
  }

  /** Merges sightings: first = min, last = max, count added. */
  upsertTerm(ruleId: string, fields: string, row: TermRow): void {
    const set = this.setId(ruleId, fields, true) ?? 0;
    const idx = this.indexes.get(set);
    const h = idx === undefined ? hash53(row.key) : hash53x(row.key, this.seed);
    const h2 = lastHash32;
    this.stmts.upsertTerm.run(set, h, row.key, row.first, row.last, row.count);
    // Write-through to a built index; an unbuilt one reads the row when it is built.
    idx?.merge(h, h2, row.first, row.last, row.count);
  }

  /** Replaces a stored alert's document (an alert suppression extends an alert it created earlier). */
  updateAlertDoc(id: string, doc: string): void {
    this.db.prepare<[string, string]>("UPDATE alerts SET doc = ?, rule_fields = NULL, before_at = NULL, after_at = NULL WHERE id = ?").run(doc, id);
  }

  /** The newest stored alert of a suppression instance created at or after `since` (ms), as its document. */
  latestAlertOfInstance(instanceId: string, since: number): string | undefined {
    const row = this.db
      .prepare<[string, number], DocColumns>(`SELECT ${DOC_COLUMNS} FROM alerts WHERE instance_id = ? AND created_at >= ? ORDER BY created_at DESC, id LIMIT 1`)
      .get(instanceId, since);
    return row === undefined ? undefined : this.wholeDoc(row);
  }

  suppressionHistory(ruleId: string): { key: string; endDate: number }[] {
    return this.db.prepare<[string], { key: string; end_date: number }>("SELECT key, end_date FROM suppression_history WHERE rule_id = ? ORDER BY key").all(ruleId).map((r) => ({ key: r.key, endDate: r.end_date }));
  }

  /** Replaces a rule's suppression group history. */
  setSuppressionHistory(ruleId: string, rows: readonly { key: string; endDate: number }[]): void {
    this.db.prepare<[string]>("DELETE FROM suppression_history WHERE rule_id = ?").run(ruleId);
    const put = this.db.prepare<[string, string, number]>("INSERT INTO suppression_history (rule_id, key, end_date) VALUES (?, ?, ?)");
    for (const r of rows) put.run(ruleId, r.key, r.endDate);
  }

  hasAlert(id: string): boolean {
    return this.stmts.hasAlert.get(id) !== undefined;
  }

  insertAlert(row: AlertRow): void {
    const made = row.cut;
    const cut = row.ruleFields === undefined ? undefined : made !== undefined && made.of === row.doc && made.fields === row.ruleFields ? made : cutRuleFields(row.doc, row.ruleFields);
    this.stmts.insertAlert.run({
      id: row.id,
      ruleId: row.ruleId,
      ruleName: row.ruleName,
      eventTime: row.eventTime,
      createdAt: row.createdAt,
      severity: row.severity,
      host: row.host,
      process: row.process,
      file: row.file,
      newTerms: row.newTerms,
      doc: cut === undefined ? row.doc : cut.rest,
      instanceId: row.instanceId ?? null,
      ruleFields: cut === undefined || row.ruleFields === undefined ? null : this.ruleFieldsId(row.ruleFields),
      beforeAt: cut === undefined ? null : cut.beforeAt,
      afterAt: cut === undefined ? null : cut.afterAt,
      buildingBlock: row.buildingBlock === undefined ? null : row.buildingBlock ? 1 : 0,
      wholeDoc: row.buildingBlock === undefined ? row.doc : null,
    });
  }

  /** The id of a rule's texts in rule_fields, stored on first use. */
  private ruleFieldsId(text: RuleFieldsText): number {
    // keyed by the texts themselves: the alert builder hands the same strings for every alert of a rule
    let byAfter = this.ruleFieldIds.get(text.before);
    const known = byAfter?.get(text.after);
    if (known !== undefined) return known;
    const hash = hash53(`${text.before}\u0000${text.after}`);
    let id = this.stmts.ruleFieldsByHash.all(hash).find((r) => r.before === text.before && r.after === text.after)?.id;
    id ??= Number(this.stmts.insertRuleFields.run(hash, text.ruleUuid, text.before, text.after).lastInsertRowid);
    if (byAfter === undefined) this.ruleFieldIds.set(text.before, (byAfter = new Map()));
    byAfter.set(text.after, id);
    return id;
  }

  /** An alert's whole document from its stored columns. */
  private wholeDoc(r: DocColumns): string {
    if (r.rule_fields === null || r.before_at === null) return r.doc;
    let text = this.ruleFieldTexts.get(r.rule_fields);
    if (text === undefined) {
      text = this.stmts.ruleFieldsById.get(r.rule_fields);
      if (text === undefined) throw new Error(`state store: alert rule fields ${r.rule_fields} missing`);
      this.ruleFieldTexts.set(r.rule_fields, text);
    }
    return restoreRuleFields(r.doc, r.before_at, r.after_at, text);
  }

  hasExecution(ruleId: string, startedAt: number): boolean {
    return this.stmts.hasExecution.get(ruleId, startedAt) !== undefined;
  }

  recordExecution(row: ExecutionRow): void {
    this.stmts.insertExecution.run(row);
  }

  getSchedule(ruleId: string): { intervalMs: number; lastStartedAt: number } | undefined {
    const r = this.stmts.getSchedule.get(ruleId);
    return r === undefined ? undefined : { intervalMs: r.interval_ms, lastStartedAt: r.last_started_at };
  }

  setSchedule(ruleId: string, intervalMs: number, lastStartedAt: number): void {
    this.stmts.setSchedule.run(ruleId, intervalMs, lastStartedAt);
  }

  getCheckpoint(sourceKey: string): Checkpoint | undefined {
    const r = this.stmts.getCheckpoint.get(sourceKey);
    return r === undefined ? undefined : { inode: r.inode, offset: r.offset, line: r.line, extra: r.extra };
  }

  setCheckpoint(sourceKey: string, cp: Checkpoint): void {
    this.stmts.setCheckpoint.run(sourceKey, cp.inode, cp.offset, cp.line, cp.extra ?? null, Date.now());
  }

  /** What this state recorded of the --output file at `path` (absolute). */
  getOutput(path: string): OutputRecord | undefined {
    const r = this.stmts.getOutput.get(path);
    return r === undefined ? undefined : { identity: r.identity, length: r.length, tail: r.tail, pending: r.pending };
  }

  setOutput(path: string, rec: OutputRecord): void {
    this.stmts.setOutput.run(path, rec.identity, rec.length, rec.tail, rec.pending, Date.now());
  }

  /** Partial EQL sequences of a rule (stream mode), in the order they were made. */
  eqlPartials(ruleId: string): { id: number; stage: number; data: string }[] {
    return this.stmts.eqlPartials.all(ruleId);
  }

  addEqlPartial(ruleId: string, id: number, stage: number, data: string): void {
    this.stmts.addEqlPartial.run(ruleId, id, stage, data);
  }

  deleteEqlPartial(ruleId: string, id: number): void {
    this.stmts.deleteEqlPartial.run(ruleId, id);
  }

  /** A threshold rule's signal history: per bucket hash, its terms (JSON) and the newest alert's original time. */
  thresholdHistory(ruleId: string): ThresholdHistoryRow[] {
    return this.stmts.thresholdHistory.all(ruleId).map((r) => ({ hash: r.hash, terms: r.terms, lastSignal: r.last_signal }));
  }

  /**
   * The history after one execution, as Kibana keeps it in the rule state ({...valid, ...new}): entries at or
   * before the execution's `from` dropped, the execution's own entries written over the rest.
   */
  saveThresholdHistory(ruleId: string, from: number, entries: Iterable<ThresholdHistoryRow>): void {
    this.stmts.pruneThresholdHistory.run(ruleId, from);
    for (const e of entries) this.stmts.putThresholdHistory.run(ruleId, e.hash, e.terms, e.lastSignal);
  }

  /** The stored process table (followed Linux logs): every key with its entry JSON (null: ended) and generation. */
  processes(): { key: string; entry: string | null; gen: number }[] {
    return this.stmts.processes.all();
  }

  setProcess(key: string, entry: string | null, gen: number): void {
    this.stmts.setProcess.run(key, entry, gen);
  }

  /** Deletes terms of `ruleId` last seen before `beforeMs`; returns how many. */
  pruneTerms(ruleId: string, beforeMs: number): number {
    this.forgetCached();
    return this.db.prepare("DELETE FROM terms WHERE set_id IN (SELECT id FROM term_sets WHERE rule_id = ?) AND last_seen < ?").run(ruleId, beforeMs).changes;
  }

  /** Each rule's newest learned sighting, for pruning relative to the data's own clock. */
  termRules(): { ruleId: string; newest: number }[] {
    return this.db
      .prepare<[], { rule_id: string; newest: number }>("SELECT s.rule_id AS rule_id, max(t.last_seen) AS newest FROM terms t JOIN term_sets s ON s.id = t.set_id GROUP BY s.rule_id ORDER BY s.rule_id")
      .all()
      .map((r) => ({ ruleId: r.rule_id, newest: r.newest }));
  }

  listTerms(ruleId: string, limit: number): (TermRow & { fields: string })[] {
    return this.db
      .prepare<[string, number], DbTermRow & { fields: string }>(
        "SELECT s.fields AS fields, t.combo AS combo, t.first_seen AS first_seen, t.last_seen AS last_seen, t.count AS count FROM terms t JOIN term_sets s ON s.id = t.set_id WHERE s.rule_id = ? ORDER BY t.first_seen, t.combo LIMIT ?",
      )
      .all(ruleId, limit)
      .map((r) => ({ fields: r.fields, key: r.combo, first: r.first_seen, last: r.last_seen, count: r.count }));
  }

  /**
   * Stored alerts, oldest event first. `buildingBlocks: false` leaves out building-block alerts (those with
   * `kibana.alert.building_block_type`), as Kibana's alerts table does by default.
   */
  listAlerts(ruleIds: string | readonly string[] | undefined, limit: number, opts: { buildingBlocks?: boolean } = {}): AlertRow[] {
    type Db = DocColumns & { id: string; rule_id: string; rule_name: string; event_time: number | null; created_at: number; severity: string; host: string | null; process: string | null; file: string | null; new_terms: string | null };
    const ids = ruleIds === undefined ? undefined : typeof ruleIds === "string" ? [ruleIds] : ruleIds;
    if (ids !== undefined && ids.length === 0) return [];
    const where = [ids === undefined ? undefined : `rule_id IN (${ids.map(() => "?").join(", ")})`, opts.buildingBlocks === false ? NOT_BUILDING_BLOCK : undefined].filter((w) => w !== undefined);
    const sql = `SELECT * FROM alerts ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY event_time, id LIMIT ?`;
    const rows = this.db.prepare<unknown[], Db>(sql).all(...(ids ?? []), limit);
    return rows.map((r) => ({
      id: r.id,
      ruleId: r.rule_id,
      ruleName: r.rule_name,
      eventTime: r.event_time,
      createdAt: r.created_at,
      severity: r.severity,
      host: r.host,
      process: r.process,
      file: r.file,
      newTerms: r.new_terms,
      doc: this.wholeDoc(r),
    }));
  }

  /** One stored alert's document. */
  alertDoc(id: string): string | undefined {
    const row = this.db.prepare<[string], DocColumns>(`SELECT ${DOC_COLUMNS} FROM alerts WHERE id = ?`).get(id);
    return row === undefined ? undefined : this.wholeDoc(row);
  }

  /** The building blocks of a sequence's shell alert, in sequence order. */
  groupAlertDocs(shellId: string): string[] {
    return this.db
      .prepare<[string, string], DocColumns>(`SELECT ${DOC_COLUMNS} FROM alerts WHERE json_extract(doc, '$."kibana.alert.group.id"') = ? AND id <> ? ORDER BY json_extract(doc, '$."kibana.alert.group.index"')`)
      .all(shellId, shellId)
      .map((r) => this.wholeDoc(r));
  }

  /** Every stored alert without its document, oldest event first, for `tern report`. */
  alertSummaries(): AlertSummary[] {
    type Db = { id: string; rule_id: string; rule_name: string; event_time: number | null; created_at: number; severity: string; host: string | null; process: string | null; new_terms: string | null; bb: number };
    return this.db
      .prepare<[], Db>(`SELECT id, rule_id, rule_name, event_time, created_at, severity, host, process, new_terms, NOT (${NOT_BUILDING_BLOCK}) AS bb FROM alerts ORDER BY event_time, id`)
      .all()
      .map((r) => ({ id: r.id, ruleId: r.rule_id, ruleName: r.rule_name, eventTime: r.event_time, createdAt: r.created_at, severity: r.severity, host: r.host, process: r.process, newTerms: r.new_terms, buildingBlock: r.bb === 1 }));
  }

  /** One alert document per rule that has alerts (its first), which carries the rule's metadata. */
  ruleAlertDocs(): Map<string, string> {
    const rows = this.db.prepare<[], DocColumns & { rule_id: string }>(`SELECT rule_id, ${DOC_COLUMNS} FROM alerts WHERE rowid IN (SELECT min(rowid) FROM alerts GROUP BY rule_id)`).all();
    return new Map(rows.map((r) => [r.rule_id, this.wholeDoc(r)]));
  }

  /** Every recorded execution, by rule and time. */
  allExecutions(): ExecutionRow[] {
    type Db = { rule_id: string; started_at: number; from_ms: number; to_ms: number; alerts: number; duplicates: number; warning: string | null };
    return this.db
      .prepare<[], Db>("SELECT * FROM executions ORDER BY rule_id, started_at")
      .all()
      .map((r) => ({ ruleId: r.rule_id, startedAt: r.started_at, from: r.from_ms, to: r.to_ms, alerts: r.alerts, duplicates: r.duplicates, warning: r.warning }));
  }

  /** Replaces each given rule's funnel with this run's (`funnel` is its JSON). */
  saveFunnels(rows: readonly FunnelRow[]): void {
    const put = this.db.prepare<[string, number, string, string, string]>("INSERT OR REPLACE INTO rule_funnels (rule_id, ran_at, name, type, funnel) VALUES (?, ?, ?, ?, ?)");
    this.transaction(() => {
      for (const r of rows) put.run(r.ruleId, r.ranAt, r.name, r.type, r.funnel);
    });
  }

  /** Every rule's latest funnel, by rule_id. */
  allFunnels(): FunnelRow[] {
    return this.db
      .prepare<[], { rule_id: string; ran_at: number; name: string; type: string; funnel: string }>("SELECT * FROM rule_funnels ORDER BY rule_id")
      .all()
      .map((r) => ({ ruleId: r.rule_id, ranAt: r.ran_at, name: r.name, type: r.type, funnel: r.funnel }));
  }

  /**
   * The rule_ids a name, rule_id or rule uuid given by a user stands for: a rule_id the state has alerts or
   * executions for, else the rules whose alerts carry that name (case-insensitive) or uuid.
   */
  resolveRule(given: string): string[] {
    const byId = this.db.prepare<[string, string], { rule_id: string }>("SELECT rule_id FROM alerts WHERE rule_id = ? UNION SELECT rule_id FROM executions WHERE rule_id = ?").all(given, given);
    if (byId.length > 0) return [given];
    const byName = this.db
      .prepare<[string, string, string], { rule_id: string }>(`SELECT DISTINCT rule_id FROM alerts WHERE rule_name = ? COLLATE NOCASE OR rule_fields IN (SELECT id FROM rule_fields WHERE rule_uuid = ?)
           OR (rule_fields IS NULL AND json_extract(doc, '$."kibana.alert.rule.uuid"') = ?) ORDER BY rule_id`)
      .all(given, given, given);
    return byName.map((r) => r.rule_id);
  }

  countBuildingBlockAlerts(ruleIds?: string | readonly string[]): number {
    const ids = ruleIds === undefined ? [] : typeof ruleIds === "string" ? [ruleIds] : ruleIds;
    if (ruleIds !== undefined && ids.length === 0) return 0;
    const sql = `SELECT count(*) AS n FROM alerts WHERE NOT ${NOT_BUILDING_BLOCK}${ruleIds === undefined ? "" : ` AND rule_id IN (${ids.map(() => "?").join(", ")})`}`;
    return this.db.prepare<unknown[], { n: number }>(sql).get(...ids)?.n ?? 0;
  }

  stats(): StateStats {
    const count = (sql: string) => (this.db.prepare<[], { n: number }>(sql).get()?.n ?? 0);
    const per = new Map<string, { ruleId: string; terms: number; alerts: number; executions: number; lastStartedAt: number | null }>();
    const row = (id: string) => {
      let r = per.get(id);
      if (r === undefined) {
        r = { ruleId: id, terms: 0, alerts: 0, executions: 0, lastStartedAt: null };
        per.set(id, r);
      }
      return r;
    };
    for (const r of this.db.prepare<[], { rule_id: string; n: number }>("SELECT s.rule_id AS rule_id, count(*) AS n FROM terms t JOIN term_sets s ON s.id = t.set_id GROUP BY s.rule_id").all()) row(r.rule_id).terms += r.n;
    for (const r of this.db.prepare<[], { rule_id: string; n: number }>("SELECT rule_id, count(*) AS n FROM alerts GROUP BY rule_id").all()) row(r.rule_id).alerts = r.n;
    for (const r of this.db.prepare<[], { rule_id: string; n: number }>("SELECT rule_id, count(*) AS n FROM executions GROUP BY rule_id").all()) row(r.rule_id).executions = r.n;
    for (const r of this.db.prepare<[], { rule_id: string; last_started_at: number }>("SELECT rule_id, last_started_at FROM schedule").all()) row(r.rule_id).lastStartedAt = r.last_started_at;
    const pageCount = Number(this.db.pragma("page_count", { simple: true }));
    const pageSize = Number(this.db.pragma("page_size", { simple: true }));
    return {
      path: this.path,
      bytes: pageCount * pageSize,
      rules: [...per.values()].sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)),
      terms: count("SELECT count(*) AS n FROM terms"),
      alerts: count("SELECT count(*) AS n FROM alerts"),
      executions: count("SELECT count(*) AS n FROM executions"),
      checkpoints: count("SELECT count(*) AS n FROM checkpoints"),
    };
  }
}
