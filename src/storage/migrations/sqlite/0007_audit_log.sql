-- The append-only, hash-chained audit log (src/domain/audit.h documents the chain).
-- seq is the rowid: 1, 2, 3 ... The triggers make the table append-only for every writer (stoa
-- included) and refuse an insert that does not extend the current head, so the chain cannot fork.
CREATE TABLE audit_log (
  seq          INTEGER PRIMARY KEY,
  id           INTEGER NOT NULL,
  created_at   INTEGER NOT NULL,
  actor_id     INTEGER NOT NULL,  -- 0: the system
  action       TEXT NOT NULL,
  target_type  TEXT NOT NULL,
  target_id    TEXT NOT NULL,
  ground       TEXT NOT NULL,
  reasons      TEXT NOT NULL,
  details_json TEXT NOT NULL,
  prev_hash    TEXT NOT NULL,
  hash         TEXT NOT NULL
);
CREATE UNIQUE INDEX audit_log_id ON audit_log (id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_extends_head BEFORE INSERT ON audit_log
WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM audit_log)
  OR NEW.prev_hash IS NOT coalesce(
       (SELECT hash FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)),
       '0000000000000000000000000000000000000000000000000000000000000000')
BEGIN
  SELECT RAISE(ABORT, 'audit_log: entry does not extend the head of the chain');
END;
