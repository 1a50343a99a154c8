//! The input edge: extractors that turn raw requests into typed values or a problem+json
//! error — JSON bodies (415 / 413 / 400 / 422), form bodies for OAuth clients, `If-Match`
//! preconditions and ETags.

use actix_web::dev::Payload;
use actix_web::http::{header, Method};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::{ready, LocalBoxFuture, Ready};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::articles::domain::Precondition;
use crate::error::AppError;
use crate::state::AppState;
use crate::validate::parse_json;

/// Default request body limit when the application state is not reachable.
const FALLBACK_BODY_LIMIT: usize = 1_048_576;

/// A JSON request body, deserialized with precise errors: a body that is not JSON at all is a
/// 400, a value of the wrong type, a missing or unknown field is a 422 naming the field.
pub struct ApiJson<T>(pub T);

/// Bodies up to this size are parsed on the async worker; larger ones on the blocking pool, so
/// that a megabyte of JSON never holds up the requests sharing the worker.
const INLINE_PARSE_BYTES: usize = 16 * 1024;

impl<T: DeserializeOwned + Send + 'static> FromRequest for ApiJson<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = body_limit(req);
        let checked = check_content_type(req).and_then(|()| check_declared_length(req, limit));
        let payload = payload.take();
        Box::pin(async move {
            checked?;
            let body = read_body(payload, limit).await?;
            if body.len() <= INLINE_PARSE_BYTES {
                return parse_json(&body).map(ApiJson);
            }
            web::block(move || parse_json(&body).map(ApiJson))
                .await
                .map_err(|_| AppError::internal("blocking task was cancelled"))?
        })
    }
}

fn body_limit(req: &HttpRequest) -> usize {
    req.app_data::<web::Data<AppState>>()
        .map_or(FALLBACK_BODY_LIMIT, |s| s.config.max_body_bytes)
}

async fn read_body(mut payload: Payload, limit: usize) -> Result<web::BytesMut, AppError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| AppError::BadRequest(format!("could not read the request body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A body sent either as JSON or as an HTML form (`application/x-www-form-urlencoded`), the way
/// OAuth 2.0 clients send token requests. Form fields are read as strings and then checked
/// exactly like JSON fields, so an unknown or missing field is a 422 naming it.
pub struct ApiJsonOrForm<T>(pub T);

impl<T: DeserializeOwned + Send + 'static> FromRequest for ApiJsonOrForm<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = body_limit(req);
        let form =
            req.mime_type().ok().flatten().is_some_and(|m| {
                m.type_() == "application" && m.subtype() == "x-www-form-urlencoded"
            });
        if !form {
            let json = ApiJson::<T>::from_request(req, payload);
            return Box::pin(async move {
                json.await.map(|j| Self(j.0)).map_err(|e| match e {
                    AppError::UnsupportedMediaType(_) => AppError::UnsupportedMediaType(
                        "the request body must be application/json or application/x-www-form-urlencoded".into(),
                    ),
                    other => other,
                })
            });
        }
        let checked = check_declared_length(req, limit);
        let payload = payload.take();
        Box::pin(async move {
            checked?;
            let body = read_body(payload, limit).await?;
            let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
                .map_err(|e| AppError::BadRequest(format!("malformed form body: {e}")))?;
            let object: serde_json::Map<String, serde_json::Value> = fields
                .into_iter()
                .map(|(k, v)| (k, serde_json::Value::String(v)))
                .collect();
            crate::validate::from_value(serde_json::Value::Object(object)).map(Self)
        })
    }
}

fn check_content_type(req: &HttpRequest) -> Result<(), AppError> {
    let patch = req.method() == Method::PATCH;
    let expected = if patch {
        "application/json or application/merge-patch+json"
    } else {
        "application/json"
    };
    let mime = req.mime_type().map_err(|_| {
        AppError::UnsupportedMediaType(format!("unreadable Content-Type; send {expected}"))
    })?;
    let ok = mime.is_some_and(|m| {
        m.type_() == "application"
            && (m.subtype() == "json"
                || (patch
                    && m.subtype() == "merge-patch"
                    && m.suffix().is_some_and(|s| s == "json")))
    });
    if ok {
        Ok(())
    } else {
        Err(AppError::UnsupportedMediaType(format!(
            "the request body must be {expected}"
        )))
    }
}

