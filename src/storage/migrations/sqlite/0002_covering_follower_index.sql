-- Fan-out and "notify me" lookups read every follower of an author on each post. Make the index
-- cover them so that no table row is read per follower (bench/: ~100 lookups per post).
DROP INDEX follows_target;
CREATE INDEX follows_target ON follows (target_account_id, id, account_id, notify);
