//! Wire types of the `/webhooks` endpoints.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::events::EventType;
use crate::page::PageMeta;

/// An event a webhook subscribes to, or `*` for every event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum Subscription {
    #[serde(rename = "*")]
    All,
    #[serde(rename = "article.created")]
    Created,
    #[serde(rename = "article.updated")]
    Updated,
    #[serde(rename = "article.published")]
    Published,
    #[serde(rename = "article.unpublished")]
    Unpublished,
    #[serde(rename = "article.archived")]
    Archived,
    #[serde(rename = "article.scheduled")]
    Scheduled,
    #[serde(rename = "article.deleted")]
    Deleted,
}

impl Subscription {
    /// Whether an event of `kind` is sent to a webhook with this subscription.
    pub fn covers(self, kind: EventType) -> bool {
        let only = match self {
            Self::All => return true,
            Self::Created => EventType::Created,
            Self::Updated => EventType::Updated,
            Self::Published => EventType::Published,
            Self::Unpublished => EventType::Unpublished,
            Self::Archived => EventType::Archived,
            Self::Scheduled => EventType::Scheduled,
            Self::Deleted => EventType::Deleted,
        };
        only == kind
    }
}

/// Body of `POST /webhooks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// Where deliveries are POSTed: an http or https URL of at most 2,000 characters, on a
    /// public address.
    #[schema(
        example = "https://hooks.example.com/byline",
        max_length = 2000,
        format = "uri"
    )]
    pub url: String,
    /// The events to send, or `["*"]` (the default) for all of them.
    #[serde(default = "all_events")]
    #[schema(min_items = 1, max_items = 8, example = json!(["article.published", "article.deleted"]))]
    pub events: Vec<Subscription>,
    /// Whether deliveries are sent (default `true`). Events of an inactive webhook are not
    /// queued for it.
    #[serde(default = "yes")]
    pub active: bool,
}

fn all_events() -> Vec<Subscription> {
    vec![Subscription::All]
}

fn yes() -> bool {
    true
}

/// Body of `PATCH /webhooks/{id}`: the fields to change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    /// A new delivery URL.
    #[schema(
        example = "https://hooks.example.com/byline",
        max_length = 2000,
        format = "uri"
    )]
    pub url: Option<String>,
    /// A new list of events.
    #[schema(min_items = 1, max_items = 8)]
    pub events: Option<Vec<Subscription>>,
    /// Pause (`false`) or resume (`true`) deliveries.
    pub active: Option<bool>,
}

/// A webhook. Its secret is shown only once, when it is created.
#[derive(Debug, Serialize, ToSchema)]
pub struct Webhook {
    #[schema(example = "0198b7c1-2f4e-7cc1-9a51-6f1d2a3b4c5d")]
    pub id: String,
    #[schema(example = "https://hooks.example.com/byline")]
    pub url: String,
    pub events: Vec<Subscription>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// A newly created webhook with its signing secret. Store the secret now: it is never shown
/// again.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewWebhook {
    #[schema(example = "0198b7c1-2f4e-7cc1-9a51-6f1d2a3b4c5d")]
    pub id: String,
    #[schema(example = "https://hooks.example.com/byline")]
    pub url: String,
    pub events: Vec<Subscription>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    /// Verifies deliveries: `whsec_` + base64 of 32 random bytes; the HMAC key is the
    /// decoded bytes.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

/// A page of webhooks.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub data: Vec<Webhook>,
    pub meta: PageMeta,
}

/// One attempt to deliver an event to a webhook.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryAttempt {
    #[schema(example = "0198b7c9-5d21-7a3e-8c40-1b2c3d4e5f60")]
    pub id: String,
    /// The event sent (the `webhook-id` header).
    #[schema(example = "0198b7c9-5d21-7a3e-8c40-1b2c3d4e5f60")]
    pub event_id: String,
    /// Its type: an article event, or `ping`.
    #[schema(example = "article.published")]
    pub event_type: String,
    /// 1 for the first attempt, counting up with each retry.
    #[schema(example = 1)]
    pub attempt: i32,
    /// The receiver's HTTP status; `null` when no answer came.
    #[schema(example = 200)]
    pub status_code: Option<i32>,
    /// Why the attempt failed, when it did.
    pub error: Option<String>,
    /// How long the attempt took.
    #[schema(example = 42)]
    pub duration_ms: i64,
    /// When the attempt was made.
    pub at: DateTime<Utc>,
}

/// A page of delivery attempts, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    pub data: Vec<DeliveryAttempt>,
    pub meta: PageMeta,
}

/// The body of a `ping` delivery.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Ping {
    #[schema(example = "0198b7c9-5d21-7a3e-8c40-1b2c3d4e5f60")]
    pub id: String,
    /// Always `ping`.
    #[serde(rename = "type")]
    #[schema(example = "ping")]
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
}

/// A time as stored, on the wire.
pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    DateTime::<Utc>::from_naive_utc_and_offset(t, Utc)
}
