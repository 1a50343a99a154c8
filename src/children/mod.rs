//! The four kinds of article children — key takeaways, quotes, highlights, risk notes.
//!
//! They share one table and one ordering implementation (`repo`); each kind only says how its
//! fields are validated and shown (`kinds`). Children are parts of an article: their writes go
//! through the article write pipeline, and their endpoints live with the article's. This
//! module depends on nothing of `articles`.

pub mod dto;
pub mod kinds;
pub mod models;
pub mod ordering;
pub mod repo;

pub use kinds::{ChildFields, ChildKind, ChildSpec, Highlights, KeyTakeaways, Quotes, RiskNotes};

/// The most children of one kind an article may have.
pub const MAX_CHILDREN: usize = 200;

/// A validated child ready to store, with the id it had if the client echoed one back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildDraft {
    /// An existing child's id, or `None` for a new child.
    pub id: Option<String>,
    /// The validated content.
    pub fields: ChildFields,
}

/// A stored child, as the rest of the service sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    /// The child's id.
    pub id: String,
    /// The article it belongs to.
    pub article_id: String,
    /// Which kind of child it is.
    pub kind: ChildKind,
    /// Its 1-based position among the article's children of its kind.
    pub position: i32,
    /// Its content.
    pub fields: ChildFields,
}

impl Child {
    /// The draft that would store this child again unchanged, id included.
    pub fn to_draft(&self) -> ChildDraft {
        ChildDraft {
            id: Some(self.id.clone()),
            fields: self.fields.clone(),
        }
    }
}
