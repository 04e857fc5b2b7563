-- Trust and safety, part 4: counters that keep the open-backlog figures and the notice total off
-- full scans, the notifiers' track record and the weighted notifier count of cases (triage,
-- DESIGN section 7), and the moderators' warning presets.

-- The distinct notifiers of a case weighted by their track record and by brigading damping, in
-- thousandths (safety/triage.h): what the score counts. A case before this migration counts each
-- notifier once.
ALTER TABLE cases ADD COLUMN notifier_weight INTEGER NOT NULL DEFAULT 0;
UPDATE cases SET notifier_weight = distinct_notifiers * 1000;

-- Open cases per category, and per UTC day of creation (created_at / 86400000), kept by the
-- triggers below whatever code opens, closes or reopens a case. The backlog figures read these
-- rows, the minimum of cases_open_created, and for an age percentile one day's slice of it.
CREATE TABLE case_open_counts (
  category TEXT PRIMARY KEY,
  open     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE case_open_days (
  day  INTEGER PRIMARY KEY,
  open INTEGER NOT NULL
);
CREATE INDEX cases_open_created ON cases (state, created_at) WHERE state = 0;
INSERT INTO case_open_counts (category, open)
  SELECT category, count(*) FROM cases WHERE state = 0 GROUP BY category;
INSERT INTO case_open_days (day, open)
  SELECT created_at / 86400000, count(*) FROM cases WHERE state = 0 GROUP BY created_at / 86400000;

CREATE TRIGGER cases_open_insert AFTER INSERT ON cases WHEN NEW.state = 0 BEGIN
  INSERT INTO case_open_counts (category, open) VALUES (NEW.category, 1)
    ON CONFLICT (category) DO UPDATE SET open = open + 1;
  INSERT INTO case_open_days (day, open) VALUES (NEW.created_at / 86400000, 1)
    ON CONFLICT (day) DO UPDATE SET open = open + 1;
END;
CREATE TRIGGER cases_open_update AFTER UPDATE OF state, category, created_at ON cases
WHEN OLD.state != NEW.state OR (NEW.state = 0 AND (OLD.category != NEW.category OR
                                                   OLD.created_at != NEW.created_at)) BEGIN
  UPDATE case_open_counts SET open = open - 1 WHERE OLD.state = 0 AND category = OLD.category;
  UPDATE case_open_days SET open = open - 1
    WHERE OLD.state = 0 AND day = OLD.created_at / 86400000;
  INSERT INTO case_open_counts (category, open) SELECT NEW.category, 1 WHERE NEW.state = 0
    ON CONFLICT (category) DO UPDATE SET open = open + 1;
  INSERT INTO case_open_days (day, open) SELECT NEW.created_at / 86400000, 1 WHERE NEW.state = 0
    ON CONFLICT (day) DO UPDATE SET open = open + 1;
END;
CREATE TRIGGER cases_open_delete AFTER DELETE ON cases WHEN OLD.state = 0 BEGIN
  UPDATE case_open_counts SET open = open - 1 WHERE category = OLD.category;
  UPDATE case_open_days SET open = open - 1 WHERE day = OLD.created_at / 86400000;
END;

-- Running totals for /metrics.
CREATE TABLE safety_totals (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO safety_totals (name, value) SELECT 'notices', count(*) FROM notices;
CREATE TRIGGER notices_total AFTER INSERT ON notices BEGIN
  UPDATE safety_totals SET value = value + 1 WHERE name = 'notices';
END;

-- A notifier's track record: the notice cases decided in which it had a notice, how many of
-- them ended in a restriction, and how many were found manifestly unfounded.
CREATE TABLE notifier_records (
  notifier_key TEXT PRIMARY KEY,
  decided      INTEGER NOT NULL DEFAULT 0,
  upheld       INTEGER NOT NULL DEFAULT 0,
  unfounded    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
INSERT INTO notifier_records (notifier_key, decided, upheld, unfounded)
  SELECT n.notifier_key, count(DISTINCT i.case_id),
         count(DISTINCT CASE WHEN d.action NOT IN ('no_action', 'uphold', 'reverse')
                             THEN i.case_id END),
         (SELECT count(*) FROM notifier_unfounded u WHERE u.notifier_key = n.notifier_key)
  FROM notices n JOIN notice_items i ON i.notice_id = n.id
  LEFT JOIN decisions d ON d.id = i.decision_id
  WHERE i.outcome != '' AND n.source != 'automated'
  GROUP BY n.notifier_key;

-- Mastodon's warning presets (title and text), offered by the admin API's account action.
CREATE TABLE warning_presets (
  id         INTEGER PRIMARY KEY,
  title      TEXT NOT NULL,
  text       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