fn check_declared_length(req: &HttpRequest, limit: usize) -> Result<(), AppError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    match declared {
        Some(n) if n > limit => Err(AppError::PayloadTooLarge(limit)),
        _ => Ok(()),
    }
}

/// The `If-Match` precondition of a write; a missing header is `Any`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// `If-Match: *` — any current version.
    Any,
    /// The entity tags listed.
    Tags(Vec<String>),
}

impl IfMatch {
    /// Parses the header value; `None` for a missing or empty header.
    pub fn from_request_headers(req: &HttpRequest) -> Result<Option<Self>, AppError> {
        let Some(raw) = req.headers().get(header::IF_MATCH) else {
            return Ok(None);
        };
        let raw = raw
            .to_str()
            .map_err(|_| AppError::BadRequest("If-Match must be ASCII".into()))?
            .trim();
        if raw.is_empty() {
            return Ok(None);
        }
        if raw == "*" {
            return Ok(Some(Self::Any));
        }
        Ok(Some(Self::Tags(
            raw.split(',').map(|t| t.trim().to_owned()).collect(),
        )))
    }

    /// The precondition this header places on the article `id`.
    pub fn precondition(&self, id: &str) -> Precondition {
        match self {
            Self::Any => Precondition::None,
            Self::Tags(tags) => tags
                .iter()
                .find_map(|t| {
                    parse_article_etag(t)
                        .filter(|(tid, _)| tid == id)
                        .map(|(_, v)| v)
                })
                .map_or(Precondition::Unsatisfiable, Precondition::Version),
        }
    }
}

impl FromRequest for IfMatch {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::from_request_headers(req).map(|v| v.unwrap_or(Self::Any)))
    }
}

/// The strong ETag of an article at a version, e.g. `"0198…-7"`.
pub fn article_etag(id: &str, version: i64) -> String {
    format!("\"{id}-{version}\"")
}

// Weak tags never match in If-Match (RFC 9110 strong comparison), so they are not parsed.
fn parse_article_etag(tag: &str) -> Option<(String, i64)> {
    let inner = tag.strip_prefix('"')?.strip_suffix('"')?;
    let (id, version) = inner.rsplit_once('-')?;
    Some((id.to_owned(), version.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        quotes: Vec<Quote>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Quote {
        speaker: String,
    }

    #[test]
    fn syntax_errors_are_400_and_data_errors_are_422_with_a_pointer() {
        assert!(matches!(
            parse_json::<Doc>(b"{\"quotes\": ["),
            Err(AppError::BadRequest(_))
        ));
        assert!(matches!(
            parse_json::<Doc>(br#"{"quotes": []} trailing"#),
            Err(AppError::BadRequest(_))
        ));
        match parse_json::<Doc>(br#"{"quotes": [{"speaker": "a"}, {"speaker": 5}]}"#) {
            Err(AppError::Validation(errors)) => assert_eq!(errors[0].pointer, "/quotes/1/speaker"),
            other => panic!("unexpected {other:?}"),
        }
        match parse_json::<Doc>(br#"{"quotes": [{}]}"#) {
            Err(AppError::Validation(errors)) => assert_eq!(errors[0].pointer, "/quotes/0/speaker"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn article_etags_round_trip_through_if_match() {
        let id = "0198b7c1-0000-7000-8000-000000000001";
        let tag = article_etag(id, 7);
        let header = IfMatch::Tags(vec![tag]);
        assert_eq!(header.precondition(id), Precondition::Version(7));
        assert_eq!(
            header.precondition("0198b7c1-0000-7000-8000-000000000002"),
            Precondition::Unsatisfiable
        );
        let weak = IfMatch::Tags(vec![format!("W/{}", article_etag(id, 7))]);
        assert_eq!(weak.precondition(id), Precondition::Unsatisfiable);
        assert_eq!(IfMatch::Any.precondition(id), Precondition::None);
    }
}
