//! OpenAPI descriptions of the problem responses many routes share, so that each route's
//! annotation names them instead of repeating them.

#![allow(dead_code)] // The fields exist only to name the response body's schema.

use super::Problem;

/// 400: the body is not JSON at all.
#[derive(utoipa::IntoResponses)]
#[response(
    status = 400,
    description = "Malformed JSON",
    content_type = "application/problem+json"
)]
pub struct MalformedJson(Problem);

/// 401 on a write: no token, or a bad one.
#[derive(utoipa::IntoResponses)]
#[response(status = 401, description = "Missing or invalid token", content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "Bearer challenge")))]
pub struct Unauthorized(Problem);

/// 401 on a read: a token was sent and is not valid (no token is fine).
#[derive(utoipa::IntoResponses)]
#[response(status = 401, description = "Invalid token", content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "Bearer challenge")))]
pub struct InvalidToken(Problem);

/// 412: `If-Match` names another version.
#[derive(utoipa::IntoResponses)]
#[response(
    status = 412,
    description = "If-Match does not match",
    content_type = "application/problem+json"
)]
pub struct PreconditionFailed(Problem);

/// 413: the body is over `BYLINE_MAX_BODY_BYTES`.
#[derive(utoipa::IntoResponses)]
#[response(
    status = 413,
    description = "Body too large",
    content_type = "application/problem+json"
)]
pub struct TooLarge(Problem);

/// 415: the body is not `application/json`.
#[derive(utoipa::IntoResponses)]
#[response(
    status = 415,
    description = "Body is not JSON",
    content_type = "application/problem+json"
)]
pub struct NotJson(Problem);

/// 503: the database is unreachable or full; retry after the given seconds.
#[derive(utoipa::IntoResponses)]
#[response(status = 503, description = "Database unavailable or full", content_type = "application/problem+json",
    headers(("Retry-After" = String, description = "Seconds to wait before retrying")))]
pub struct Unavailable(Problem);

/// 503 on routes that hash or check a password: the database is unreachable or full, or
/// every password slot and queue place is taken.
#[derive(utoipa::IntoResponses)]
#[response(status = 503, description = "Database unavailable or full, or too many password checks in progress", content_type = "application/problem+json",
    headers(("Retry-After" = String, description = "Seconds to wait before retrying")))]
pub struct UnavailableOrBusy(Problem);

/// 429: more than `BYLINE_RATE_LIMIT` requests a minute from one caller. The OpenAPI document
/// adds it to every operation but the health probes, so that no route can forget it.
#[derive(utoipa::IntoResponses)]
#[response(status = 429, description = "Too many requests from this caller (more than BYLINE_RATE_LIMIT a minute)", content_type = "application/problem+json",
    headers(
        ("Retry-After" = u64, description = "Seconds until the next request is allowed"),
        ("RateLimit-Limit" = u64, description = "Requests a minute allowed per caller"),
        ("RateLimit-Remaining" = u64, description = "Requests the caller may still make at once"),
        ("RateLimit-Reset" = u64, description = "Seconds until the caller's whole limit is available again"),
    ))]
pub struct RateLimited(Problem);
