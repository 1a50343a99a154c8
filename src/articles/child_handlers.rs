//! Endpoints of an article's parts. The logic is written once, generic over `ChildSpec`; a
//! macro stamps out the thin, OpenAPI-annotated handlers for each of the four kinds. Every
//! write is one call into the article write pipeline (`service::children`).

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use serde_json::{Map, Value};

use super::http::{PRIVATE_CACHE, PUBLIC_CACHE};
use super::service::children::{self as use_case, ChildWrite};
use super::service::Editor;
use super::store;
use crate::auth::MaybeAuthUser;
use crate::children::dto::ChildList;
use crate::children::kinds::{validate_list, ChildSpec};
use crate::children::{self, ChildKind};
use crate::error::{AppError, FieldErrors};
use crate::extract::{article_etag, IfMatch};
use crate::state::AppState;

fn with_etag(status: StatusCode, article_id: &str, version: i64) -> actix_web::HttpResponseBuilder {
    let mut res = HttpResponse::build(status);
    res.insert_header((header::ETAG, article_etag(article_id, version)));
    res
}

fn cache_control(public: bool) -> &'static str {
    if public {
        PUBLIC_CACHE
    } else {
        PRIVATE_CACHE
    }
}

fn not_found(kind: ChildKind) -> AppError {
    AppError::NotFound(format!("no {} with this id in this article", kind.noun()))
}

/// The id and version of the article `key` names, if the viewer may see it.
fn visible_article(
    conn: &mut crate::db::AnyConnection,
    key: &str,
    viewer: &MaybeAuthUser,
) -> Result<(String, i64), AppError> {
    let state = store::find_by_key(conn, key)?
        .map(|r| r.state())
        .filter(|s| super::policy::can_see(viewer.0.as_ref(), s.status, &s.author_id))
        .ok_or_else(AppError::article_not_found)?;
    Ok((state.id, state.version))
}

/// Lists the children of one kind of an article the caller may see.
pub async fn list<C: ChildSpec>(
    state: web::Data<AppState>,
    viewer: MaybeAuthUser,
    article_id: String,
) -> Result<HttpResponse, AppError> {
    let public = viewer.0.is_none();
    let ((id, version), rows) = state
        .db
        .run(move |conn| {
            let found = visible_article(conn, &article_id, &viewer)?;
            let rows = children::repo::list(conn, &found.0, C::KIND)?;
            Ok((found, rows))
        })
        .await?;
    let data: Vec<C::Output> = rows.into_iter().map(C::output).collect();
    Ok(with_etag(StatusCode::OK, &id, version)
        .insert_header((header::CACHE_CONTROL, cache_control(public)))
        .json(ChildList::complete(data)))
}

/// Fetches one child of an article the caller may see.
pub async fn get<C: ChildSpec>(
    state: web::Data<AppState>,
    viewer: MaybeAuthUser,
    (article_id, child_id): (String, String),
) -> Result<HttpResponse, AppError> {
    let public = viewer.0.is_none();
    let ((id, version), child) = state
        .db
        .run(move |conn| {
            let found = visible_article(conn, &article_id, &viewer)?;
            let child = children::repo::find(conn, &found.0, C::KIND, &child_id)?
                .ok_or_else(|| not_found(C::KIND))?;
            Ok((found, child))
        })
        .await?;
    Ok(with_etag(StatusCode::OK, &id, version)
        .insert_header((header::CACHE_CONTROL, cache_control(public)))
        .json(C::output(child)))
}

/// Appends a child, or inserts it at `position`.
pub async fn create<C: ChildSpec>(
    state: web::Data<AppState>,
    editor: Editor,
    article_id: String,
    if_match: IfMatch,
    input: C::Input,
) -> Result<HttpResponse, AppError> {
    let parsed = use_case::parse_new::<C>(&input)?;
    let pre = if_match.precondition(&article_id);
    let done: ChildWrite<_> = state
        .db
        .run(move |conn| use_case::append::<C>(conn, &editor, &article_id, pre, parsed))
        .await?;
    let location = format!(
        "/api/v1/articles/{}/{}/{}",
        done.article_id,
        C::PATH,
        done.value.id
    );
    Ok(
        with_etag(StatusCode::CREATED, &done.article_id, done.version)
            .insert_header((header::LOCATION, location))
            .json(C::output(done.value)),
    )
}

