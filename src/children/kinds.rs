//! What distinguishes the four child kinds: their fields, rules and wire shapes. Everything
//! else about children (ordering, storage, endpoints) is shared.

use serde::de::DeserializeOwned;
use serde::Serialize;
use utoipa::ToSchema;

use super::dto::{
    Highlight, KeyTakeaway, Quote, QuoteInput, RiskNote, RiskNoteInput, Severity, TextItemInput,
};
use super::Child;
use crate::error::FieldErrors;
use crate::validate;

/// The four kinds of children.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildKind {
    KeyTakeaway,
    Quote,
    Highlight,
    RiskNote,
}

impl ChildKind {
    /// All kinds, in document order.
    pub const ALL: [Self; 4] = [
        Self::KeyTakeaway,
        Self::Quote,
        Self::Highlight,
        Self::RiskNote,
    ];

    /// The value of the `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::KeyTakeaway => "key_takeaway",
            Self::Quote => "quote",
            Self::Highlight => "highlight",
            Self::RiskNote => "risk_note",
        }
    }

    /// The kind a `kind` column value names.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }

    /// A readable singular name for messages.
    pub fn noun(self) -> &'static str {
        match self {
            Self::KeyTakeaway => "key takeaway",
            Self::Quote => "quote",
            Self::Highlight => "highlight",
            Self::RiskNote => "risk note",
        }
    }
}

/// The validated content of a child of any kind; fields a kind does not use are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChildFields {
    pub text: Option<String>,
    pub speaker: Option<String>,
    pub context: Option<String>,
    pub source_url: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub severity: Option<String>,
    pub category: Option<String>,
}

/// What one child kind contributes: its input and output types and its validation.
pub trait ChildSpec: 'static {
    /// Which kind this is.
    const KIND: ChildKind;
    /// The URL segment of the kind, e.g. `risk-notes`.
    const PATH: &'static str;
    /// The body a client sends.
    type Input: DeserializeOwned + Serialize + Send + 'static;
    /// The item a client receives.
    type Output: Serialize + ToSchema + Send + 'static;

    /// The echoed id and the requested position of an input.
    fn id_and_position(input: &Self::Input) -> (Option<&str>, Option<i64>);
    /// Validates an input found at `pointer` into storable fields.
    fn fields(input: &Self::Input, pointer: &str, errs: &mut FieldErrors) -> ChildFields;
    /// The input that would reproduce a stored child (the base of a merge patch).
    fn input_of(child: &Child) -> Self::Input;
    /// The wire shape of a stored child.
    fn output(child: Child) -> Self::Output;
}

fn text_item_fields(input: &TextItemInput, pointer: &str, errs: &mut FieldErrors) -> ChildFields {
    validate::text(errs, &format!("{pointer}/text"), &input.text, 1, 1000);
    ChildFields {
        text: Some(input.text.clone()),
        ..ChildFields::default()
    }
}

fn text_item_input(child: &Child) -> TextItemInput {
    TextItemInput {
        id: None,
        position: None,
        text: child.fields.text.clone().unwrap_or_default(),
    }
}

/// Marker for key takeaways.
pub struct KeyTakeaways;
/// Marker for highlights.
pub struct Highlights;
/// Marker for quotes.
pub struct Quotes;
/// Marker for risk notes.
pub struct RiskNotes;

impl ChildSpec for KeyTakeaways {
    const KIND: ChildKind = ChildKind::KeyTakeaway;
    const PATH: &'static str = "key-takeaways";
    type Input = TextItemInput;
    type Output = KeyTakeaway;

    fn id_and_position(input: &TextItemInput) -> (Option<&str>, Option<i64>) {
        (input.id.as_deref(), input.position)
    }
    fn fields(input: &TextItemInput, pointer: &str, errs: &mut FieldErrors) -> ChildFields {
        text_item_fields(input, pointer, errs)
    }
    fn input_of(child: &Child) -> TextItemInput {
        text_item_input(child)
    }
    fn output(child: Child) -> KeyTakeaway {
        KeyTakeaway {
            id: child.id,
            position: child.position,
            text: child.fields.text.unwrap_or_default(),
        }
    }
}

impl ChildSpec for Highlights {
    const KIND: ChildKind = ChildKind::Highlight;
    const PATH: &'static str = "highlights";
    type Input = TextItemInput;
    type Output = Highlight;

    fn id_and_position(input: &TextItemInput) -> (Option<&str>, Option<i64>) {
        (input.id.as_deref(), input.position)
    }
    fn fields(input: &TextItemInput, pointer: &str, errs: &mut FieldErrors) -> ChildFields {
        text_item_fields(input, pointer, errs)
    }
    fn input_of(child: &Child) -> TextItemInput {
        text_item_input(child)
    }
    fn output(child: Child) -> Highlight {
        Highlight {
            id: child.id,
            position: child.position,
            text: child.fields.text.unwrap_or_default(),
        }
    }
}

