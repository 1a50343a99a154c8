//! Opaque, tamper-evident keyset cursors for collections.
//!
//! A cursor carries the sort it belongs to, a fingerprint of the filters, and the sort key and
//! id of the last item of the page, signed with HMAC-SHA256 so a client can neither forge nor
//! edit one. A cursor from another query, another sort or another server key is refused (400).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::AppError;

type HmacSha256 = Hmac<Sha256>;

/// Signs and verifies cursors with a key derived from the server's secret.
#[derive(Clone)]
pub struct CursorKey([u8; 32]);

impl CursorKey {
    /// Derives the cursor key from the JWT secret, so one secret configures both.
    pub fn derive(secret: &[u8]) -> Self {
        let mut h = Sha256::new();
        h.update(b"byline cursor key\0");
        h.update(secret);
        Self(h.finalize().into())
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length, so this cannot fail.
        <HmacSha256 as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
    }

    /// Encodes and signs a cursor.
    pub fn encode(&self, cursor: &Cursor) -> String {
        let payload = serde_json::to_vec(cursor).unwrap_or_default();
        let mut mac = self.mac();
        mac.update(&payload);
        let tag = mac.finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(&tag[..16])
        )
    }

    /// Verifies and decodes a cursor; it must belong to `sort` and `filters`.
    pub fn decode(&self, raw: &str, sort: &str, filters: &str) -> Result<Cursor, AppError> {
        let bad = || {
            AppError::BadRequest(
                "the cursor is invalid; use next_cursor exactly as returned".into(),
            )
        };
        let (payload, tag) = raw.split_once('.').ok_or_else(bad)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| bad())?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| bad())?;
        let mut mac = self.mac();
        mac.update(&payload);
        mac.verify_truncated_left(&tag).map_err(|_| bad())?;
        let cursor: Cursor = serde_json::from_slice(&payload).map_err(|_| bad())?;
        if cursor.sort != sort || cursor.filters != fingerprint(filters) {
            return Err(AppError::BadRequest(
                "the cursor belongs to another query; keep the same filters and sort while paging"
                    .into(),
            ));
        }
        Ok(cursor)
    }
}

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort the cursor was issued for.
    #[serde(rename = "s")]
    pub sort: String,
    /// A fingerprint of the filters.
    #[serde(rename = "f")]
    pub filters: String,
    /// The sort key of the last item.
    #[serde(rename = "k")]
    pub key: CursorValue,
    /// The id of the last item (the tie-breaker).
    #[serde(rename = "i")]
    pub id: String,
}

impl Cursor {
    /// A cursor after the item `(key, id)` of a query.
    pub fn after(sort: &str, filters: &str, key: CursorValue, id: String) -> Self {
        Self {
            sort: sort.into(),
            filters: fingerprint(filters),
            key,
            id,
        }
    }
}

/// A sort key value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CursorValue {
    /// A timestamp, as microseconds since the epoch.
    Time(i64),
    /// A text key (titles).
    Text(String),
    /// A relevance score.
    Rank(f64),
}

fn fingerprint(filters: &str) -> String {
    let digest = Sha256::digest(filters.as_bytes());
    hex::encode(&digest[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_tampering_and_other_queries() {
        let key = CursorKey::derive(b"secret-secret-secret-secret-secret");
        let c = Cursor::after(
            "-published_at",
            "tag=a",
            CursorValue::Time(1_700_000_000_000_000),
            "id-1".into(),
        );
        let raw = key.encode(&c);
        assert_eq!(
            key.decode(&raw, "-published_at", "tag=a").expect("valid"),
            c
        );
        assert!(key.decode(&raw, "title", "tag=a").is_err(), "another sort");
        assert!(
            key.decode(&raw, "-published_at", "tag=b").is_err(),
            "other filters"
        );
        let other = CursorKey::derive(b"another-secret-another-secret-xx");
        assert!(
            other.decode(&raw, "-published_at", "tag=a").is_err(),
            "another key"
        );
        let (payload, tag) = raw.split_once('.').expect("dot");
        let mut bytes = URL_SAFE_NO_PAD.decode(payload).expect("b64");
        bytes[5] ^= 1;
        let forged = format!("{}.{tag}", URL_SAFE_NO_PAD.encode(bytes));
        assert!(
            key.decode(&forged, "-published_at", "tag=a").is_err(),
            "edited payload"
        );
        for junk in ["", ".", "abc", "a.b", "!!!.???"] {
            assert!(
                key.decode(junk, "-published_at", "tag=a").is_err(),
                "{junk}"
            );
        }
    }

    #[test]
    fn float_ranks_survive_the_round_trip_exactly() {
        let key = CursorKey::derive(b"k");
        let rank = 0.123_456_789_012_345_67_f64;
        let c = Cursor::after("relevance", "", CursorValue::Rank(rank), "x".into());
        let back = key.decode(&key.encode(&c), "relevance", "").expect("valid");
        assert_eq!(back.key, CursorValue::Rank(rank));
    }
}
