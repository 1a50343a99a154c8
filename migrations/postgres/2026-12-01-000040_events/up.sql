-- The transactional outbox: every committed article change writes one event in its own
-- transaction. No foreign key to articles: the event of a deletion outlives the article.
--
-- The change feed is read in (txid, seq) order and only up to the oldest transaction still
-- running (pg_snapshot_xmin). A sequence number taken inside a transaction can become visible
-- after a higher one; a transaction id below the snapshot's xmin belongs to a transaction that
-- has ended, so every event up to there is final and a reader's cursor never skips one.
CREATE TABLE events (
    seq         BIGSERIAL PRIMARY KEY,
    txid        BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    id          TEXT NOT NULL UNIQUE,
    event_type  TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    article_id  TEXT NOT NULL,
    slug        TEXT NOT NULL,
    version     BIGINT NOT NULL,
    status      TEXT NOT NULL,
    public      BOOLEAN NOT NULL
);
CREATE INDEX events_feed ON events (txid, seq);
CREATE INDEX events_public_feed ON events (txid, seq) WHERE public;

-- Webhooks: where events are sent. The secret signs deliveries, so it is kept as issued.
CREATE TABLE webhooks (
    id          TEXT PRIMARY KEY NOT NULL,
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    events      TEXT NOT NULL,
    active      BOOLEAN NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- One row per event and webhook, written with the event; a dispatcher claims due rows for a
-- lease, sends them, and records each attempt.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY NOT NULL,
    webhook_id      TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until     TIMESTAMP,
    lease_owner     TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id);

CREATE TABLE webhook_attempts (
    id          TEXT PRIMARY KEY NOT NULL,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    webhook_id  TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id    TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    attempt     INTEGER NOT NULL,
    status_code INTEGER,
    error       TEXT,
    duration_ms BIGINT NOT NULL,
    at          TIMESTAMP NOT NULL
);
CREATE INDEX webhook_attempts_webhook ON webhook_attempts (webhook_id, id);
