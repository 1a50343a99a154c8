//! Diesel rows of the `article_children` table.

use diesel::prelude::*;

use super::{Child, ChildFields, ChildKind};
use crate::db::schema::article_children;

/// A stored child of any kind; the columns a kind does not use are `NULL`.
#[derive(Debug, Clone, Queryable)]
pub struct ChildRow {
    pub id: String,
    pub article_id: String,
    pub kind: String,
    pub position: i32,
    pub text: Option<String>,
    pub speaker: Option<String>,
    pub context: Option<String>,
    pub source_url: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub severity: Option<String>,
    pub category: Option<String>,
}

/// A child to insert.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = article_children, treat_none_as_null = true)]
pub struct ChildChanges<'a> {
    pub text: Option<&'a str>,
    pub speaker: Option<&'a str>,
    pub context: Option<&'a str>,
    pub source_url: Option<&'a str>,
    pub title: Option<&'a str>,
    pub body: Option<&'a str>,
    pub severity: Option<&'a str>,
    pub category: Option<&'a str>,
}

impl ChildRow {
    /// The child this row stores; `None` for a kind this version does not know.
    pub fn into_child(self) -> Option<Child> {
        let kind = ChildKind::parse(&self.kind)?;
        Some(Child {
            id: self.id,
            article_id: self.article_id,
            kind,
            position: self.position,
            fields: ChildFields {
                text: self.text,
                speaker: self.speaker,
                context: self.context,
                source_url: self.source_url,
                title: self.title,
                body: self.body,
                severity: self.severity,
                category: self.category,
            },
        })
    }
}

impl<'a> From<&'a ChildFields> for ChildChanges<'a> {
    fn from(f: &'a ChildFields) -> Self {
        Self {
            text: f.text.as_deref(),
            speaker: f.speaker.as_deref(),
            context: f.context.as_deref(),
            source_url: f.source_url.as_deref(),
            title: f.title.as_deref(),
            body: f.body.as_deref(),
            severity: f.severity.as_deref(),
            category: f.category.as_deref(),
        }
    }
}