/// Changes a child with a JSON merge patch; a `position` moves it.
pub async fn update<C: ChildSpec>(
    state: web::Data<AppState>,
    editor: Editor,
    (article_id, child_id): (String, String),
    if_match: IfMatch,
    patch: Map<String, Value>,
) -> Result<HttpResponse, AppError> {
    let pre = if_match.precondition(&article_id);
    let done = state
        .db
        .run(move |conn| use_case::update::<C>(conn, &editor, (&article_id, &child_id), pre, patch))
        .await?;
    Ok(with_etag(StatusCode::OK, &done.article_id, done.version).json(C::output(done.value)))
}

/// Deletes a child and closes the gap in the positions.
pub async fn delete<C: ChildSpec>(
    state: web::Data<AppState>,
    editor: Editor,
    (article_id, child_id): (String, String),
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    let pre = if_match.precondition(&article_id);
    let done = state
        .db
        .run(move |conn| use_case::delete::<C>(conn, &editor, (&article_id, &child_id), pre))
        .await?;
    Ok(with_etag(StatusCode::NO_CONTENT, &done.article_id, done.version).finish())
}

/// Replaces the whole list of one kind with `inputs`, in order.
pub async fn replace<C: ChildSpec>(
    state: web::Data<AppState>,
    editor: Editor,
    article_id: String,
    if_match: IfMatch,
    inputs: Vec<C::Input>,
) -> Result<HttpResponse, AppError> {
    let mut errs = FieldErrors::default();
    let drafts = validate_list::<C>(&inputs, "", &mut errs);
    errs.finish(())?;
    let pre = if_match.precondition(&article_id);
    let done = state
        .db
        .run(move |conn| use_case::replace::<C>(conn, &editor, &article_id, pre, drafts))
        .await?;
    let data: Vec<C::Output> = done.value.into_iter().map(C::output).collect();
    Ok(with_etag(StatusCode::OK, &done.article_id, done.version).json(ChildList::complete(data)))
}

