-- Campaigns (issue 4, "Match"; docs/screening.md, "Campaigns").
--
-- The Transparency Database category of the decision that removed a status, kept with its
-- fingerprint: a post flagged only for being near removed content opens its case under that
-- category ('' for fingerprints stored before this migration: STATEMENT_CATEGORY_VIOLENCE then).
ALTER TABLE removed_fingerprints ADD COLUMN category TEXT NOT NULL DEFAULT '';

-- The statuses of a notice case about statuses: its target, and for a campaign case every
-- near-duplicate post by another account that joined it. Each row keeps the status's fingerprint
-- (64-bit SimHash as a signed integer; NULL when the post is too short to match on) so the server
-- can load the fingerprints of open cases into memory at start without reading the posts. Rows
-- stay after the case is closed (the case view lists them; decisions fan out over them).
CREATE TABLE case_statuses (
  case_id    INTEGER NOT NULL REFERENCES cases (id),
  status_id  INTEGER NOT NULL,
  account_id INTEGER NOT NULL,
  simhash    INTEGER,
  shingles   INTEGER NOT NULL DEFAULT 0,
  added_at   INTEGER NOT NULL,   -- unix milliseconds
  PRIMARY KEY (case_id, status_id)
) WITHOUT ROWID;
-- The open case a status belongs to (a status that joined a campaign is not its target).
CREATE INDEX case_statuses_status ON case_statuses (status_id);

-- Every existing notice case about a status lists its target (without a fingerprint: cases
-- opened before this migration do not attract near-duplicates).
INSERT INTO case_statuses (case_id, status_id, account_id, simhash, shingles, added_at)
  SELECT id, target_id, account_id, NULL, 0, created_at FROM cases
  WHERE kind = 0 AND target_type = 0;
