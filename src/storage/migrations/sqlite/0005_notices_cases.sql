-- Trust and safety, part 1: notices (DSA Art. 16 notices and Mastodon reports) with their items and
-- the content snapshots taken when they arrived, the cases they merge into and the moderators'
-- queue, notes on cases, priority notifiers and the outbox of messages to notifiers.
-- Enumerations: cases.kind 0 notice, 1 appeal; cases.state 0 open, 1 closed; target_type 0
-- status, 1 account; categories and sources by their wire names.

CREATE TABLE cases (
  id                    INTEGER PRIMARY KEY,
  kind                  INTEGER NOT NULL DEFAULT 0 CHECK (kind IN (0, 1)),
  state                 INTEGER NOT NULL DEFAULT 0 CHECK (state IN (0, 1)),
  target_type           INTEGER NOT NULL CHECK (target_type IN (0, 1)),
  target_id             INTEGER NOT NULL,
  account_id            INTEGER NOT NULL,
  category              TEXT NOT NULL,
  urgency               INTEGER NOT NULL DEFAULT 0,
  score                 INTEGER NOT NULL DEFAULT 0,
  deadline_at           INTEGER NOT NULL,
  assigned_to           INTEGER,
  lease_until           INTEGER,
  version               INTEGER NOT NULL DEFAULT 1,
  notices_count         INTEGER NOT NULL DEFAULT 0,
  distinct_notifiers    INTEGER NOT NULL DEFAULT 0,
  priority_notices      INTEGER NOT NULL DEFAULT 0,
  sources               INTEGER NOT NULL DEFAULT 0,
  threat_to_life        INTEGER NOT NULL DEFAULT 0,
  appeal_of             INTEGER,
  excluded_moderator_id INTEGER,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL,
  closed_at             INTEGER
);
-- At most one open notice case per target: new notices join it.
CREATE UNIQUE INDEX cases_open_target ON cases (target_type, target_id) WHERE state = 0 AND kind = 0;
-- The claimable queue in queue order: its first row is the head (O(log n)).
CREATE INDEX cases_claimable ON cases (deadline_at, score DESC, id)
  WHERE state = 0 AND assigned_to IS NULL;
-- Listing by state in queue order (filters are applied along it).
CREATE INDEX cases_queue ON cases (state, deadline_at, score DESC, id);
-- Leases to expire, soonest first.
CREATE INDEX cases_leases ON cases (lease_until) WHERE state = 0 AND assigned_to IS NOT NULL;
-- An account's history (cases about it or its statuses).
CREATE INDEX cases_account ON cases (account_id, id);

-- Who has a notice in a case: the distinct-notifiers count.
CREATE TABLE case_notifiers (
  case_id      INTEGER NOT NULL REFERENCES cases (id),
  notifier_key TEXT NOT NULL,
  PRIMARY KEY (case_id, notifier_key)
) WITHOUT ROWID;

CREATE TABLE case_notes (
  id         INTEGER PRIMARY KEY,
  case_id    INTEGER NOT NULL REFERENCES cases (id),
  author_id  INTEGER NOT NULL,
  text       TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, id);

CREATE TABLE priority_notifiers (
  id         INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('trusted_flagger', 'authority', 'host')),
  name       TEXT NOT NULL,
  key_hash   TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);

CREATE TABLE notices (
  id                  INTEGER PRIMARY KEY,
  reference           TEXT NOT NULL UNIQUE,
  secret_hash         TEXT NOT NULL,
  source              TEXT NOT NULL,
  reporter_account_id INTEGER,
  notifier_id         INTEGER REFERENCES priority_notifiers (id),
  notifier_key        TEXT NOT NULL,
  name                TEXT NOT NULL DEFAULT '',
  email               TEXT NOT NULL DEFAULT '',
  explanation         TEXT NOT NULL DEFAULT '',
  category            TEXT NOT NULL,
  report_category     TEXT,
  legal_provision     TEXT NOT NULL DEFAULT '',
  rule_ids_json       TEXT NOT NULL DEFAULT '[]',
  forward             INTEGER NOT NULL DEFAULT 0,
  good_faith          INTEGER NOT NULL DEFAULT 0,
  threat_to_life      INTEGER NOT NULL DEFAULT 0,
  score               INTEGER NOT NULL DEFAULT 0,
  details_json        TEXT NOT NULL DEFAULT '',
  target_account_id   INTEGER NOT NULL,
  received_at         INTEGER NOT NULL
);
CREATE INDEX notices_reporter ON notices (reporter_account_id, id)
  WHERE reporter_account_id IS NOT NULL;

-- One reported status or account of a notice, the case it joined and the evidence.
CREATE TABLE notice_items (
  id                       INTEGER PRIMARY KEY,
  notice_id                INTEGER NOT NULL REFERENCES notices (id),
  target_type              INTEGER NOT NULL CHECK (target_type IN (0, 1)),
  target_id                INTEGER NOT NULL,
  location                 TEXT NOT NULL DEFAULT '',
  case_id                  INTEGER NOT NULL REFERENCES cases (id),
  snapshot_author_id       INTEGER NOT NULL,
  snapshot_text            TEXT NOT NULL,
  snapshot_spoiler_text    TEXT NOT NULL DEFAULT '',
  snapshot_visibility      TEXT,
  snapshot_content_created INTEGER NOT NULL,
  snapshot_taken_at        INTEGER NOT NULL,
  snapshot_sha256          TEXT NOT NULL,
  decision_id              INTEGER,
  outcome                  TEXT NOT NULL DEFAULT '',
  decided_at               INTEGER
);
CREATE INDEX notice_items_notice ON notice_items (notice_id, id);
CREATE INDEX notice_items_case ON notice_items (case_id, id);

CREATE TABLE outbox (
  id         INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL,
  to_email   TEXT NOT NULL,
  subject    TEXT NOT NULL,
  body       TEXT NOT NULL,
  notice_id  INTEGER,
  created_at INTEGER NOT NULL,
  sent_at    INTEGER
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