/// Stamps out the annotated handlers of one child kind and a function registering them.
macro_rules! child_endpoints {
    (
        mod $module:ident, spec $spec:ty, input $input:ty, output $output:ty, tag $tag:literal,
        list $list_path:literal, item $item_path:literal,
        names($list:ident, $get:ident, $create:ident, $update:ident, $delete:ident, $replace:ident)
    ) => {
        /// Handlers of one child kind.
        pub mod $module {
            use actix_web::{web, HttpResponse};
            use serde_json::{Map, Value};

            use crate::articles::service::Editor;
            use crate::auth::MaybeAuthUser;
            use crate::children::dto::*;
            use crate::children::kinds::*;
            use crate::error::{AppError, Problem};
            use crate::extract::{ApiJson, IfMatch};
            use crate::state::AppState;

            /// List them in position order.
            #[utoipa::path(get, path = $list_path, tag = $tag, security((), ("bearer" = [])),
                params(("id" = String, Path, description = "The article's id")),
                responses(
                    (status = 200, description = "The list in position order", body = ChildList<$output>, headers(("ETag" = String))),
                    crate::error::responses::InvalidToken,
                    (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
                    crate::error::responses::Unavailable,
                ))]
            pub async fn $list(state: web::Data<AppState>, viewer: MaybeAuthUser, path: web::Path<String>) -> Result<HttpResponse, AppError> {
                super::list::<$spec>(state, viewer, path.into_inner()).await
            }

            /// Fetch one.
            #[utoipa::path(get, path = $item_path, tag = $tag, security((), ("bearer" = [])),
                params(("id" = String, Path, description = "The article's id"), ("child_id" = String, Path, description = "The item's id")),
                responses(
                    (status = 200, description = "The item", body = $output, headers(("ETag" = String))),
                    crate::error::responses::InvalidToken,
                    (status = 404, description = "No such article or item", body = Problem, content_type = "application/problem+json"),
                    crate::error::responses::Unavailable,
                ))]
            pub async fn $get(state: web::Data<AppState>, viewer: MaybeAuthUser, path: web::Path<(String, String)>) -> Result<HttpResponse, AppError> {
                super::get::<$spec>(state, viewer, path.into_inner()).await
            }

            /// Append one, or insert it at `position`.
            #[utoipa::path(post, path = $list_path, tag = $tag, security(("bearer" = [])),
                params(("id" = String, Path, description = "The article's id"), ("If-Match" = Option<String>, Header, description = "The article's ETag")),
                request_body = $input,
                responses(
                    (status = 201, description = "Created", body = $output, headers(("ETag" = String, description = "The article's new ETag"), ("Location" = String))),
                    crate::error::responses::MalformedJson,
                    crate::error::responses::Unauthorized,
                    (status = 403, description = "Not allowed to edit this article", body = Problem, content_type = "application/problem+json"),
                    (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
                    crate::error::responses::PreconditionFailed,
                    crate::error::responses::TooLarge,
                    crate::error::responses::NotJson,
                    (status = 422, description = "Invalid fields, bad position or too many items", body = Problem, content_type = "application/problem+json"),
                    crate::error::responses::Unavailable,
                ))]
            pub async fn $create(state: web::Data<AppState>, editor: Editor, path: web::Path<String>, if_match: IfMatch, body: ApiJson<$input>) -> Result<HttpResponse, AppError> {
                super::create::<$spec>(state, editor, path.into_inner(), if_match, body.0).await
            }

            /// Change one with a JSON merge patch; `position` moves it.
            #[utoipa::path(patch, path = $item_path, tag = $tag, security(("bearer" = [])),
                params(("id" = String, Path, description = "The article's id"), ("child_id" = String, Path, description = "The item's id"), ("If-Match" = Option<String>, Header, description = "The article's ETag")),
                request_body(content = Object, content_type = "application/merge-patch+json", description = "Fields to change"),
                responses(
                    (status = 200, description = "The updated item", body = $output, headers(("ETag" = String, description = "The article's new ETag"))),
                    crate::error::responses::MalformedJson,
                    crate::error::responses::Unauthorized,
                    (status = 403, description = "Not allowed to edit this article", body = Problem, content_type = "application/problem+json"),
                    (status = 404, description = "No such article or item", body = Problem, content_type = "application/problem+json"),
                    crate::error::responses::PreconditionFailed,
                    crate::error::responses::TooLarge,
                    crate::error::responses::NotJson,
                    (status = 422, description = "Invalid fields or position", body = Problem, content_type = "application/problem+json"),
                    crate::error::responses::Unavailable,
                ))]
            pub async fn $update(state: web::Data<AppState>, editor: Editor, path: web::Path<(String, String)>, if_match: IfMatch, body: ApiJson<Map<String, Value>>) -> Result<HttpResponse, AppError> {
                super::update::<$spec>(state, editor, path.into_inner(), if_match, body.0).await
            }

            /// Delete one; the items after it move up.
            #[utoipa::path(delete, path = $item_path, tag = $tag, security(("bearer" = [])),
                params(("id" = String, Path, description = "The article's id"), ("child_id" = String, Path, description = "The item's id"), ("If-Match" = Option<String>, Header, description = "The article's ETag")),
                responses(
                    (status = 204, description = "Deleted", headers(("ETag" = String, description = "The article's new ETag"))),
                    crate::error::responses::Unauthorized,
                    (status = 403, description = "Not allowed to edit this article", body = Problem, content_type = "application/problem+json"),
                    (status = 404, description = "No such article or item", body = Problem, content_type = "application/problem+json"),
                    crate::error::responses::PreconditionFailed,
                    crate::error::responses::Unavailable,
                ))]
            pub async fn $delete(state: web::Data<AppState>, editor: Editor, path: web::Path<(String, String)>, if_match: IfMatch) -> Result<HttpResponse, AppError> {
                super::delete::<$spec>(state, editor, path.into_inner(), if_match).await
            }

            /// Replace the whole list; the body is the items in order.
            #[utoipa::path(put, path = $list_path, tag = $tag, security(("bearer" = [])),
                params(("id" = String, Path, description = "The article's id"), ("If-Match" = Option<String>, Header, description = "The article's ETag")),
                request_body = Vec<$input>,
                responses(
                    (status = 200, description = "The new list", body = ChildList<$output>, headers(("ETag" = String, description = "The article's new ETag"))),
                    crate::error::responses::MalformedJson,
                    crate::error::responses::Unauthorized,
                    (status = 403, description = "Not allowed to edit this article", body = Problem, content_type = "application/problem+json"),
                    (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
                    crate::error::responses::PreconditionFailed,
                    crate::error::responses::TooLarge,
                    crate::error::responses::NotJson,
                    (status = 422, description = "Invalid items", body = Problem, content_type = "application/problem+json"),
                    crate::error::responses::Unavailable,
                ))]
            pub async fn $replace(state: web::Data<AppState>, editor: Editor, path: web::Path<String>, if_match: IfMatch, body: ApiJson<Vec<$input>>) -> Result<HttpResponse, AppError> {
                super::replace::<$spec>(state, editor, path.into_inner(), if_match, body.0).await
            }

            /// Registers the routes of this kind under `/articles/{id}/…`.
            pub fn routes(cfg: &mut web::ServiceConfig) {
                let segment = <$spec as ChildSpec>::PATH;
                cfg.service(
                    web::resource(format!("/articles/{{id}}/{segment}"))
                        .route(web::get().to($list))
                        .route(web::post().to($create))
                        .route(web::put().to($replace)),
                )
                .service(
                    web::resource(format!("/articles/{{id}}/{segment}/{{child_id}}"))
                        .route(web::get().to($get))
                        .route(web::patch().to($update))
                        .route(web::delete().to($delete)),
                );
            }
        }
    };
}

