// Schema of the SQLite memory, as ordered migrations (issue 4 "Memory"). A migration is never edited
// once released; add a new one. `PRAGMA user_version` records how many have been applied.

export const MIGRATIONS: readonly string[] = [
  `
  -- One row per (rule, new_terms_fields list): terms of another field list never mix, and the terms
  -- table carries a small integer instead of repeating the rule id and field list in every key.
  CREATE TABLE term_sets (
    id      INTEGER PRIMARY KEY,
    rule_id TEXT    NOT NULL,
    fields  TEXT    NOT NULL,     -- JSON array of new_terms_fields
    UNIQUE (rule_id, fields)
  );
  -- No index on last_seen: pruning scans, lookups stay small and fast (bench/state.ts).
  CREATE TABLE terms (
    set_id     INTEGER NOT NULL,
    hash       INTEGER NOT NULL,  -- hash53(combo): integer comparisons first (state/hash.ts)
    combo      TEXT    NOT NULL,  -- JSON array of the term values
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    count      INTEGER NOT NULL,
    PRIMARY KEY (set_id, hash, combo)
  ) WITHOUT ROWID;

  CREATE TABLE alerts (
    id         TEXT    PRIMARY KEY,
    rule_id    TEXT    NOT NULL,
    rule_name  TEXT    NOT NULL,
    event_time INTEGER,            -- the basis event's effective time (ms)
    created_at INTEGER NOT NULL,   -- the alert's @timestamp (ms)
    severity   TEXT    NOT NULL,
    host       TEXT,
    process    TEXT,
    file       TEXT,
    new_terms  TEXT,               -- JSON array, null for query rules
    doc        TEXT    NOT NULL    -- the alert document as written to the sink
  );
  CREATE INDEX alerts_rule ON alerts (rule_id, event_time);

  CREATE TABLE executions (
    rule_id    TEXT    NOT NULL,
    started_at INTEGER NOT NULL,
    from_ms    INTEGER NOT NULL,
    to_ms      INTEGER NOT NULL,
    alerts     INTEGER NOT NULL,
    duplicates INTEGER NOT NULL,
    warning    TEXT,
    PRIMARY KEY (rule_id, started_at)
  ) WITHOUT ROWID;

  CREATE TABLE schedule (
    rule_id         TEXT    PRIMARY KEY,
    interval_ms     INTEGER NOT NULL,
    last_started_at INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE checkpoints (
    source_key TEXT    PRIMARY KEY,
    inode      INTEGER,
    offset     INTEGER NOT NULL,
    line       INTEGER NOT NULL,
    extra      TEXT,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  -- EQL sequence rules in stream mode: partial sequences waiting for their next event, so a sequence that
  -- spans batches or a restart is found once. \`data\` holds its key and events (ordinals and hits).
  CREATE TABLE eql_partials (
    rule_id TEXT    NOT NULL,
    id      INTEGER NOT NULL,      -- per rule, increasing: the order partial sequences were made in
    stage   INTEGER NOT NULL,      -- the positive stage reached (0-based)
    data    TEXT    NOT NULL,
    PRIMARY KEY (rule_id, id)
  ) WITHOUT ROWID;
  `,
  `
  -- The process table of followed Linux logs (sources/process-table.ts): each live process instance by
  -- host.id and pid, so entity ids survive a restart. \`entry\` is its JSON, NULL once it ended; \`gen\`
  -- is the pid's generation for processes met unseen.
  CREATE TABLE processes (
    key   TEXT    PRIMARY KEY,      -- host.id|pid
    entry TEXT,
    gen   INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  -- --output files this state writes (sinks/ndjson.ts fileSink): the file (st_dev:st_ino), how many bytes
  -- hold alerts recorded as delivered (committed with them), a hash of the bytes before that length, and
  -- the end of a write begun but not yet recorded. A rerun cuts an interrupted write back to \`length\`.
  CREATE TABLE outputs (
    path       TEXT    PRIMARY KEY,   -- absolute path as given to --output
    identity   TEXT    NOT NULL,
    length     INTEGER NOT NULL,
    tail       TEXT    NOT NULL,      -- sha256 hex of the last up to 4,096 bytes before length
    pending    INTEGER,               -- end offset of a write in flight, or NULL
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  -- Threshold rules: Kibana's signal history (threshold/types.ts ThresholdSignalHistory, kept in the rule's
  -- task state): per bucket of a rule, the bucket's terms and the original_time of its newest alert. An
  -- execution leaves out the bucket's events at or before that time, so a span alerts once.
  CREATE TABLE threshold_history (
    rule_id     TEXT    NOT NULL,
    hash        TEXT    NOT NULL,   -- Kibana's getThresholdTermsHash: sha256 hex of the sorted field:value terms
    terms       TEXT    NOT NULL,   -- JSON [{field, value}]
    last_signal INTEGER NOT NULL,   -- ms
    PRIMARY KEY (rule_id, hash)
  ) WITHOUT ROWID;
  `,
  `
  -- Alert suppression (query rules, rule_types/suppressed-query.ts): Kibana's suppression group history
  -- (the rule state's suppressionGroupHistory): per group of a rule, the newest event time already
  -- counted, so an execution whose look-back overlaps leaves those events out. And the alerts of a
  -- suppression instance, found by kibana.alert.instance.id when a later execution extends them.
  CREATE TABLE suppression_history (
    rule_id  TEXT    NOT NULL,
    key      TEXT    NOT NULL,   -- JSON of the group's terms values, in group_by order
    end_date INTEGER NOT NULL,   -- ms
    PRIMARY KEY (rule_id, key)
  ) WITHOUT ROWID;
  CREATE INDEX alerts_instance_id ON alerts (json_extract(doc, '$."kibana.alert.instance.id"'), created_at)
    WHERE json_extract(doc, '$."kibana.alert.instance.id"') IS NOT NULL;
  `,
  `
  -- Each rule's funnel from the latest run that ran it (engine/funnel.ts): how its events thinned out on the
  -- way to alerts, for tern report. One row a rule: a newer run replaces it.
  CREATE TABLE rule_funnels (
    rule_id TEXT    PRIMARY KEY,
    ran_at  INTEGER NOT NULL,   -- ms, when the run ended
    name    TEXT    NOT NULL,
    type    TEXT    NOT NULL,
    funnel  TEXT    NOT NULL    -- JSON {steps: [{step, count}], duplicates, suppressed, notSelected, why}
  ) WITHOUT ROWID;
  `,
  `
  -- A suppression instance's alerts found by a column instead of an index on json_extract(doc): SQLite
  -- evaluated that index's expression, a parse of the whole document (about 13 kB with the rule's fields),
  -- on every alert inserted, which doubled the cost of an insert.
  ALTER TABLE alerts ADD COLUMN instance_id TEXT;   -- kibana.alert.instance.id of a suppressed alert
  UPDATE alerts SET instance_id = json_extract(doc, '$."kibana.alert.instance.id"')
    WHERE json_extract(doc, '$."kibana.alert.instance.id"') IS NOT NULL;
  DROP INDEX alerts_instance_id;
  CREATE INDEX alerts_instance ON alerts (instance_id, created_at) WHERE instance_id IS NOT NULL;
  `,
  `
  -- An alert's rule fields (from kibana.alert.rule.rule_id to .parameters, and the note and other optional
  -- ones after the event's original_event fields: about 10 of its 13 kB) are the same in every alert of the
  -- rule. Stored once here; an alert's doc holds the rest, and where the two texts go back
  -- (state/sqlite.ts: cutRuleFields). Writing them with every alert tripled the bytes SQLite wrote.
  CREATE TABLE rule_fields (
    id        INTEGER PRIMARY KEY,
    hash      INTEGER NOT NULL,   -- hash53(before || x'00' || after)
    rule_uuid TEXT    NOT NULL,
    before    TEXT    NOT NULL,   -- the first run's JSON members, with their leading comma
    after     TEXT    NOT NULL    -- the second's ('' when the rule has none)
  );
  CREATE INDEX rule_fields_hash ON rule_fields (hash);
  ALTER TABLE alerts ADD COLUMN rule_fields INTEGER;   -- rule_fields.id; null: doc is the whole document
  ALTER TABLE alerts ADD COLUMN before_at INTEGER;     -- where in doc (UTF-16 units) the before text goes back
  ALTER TABLE alerts ADD COLUMN after_at INTEGER;      -- where in doc without it the after text goes back (null: none)
  ALTER TABLE alerts ADD COLUMN building_block INTEGER NOT NULL DEFAULT 0;   -- has kibana.alert.building_block_type
  UPDATE alerts SET building_block = 1 WHERE json_extract(doc, '$."kibana.alert.building_block_type"') IS NOT NULL;
  `,
];
