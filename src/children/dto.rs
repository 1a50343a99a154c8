//! Wire types of the four child kinds: what clients send and what they get back.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How serious a risk note is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    #[default]
    Medium,
    High,
    Critical,
}

impl Severity {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "low" => Some(Self::Low),
            "medium" => Some(Self::Medium),
            "high" => Some(Self::High),
            "critical" => Some(Self::Critical),
            _ => None,
        }
    }
}

/// A key takeaway or highlight as sent by a client.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TextItemInput {
    /// Read-only: the id of an existing item, echoed back in a PUT; omit for new items.
    #[serde(default)]
    pub id: Option<String>,
    /// 1-based place in the list. On create it inserts there (omit to append); in a PATCH it
    /// moves the item; in a whole list (PUT) the array order wins and it is ignored.
    #[serde(default)]
    #[schema(minimum = 1, example = 1)]
    pub position: Option<i64>,
    /// The text, 1–1,000 characters.
    #[schema(
        min_length = 1,
        max_length = 1000,
        example = "The council approved the plan by 31 votes to 12."
    )]
    pub text: String,
}

/// A quote as sent by a client.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteInput {
    /// Read-only: the id of an existing quote, echoed back in a PUT; omit for new quotes.
    #[serde(default)]
    pub id: Option<String>,
    /// 1-based place in the list (see key takeaways).
    #[serde(default)]
    #[schema(minimum = 1, example = 1)]
    pub position: Option<i64>,
    /// The quoted words, 1–2,000 characters.
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "We cannot wait another decade."
    )]
    pub text: String,
    /// Who said it, 1–200 characters.
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Ingrid Sørensen, harbour master"
    )]
    pub speaker: String,
    /// Where or when it was said, up to 500 characters.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub context: Option<String>,
    /// An http(s) link to the source.
    #[serde(default)]
    #[schema(example = "https://example.com/transcript")]
    pub source_url: Option<String>,
}

/// A risk note as sent by a client.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskNoteInput {
    /// Read-only: the id of an existing note, echoed back in a PUT; omit for new notes.
    #[serde(default)]
    pub id: Option<String>,
    /// 1-based place in the list (see key takeaways).
    #[serde(default)]
    #[schema(minimum = 1, example = 1)]
    pub position: Option<i64>,
    /// A short name for the risk, 1–300 characters.
    #[schema(min_length = 1, max_length = 300, example = "Cost overrun")]
    pub title: String,
    /// The explanation, up to 5,000 characters.
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub body: Option<String>,
    /// How serious it is; `medium` when omitted.
    #[serde(default)]
    pub severity: Option<Severity>,
    /// A free category such as `political`, up to 50 characters.
    #[serde(default)]
    #[schema(max_length = 50, example = "financial")]
    pub category: Option<String>,
}

/// A key takeaway of an article.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct KeyTakeaway {
    /// The takeaway's id.
    pub id: String,
    /// 1-based place in the list.
    #[schema(example = 1)]
    pub position: i32,
    /// The text.
    pub text: String,
}

/// A highlight of an article.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Highlight {
    /// The highlight's id.
    pub id: String,
    /// 1-based place in the list.
    #[schema(example = 1)]
    pub position: i32,
    /// The text.
    pub text: String,
}

/// An attributed quote of an article.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Quote {
    /// The quote's id.
    pub id: String,
    /// 1-based place in the list.
    #[schema(example = 1)]
    pub position: i32,
    /// The quoted words.
    pub text: String,
    /// Who said it.
    pub speaker: String,
    /// Where or when it was said.
    #[schema(required = true)]
    pub context: Option<String>,
    /// A link to the source.
    #[schema(required = true)]
    pub source_url: Option<String>,
}

/// A risk note of an article.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RiskNote {
    /// The note's id.
    pub id: String,
    /// 1-based place in the list.
    #[schema(example = 1)]
    pub position: i32,
    /// A short name for the risk.
    pub title: String,
    /// The explanation.
    #[schema(required = true)]
    pub body: Option<String>,
    /// How serious it is.
    pub severity: Severity,
    /// A free category such as `political`.
    #[schema(required = true)]
    pub category: Option<String>,
}

/// A list of children of one kind: always complete, so `next_cursor` is always null.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChildList<T> {
    /// The children in position order.
    pub data: Vec<T>,
    /// Paging information, as on every collection.
    pub meta: ListMeta,
}

impl<T> ChildList<T> {
    /// The whole list.
    pub fn complete(data: Vec<T>) -> Self {
        Self {
            data,
            meta: ListMeta {
                limit: super::MAX_CHILDREN as i64,
                next_cursor: None,
            },
        }
    }
}

/// Paging information of a collection.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListMeta {
    /// The most items one page holds.
    #[schema(example = 20)]
    pub limit: i64,
    /// The cursor of the next page, or null on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}
