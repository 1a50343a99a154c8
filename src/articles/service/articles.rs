//! Use cases of the article document: create, replace, patch, delete and restoring a
//! revision. Each loads what it needs, decides with the pure functions of `domain`, and writes
//! through `store`, inside the pipeline.

use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::{edit, Abort, Current, Editor, Rule};
use crate::articles::domain::{
    self, check_related, draft_from_document, free_slug, slug_from_title, ArticleDraft,
    Precondition, ReadOnlyEcho,
};
use crate::articles::dto::{Article, ArticleInput, ArticleStatus};
use crate::articles::policy::can_see;
use crate::articles::revisions::{self, Action};
use crate::articles::{search, store};
use crate::children::{self, ordering, ChildKind};
use crate::db::{now, AnyConnection};
use crate::error::{AppError, FieldErrors};
use crate::validate::from_value;

/// Creates an article with all its parts. `published` makes it public at once (the demo
/// article); the API always creates drafts.
pub fn create(
    conn: &mut AnyConnection,
    editor: &Editor,
    draft: ArticleDraft,
    echo: &ReadOnlyEcho,
    published: bool,
) -> Result<Article, AppError> {
    echo.refuse_on_create()?;
    let author = editor
        .user
        .as_ref()
        .ok_or_else(|| AppError::internal("an article needs an author"))?;
    let id = Uuid::now_v7().to_string();
    let article = super::create(conn, editor, Action::Create, |conn| {
        let at = now();
        // The id stands in for the slug until a free one is chosen: the first statement of
        // the transaction must be a write.
        let status = if published {
            ArticleStatus::Published
        } else {
            ArticleStatus::Draft
        };
        store::insert(
            conn,
            store::NewArticle {
                id: &id,
                slug: draft.slug.clone().unwrap_or_else(|| id.clone()),
                status,
                publish_at: None,
                published_at: published.then_some(at),
                created_at: at,
                updated_at: at,
                version: 1,
                author_id: &author.id,
            },
            &draft,
        )?;
        if draft.slug.is_none() {
            let base = slug_from_title(&draft.title);
            let taken = store::slugs_like(conn, &base, &id)?;
            store::write_slug(conn, &id, &free_slug(&base, &taken))?;
        }
        write_parts(conn, editor, &id, None, (&draft, ChildIds::Stored))?;
        Ok(id.clone())
    })?;
    editor.view(conn, article)
}

/// Which child ids a draft may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChildIds {
    /// Only ids of children stored now (what a client may echo back).
    Stored,
    /// Also ids of children deleted since (a restore brings them back).
    Restored,
}

/// Stores the parts of `draft` that differ from `stored` (everything for a new article),
/// checking what needs the database first: echoed child ids must be the article's own,
/// related articles visible to the writer.
fn write_parts(
    conn: &mut AnyConnection,
    editor: &Editor,
    id: &str,
    stored: Option<&ArticleDraft>,
    (draft, ids): (&ArticleDraft, ChildIds),
) -> Result<(), AppError> {
    let lists = [
        (
            ChildKind::KeyTakeaway,
            &draft.key_takeaways,
            "/key_takeaways",
        ),
        (ChildKind::Quote, &draft.quotes, "/quotes"),
        (ChildKind::Highlight, &draft.highlights, "/highlights"),
        (ChildKind::RiskNote, &draft.risk_notes, "/risk_notes"),
    ];
    let old_list = |kind: ChildKind| {
        stored.map(|s| match kind {
            ChildKind::KeyTakeaway => &s.key_takeaways,
            ChildKind::Quote => &s.quotes,
            ChildKind::Highlight => &s.highlights,
            ChildKind::RiskNote => &s.risk_notes,
        })
    };
    let mut errs = FieldErrors::default();
    for (kind, drafts, pointer) in lists.iter().filter(|_| ids == ChildIds::Stored) {
        let stored_ids: Vec<String> = old_list(*kind)
            .map(|l| l.iter().filter_map(|c| c.id.clone()).collect())
            .unwrap_or_default();
        ordering::check_known_ids(*kind, drafts, &stored_ids, pointer, &mut errs);
    }
    errs.finish(())?;
    let related_changed = stored.is_none_or(|s| s.related != draft.related);
    if related_changed {
        let stored_related = stored.map(|s| s.related.clone()).unwrap_or_default();
        let visible = visible_ids(conn, editor, &draft.related)?;
        check_related(id, &draft.related, &stored_related, &visible)?;
    }
    if stored.is_none_or(|s| s.tags != draft.tags) {
        store::write_tags(conn, id, &draft.tags)?;
    }
    for (kind, drafts, _) in lists {
        if old_list(kind) != Some(drafts) {
            children::repo::store_list(conn, id, kind, drafts)?;
        }
    }
    if related_changed {
        store::write_related(conn, id, &draft.related)?;
    }
    if stored.is_none_or(|s| s.authors != draft.authors) {
        store_byline(conn, id, &draft.authors)?;
    }
    if stored.is_none_or(|s| !s.same_searched_text(draft) || s.quotes != draft.quotes) {
        search::reindex(conn, id)?;
    }
    Ok(())
}

