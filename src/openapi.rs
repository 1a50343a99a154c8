//! The OpenAPI 3.1 document, generated from the handlers' annotations. Served at
//! `/api-docs/openapi.json`, printed by `byline openapi`, and committed as
//! `openapi/openapi.json` (a test keeps the three equal).

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::{AdditionalProperties, Schema};
use utoipa::openapi::security::{
    Flow, Http, HttpAuthScheme, OAuth2, Password, Scopes, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi};

use crate::api_keys::handlers as api_keys;
use crate::articles::child_handlers::{highlights, key_takeaways, quotes, risk_notes};
use crate::articles::handlers as articles;
use crate::articles::list::handlers as lists;
use crate::articles::preview::handlers as previews;
use crate::articles::revisions::handlers as revisions;
use crate::audit::handlers as audit;
use crate::auth::handlers as auth;
use crate::authors::handlers as authors;
use crate::distribution::handlers as distribution;
use crate::events::handlers as events;
use crate::health;
use crate::media::{handlers as media, serve as media_files};
use crate::users::handlers as users;
use crate::webhooks::handlers as webhooks;

/// Two ways to authorize, both ending in the same bearer token: a token pasted as it is
/// (`bearer`), or an email and password that clients such as Swagger UI exchange for one at the
/// token endpoint (`login`, the OAuth 2.0 password grant). Every operation that takes one takes
/// the other.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.bearer_format = Some("JWT".into());
        http.description = Some(
            "An access token from POST /api/v1/auth/login, /auth/refresh, or /auth/token (API keys). Paste the token alone: the `Bearer ` prefix is added for you, and a token sent with it twice is refused."
                .into(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(http));
        let password = Password::new("/api/v1/auth/token", Scopes::new());
        let login = OAuth2::with_description(
            [Flow::Password(password)],
            "Log in with your email as `username` and your password; leave `client_id` and `client_secret` empty. Swagger UI sends them to POST /api/v1/auth/token (`grant_type=password`) and uses the access token it gets back.",
        );
        components.add_security_scheme("login", SecurityScheme::OAuth2(login));
        let mut metrics = Http::new(HttpAuthScheme::Bearer);
        metrics.description = Some(
            "`BYLINE_METRICS_TOKEN`, when the server sets one: only /metrics takes it.".into(),
        );
        components.add_security_scheme("metrics", SecurityScheme::Http(metrics));

        let bearer = SecurityRequirement::new("bearer", Vec::<String>::new());
        let login = SecurityRequirement::new("login", Vec::<String>::new());
        for item in doc.paths.paths.values_mut() {
            for security in operations(item).filter_map(|op| op.security.as_mut()) {
                if security.contains(&bearer) {
                    security.push(login.clone());
                }
            }
        }
    }
}

/// Every operation of a path.
fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .flatten()
}

/// The rate limit can refuse every operation but the health probes: each refers to the shared
/// `RateLimited` 429, and an operation that has a 429 of its own already (the login
/// throttle's) learns the second reason and the rate limit's headers.
struct RateLimits;

impl Modify for RateLimits {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::IntoResponses;
        const NAME: &str = "RateLimited";
        let responses = crate::error::responses::RateLimited::responses();
        let Some((status, RefOr::T(limited))) = responses.into_iter().next() else {
            return;
        };
        doc.components
            .get_or_insert_with(Default::default)
            .responses
            .insert(NAME.into(), RefOr::T(limited.clone()));
        for (path, item) in &mut doc.paths.paths {
            if crate::rate_limit::EXEMPT.contains(&path.as_str()) {
                continue;
            }
            for op in operations(item) {
                match op.responses.responses.get_mut(&status) {
                    Some(RefOr::T(own)) => {
                        own.description = format!(
                            "{}; or too many requests from this caller (more than BYLINE_RATE_LIMIT a minute)",
                            own.description
                        );
                        for (name, header) in &limited.headers {
                            own.headers
                                .entry(name.clone())
                                .or_insert_with(|| header.clone());
                        }
                    }
                    _ => {
                        op.responses
                            .responses
                            .insert(status.clone(), RefOr::Ref(Ref::from_response_name(NAME)));
                    }
                }
            }
        }
    }
}

/// `deny_unknown_fields` on `TokenRequest` refuses unknown fields in each grant, but utoipa
/// does not carry it to the variants of an internally tagged enum: say it here, so that the
/// document refuses what the service refuses.
struct ClosedGrants;

