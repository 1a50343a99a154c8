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

-- Append-only: no statement may change or remove an entry. Statement-level, so that an UPDATE
-- or DELETE fails even when it matches no row, and TRUNCATE (which skips row triggers) too.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP;
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