impl ChildSpec for Quotes {
    const KIND: ChildKind = ChildKind::Quote;
    const PATH: &'static str = "quotes";
    type Input = QuoteInput;
    type Output = Quote;

    fn id_and_position(input: &QuoteInput) -> (Option<&str>, Option<i64>) {
        (input.id.as_deref(), input.position)
    }
    fn fields(input: &QuoteInput, pointer: &str, errs: &mut FieldErrors) -> ChildFields {
        validate::text(errs, &format!("{pointer}/text"), &input.text, 1, 2000);
        validate::text(errs, &format!("{pointer}/speaker"), &input.speaker, 1, 200);
        validate::opt_text(
            errs,
            &format!("{pointer}/context"),
            input.context.as_deref(),
            500,
        );
        if let Some(url) = &input.source_url {
            validate::http_url(errs, &format!("{pointer}/source_url"), url);
        }
        ChildFields {
            text: Some(input.text.clone()),
            speaker: Some(input.speaker.clone()),
            context: input.context.clone(),
            source_url: input.source_url.clone(),
            ..ChildFields::default()
        }
    }
    fn input_of(child: &Child) -> QuoteInput {
        let f = &child.fields;
        QuoteInput {
            id: None,
            position: None,
            text: f.text.clone().unwrap_or_default(),
            speaker: f.speaker.clone().unwrap_or_default(),
            context: f.context.clone(),
            source_url: f.source_url.clone(),
        }
    }
    fn output(child: Child) -> Quote {
        let f = child.fields;
        Quote {
            id: child.id,
            position: child.position,
            text: f.text.unwrap_or_default(),
            speaker: f.speaker.unwrap_or_default(),
            context: f.context,
            source_url: f.source_url,
        }
    }
}

impl ChildSpec for RiskNotes {
    const KIND: ChildKind = ChildKind::RiskNote;
    const PATH: &'static str = "risk-notes";
    type Input = RiskNoteInput;
    type Output = RiskNote;

    fn id_and_position(input: &RiskNoteInput) -> (Option<&str>, Option<i64>) {
        (input.id.as_deref(), input.position)
    }
    fn fields(input: &RiskNoteInput, pointer: &str, errs: &mut FieldErrors) -> ChildFields {
        validate::text(errs, &format!("{pointer}/title"), &input.title, 1, 300);
        validate::opt_text(
            errs,
            &format!("{pointer}/body"),
            input.body.as_deref(),
            5000,
        );
        validate::opt_text(
            errs,
            &format!("{pointer}/category"),
            input.category.as_deref(),
            50,
        );
        ChildFields {
            title: Some(input.title.clone()),
            body: input.body.clone(),
            severity: Some(input.severity.unwrap_or_default().as_str().to_owned()),
            category: input.category.clone(),
            ..ChildFields::default()
        }
    }
    fn input_of(child: &Child) -> RiskNoteInput {
        let f = &child.fields;
        RiskNoteInput {
            id: None,
            position: None,
            title: f.title.clone().unwrap_or_default(),
            body: f.body.clone(),
            severity: f.severity.as_deref().and_then(Severity::parse),
            category: f.category.clone(),
        }
    }
    fn output(child: Child) -> RiskNote {
        let f = child.fields;
        RiskNote {
            id: child.id,
            position: child.position,
            title: f.title.unwrap_or_default(),
            body: f.body,
            severity: f
                .severity
                .as_deref()
                .and_then(Severity::parse)
                .unwrap_or_default(),
            category: f.category,
        }
    }
}

/// Validates a whole list of one kind (an article's children or a list PUT) at `pointer`.
pub fn validate_list<C: ChildSpec>(
    inputs: &[C::Input],
    pointer: &str,
    errs: &mut FieldErrors,
) -> Vec<super::ChildDraft> {
    if inputs.len() > super::MAX_CHILDREN {
        // Refused whole: the items of an over-long list are not worth looking at.
        errs.push(
            pointer,
            format!(
                "at most {} items are allowed (got {})",
                super::MAX_CHILDREN,
                inputs.len()
            ),
        );
        return Vec::new();
    }
    let mut seen = std::collections::HashSet::new();
    inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            let at = format!("{pointer}/{i}");
            // In a whole list the array order is the order: an echoed position is ignored.
            let (id, _) = C::id_and_position(input);
            if let Some(id) = id {
                if !seen.insert(id.to_owned()) {
                    errs.push(format!("{at}/id"), "appears twice in the list");
                }
            }
            super::ChildDraft {
                id: id.map(str::to_owned),
                fields: C::fields(input, &at, errs),
            }
        })
        .collect()
}