impl Modify for ClosedGrants {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let schemas = doc.components.as_mut().map(|c| &mut c.schemas);
        let Some(RefOr::T(Schema::OneOf(grants))) = schemas.and_then(|s| s.get_mut("TokenRequest"))
        else {
            return;
        };
        for grant in &mut grants.items {
            if let RefOr::T(Schema::Object(grant)) = grant {
                grant.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Byline",
        description = "A headless CMS API for news publishers: articles with key takeaways, attributed quotes, highlights and risk notes, served as one JSON document each. Reads of published articles are anonymous; every write needs a bearer token from `POST /api/v1/auth/login` (people) or `POST /api/v1/auth/token` (API keys). In Swagger UI, \"Authorize\" takes an email and password (`login`) or a token (`bearer`). Errors are RFC 9457 `application/problem+json`. Every response but the health probes' carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`: each user, API key or anonymous client address may make `BYLINE_RATE_LIMIT` requests a minute (default 1200), and past that gets 429 with `Retry-After`.",
    ),
    paths(
        auth::login, auth::refresh, auth::logout, auth::get_me, auth::change_password,
        auth::issue_token,
        users::list_users, users::create_user, users::get_user, users::update_user, users::delete_user,
        api_keys::list_api_keys, api_keys::create_api_key, api_keys::get_api_key, api_keys::delete_api_key,
        audit::list_audit,
        events::list_changes,
        webhooks::list_webhooks, webhooks::create_webhook, webhooks::get_webhook,
        webhooks::update_webhook, webhooks::delete_webhook, webhooks::ping_webhook,
        webhooks::list_deliveries,
        articles::create_article, articles::get_article, articles::replace_article,
        articles::update_article, articles::delete_article,
        articles::publish_article, articles::unpublish_article, articles::archive_article,
        articles::schedule_article, lists::list_articles, lists::list_tags,
        articles::head_article, lists::head_articles,
        revisions::list_revisions, revisions::get_revision, revisions::restore_revision,
        previews::create_preview_link, previews::revoke_preview_links, previews::get_preview,
        key_takeaways::list_key_takeaways, key_takeaways::create_key_takeaway, key_takeaways::replace_key_takeaways,
        key_takeaways::get_key_takeaway, key_takeaways::update_key_takeaway, key_takeaways::delete_key_takeaway,
        quotes::list_quotes, quotes::create_quote, quotes::replace_quotes,
        quotes::get_quote, quotes::update_quote, quotes::delete_quote,
        highlights::list_highlights, highlights::create_highlight, highlights::replace_highlights,
        highlights::get_highlight, highlights::update_highlight, highlights::delete_highlight,
        risk_notes::list_risk_notes, risk_notes::create_risk_note, risk_notes::replace_risk_notes,
        risk_notes::get_risk_note, risk_notes::update_risk_note, risk_notes::delete_risk_note,
        authors::list_authors, authors::get_author, authors::create_author,
        authors::update_author, authors::delete_author,
        media::create_medium, media::list_media, media::get_medium, media::update_medium,
        media::delete_medium, media_files::serve_media_file, media_files::head_media_file,
        health::healthz, health::readyz, crate::metrics::serve_metrics, serve_openapi, swagger_ui,
        distribution::get_rss_feed, distribution::get_atom_feed,
        distribution::get_news_sitemap, distribution::get_articles_sitemap,
        distribution::get_articles_sitemap_page,
    ),
    components(schemas(crate::articles::list::params::SortParam, crate::articles::list::params::IncludeParam)),
    modifiers(&SecuritySchemes, &ClosedGrants, &RateLimits),
    tags(
        (name = "auth", description = "Logging in, refreshing and ending sessions, the caller's account, and API key tokens"),
        (name = "articles", description = "Articles as whole documents, and their workflow"),
        (name = "key takeaways", description = "The ordered key takeaways of an article"),
        (name = "quotes", description = "The ordered, attributed quotes of an article"),
        (name = "highlights", description = "The ordered highlights of an article"),
        (name = "risk notes", description = "The ordered risk notes of an article"),
        (name = "revisions", description = "The history of an article: every change as a whole document, and restoring one"),
        (name = "authors", description = "Authors: the public bylines articles credit, apart from login accounts"),
        (name = "users", description = "User accounts (admins only)"),
        (name = "api keys", description = "API keys for publishing clients (admins only)"),
        (name = "audit", description = "The append-only audit log of sign-ins and changes (admins only)"),
        (name = "events", description = "The change feed: every change to an article, in commit order, for sync clients"),
        (name = "webhooks", description = "Webhooks (admins only): every event POSTed to your URL, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`), retried with backoff for 24 hours. The body is an `Event`, or a `Ping` from the ping operation."),
        (name = "media", description = "Images: upload (multipart/form-data), describe and delete them under /api/v1/media; readers fetch the files at /media/{sha256}.{ext}, with `?w=` renditions"),
        (name = "operations", description = "Health probes and Prometheus metrics"),
        (name = "distribution", description = "Outside /api/v1, for search engines and feed readers: RSS and Atom feeds, sitemaps and the Google News sitemap of published articles, linking to canonical URLs on BYLINE_SITE_URL"),
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

/// Sends browsers that open `/` or `/swagger-ui` to Swagger UI, which lives at `/swagger-ui/`.
/// Not part of the document: it is a convenience for people, not an API.
pub async fn redirect_to_swagger_ui() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Found()
        .insert_header((actix_web::http::header::LOCATION, "/swagger-ui/"))
        .finish()
}

#[cfg(test)]
mod tests;
