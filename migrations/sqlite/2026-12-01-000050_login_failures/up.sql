-- The login throttle's failures, shared by every process on the database: one row per failed
-- login attempt (and per attempt still being checked), keyed by the SHA-256 digest of the
-- normalised email, so that no address is stored. Rows older than the throttle's window no
-- longer count and are deleted as logins come in.
CREATE TABLE login_failures (
    id        TEXT PRIMARY KEY NOT NULL,
    email_key TEXT NOT NULL,
    at        TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (email_key, at);
CREATE INDEX login_failures_at ON login_failures (at);
