//! Child endpoints. The logic is written once, generic over `ChildSpec`; a macro stamps out
//! the thin, OpenAPI-annotated handlers for each of the four kinds.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use serde_json::{Map, Value};

use super::dto::ChildList;
use super::kinds::{validate_list, ChildSpec};
use super::{repo, ChildDraft, ChildFields};
use crate::articles::policy::authorize_edit;
use crate::articles::repo::{self as articles, merge_patch, write, Abort};
use crate::auth::{AuthUser, MaybeAuthUser};
use crate::db::AnyConnection;
use crate::error::{AppError, FieldErrors};
use crate::extract::{article_etag, from_value, IfMatch};
use crate::state::AppState;

fn with_etag(status: StatusCode, article_id: &str, version: i64) -> actix_web::HttpResponseBuilder {
    let mut res = HttpResponse::build(status);
    res.insert_header((header::ETAG, article_etag(article_id, version)));
    res
}

fn current_version(
    conn: &mut AnyConnection,
    article_id: &str,
    user: &AuthUser,
) -> Result<i64, AppError> {
    articles::find_visible(conn, article_id, Some(user))?
        .map(|r| r.version)
        .ok_or_else(AppError::article_not_found)
}

/// Lists the children of one kind of an article the caller may see.
pub async fn list<C: ChildSpec>(
    state: web::Data<AppState>,
    viewer: MaybeAuthUser,
    article_id: String,
) -> Result<HttpResponse, AppError> {
    let public = viewer.0.is_none();
    let (id, version, rows) = state
        .db
        .run(move |conn| {
            let row = articles::find_visible(conn, &article_id, viewer.0.as_ref())?
                .ok_or_else(AppError::article_not_found)?;
            let rows = repo::list(conn, &row.id, C::KIND)?;
            Ok((row.id, row.version, rows))
        })
        .await?;
    let data: Vec<C::Output> = rows.into_iter().map(C::output).collect();
    Ok(with_etag(StatusCode::OK, &id, version)
        .insert_header((header::CACHE_CONTROL, cache_control(public)))
        .json(ChildList::complete(data)))
}

fn cache_control(public: bool) -> &'static str {
    if public {
        "public, max-age=60, stale-while-revalidate=300"
    } else {
        "private, no-store"
    }
}

/// Fetches one child of an article the caller may see.
pub async fn get<C: ChildSpec>(
    state: web::Data<AppState>,
    viewer: MaybeAuthUser,
    (article_id, child_id): (String, String),
) -> Result<HttpResponse, AppError> {
    let public = viewer.0.is_none();
    let (id, version, child) = state
        .db
        .run(move |conn| {
            let row = articles::find_visible(conn, &article_id, viewer.0.as_ref())?
                .ok_or_else(AppError::article_not_found)?;
            let child = repo::find(conn, &row.id, C::KIND, &child_id)?.ok_or_else(|| {
                AppError::NotFound(format!(
                    "no {} with this id in this article",
                    C::KIND.noun()
                ))
            })?;
            Ok((row.id, row.version, child))
        })
        .await?;
    Ok(with_etag(StatusCode::OK, &id, version)
        .insert_header((header::CACHE_CONTROL, cache_control(public)))
        .json(C::output(child)))
}

/// Appends a child, or inserts it at `position`.
pub async fn create<C: ChildSpec>(
    state: web::Data<AppState>,
    user: AuthUser,
    article_id: String,
    if_match: IfMatch,
    input: C::Input,
) -> Result<HttpResponse, AppError> {
    let mut errs = FieldErrors::default();
    let (id, position) = C::id_and_position(&input);
    if id.is_some() {
        errs.push("/id", "is assigned by the server; omit it");
    }
    let fields = C::fields(&input, "", &mut errs);
    errs.finish(())?;
    let pre = if_match.precondition(&article_id);
    let (child, version) = state
        .db
        .run(move |conn| {
            let done = write(conn, |conn| {
                let row = articles::lock(conn, &article_id, pre, &user)?;
                authorize_edit(&user, &row)?;
                let child = repo::insert_at(conn, &row.id, C::KIND, position, &fields)?;
                articles::touch_after_child_write(conn, &row.id, C::KIND)?;
                Ok((child, row.version))
            })?;
            done.ok_or_else(|| AppError::internal("an insert cannot be a no-op"))
        })
        .await?;
    let location = format!(
        "/api/v1/articles/{}/{}/{}",
        child.article_id,
        C::PATH,
        child.id
    );
    Ok(with_etag(StatusCode::CREATED, &child.article_id, version)
        .insert_header((header::LOCATION, location))
        .json(C::output(child)))
}

