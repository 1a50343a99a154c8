-- Who did what, when and from where. No foreign keys: an entry outlives the user, key or article
-- it names. `detail` is JSON text.
CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY NOT NULL,
    at          TIMESTAMP NOT NULL,
    actor_id    TEXT,
    actor_name  TEXT,
    action      TEXT NOT NULL,
    target_type TEXT,
    target_id   TEXT,
    ip          TEXT,
    detail      TEXT NOT NULL
);
-- The log is read newest first by id (UUIDv7, so creation order); each filter's index ends in
-- id so that a filtered page is one index range.
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_target ON audit_log (target_id, id);
CREATE INDEX audit_log_at ON audit_log (at, id);

-- Append-only: no statement may change or remove an entry.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be updated');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted');
END;
