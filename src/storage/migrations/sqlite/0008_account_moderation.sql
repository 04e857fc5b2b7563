-- Account moderation (issue 3): a suspension may end at a given time. Unset means indefinite; the
-- end is checked against the clock where accounts are read, so no job lifts it.
ALTER TABLE accounts ADD COLUMN suspended_until INTEGER;