/// Stores an article's byline after checking that every id names an author (422 at
/// `/authors/{i}` otherwise).
pub(super) fn store_byline(
    conn: &mut AnyConnection,
    id: &str,
    authors: &[String],
) -> Result<(), AppError> {
    let existing = crate::authors::repo::existing(conn, authors)?;
    let mut errs = FieldErrors::default();
    for (i, author) in authors.iter().enumerate() {
        if !existing.contains(author) {
            errs.push(format!("/authors/{i}"), "no author with this id");
        }
    }
    errs.finish(())?;
    store::write_authors(conn, id, authors)?;
    Ok(())
}

/// The articles among `ids` that exist and that the editor may see.
fn visible_ids(
    conn: &mut AnyConnection,
    editor: &Editor,
    ids: &[String],
) -> Result<Vec<String>, AppError> {
    Ok(store::states_of(conn, ids)?
        .into_iter()
        .filter(|r| editor.user.is_none() || can_see(editor.user.as_ref(), r.status, &r.author_id))
        .map(|r| r.id)
        .collect())
}

/// Makes the stored content equal to `draft`, or answers `Unchanged`.
fn store_draft(
    conn: &mut AnyConnection,
    editor: &Editor,
    before: &Current,
    (mut draft, ids): (ArticleDraft, ChildIds),
) -> Result<(), Abort> {
    let row = &before.row;
    draft.slug.get_or_insert_with(|| before.slug.clone());
    // Related articles the editor cannot see were not in what they read; keep them.
    for r in store::related(conn, &before.id)? {
        let hidden =
            editor.user.is_some() && !can_see(editor.user.as_ref(), r.status, &r.author_id);
        if hidden && !draft.related.contains(&r.id) {
            draft.related.push(r.id);
        }
    }
    let stored = store::stored_draft(conn, row)?;
    if stored == draft {
        return Err(Abort::Unchanged);
    }
    let scalars_changed = !stored.same_scalars(&draft);
    if scalars_changed {
        let slug = draft.slug.clone().unwrap_or_else(|| before.slug.clone());
        store::write_scalars(conn, &before.id, &draft, slug)?;
    }
    write_parts(conn, editor, &before.id, Some(&stored), (&draft, ids))?;
    Ok(())
}

/// Replaces the whole document, parts included.
pub fn replace(
    conn: &mut AnyConnection,
    editor: &Editor,
    id: &str,
    pre: Precondition,
    draft: ArticleDraft,
    echo: &ReadOnlyEcho,
) -> Result<Article, AppError> {
    let done = edit(
        conn,
        editor,
        id,
        pre,
        (Action::Update, Rule::Edit),
        |conn, before| {
            echo.check_against(before)?;
            store_draft(conn, editor, before, (draft, ChildIds::Stored))
        },
    )?;
    editor.view(conn, done.article)
}

/// Fields a merge patch may not touch, with the way to change them instead.
const NOT_PATCHABLE: [(&str, &str); 5] = [
    (
        "key_takeaways",
        "use PUT /api/v1/articles/{id}/key-takeaways or the key takeaway endpoints",
    ),
    (
        "quotes",
        "use PUT /api/v1/articles/{id}/quotes or the quote endpoints",
    ),
    (
        "highlights",
        "use PUT /api/v1/articles/{id}/highlights or the highlight endpoints",
    ),
    (
        "risk_notes",
        "use PUT /api/v1/articles/{id}/risk-notes or the risk note endpoints",
    ),
    (
        "related",
        "related articles are changed with PUT /api/v1/articles/{id}",
    ),
];

