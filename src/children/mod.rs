//! The four kinds of article children — key takeaways, quotes, highlights, risk notes.
//!
//! They share one table, one ordering implementation (`repo`) and one set of generic
//! handlers; each kind only says how its fields are validated and shown (`kinds`).

pub mod dto;
pub mod handlers;
pub mod kinds;
pub mod models;
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
