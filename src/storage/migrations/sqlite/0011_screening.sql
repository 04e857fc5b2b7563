-- Screening (issue 4): a status the screening chain held is visible to its author only until a
-- moderator decides (held_at set; cleared when a decision releases it). Every screening of a
-- status (creation and each edit) is recorded with its signals, verdict and the versions of the
-- rules and the model, for the case view, rescans, label export and the rules' precision report.
ALTER TABLE statuses ADD COLUMN held_at INTEGER;
CREATE TABLE status_screenings (
  id INTEGER PRIMARY KEY,
  status_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  edit INTEGER NOT NULL DEFAULT 0,     -- 1 when an edit was screened
  verdict TEXT NOT NULL,               -- publish | publish_and_flag | hold (reject stores nothing)
  reason TEXT NOT NULL DEFAULT '',
  rule_names TEXT NOT NULL DEFAULT '', -- names of the rules that hit, comma-separated
  signals TEXT NOT NULL,               -- JSON: scores per category, rule hits, policy reasons
  rules_version TEXT NOT NULL DEFAULT '',
  model_version TEXT NOT NULL DEFAULT ''
);
CREATE INDEX status_screenings_status ON status_screenings (status_id, id);
