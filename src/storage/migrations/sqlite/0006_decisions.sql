-- Decisions on cases, their statements of reasons (DSA Art. 17), appeals (Art. 20), the Art. 23
-- counters and measures, and the moderation state of statuses.

-- Status effects of decisions (safety/status_moderation.h); the author's own sensitive flag and
-- content warning stay untouched so that a reversal restores them exactly.
ALTER TABLE statuses ADD COLUMN moderation_sensitive INTEGER NOT NULL DEFAULT 0;
ALTER TABLE statuses ADD COLUMN moderation_spoiler_text TEXT NOT NULL DEFAULT '';
ALTER TABLE statuses ADD COLUMN moderation_restricted_at INTEGER;
ALTER TABLE statuses ADD COLUMN moderation_removed_at INTEGER;

CREATE TABLE decisions (
  id                  INTEGER PRIMARY KEY,  -- time-ordered: [from, to) periods are id ranges
  case_id             INTEGER NOT NULL,
  action              TEXT NOT NULL,
  ground              TEXT NOT NULL DEFAULT '',
  legal_provision     TEXT NOT NULL DEFAULT '',
  rule_id             INTEGER,
  facts               TEXT NOT NULL DEFAULT '',
  reasons             TEXT NOT NULL DEFAULT '',
  until_at            INTEGER,
  territorial_scope   TEXT NOT NULL DEFAULT '',  -- ISO codes separated by spaces
  automated_detection INTEGER NOT NULL DEFAULT 0,
  automated_decision  TEXT NOT NULL DEFAULT 'not_automated',
  moderator_id        INTEGER NOT NULL,
  referral_authority  TEXT,
  referral_at         INTEGER,
  referral_reference  TEXT,
  target_account_id   INTEGER NOT NULL,
  target_status_id    INTEGER,
  category            TEXT NOT NULL DEFAULT '',
  appeal_of           INTEGER,
  statement_id        INTEGER,
  reversed_at         INTEGER,
  reversed_by         INTEGER,
  created_at          INTEGER NOT NULL
);
CREATE INDEX decisions_case ON decisions (case_id, id);
-- An account's history of decisions (the case view, appeals by the author).
CREATE INDEX decisions_account ON decisions (target_account_id, id);

-- The Transparency Database fields are kept as the JSON object sent there (body), with the
-- member-facing parts (account, redress) in columns of their own.
CREATE TABLE statements (
  id          INTEGER PRIMARY KEY,
  decision_id INTEGER NOT NULL,
  account_id  INTEGER NOT NULL,
  puid        TEXT NOT NULL UNIQUE,
  body        TEXT NOT NULL,
  redress     TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL
);
CREATE INDEX statements_decision ON statements (decision_id);

CREATE TABLE appeals (
  id            INTEGER PRIMARY KEY,
  decision_id   INTEGER NOT NULL,
  appellant_id  INTEGER NOT NULL,
  role          TEXT NOT NULL,
  text          TEXT NOT NULL,
  case_id       INTEGER NOT NULL,
  state         TEXT NOT NULL DEFAULT 'pending',
  resolution_id INTEGER,
  filed_at      INTEGER NOT NULL,
  resolved_at   INTEGER
);
-- One appeal per appellant and decision.
CREATE UNIQUE INDEX appeals_once ON appeals (decision_id, appellant_id);
CREATE INDEX appeals_case ON appeals (case_id);

-- Art. 23: one strike per restrictive decision on an account (removed when reversed).
CREATE TABLE account_strikes (
  account_id  INTEGER NOT NULL,
  decision_id INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (account_id, decision_id)
);
CREATE INDEX account_strikes_time ON account_strikes (account_id, created_at);

-- Art. 23: manifestly unfounded notices, per notifier (Notice::notifier_key).
CREATE TABLE notifier_unfounded (
  notifier_key TEXT NOT NULL,
  decision_id  INTEGER NOT NULL,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (notifier_key, decision_id)
);
CREATE INDEX notifier_unfounded_time ON notifier_unfounded (notifier_key, created_at);

-- Art. 23 measures: warnings, then suspensions for a period.
CREATE TABLE misuse_measures (
  id          INTEGER PRIMARY KEY,
  subject     TEXT NOT NULL,  -- account | notifier
  subject_key TEXT NOT NULL,
  kind        TEXT NOT NULL,  -- warning | suspension
  decision_id INTEGER NOT NULL,
  count       INTEGER NOT NULL,
  starts_at   INTEGER NOT NULL,
  ends_at     INTEGER
);
CREATE INDEX misuse_measures_subject ON misuse_measures (subject, subject_key, id);
-- Transparency: suspensions per period and subject.
CREATE INDEX misuse_measures_kind ON misuse_measures (kind, subject, starts_at);
