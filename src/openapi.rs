//! The OpenAPI 3.1 document, generated from the handlers' annotations. Served at
//! `/api-docs/openapi.json`, printed by `byline openapi`, and committed as
//! `openapi/openapi.json` (a test keeps the three equal).

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api_keys::handlers as api_keys;
use crate::articles::handlers as articles;
use crate::auth::handlers as auth;
use crate::children::handlers::{highlights, key_takeaways, quotes, risk_notes};
use crate::health;
use crate::users::handlers as users;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.bearer_format = Some("JWT".into());
        http.description = Some(
            "An access token from POST /api/v1/auth/login, /auth/refresh, or /auth/token (API keys)"
                .into(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(http));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Byline",
        description = "A headless CMS API for news publishers: articles with key takeaways, attributed quotes, highlights and risk notes, served as one JSON document each. Reads of published articles are anonymous; every write needs a bearer token from `POST /api/v1/auth/login` (people) or `POST /api/v1/auth/token` (API keys). Errors are RFC 9457 `application/problem+json`.",
    ),
    paths(
        auth::login, auth::refresh, auth::logout, auth::get_me, auth::change_password,
        auth::issue_token,
        users::list_users, users::create_user, users::get_user, users::update_user, users::delete_user,
        api_keys::list_api_keys, api_keys::create_api_key, api_keys::get_api_key, api_keys::delete_api_key,
        articles::create_article, articles::get_article, articles::replace_article,
        articles::update_article, articles::delete_article,
        articles::publish_article, articles::unpublish_article, articles::archive_article,
        articles::schedule_article, articles::list_articles, articles::list_tags,
        articles::head_article, articles::head_articles,
        key_takeaways::list_key_takeaways, key_takeaways::create_key_takeaway, key_takeaways::replace_key_takeaways,
        key_takeaways::get_key_takeaway, key_takeaways::update_key_takeaway, key_takeaways::delete_key_takeaway,
        quotes::list_quotes, quotes::create_quote, quotes::replace_quotes,
        quotes::get_quote, quotes::update_quote, quotes::delete_quote,
        highlights::list_highlights, highlights::create_highlight, highlights::replace_highlights,
        highlights::get_highlight, highlights::update_highlight, highlights::delete_highlight,
        risk_notes::list_risk_notes, risk_notes::create_risk_note, risk_notes::replace_risk_notes,
        risk_notes::get_risk_note, risk_notes::update_risk_note, risk_notes::delete_risk_note,
        health::healthz, health::readyz, serve_openapi, swagger_ui,
    ),
    components(schemas(crate::articles::list::SortParam, crate::articles::list::IncludeParam)),
    modifiers(&BearerScheme),
    tags(
        (name = "articles", description = "Articles as whole documents, and their workflow"),
        (name = "key takeaways", description = "The ordered key takeaways of an article"),
        (name = "quotes", description = "The ordered, attributed quotes of an article"),
        (name = "highlights", description = "The ordered highlights of an article"),
        (name = "risk notes", description = "The ordered risk notes of an article"),
        (name = "auth", description = "Logging in, refreshing and ending sessions, the caller's account, and API key tokens"),
        (name = "users", description = "User accounts (admins only)"),
        (name = "api keys", description = "API keys for publishing clients (admins only)"),
        (name = "operations", description = "Health probes"),
    )
)]
struct ApiDoc;

/// The service's OpenAPI document.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The document as the pretty-printed JSON that is served and committed.
pub fn api_doc_json() -> String {
    api_doc().to_pretty_json().unwrap_or_default()
}

/// This OpenAPI 3.1 document (Swagger UI at `/swagger-ui/` reads it).
#[utoipa::path(
    get,
    path = "/api-docs/openapi.json",
    tag = "operations",
    security(()),
    responses((status = 200, description = "The OpenAPI document", body = Object, content_type = "application/json"))
)]
pub async fn serve_openapi() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("application/json")
        .body(api_doc_json())
}

/// Swagger UI, working offline: "Authorize" with an access token enables the write operations.
/// Served by `utoipa-swagger-ui`; this item only describes the route.
#[utoipa::path(
    get,
    path = "/swagger-ui/",
    tag = "operations",
    security(()),
    responses((status = 200, description = "The Swagger UI page", body = String, content_type = "text/html"))
)]
pub async fn swagger_ui() {}
