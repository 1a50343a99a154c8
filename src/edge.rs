//! The outermost layer of every request: the overall deadline and the security headers.
//!
//! It sits outside routing, CORS and the framework-error renderer, so every response the
//! application builds passes through it. An error that a middleware raises instead of
//! answering (the deadline's own among them) is rendered by `AppError`, which sets the same
//! headers. What the HTTP layer refuses before a request exists (an unparseable or oversized
//! request head) never reaches either.

use std::cell::Cell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::HttpMessage;
use futures_util::Stream;

use crate::error::AppError;

/// Where Swagger UI is served; it gets its own Content-Security-Policy.
pub const SWAGGER_UI_PREFIX: &str = "/swagger-ui";

/// The API serves JSON only: nothing may load, run or frame it.
pub const API_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Swagger UI loads its own scripts, styles and images from this origin, sets inline styles
/// (React `style` attributes), shows `data:` images and calls the API it describes.
const SWAGGER_UI_CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
     base-uri 'none'; form-action 'none'";

/// Seconds a client is told to wait after its request ran out of time.
const DEADLINE_RETRY_AFTER: u64 = 1;

/// Runs the request with a deadline and adds the security headers to whatever comes back.
///
/// A request that is not answered within `timeout` is cut off: 408 when its body had not yet
/// arrived (a slow or stalled client), 503 with `Retry-After` otherwise. A database call
/// already running is not cut in half: it finishes on its blocking thread, in its transaction.
pub async fn guard(
    timeout: Duration,
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let body_pending = Rc::new(Cell::new(has_body(&req)));
    // Only requests with a body pay for watching it; reads stay as they were.
    if body_pending.get() {
        let payload = req.take_payload();
        req.set_payload(Payload::Stream {
            payload: Box::pin(Watched {
                inner: payload,
                pending: Rc::clone(&body_pending),
            }),
        });
    }
    let swagger = req.path().starts_with(SWAGGER_UI_PREFIX);
    // The request is gone with the cancelled call, so the answer cannot be a ServiceResponse;
    // the error becomes the response one level up, rendered by AppError.
    let mut res = match actix_web::rt::time::timeout(timeout, next.call(req)).await {
        Ok(res) => res?,
        Err(_) => {
            let secs = timeout.as_secs();
            return Err(if body_pending.get() {
                AppError::RequestTimeout(secs)
            } else {
                AppError::Overloaded {
                    detail: format!("the request did not finish within {secs} seconds"),
                    retry_after: DEADLINE_RETRY_AFTER,
                }
            }
            .into());
        }
    };
    let csp = if swagger { SWAGGER_UI_CSP } else { API_CSP };
    set_security_headers(res.headers_mut(), csp);
    Ok(res)
}

/// Adds the security headers a response does not set itself, with `csp` as its
/// Content-Security-Policy.
pub fn set_security_headers(headers: &mut header::HeaderMap, csp: &'static str) {
    set_default(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set_default(headers, header::REFERRER_POLICY, "no-referrer");
    set_default(headers, header::CONTENT_SECURITY_POLICY, csp);
}

fn set_default(headers: &mut header::HeaderMap, name: HeaderName, value: &'static str) {
    if !headers.contains_key(&name) {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

/// Whether the request announces a body.
fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .is_some_and(|n| n > 0)
}

/// The request body, passed through unchanged; notes when it has been read to the end.
struct Watched {
    inner: Payload,
    pending: Rc<Cell<bool>>,
}

impl Stream for Watched {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let next = Pin::new(&mut self.inner).poll_next(cx);
        if let Poll::Ready(None | Some(Err(_))) = next {
            self.pending.set(false);
        }
        next
    }
}