/// Refuses what a merge patch of an article may never contain.
fn check_patch(patch: &Map<String, Value>) -> Result<(), AppError> {
    let mut errs = FieldErrors::default();
    for (field, how) in NOT_PATCHABLE {
        if patch.contains_key(field) {
            errs.push(
                format!("/{field}"),
                format!("cannot be changed with PATCH; {how}"),
            );
        }
    }
    for field in ["title", "slug"] {
        if patch.get(field).is_some_and(Value::is_null) {
            errs.push(format!("/{field}"), "cannot be removed");
        }
    }
    errs.finish(())
}

/// Applies a JSON merge patch (RFC 7396) to the scalar fields and tags.
pub fn patch(
    conn: &mut AnyConnection,
    editor: &Editor,
    id: &str,
    pre: Precondition,
    patch: Map<String, Value>,
) -> Result<Article, AppError> {
    check_patch(&patch)?;
    let done = edit(
        conn,
        editor,
        id,
        pre,
        (Action::Update, Rule::Edit),
        |conn, current| {
            let stored = store::stored_scalars(conn, &current.row)?;
            let mut merged = json!({
                "slug": stored.slug, "title": stored.title, "dek": stored.dek,
                "seo_title": stored.seo_title, "seo_description": stored.seo_description,
                "summary": stored.summary, "body": stored.body, "analysis": stored.analysis,
                "kicker": stored.kicker, "source": stored.source, "language": stored.language,
                "tags": stored.tags, "authors": stored.authors,
            });
            json_patch::merge(&mut merged, &Value::Object(patch));
            let input: ArticleInput = from_value(merged)?;
            let (draft, echo) = domain::validate(input)?;
            echo.check_against(current)?;
            let scalars_changed = !stored.same_scalars(&draft);
            if !scalars_changed && stored.tags == draft.tags && stored.authors == draft.authors {
                return Err(Abort::Unchanged);
            }
            if scalars_changed {
                let slug = draft.slug.clone().unwrap_or_else(|| current.slug.clone());
                store::write_scalars(conn, id, &draft, slug)?;
            }
            if stored.tags != draft.tags {
                store::write_tags(conn, id, &draft.tags)?;
            }
            if stored.authors != draft.authors {
                store_byline(conn, id, &draft.authors)?;
            }
            if !stored.same_searched_text(&draft) {
                search::reindex(conn, id)?;
            }
            Ok(())
        },
    )?;
    editor.view(conn, done.article)
}

/// Deletes an article; its parts and revisions go with it.
pub fn delete(
    conn: &mut AnyConnection,
    editor: &Editor,
    id: &str,
    pre: Precondition,
) -> Result<(), AppError> {
    super::delete(conn, editor, id, pre)
}

/// Makes the article's content equal to revision `version`'s: title, slug, text fields, tags,
/// children with their ids, and related articles that still exist. Status and publication
/// times stay as they are.
pub fn restore(
    conn: &mut AnyConnection,
    editor: &Editor,
    id: &str,
    version: i64,
    pre: Precondition,
) -> Result<Article, AppError> {
    let done = edit(
        conn,
        editor,
        id,
        pre,
        (Action::Restore, Rule::Edit),
        |conn, before| {
            let (_, document) = revisions::store::get(conn, id, version)?.ok_or_else(|| {
                AppError::NotFound(format!("this article has no revision {version}"))
            })?;
            let old: Article = serde_json::from_str(&document)
                .map_err(|e| AppError::internal(format!("stored revision is unreadable: {e}")))?;
            let mut draft = draft_from_document(&old);
            let existing: Vec<String> = store::states_of(conn, &draft.related)?
                .into_iter()
                .map(|r| r.id)
                .collect();
            draft.related.retain(|r| existing.contains(r));
            // Authors deleted since leave the byline.
            let authors = crate::authors::repo::existing(conn, &draft.authors)?;
            draft.authors.retain(|a| authors.contains(a));
            // Children of the revision deleted since come back with their ids; a restore may
            // bring back related articles the restorer cannot see, as they were.
            store_draft(
                conn,
                &Editor::system(editor.keep_revisions),
                before,
                (draft, ChildIds::Restored),
            )?;
            Ok(())
        },
    )?;
    editor.view(conn, done.article)
}
