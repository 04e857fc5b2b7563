-- Counters move to a narrow table: every post, follow and boost updates them, and rewriting the
-- wide accounts row (note, fields) each time dominated the writer's cost (bench/).
CREATE TABLE account_stats (
  account_id      INTEGER PRIMARY KEY,
  statuses_count  INTEGER NOT NULL DEFAULT 0,
  followers_count INTEGER NOT NULL DEFAULT 0,
  following_count INTEGER NOT NULL DEFAULT 0,
  last_status_at  INTEGER
);
INSERT INTO account_stats (account_id, statuses_count, followers_count, following_count, last_status_at)
  SELECT id, statuses_count, followers_count, following_count, last_status_at FROM accounts;
ALTER TABLE accounts DROP COLUMN statuses_count;
ALTER TABLE accounts DROP COLUMN followers_count;
ALTER TABLE accounts DROP COLUMN following_count;
ALTER TABLE accounts DROP COLUMN last_status_at;

-- Full-text indexing leaves the posting transaction: a post (or an edit or deletion) records a
-- row here in its own transaction, and the search indexer applies the rows to statuses_fts in
-- large batches, which costs a fraction of one FTS5 segment per post. `indexed_text` is the text
-- the index currently holds for the post (NULL: not indexed), needed to remove it from an
-- external-content FTS5 table.
CREATE TABLE search_pending (
  status_id    INTEGER PRIMARY KEY,
  indexed_text TEXT
);