/// Changes a child with a JSON merge patch; a `position` moves it.
pub async fn update<C: ChildSpec>(
    state: web::Data<AppState>,
    user: AuthUser,
    (article_id, child_id): (String, String),
    if_match: IfMatch,
    patch: Map<String, Value>,
) -> Result<HttpResponse, AppError> {
    let pre = if_match.precondition(&article_id);
    let (child, version) = state
        .db
        .run(move |conn| {
            let done = write(conn, |conn| {
                let row = articles::lock(conn, &article_id, pre, &user)?;
                authorize_edit(&user, &row)?;
                let current = repo::find(conn, &row.id, C::KIND, &child_id)?.ok_or_else(|| {
                    AppError::NotFound(format!(
                        "no {} with this id in this article",
                        C::KIND.noun()
                    ))
                })?;
                let mut merged = serde_json::to_value(C::input_of(&current))
                    .map_err(|e| AppError::internal(e.to_string()))?;
                merge_patch(&mut merged, Value::Object(patch));
                let input: C::Input = from_value(merged)?;
                let (echoed_id, position) = C::id_and_position(&input);
                let mut errs = FieldErrors::default();
                if echoed_id.is_some_and(|id| id != current.id) {
                    errs.push("/id", "is read-only");
                }
                let fields = C::fields(&input, "", &mut errs);
                errs.finish(())?;
                let moves = position.is_some_and(|p| p != i64::from(current.position));
                if !moves && fields == ChildFields::from_row(&current) {
                    return Err(Abort::Unchanged);
                }
                let child = repo::update(conn, &row.id, C::KIND, &current.id, position, &fields)?;
                articles::touch_after_child_write(conn, &row.id, C::KIND)?;
                Ok((child, row.version))
            })?;
            match done {
                Some(v) => Ok(v),
                None => {
                    let child = repo::find(conn, &article_id, C::KIND, &child_id)?
                        .ok_or_else(|| AppError::NotFound("no such child".into()))?;
                    Ok((child, current_version(conn, &article_id, &user)?))
                }
            }
        })
        .await?;
    Ok(with_etag(StatusCode::OK, &child.article_id, version).json(C::output(child)))
}

/// Deletes a child and closes the gap in the positions.
pub async fn delete<C: ChildSpec>(
    state: web::Data<AppState>,
    user: AuthUser,
    (article_id, child_id): (String, String),
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    let pre = if_match.precondition(&article_id);
    let version = state
        .db
        .run(move |conn| {
            let done = write(conn, |conn| {
                let row = articles::lock(conn, &article_id, pre, &user)?;
                authorize_edit(&user, &row)?;
                repo::delete(conn, &row.id, C::KIND, &child_id)?;
                articles::touch_after_child_write(conn, &row.id, C::KIND)?;
                Ok((row.id, row.version))
            })?;
            done.ok_or_else(|| AppError::internal("a delete cannot be a no-op"))
        })
        .await?;
    Ok(with_etag(StatusCode::NO_CONTENT, &version.0, version.1).finish())
}

/// Replaces the whole list of one kind with `inputs`, in order.
pub async fn replace<C: ChildSpec>(
    state: web::Data<AppState>,
    user: AuthUser,
    article_id: String,
    if_match: IfMatch,
    inputs: Vec<C::Input>,
) -> Result<HttpResponse, AppError> {
    let mut errs = FieldErrors::default();
    let drafts = validate_list::<C>(&inputs, "", &mut errs);
    errs.finish(())?;
    let pre = if_match.precondition(&article_id);
    let (id, version, rows) = state
        .db
        .run(move |conn| {
            write(conn, |conn| {
                let row = articles::lock(conn, &article_id, pre, &user)?;
                authorize_edit(&user, &row)?;
                let stored: Vec<ChildDraft> = repo::list(conn, &row.id, C::KIND)?
                    .iter()
                    .map(|r| ChildDraft {
                        id: Some(r.id.clone()),
                        fields: ChildFields::from_row(r),
                    })
                    .collect();
                if stored == drafts {
                    return Err(Abort::Unchanged);
                }
                repo::replace(conn, &row.id, C::KIND, &drafts, "")?;
                articles::touch_after_child_write(conn, &row.id, C::KIND)?;
                Ok(())
            })?;
            let version = current_version(conn, &article_id, &user)?;
            Ok((
                article_id.clone(),
                version,
                repo::list(conn, &article_id, C::KIND)?,
            ))
        })
        .await?;
    let data: Vec<C::Output> = rows.into_iter().map(C::output).collect();
    Ok(with_etag(StatusCode::OK, &id, version).json(ChildList::complete(data)))
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

            use crate::auth::{AuthUser, MaybeAuthUser};
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
            pub async fn $create(state: web::Data<AppState>, user: AuthUser, path: web::Path<String>, if_match: IfMatch, body: ApiJson<$input>) -> Result<HttpResponse, AppError> {
                super::create::<$spec>(state, user, path.into_inner(), if_match, body.0).await
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
            pub async fn $update(state: web::Data<AppState>, user: AuthUser, path: web::Path<(String, String)>, if_match: IfMatch, body: ApiJson<Map<String, Value>>) -> Result<HttpResponse, AppError> {
                super::update::<$spec>(state, user, path.into_inner(), if_match, body.0).await
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
            pub async fn $delete(state: web::Data<AppState>, user: AuthUser, path: web::Path<(String, String)>, if_match: IfMatch) -> Result<HttpResponse, AppError> {
                super::delete::<$spec>(state, user, path.into_inner(), if_match).await
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
            pub async fn $replace(state: web::Data<AppState>, user: AuthUser, path: web::Path<String>, if_match: IfMatch, body: ApiJson<Vec<$input>>) -> Result<HttpResponse, AppError> {
                super::replace::<$spec>(state, user, path.into_inner(), if_match, body.0).await
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