child_endpoints!(
    mod key_takeaways, spec KeyTakeaways, input TextItemInput, output KeyTakeaway, tag "key takeaways",
    list "/api/v1/articles/{id}/key-takeaways", item "/api/v1/articles/{id}/key-takeaways/{child_id}",
    names(list_key_takeaways, get_key_takeaway, create_key_takeaway, update_key_takeaway, delete_key_takeaway, replace_key_takeaways)
);
child_endpoints!(
    mod quotes, spec Quotes, input QuoteInput, output Quote, tag "quotes",
    list "/api/v1/articles/{id}/quotes", item "/api/v1/articles/{id}/quotes/{child_id}",
    names(list_quotes, get_quote, create_quote, update_quote, delete_quote, replace_quotes)
);
child_endpoints!(
    mod highlights, spec Highlights, input TextItemInput, output Highlight, tag "highlights",
    list "/api/v1/articles/{id}/highlights", item "/api/v1/articles/{id}/highlights/{child_id}",
    names(list_highlights, get_highlight, create_highlight, update_highlight, delete_highlight, replace_highlights)
);
child_endpoints!(
    mod risk_notes, spec RiskNotes, input RiskNoteInput, output RiskNote, tag "risk notes",
    list "/api/v1/articles/{id}/risk-notes", item "/api/v1/articles/{id}/risk-notes/{child_id}",
    names(list_risk_notes, get_risk_note, create_risk_note, update_risk_note, delete_risk_note, replace_risk_notes)
);
