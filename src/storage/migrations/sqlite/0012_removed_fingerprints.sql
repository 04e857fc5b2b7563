-- Screening's match stage (issue 4): the fingerprint (64-bit SimHash, screen/fingerprint.h) of
-- every status removed by a moderation decision, written in the decision's transaction and
-- deleted when the removal is lifted (appeal reversal). The server keeps them in an in-memory
-- index, loaded from here at start, and rejects or flags re-uploads and light edits.
CREATE TABLE removed_fingerprints (
  status_id INTEGER PRIMARY KEY,
  simhash INTEGER NOT NULL,      -- the 64 bits as a signed integer
  shingles INTEGER NOT NULL,
  removed_at INTEGER NOT NULL    -- unix milliseconds
);
