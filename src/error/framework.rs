//! Errors the framework makes on its own (unknown route, wrong method, a refused CORS request),
//! rendered as problem+json like the service's own.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::ErrorHandlerResponse;

use super::{Problem, PROBLEM_JSON};

/// Renders framework-generated errors (unknown route, wrong method, …) as problem+json, so
/// that no plain-text or empty error body ever leaves the service.
pub fn render_framework_error<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .response()
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    // Every 400 of the service's own is problem+json already; a bare one carrying an Origin
    // comes from the CORS layer, which answers refusals as plain text.
    let cors_refusal =
        status == StatusCode::BAD_REQUEST && res.request().headers().contains_key(header::ORIGIN);
    let (slug, title, detail) = match status {
        _ if cors_refusal => (
            "cors-refused",
            "CORS request refused",
            "the CORS policy does not allow this origin, method or request header".to_owned(),
        ),
        StatusCode::NOT_FOUND => (
            "not-found",
            "Not found",
            "no route matches this path".to_owned(),
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method-not-allowed",
            "Method not allowed",
            "this route does not accept this method; the Allow header lists those it does".into(),
        ),
        s => (
            "http",
            s.canonical_reason().unwrap_or("Error"),
            s.canonical_reason().unwrap_or("error").to_lowercase(),
        ),
    };
    let problem = Problem {
        type_: format!("urn:byline:problem:{slug}"),
        title: title.into(),
        status: status.as_u16(),
        detail,
        errors: vec![],
    };
    let (req, mut res) = res.into_parts();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    let body = serde_json::to_string(&problem).unwrap_or_default();
    let res = res.set_body(BoxBody::new(body));
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, res).map_into_right_body(),
    ))
}
