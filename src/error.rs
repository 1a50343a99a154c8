//! The one error type of the service and its rendering as RFC 9457 problem+json.
//!
//! Handlers return `Result<_, AppError>` and use `?`; database and framework errors are mapped
//! here, so no handler decides on its own how an error looks on the wire.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use diesel::result::DatabaseErrorKind;
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Seconds a client should wait before retrying when the database is unavailable or full.
pub const UNAVAILABLE_RETRY_AFTER: u64 = 5;

/// At most this many field errors are listed in a problem document; `detail` gives the total,
/// so that a body with thousands of bad elements cannot make an answer many times its size.
pub const MAX_LISTED_ERRORS: usize = 100;

/// One problem with one field of a request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// JSON Pointer (RFC 6901) into the request body, e.g. `/quotes/2/speaker`.
    #[schema(example = "/quotes/0/speaker")]
    pub pointer: String,
    /// What is wrong with the value and how to fix it.
    #[schema(example = "must be 1 to 200 characters")]
    pub detail: String,
}

impl FieldError {
    /// A field error at `pointer`.
    pub fn new(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            detail: detail.into(),
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference identifying the problem type.
    #[serde(rename = "type")]
    #[schema(example = "urn:byline:problem:validation")]
    pub type_: String,
    /// A short summary of the problem type.
    #[schema(example = "Validation failed")]
    pub title: String,
    /// The HTTP status code.
    #[schema(example = 422)]
    pub status: u16,
    /// What went wrong with this request.
    #[schema(example = "the request body has 1 invalid field")]
    pub detail: String,
    /// For validation problems: every invalid field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Every way a request can fail, one variant per HTTP outcome.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("the resource has changed since the ETag given in If-Match")]
    PreconditionFailed,
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("the request body has invalid fields")]
    Validation(Vec<FieldError>),
    #[error("{detail}")]
    TooManyRequests { detail: String, retry_after: u64 },
    #[error("the database is unavailable")]
    Unavailable,
    #[error("the database has no space left for this write; retry later")]
    StorageFull,
    #[error("{detail}")]
    Overloaded { detail: String, retry_after: u64 },
    #[error("the request body did not arrive within {0} seconds")]
    RequestTimeout(u64),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// An unexpected failure; the message is logged, never sent.
    pub fn internal(msg: impl Into<String>) -> Self {
        Self::Internal(msg.into())
    }

