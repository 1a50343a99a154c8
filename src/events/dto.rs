//! Wire types of events and of `GET /changes`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::EventType;
use crate::articles::dto::ArticleStatus;
use crate::error::AppError;

/// Something that happened to an article. Sent to webhooks as the request body, and listed
/// by `GET /changes`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Event {
    /// The event's id (UUID v7); the `webhook-id` header of its deliveries.
    #[schema(example = "0198b7c9-5d21-7a3e-8c40-1b2c3d4e5f60")]
    pub id: String,
    /// What happened.
    #[serde(rename = "type")]
    pub kind: EventType,
    /// When the change was made.
    #[schema(example = "2026-08-18T14:05:00Z")]
    pub occurred_at: DateTime<Utc>,
    /// The article as the change left it.
    pub article: EventArticle,
}

/// The article an event is about, as the change left it. For `article.deleted`: as it stood
/// when it was deleted, with the version the deletion took it to.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EventArticle {
    #[schema(example = "0198b7c1-2f4e-7cc1-9a51-6f1d2a3b4c5d")]
    pub id: String,
    #[schema(example = "velmora-council-approves-electric-harbour-ferry-plan")]
    pub slug: String,
    /// Compare it with the version you hold: events may arrive out of order.
    #[schema(example = 4)]
    pub version: i64,
    pub status: ArticleStatus,
}

/// Events per page when `limit` is not given.
pub const DEFAULT_LIMIT: i64 = 100;
/// The largest `limit` accepted.
pub const MAX_LIMIT: i64 = 1000;

/// The query parameters of `GET /changes`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesParams {
    /// The `meta.next_cursor` of the previous page; omit it to start from the first event.
    #[param(min_length = 1, max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
    pub after: Option<String>,
    /// Events per page, 1 to 1000 (default 100).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000, example = 100)]
    pub limit: Option<String>,
}

/// A place in the feed: after the event at this transaction and sequence number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub txid: i64,
    pub seq: i64,
}

impl Position {
    /// The opaque cursor clients pass back.
    pub fn encode(self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}.{}", self.txid, self.seq))
    }

    /// Reads a cursor made by [`Position::encode`]; anything else is a 400.
    pub fn decode(raw: &str) -> Result<Self, AppError> {
        let bad = || {
            AppError::BadRequest(
                "after must be a next_cursor exactly as a previous page returned it".into(),
            )
        };
        let text = URL_SAFE_NO_PAD
            .decode(raw)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(bad)?;
        let (txid, seq) = text.split_once('.').ok_or_else(bad)?;
        let number = |s: &str| s.parse::<i64>().ok().filter(|n| *n >= 0);
        Ok(Self {
            txid: number(txid).ok_or_else(bad)?,
            seq: number(seq).ok_or_else(bad)?,
        })
    }
}

impl ChangesParams {
    /// Where to start and how many events to answer.
    pub fn parse(self) -> Result<(Position, i64), AppError> {
        let limit = match self.limit {
            None => DEFAULT_LIMIT,
            Some(raw) => raw
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    AppError::BadRequest(format!(
                        "limit must be a whole number from 1 to {MAX_LIMIT}"
                    ))
                })?,
        };
        let from = match self.after {
            None => Position::default(),
            Some(raw) => Position::decode(&raw)?,
        };
        Ok((from, limit))
    }
}

/// Paging of the change feed: `next_cursor` is always given.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangesMeta {
    #[schema(example = 100)]
    pub limit: i64,
    /// Pass it as `after` to continue, also after an empty page: events committed since will
    /// follow.
    #[schema(example = "MTAyNDo1Nw")]
    pub next_cursor: String,
}

/// A page of the change feed, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeList {
    pub data: Vec<Event>,
    pub meta: ChangesMeta,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_survives_its_cursor() {
        let p = Position {
            txid: 7_000_123,
            seq: 42,
        };
        assert_eq!(Position::decode(&p.encode()).ok(), Some(p));
    }

    #[test]
    fn a_cursor_that_is_not_a_position_is_refused() {
        for raw in ["", "!!", "MTIz", "LTEuMQ", "YS5i"] {
            assert!(Position::decode(raw).is_err(), "{raw}");
        }
    }
}
