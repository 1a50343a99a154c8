//! Wire types of preview links.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The body of `POST /articles/{id}/preview-links`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewLinkRequest {
    /// How long the link works, in seconds: 1 to 604800 (7 days); 86400 (one day) when omitted.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 604800, example = 86400)]
    pub ttl_seconds: Option<i64>,
}

/// A new preview link. The token is shown once; keep the URL, not the token alone.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PreviewLink {
    /// The signed token.
    #[schema(
        example = "0198b7c1-2f4e-7cc1-9a51-6f1d2a3b4c5d.1796216400.q0rX0lJ1nVbE2H3o5Wm2mYQ0t4s8h1xXc9vK6fPz3aE"
    )]
    pub token: String,
    /// Where the preview is read, with no Authorization: `/api/v1/preview/{token}`.
    pub url: String,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}
