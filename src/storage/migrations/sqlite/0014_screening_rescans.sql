-- Retroaction (issue 4; docs/screening.md, "Retroaction"): each run of the current rules and model
-- over already published statuses (POST /api/v1/admin/screening/rescan or `stoa screen --since`)
-- is one row, updated in the write transaction of every batch it screens, so its progress is
-- exactly what has been written (cases opened, screening records stored). last_id is the keyset
-- position: the batch after it starts with the next larger status id. A row still 'running' when
-- the server starts belongs to a process that died; the server marks it 'interrupted'.
CREATE TABLE screening_rescans (
  id            INTEGER PRIMARY KEY,
  started_by    INTEGER NOT NULL DEFAULT 0,  -- the admin's account id; 0 for `stoa screen`
  state         TEXT NOT NULL,               -- running | done | stopped | interrupted | failed
  since         INTEGER NOT NULL,            -- unix milliseconds, inclusive
  until         INTEGER,                     -- unix milliseconds, exclusive; NULL: no bound given
  last_id       INTEGER NOT NULL DEFAULT 0,
  scanned       INTEGER NOT NULL DEFAULT 0,
  total         INTEGER NOT NULL DEFAULT 0,
  flagged       INTEGER NOT NULL DEFAULT 0,
  cases_opened  INTEGER NOT NULL DEFAULT 0,
  cases_joined  INTEGER NOT NULL DEFAULT 0,
  skipped       INTEGER NOT NULL DEFAULT 0,
  rules_version TEXT NOT NULL DEFAULT '',
  model_version TEXT NOT NULL DEFAULT '',
  error         TEXT NOT NULL DEFAULT '',
  started_at    INTEGER NOT NULL,
  finished_at   INTEGER
);
