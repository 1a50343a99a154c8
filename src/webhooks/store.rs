//! Webhook queries: the webhooks themselves, the deliveries queued with each event, claiming
//! due deliveries and recording attempts. No HTTP types here.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use uuid::Uuid;

use super::dto::Subscription;
use crate::db::schema::{webhook_attempts as a, webhook_deliveries as d, webhooks as w};
use crate::db::{now, AnyConnection};
use crate::events::dto::Event;

/// A stored webhook; `events` is a JSON array of subscriptions.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = w)]
pub struct WebhookRow {
    pub id: String,
    pub url: String,
    pub secret: String,
    pub events: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl WebhookRow {
    /// The stored subscriptions; an unreadable list subscribes to nothing.
    pub fn subscriptions(&self) -> Vec<Subscription> {
        serde_json::from_str(&self.events).unwrap_or_default()
    }
}

#[derive(Insertable)]
#[diesel(table_name = w)]
pub struct NewWebhookRow<'a> {
    pub id: &'a str,
    pub url: &'a str,
    pub secret: &'a str,
    pub events: &'a str,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Changes to a webhook; `None` leaves a field as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = w)]
pub struct WebhookChanges {
    pub url: Option<String>,
    pub events: Option<String>,
    pub active: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
}

/// A delivery attempt as stored.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = a)]
pub struct AttemptRow {
    pub id: String,
    pub event_id: String,
    pub event_type: String,
    pub attempt: i32,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = d)]
struct NewDelivery<'a> {
    id: String,
    webhook_id: &'a str,
    event_id: &'a str,
    event_type: &'a str,
    payload: &'a str,
    created_at: NaiveDateTime,
    state: &'a str,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
}

/// Delivery states.
pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";

pub fn insert(conn: &mut AnyConnection, row: &NewWebhookRow<'_>) -> QueryResult<()> {
    diesel::insert_into(w::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<WebhookRow>> {
    w::table
        .filter(w::id.eq(id))
        .select(WebhookRow::as_select())
        .first(conn)
        .optional()
}

/// One page of webhooks in id (creation) order; `limit` rows after `after`.
pub fn list(
    conn: &mut AnyConnection,
    limit: i64,
    after: Option<&str>,
) -> QueryResult<Vec<WebhookRow>> {
    let mut query = w::table
        .select(WebhookRow::as_select())
        .order(w::id)
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(w::id.gt(after.to_owned()));
    }
    query.load(conn)
}

/// Applies `changes`; `false` when there is no such webhook.
pub fn update(conn: &mut AnyConnection, id: &str, changes: &WebhookChanges) -> QueryResult<bool> {
    diesel::update(w::table.filter(w::id.eq(id)))
        .set(changes)
        .execute(conn)
        .map(|n| n > 0)
}

/// Takes the webhook's write lock for the transaction, as its first statement: on SQLite a
/// transaction that reads first cannot always start writing later. `false` when there is no
/// such webhook.
pub fn lock(conn: &mut AnyConnection, id: &str) -> QueryResult<bool> {
    diesel::update(w::table.filter(w::id.eq(id)))
        .set(w::id.eq(w::id))
        .execute(conn)
        .map(|n| n > 0)
}

/// Deletes a webhook with its deliveries and their log; `false` when there is none.
pub fn delete(conn: &mut AnyConnection, id: &str) -> QueryResult<bool> {
    diesel::delete(a::table.filter(a::webhook_id.eq(id))).execute(conn)?;
    diesel::delete(d::table.filter(d::webhook_id.eq(id))).execute(conn)?;
    diesel::delete(w::table.filter(w::id.eq(id)))
        .execute(conn)
        .map(|n| n > 0)
}

/// Queues `event` for every active webhook subscribed to its type, in the caller's
/// transaction, so that the deliveries exist exactly when the change committed.
pub fn enqueue(conn: &mut AnyConnection, event: &Event) -> QueryResult<()> {
    let hooks: Vec<(String, String)> = w::table
        .filter(w::active.eq(true))
        .select((w::id, w::events))
        .load(conn)?;
    let subscribed: Vec<&String> = hooks
        .iter()
        .filter(|(_, events)| {
            serde_json::from_str::<Vec<Subscription>>(events)
                .is_ok_and(|subs| subs.iter().any(|s| s.covers(event.kind)))
        })
        .map(|(id, _)| id)
        .collect();
    if subscribed.is_empty() {
        return Ok(());
    }
    let payload = serde_json::to_string(event)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    for webhook_id in subscribed {
        queue(conn, webhook_id, &event.id, event.kind.as_str(), &payload)?;
    }
    Ok(())
}

/// Queues one message for one webhook, due now.
pub fn queue(
    conn: &mut AnyConnection,
    webhook_id: &str,
    event_id: &str,
    event_type: &str,
    payload: &str,
) -> QueryResult<()> {
    let at = now();
    diesel::insert_into(d::table)
        .values(NewDelivery {
            id: Uuid::now_v7().to_string(),
            webhook_id,
            event_id,
            event_type,
            payload,
            created_at: at,
            state: PENDING,
            attempts: 0,
            next_attempt_at: at,
        })
        .execute(conn)
        .map(drop)
}

/// A delivery claimed by one dispatcher, with what sending it needs.
#[derive(Debug, Clone, Queryable)]
pub struct Claimed {
    pub id: String,
    pub webhook_id: String,
    pub event_id: String,
    pub event_type: String,
    pub payload: String,
    pub created_at: NaiveDateTime,
    pub attempts: i32,
    pub url: String,
    pub secret: String,
}

#[derive(QueryableByName)]
struct ClaimedId {
    #[diesel(sql_type = Text)]
    id: String,
}

// Rows another dispatcher is claiming are skipped, not waited for; a claim is a lease, so a
// dispatcher that dies mid-send leaves its deliveries to be claimed again when it expires.
const POSTGRES_CLAIM: &str = "UPDATE webhook_deliveries SET lease_until = $1, lease_owner = $2 \
     WHERE id IN (SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
       WHERE d.state = 'pending' AND d.next_attempt_at <= $3 \
         AND (d.lease_until IS NULL OR d.lease_until < $3) \
         AND (w.active OR d.event_type = 'ping') \
       ORDER BY d.next_attempt_at LIMIT $4 FOR UPDATE OF d SKIP LOCKED) \
     RETURNING id";

