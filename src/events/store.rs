//! Event queries: append one, read the feed. No HTTP types here.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::dto::{Event, EventArticle, Position};
use super::EventType;
use crate::articles::dto::ArticleStatus;
use crate::db::schema::events;
use crate::db::AnyConnection;

#[derive(Insertable)]
#[diesel(table_name = events)]
struct NewEvent<'a> {
    id: &'a str,
    event_type: &'a str,
    occurred_at: NaiveDateTime,
    article_id: &'a str,
    slug: &'a str,
    version: i64,
    status: &'a str,
    public: bool,
}

/// A stored event.
#[derive(Debug, Queryable, QueryableByName)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub seq: i64,
    pub txid: i64,
    pub id: String,
    pub event_type: String,
    pub occurred_at: NaiveDateTime,
    pub article_id: String,
    pub slug: String,
    pub version: i64,
    pub status: String,
    pub public: bool,
}

impl EventRow {
    /// Where the feed continues after this event.
    pub fn position(&self) -> Position {
        Position {
            txid: self.txid,
            seq: self.seq,
        }
    }

    /// The event as clients see it; `None` for a row this build cannot read.
    pub fn into_event(self) -> Option<Event> {
        Some(Event {
            id: self.id,
            kind: EventType::parse(&self.event_type)?,
            occurred_at: DateTime::<Utc>::from_naive_utc_and_offset(self.occurred_at, Utc),
            article: EventArticle {
                id: self.article_id,
                slug: self.slug,
                version: self.version,
                status: ArticleStatus::parse(&self.status)?,
            },
        })
    }
}

/// Appends an event; on PostgreSQL the row takes the writing transaction's id by default.
pub fn insert(conn: &mut AnyConnection, event: &Event, public: bool) -> QueryResult<()> {
    diesel::insert_into(events::table)
        .values(NewEvent {
            id: &event.id,
            event_type: event.kind.as_str(),
            occurred_at: event.occurred_at.naive_utc(),
            article_id: &event.article.id,
            slug: &event.article.slug,
            version: event.article.version,
            status: event.article.status.as_str(),
            public,
        })
        .execute(conn)
        .map(drop)
}

const COLUMNS: &str =
    "seq, txid, id, event_type, occurred_at, article_id, slug, version, status, public";

/// Up to `limit` events after `from`, oldest first; only public ones when `public_only`.
pub fn feed(
    conn: &mut AnyConnection,
    from: Position,
    public_only: bool,
    limit: i64,
) -> QueryResult<Vec<EventRow>> {
    // A literal condition, so that the partial index of public events serves it.
    let public = if public_only { "AND public" } else { "" };
    match conn {
        // Only events of transactions older than every transaction still running: those are
        // final, so no event can later appear before the cursor.
        AnyConnection::Postgresql(c) => diesel::sql_query(format!(
            "SELECT {COLUMNS} FROM events WHERE (txid, seq) > ($1, $2) \
             AND txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint {public} \
             ORDER BY txid, seq LIMIT $3"
        ))
        .bind::<BigInt, _>(from.txid)
        .bind::<BigInt, _>(from.seq)
        .bind::<BigInt, _>(limit)
        .load(c),
        // One writer at a time: every committed sequence number is final once it can be read.
        AnyConnection::Sqlite(c) => diesel::sql_query(format!(
            "SELECT {COLUMNS} FROM events WHERE seq > ? {public} ORDER BY seq LIMIT ?"
        ))
        .bind::<BigInt, _>(from.seq)
        .bind::<BigInt, _>(limit)
        .load(c),
    }
}
