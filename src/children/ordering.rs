//! The rules of child positions and lists, as pure functions over what was loaded: where an
//! insert or a move may go, how many children fit, which echoed ids a list may carry.

use super::{ChildDraft, ChildKind, MAX_CHILDREN};
use crate::error::{AppError, FieldErrors};

/// Where a new child goes among `count` existing ones: `requested`, or appended when `None`.
pub fn insert_position(
    kind: ChildKind,
    count: i64,
    requested: Option<i64>,
) -> Result<i32, AppError> {
    if count >= MAX_CHILDREN as i64 {
        return Err(AppError::field(
            "",
            format!(
                "an article may have at most {MAX_CHILDREN} {}s",
                kind.noun()
            ),
        ));
    }
    position_within(requested.unwrap_or(count + 1), count + 1)
}

/// A position a child may move to among `count` children.
pub fn move_position(count: i64, requested: i64) -> Result<i32, AppError> {
    position_within(requested, count)
}

fn position_within(position: i64, max: i64) -> Result<i32, AppError> {
    if (1..=max).contains(&position) {
        i32::try_from(position).map_err(|_| AppError::internal("position overflow"))
    } else {
        Err(AppError::field(
            "/position",
            format!("must be between 1 and {max}"),
        ))
    }
}

/// Checks that every id a list echoes belongs to a child of this kind that is stored now.
/// `pointer` locates the list in the request body.
pub fn check_known_ids(
    kind: ChildKind,
    drafts: &[ChildDraft],
    stored: &[String],
    pointer: &str,
    errs: &mut FieldErrors,
) {
    for (i, draft) in drafts.iter().enumerate() {
        if draft.id.as_ref().is_some_and(|id| !stored.contains(id)) {
            errs.push(
                format!("{pointer}/{i}/id"),
                format!(
                    "is not a {} of this article; omit id for new items",
                    kind.noun()
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_go_after_the_last_child() {
        assert_eq!(insert_position(ChildKind::Quote, 3, None).ok(), Some(4));
        assert_eq!(insert_position(ChildKind::Quote, 0, None).ok(), Some(1));
    }

    #[test]
    fn inserts_may_go_anywhere_from_first_to_just_after_the_last() {
        assert_eq!(insert_position(ChildKind::Quote, 3, Some(1)).ok(), Some(1));
        assert_eq!(insert_position(ChildKind::Quote, 3, Some(4)).ok(), Some(4));
        assert!(insert_position(ChildKind::Quote, 3, Some(5)).is_err());
        assert!(insert_position(ChildKind::Quote, 3, Some(0)).is_err());
    }

    #[test]
    fn a_full_list_takes_no_more_children() {
        assert!(insert_position(ChildKind::Highlight, MAX_CHILDREN as i64, None).is_err());
    }

    #[test]
    fn moves_stay_within_the_list() {
        assert_eq!(move_position(3, 3).ok(), Some(3));
        assert!(move_position(3, 4).is_err());
        assert!(move_position(3, -1).is_err());
    }

    #[test]
    fn lists_may_echo_only_stored_ids() {
        let drafts = vec![
            ChildDraft {
                id: Some("a".into()),
                fields: Default::default(),
            },
            ChildDraft {
                id: Some("z".into()),
                fields: Default::default(),
            },
            ChildDraft {
                id: None,
                fields: Default::default(),
            },
        ];
        let mut errs = FieldErrors::default();
        check_known_ids(
            ChildKind::Quote,
            &drafts,
            &["a".into()],
            "/quotes",
            &mut errs,
        );
        let err = errs.finish(()).expect_err("unknown id");
        let AppError::Validation(list) = err else {
            panic!("not a validation error")
        };
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].pointer, "/quotes/1/id");
    }
}
