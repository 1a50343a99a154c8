//! `/authors` endpoints: anyone lists and reads authors; editors and admins create, change
//! and delete them.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde_json::{json, Map, Value};

use super::domain::validate;
use super::dto::{Author, AuthorInput, AuthorList, AuthorPatch};
use super::repo;
use crate::articles::http::PUBLIC_CACHE;
use crate::audit::{ClientIp, Origin};
use crate::auth::{AuthUser, MaybeAuthUser};
use crate::error::{AppError, FieldErrors, Problem};
use crate::extract::ApiJson;
use crate::page::{Page, PageParams};
use crate::state::AppState;

const PRIVATE_CACHE: &str = "private, no-store";

/// Authors are managed by editors and admins.
fn require_staff(user: &AuthUser) -> Result<(), AppError> {
    if user.role.edits_all_content() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only editors and admins may manage authors".into(),
        ))
    }
}

/// List authors, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/authors",
    tag = "authors",
    security((), ("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of authors", body = AuthorList,
            headers(("Link" = String, description = "`<…>; rel=\"next\"` when another page follows"))),
        (status = 400, description = "Malformed limit or cursor", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::InvalidToken,
        crate::error::responses::Unavailable,
    )
)]
pub async fn list_authors(
    state: web::Data<AppState>,
    _viewer: MaybeAuthUser,
    page: Page,
) -> Result<HttpResponse, AppError> {
    let query = page.clone();
    let rows = state
        .db
        .run(move |conn| repo::list(conn, query.limit, query.after.as_deref()))
        .await?;
    let (rows, meta) = page.finish(rows, |r| &r.id);
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CACHE_CONTROL, PUBLIC_CACHE));
    if let Some(link) = meta.next_link("/api/v1/authors") {
        res.insert_header((header::LINK, link));
    }
    Ok(res.json(AuthorList {
        data: rows.into_iter().map(Author::from).collect(),
        meta,
    }))
}

/// Fetch one author by id or slug.
#[utoipa::path(
    get,
    path = "/api/v1/authors/{id}",
    tag = "authors",
    security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The author's id, or its slug")),
    responses(
        (status = 200, description = "The author", body = Author),
        crate::error::responses::InvalidToken,
        (status = 404, description = "No such author", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn get_author(
    state: web::Data<AppState>,
    _viewer: MaybeAuthUser,
    key: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let key = key.into_inner();
    let row = state
        .db
        .run(move |conn| repo::find_by_key(conn, &key))
        .await?
        .ok_or_else(repo::not_found)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, PUBLIC_CACHE))
        .json(Author::from(row)))
}

/// Create an author. The slug is made from the name when omitted.
#[utoipa::path(
    post,
    path = "/api/v1/authors",
    tag = "authors",
    security(("bearer" = [])),
    request_body = AuthorInput,
    responses(
        (status = 201, description = "Created", body = Author,
            headers(("Location" = String, description = "URL of the new author"))),
        crate::error::responses::MalformedJson,
        crate::error::responses::Unauthorized,
        (status = 403, description = "Only editors and admins manage authors", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug already taken", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::TooLarge,
        crate::error::responses::NotJson,
        (status = 422, description = "Invalid fields, or no user with this `user_id`", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn create_author(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    body: ApiJson<AuthorInput>,
) -> Result<HttpResponse, AppError> {
    require_staff(&user)?;
    let draft = validate(body.0)?;
    let origin = Origin::new(&user, ip);
    let row = state
        .db
        .run(move |conn| repo::create(conn, draft, &origin))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/authors/{}", row.id)))
        .insert_header((header::CACHE_CONTROL, PRIVATE_CACHE))
        .json(Author::from(row)))
}

/// Change an author with a JSON merge patch (RFC 7396).
///
/// Articles that credit the author show the change in their byline at once.
#[utoipa::path(
    patch,
    path = "/api/v1/authors/{id}",
    tag = "authors",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The author's id")),
    request_body(content = AuthorPatch, content_type = "application/merge-patch+json",
        description = "Fields to change; `null` removes `bio` or `user_id`. Also accepted as `application/json`"),
    responses(
        (status = 200, description = "The updated author", body = Author),
        crate::error::responses::MalformedJson,
        crate::error::responses::Unauthorized,
        (status = 403, description = "Only editors and admins manage authors", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such author", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug already taken", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::TooLarge,
        crate::error::responses::NotJson,
        (status = 422, description = "Invalid fields, or no user with this `user_id`", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn update_author(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
    body: ApiJson<Map<String, Value>>,
) -> Result<HttpResponse, AppError> {
    require_staff(&user)?;
    let patch = body.0;
    let mut errs = FieldErrors::default();
    for field in ["slug", "name"] {
        if patch.get(field).is_some_and(Value::is_null) {
            errs.push(format!("/{field}"), "cannot be removed");
        }
    }
    errs.finish(())?;
    let id = id.into_inner();
    let origin = Origin::new(&user, ip);
    let row = state
        .db
        .run(move |conn| {
            let stored = repo::current_fields(conn, &id)?;
            let mut merged = json!({
                "slug": stored.slug, "name": stored.name, "bio": stored.bio,
                "user_id": stored.user_id,
            });
            json_patch::merge(&mut merged, &Value::Object(patch));
            let input: AuthorInput = crate::validate::from_value(merged)?;
            repo::update(conn, &id, validate(input)?, &origin)
        })
        .await?;
    // Bylines show the author as it is now: cached documents are stale.
    crate::articles::cache::invalidate();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, PRIVATE_CACHE))
        .json(Author::from(row)))
}

/// Delete an author.
///
/// An author credited on any article cannot be deleted (409): take it off those bylines
/// first, so that no article loses a byline silently.
#[utoipa::path(
    delete,
    path = "/api/v1/authors/{id}",
    tag = "authors",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The author's id")),
    responses(
        (status = 204, description = "Deleted"),
        crate::error::responses::Unauthorized,
        (status = 403, description = "Only editors and admins manage authors", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such author", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The author is credited on articles", body = Problem, content_type = "application/problem+json"),
        crate::error::responses::Unavailable,
    )
)]
pub async fn delete_author(
    state: web::Data<AppState>,
    user: AuthUser,
    ip: ClientIp,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    require_staff(&user)?;
    let id = id.into_inner();
    let origin = Origin::new(&user, ip);
    state
        .db
        .run(move |conn| repo::delete(conn, &id, &origin))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
