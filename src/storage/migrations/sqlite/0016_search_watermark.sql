-- New statuses reach the full-text index without a search_pending row each: the search indexer
-- indexes the statuses above a watermark, oldest first, and moves the watermark past them in the
-- same transaction. search_pending keeps the edits and deletions of statuses at or below the
-- watermark, and the new statuses that commit at or below it (their id is taken before the
-- write, so another post's higher id can commit and be indexed first). A status above the
-- watermark is not in the index; a queue row for it records no indexed text (NULL).
CREATE TABLE search_watermark (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  indexed_up_to INTEGER NOT NULL  -- every status with a higher id waits to be indexed
);
-- Every status stored so far is indexed or queued.
INSERT INTO search_watermark (id, indexed_up_to) SELECT 1, coalesce(max(id), 0) FROM statuses;
