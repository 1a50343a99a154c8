//! Wire types of the `/media` endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::page::PageMeta;

/// The longest `alt` text, in characters.
pub const MAX_ALT: usize = 1_000;
/// The longest `caption`, in characters.
pub const MAX_CAPTION: usize = 2_000;
/// The longest `credit`, in characters.
pub const MAX_CREDIT: usize = 300;

/// An uploaded image.
#[derive(Debug, Serialize, ToSchema)]
pub struct Medium {
    #[schema(example = "0198b7c1-2f4e-7cc1-9a51-6f1d2a3b4c5d")]
    pub id: String,
    /// Where the file is served, on this host: `/media/{sha256}.{ext}`. Add `?w=320`, `640`,
    /// `1024` or `1600` for a narrower rendition.
    #[schema(
        example = "/media/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.jpg"
    )]
    pub url: String,
    /// The media type, recognised from the file's bytes.
    #[schema(example = "image/jpeg")]
    pub mime: String,
    /// The file's size in bytes.
    #[schema(example = 482113)]
    pub bytes: i64,
    /// Width in pixels.
    #[schema(example = 1600)]
    pub width: i32,
    /// Height in pixels.
    #[schema(example = 900)]
    pub height: i32,
    /// SHA-256 of the file's bytes, in lower-case hex.
    #[schema(example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    pub sha256: String,
    /// Text alternative for readers who cannot see the image.
    #[schema(example = "The harbour tunnel's eastern entrance at dawn")]
    pub alt: Option<String>,
    /// Caption shown with the image.
    #[schema(example = "Traffic returned to the eastern approach on Monday.")]
    pub caption: Option<String>,
    /// Who made the image, e.g. a photographer and agency.
    #[schema(example = "Ana Ferreira / Velmora Harbour Authority")]
    pub credit: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Body of `POST /media`: a `multipart/form-data` form. Any other part is refused.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Describes the form for the OpenAPI document; the handler reads the parts.
pub struct MediaUpload {
    /// The image: JPEG, PNG, WebP, GIF or AVIF, recognised from its bytes (the file name and
    /// the part's content type are ignored), at most `BYLINE_MAX_MEDIA_BYTES` (20 MiB unless
    /// configured otherwise).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// Text alternative, at most 1,000 characters.
    #[schema(max_length = 1000, nullable = false)]
    pub alt: Option<String>,
    /// Caption, at most 2,000 characters.
    #[schema(max_length = 2000, nullable = false)]
    pub caption: Option<String>,
    /// Credit, at most 300 characters.
    #[schema(max_length = 300, nullable = false)]
    pub credit: Option<String>,
}

/// Body of `PATCH /media/{id}`: the texts to change. A field left out stays as it is; `null`
/// clears it. The file itself cannot be changed: upload a new medium instead.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MediumPatch {
    /// New text alternative, at most 1,000 characters.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub alt: Option<Option<String>>,
    /// New caption, at most 2,000 characters.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub caption: Option<Option<String>>,
    /// New credit, at most 300 characters.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub credit: Option<Option<String>>,
}

// A present field is `Some`, holding `None` for `null`; an absent one stays `None` (default).
fn nullable<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// A page of media, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct MediaList {
    pub data: Vec<Medium>,
    pub meta: PageMeta,
}

/// The bytes of an image file, as uploaded or as a rendition.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)] // Names the response body's schema; files are served as bytes.
pub struct ImageFile(Vec<u8>);