    /// A 422 for a single field.
    pub fn field(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(pointer, detail)])
    }

    /// A 404 for an article the caller cannot see or that does not exist.
    pub fn article_not_found() -> Self {
        Self::NotFound("no article with this id or slug".into())
    }

    fn kind(&self) -> (&'static str, &'static str) {
        match self {
            Self::BadRequest(_) => ("bad-request", "Bad request"),
            Self::Unauthorized(_) => ("unauthorized", "Unauthorized"),
            Self::Forbidden(_) => ("forbidden", "Forbidden"),
            Self::NotFound(_) => ("not-found", "Not found"),
            Self::Conflict(_) => ("conflict", "Conflict"),
            Self::PreconditionFailed => ("precondition-failed", "Precondition failed"),
            Self::PayloadTooLarge(_) => ("payload-too-large", "Payload too large"),
            Self::UnsupportedMediaType(_) => ("unsupported-media-type", "Unsupported media type"),
            Self::Validation(_) => ("validation", "Validation failed"),
            Self::TooManyRequests { .. } => ("too-many-requests", "Too many requests"),
            Self::Unavailable => ("unavailable", "Service unavailable"),
            Self::StorageFull => ("storage-full", "Storage full"),
            Self::Overloaded { .. } => ("overloaded", "Service overloaded"),
            Self::RequestTimeout(_) => ("request-timeout", "Request timeout"),
            Self::Internal(_) => ("internal", "Internal server error"),
        }
    }

    fn problem(&self) -> Problem {
        let (slug, title) = self.kind();
        let (detail, errors) = match self {
            Self::Validation(errors) => validation_summary(errors),
            Self::Internal(_) => (
                "an unexpected error occurred; it has been logged".into(),
                vec![],
            ),
            other => (other.to_string(), vec![]),
        };
        Problem {
            type_: format!("urn:byline:problem:{slug}"),
            title: title.into(),
            status: self.status_code().as_u16(),
            detail,
            errors,
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable | Self::StorageFull | Self::Overloaded { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(msg) = self {
            tracing::error!(error = %msg, "internal error");
        }
        let mut res = HttpResponse::build(self.status_code());
        res.content_type(PROBLEM_JSON);
        match self {
            Self::Unauthorized(msg) => {
                let escaped = msg.replace('\\', "\\\\").replace('"', "'");
                res.insert_header((
                    header::WWW_AUTHENTICATE,
                    format!("Bearer realm=\"byline\", error=\"invalid_token\", error_description=\"{escaped}\""),
                ));
            }
            Self::TooManyRequests { retry_after, .. } | Self::Overloaded { retry_after, .. } => {
                res.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            Self::Unavailable | Self::StorageFull => {
                res.insert_header((header::RETRY_AFTER, UNAVAILABLE_RETRY_AFTER.to_string()));
            }
            _ => {}
        }
        let mut res = res.body(serde_json::to_string(&self.problem()).unwrap_or_default());
        // Errors raised by middleware become responses past the layer that adds these.
        crate::edge::set_security_headers(res.headers_mut(), crate::edge::API_CSP);
        res
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::Error as E;
        match err {
            E::NotFound => Self::NotFound("not found".into()),
            E::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                // Only PostgreSQL names the constraint; SQLite names table.column in the message.
                let what = format!(
                    "{} {}",
                    info.constraint_name().unwrap_or(""),
                    info.message()
                );
                if what.contains("slug") {
                    Self::Conflict("an article with this slug already exists".into())
                } else if what.contains("email") {
                    Self::Conflict("a user with this email already exists".into())
                } else {
                    Self::Conflict("the resource already exists".into())
                }
            }
            // Only a race gets here (a user deleted while something is written in their name);
            // the checks before each write answer the ordinary cases with a clearer message.
            E::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => Self::Conflict(
                "a record this request refers to was changed or deleted meanwhile; reload and retry"
                    .into(),
            ),
            E::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => Self::Unavailable,
            E::DatabaseError(_, info) if is_storage_full(info.message(), info.hint()) => {
                Self::StorageFull
            }
            E::DatabaseError(_, info) if is_transient(info.message()) => Self::Unavailable,
            // A failed COMMIT whose rollback failed too: what matters is why the commit failed.
            E::RollbackErrorOnCommit { commit_error, .. } => Self::from(*commit_error),
            other => Self::Internal(format!("database error: {other}")),
        }
    }
}

/// The detail and the listed errors of a 422: every error up to [`MAX_LISTED_ERRORS`], and
/// the total in the detail.
fn validation_summary(errors: &[FieldError]) -> (String, Vec<FieldError>) {
    let n = errors.len();
    let noun = if n == 1 { "field" } else { "fields" };
    let mut detail = format!("the request body has {n} invalid {noun}");
    if n > MAX_LISTED_ERRORS {
        detail.push_str(&format!("; the first {MAX_LISTED_ERRORS} are listed"));
    }
    (
        detail,
        errors.iter().take(MAX_LISTED_ERRORS).cloned().collect(),
    )
}

/// SQLite's SQLITE_FULL, or PostgreSQL's `disk_full` (SQLSTATE 53100), which diesel reports by
/// message only.
fn is_storage_full(message: &str, hint: Option<&str>) -> bool {
    message.contains("database or disk is full")
        || message.contains("No space left on device")
        || hint.is_some_and(|h| h.contains("free disk space"))
}

fn is_transient(message: &str) -> bool {
    const TRANSIENT: [&str; 6] = [
        "database is locked",
        // BYLINE_DB_STATEMENT_TIMEOUT_MS cancelled a statement: the database is overloaded or
        // a lock is held long; the client may retry.
        "canceling statement due to statement timeout",
        "terminating connection",
        "server closed the connection",
        "connection to server",
        "no connection to the server",
    ];
    TRANSIENT.iter().any(|t| message.contains(t))
}

/// Collects field errors while a request body is parsed into domain types.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// Records a problem with the field at `pointer`.
    pub fn push(&mut self, pointer: impl Into<String>, detail: impl Into<String>) {
        self.0.push(FieldError::new(pointer, detail));
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was recorded, the 422 otherwise.
    pub fn finish<T>(self, value: T) -> Result<T, AppError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(AppError::Validation(self.0))
        }
    }
}

/// Escapes one JSON Pointer reference token (RFC 6901).
pub fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

mod framework;
pub mod responses;

pub use framework::render_framework_error;

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(n: usize) -> Vec<FieldError> {
        (0..n)
            .map(|i| FieldError::new(format!("/quotes/{i}/speaker"), "must not be empty"))
            .collect()
    }

    #[test]
    fn a_validation_problem_lists_at_most_100_errors_and_counts_them_all() {
        let problem = AppError::Validation(errors(300)).problem();
        assert_eq!(problem.errors.len(), MAX_LISTED_ERRORS);
        assert_eq!(problem.errors[99].pointer, "/quotes/99/speaker");
        assert_eq!(
            problem.detail,
            "the request body has 300 invalid fields; the first 100 are listed"
        );
    }

    #[test]
    fn a_validation_problem_of_100_errors_or_fewer_lists_them_all() {
        let problem = AppError::Validation(errors(100)).problem();
        assert_eq!(problem.errors.len(), 100);
        assert_eq!(problem.detail, "the request body has 100 invalid fields");
        let one = AppError::Validation(errors(1)).problem();
        assert_eq!(one.detail, "the request body has 1 invalid field");
    }

    #[test]
    fn disk_full_is_recognised_on_both_backends() {
        assert!(is_storage_full("database or disk is full", None));
        assert!(is_storage_full(
            "could not extend file \"base/16384/16385\": No space left on device",
            Some("Check free disk space.")
        ));
        assert!(is_storage_full(
            "could not extend file \"base/1/2\": wrote only 4096 of 8192 bytes at block 7",
            Some("Check free disk space.")
        ));
        assert!(!is_storage_full("database is locked", None));
    }

    #[test]
    fn out_of_space_answers_503_with_retry_after() {
        let res = AppError::StorageFull.error_response();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            res.headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
            Some("5")
        );
    }
}