// SQLite has one writer at a time: the UPDATE claims atomically.
const SQLITE_CLAIM: &str = "UPDATE webhook_deliveries SET lease_until = ?, lease_owner = ? \
     WHERE id IN (SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
       WHERE d.state = 'pending' AND d.next_attempt_at <= ? \
         AND (d.lease_until IS NULL OR d.lease_until < ?) \
         AND (w.active OR d.event_type = 'ping') \
       ORDER BY d.next_attempt_at LIMIT ?) \
     RETURNING id";

/// Claims up to `limit` due deliveries for `owner` until `lease_until`.
pub fn claim(
    conn: &mut AnyConnection,
    owner: &str,
    at: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<Claimed>> {
    let ids: Vec<ClaimedId> = match conn {
        AnyConnection::Postgresql(c) => diesel::sql_query(POSTGRES_CLAIM)
            .bind::<Timestamp, _>(lease_until)
            .bind::<Text, _>(owner)
            .bind::<Timestamp, _>(at)
            .bind::<BigInt, _>(limit)
            .load(c)?,
        AnyConnection::Sqlite(c) => diesel::sql_query(SQLITE_CLAIM)
            .bind::<Timestamp, _>(lease_until)
            .bind::<Text, _>(owner)
            .bind::<Timestamp, _>(at)
            .bind::<Timestamp, _>(at)
            .bind::<BigInt, _>(limit)
            .load(c)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = ids.into_iter().map(|r| r.id).collect();
    d::table
        .inner_join(w::table)
        .filter(d::id.eq_any(ids))
        .filter(d::lease_owner.eq(owner))
        .select((
            d::id,
            d::webhook_id,
            d::event_id,
            d::event_type,
            d::payload,
            d::created_at,
            d::attempts,
            w::url,
            w::secret,
        ))
        .load(conn)
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub at: NaiveDateTime,
    pub next: Next,
}

/// Where a delivery goes after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Delivered,
    RetryAt(NaiveDateTime),
    GiveUp,
}

/// Logs the attempt and moves the delivery on: delivered, due again later, or failed. Only
/// while `owner` still holds the lease.
pub fn finish(
    conn: &mut AnyConnection,
    claimed: &Claimed,
    owner: &str,
    outcome: &Outcome,
) -> QueryResult<()> {
    conn.transaction(|conn| {
        let attempt = claimed.attempts + 1;
        let target = d::table
            .filter(d::id.eq(&claimed.id))
            .filter(d::lease_owner.eq(owner));
        let (state, next) = match outcome.next {
            Next::Delivered => (DELIVERED, None),
            Next::RetryAt(at) => (PENDING, Some(at)),
            Next::GiveUp => (FAILED, None),
        };
        let moved = diesel::update(target)
            .set((
                d::state.eq(state),
                d::attempts.eq(attempt),
                d::next_attempt_at.eq(next.unwrap_or(outcome.at)),
                d::lease_until.eq(None::<NaiveDateTime>),
                d::lease_owner.eq(None::<String>),
            ))
            .execute(conn)?;
        if moved == 0 {
            // The lease ran out and another dispatcher has it now; its attempt is the one that
            // counts.
            return Ok(());
        }
        diesel::insert_into(a::table)
            .values((
                a::id.eq(Uuid::now_v7().to_string()),
                a::delivery_id.eq(&claimed.id),
                a::webhook_id.eq(&claimed.webhook_id),
                a::event_id.eq(&claimed.event_id),
                a::event_type.eq(&claimed.event_type),
                a::attempt.eq(attempt),
                a::status_code.eq(outcome.status_code),
                a::error.eq(outcome.error.as_deref()),
                a::duration_ms.eq(outcome.duration_ms),
                a::at.eq(outcome.at),
            ))
            .execute(conn)
            .map(drop)
    })
}

/// A page of a webhook's delivery attempts, newest first; `limit` rows before `before`.
pub fn attempts(
    conn: &mut AnyConnection,
    webhook_id: &str,
    limit: i64,
    before: Option<&str>,
) -> QueryResult<Vec<AttemptRow>> {
    let mut query = a::table
        .filter(a::webhook_id.eq(webhook_id.to_owned()))
        .select(AttemptRow::as_select())
        .order(a::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(a::id.lt(before.to_owned()));
    }
    query.load(conn)
}

/// How many deliveries wait to be sent, for operators.
pub fn backlog(conn: &mut AnyConnection) -> QueryResult<i64> {
    d::table
        .filter(d::state.eq(PENDING))
        .count()
        .get_result(conn)
}
