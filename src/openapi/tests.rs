//! The document states the limits the validators enforce. These tests read every
//! `maxLength`/`minLength`/`maxItems` of the request schemas and check the validators agree at
//! the boundary, so the two cannot drift apart.

use serde_json::{json, Value};

use crate::articles::{domain, dto::ArticleInput};
use crate::children::kinds::{validate_list, ChildSpec};
use crate::children::{KeyTakeaways, Quotes, RiskNotes};
use crate::error::{AppError, FieldErrors};

fn schema(name: &str) -> Value {
    let doc = serde_json::to_value(super::api_doc()).expect("document");
    doc["components"]["schemas"][name].clone()
}

fn article_errors(body: Value) -> Vec<String> {
    let input: ArticleInput = serde_json::from_value(body).expect("input");
    match domain::validate(input) {
        Ok(_) => vec![],
        Err(AppError::Validation(errors)) => errors.into_iter().map(|e| e.pointer).collect(),
        Err(other) => panic!("{other:?}"),
    }
}

fn child_errors<C: ChildSpec>(item: Value) -> Vec<String> {
    let input: C::Input = serde_json::from_value(item).expect("child input");
    let mut errs = FieldErrors::default();
    validate_list::<C>(&[input], "", &mut errs);
    match errs.finish(()) {
        Ok(()) => vec![],
        Err(AppError::Validation(errors)) => errors.into_iter().map(|e| e.pointer).collect(),
        Err(other) => panic!("{other:?}"),
    }
}

/// Checks each string property with a length limit at its boundaries.
fn check_lengths(name: &str, base: Value, errors: impl Fn(Value) -> Vec<String>, pointer: &str) {
    let props = schema(name)["properties"]
        .as_object()
        .expect("properties")
        .clone();
    let mut checked = 0;
    for (field, prop) in props {
        let prop = if prop.get("type").is_some() {
            prop
        } else {
            continue;
        };
        if let Some(max) = prop["maxLength"].as_u64() {
            let mut ok = base.clone();
            ok[&field] = json!("x".repeat(max as usize));
            if field == "slug" || field == "language" {
                continue;
            }
            assert!(
                errors(ok).is_empty(),
                "{name}.{field}: {max} characters must be accepted"
            );
            let mut long = base.clone();
            long[&field] = json!("x".repeat(max as usize + 1));
            assert!(
                errors(long).contains(&format!("{pointer}/{field}")),
                "{name}.{field}: {} must be refused",
                max + 1
            );
            checked += 1;
        }
        if let Some(min) = prop["minLength"].as_u64().filter(|m| *m > 0) {
            let mut short = base.clone();
            short[&field] = json!("x".repeat(min as usize - 1));
            assert!(
                errors(short).contains(&format!("{pointer}/{field}")),
                "{name}.{field}: below {min} must be refused"
            );
        }
    }
    assert!(checked > 0, "{name} has length limits to check");
}

#[test]
fn each_grant_of_the_token_request_refuses_unknown_fields() {
    let grants = schema("TokenRequest")["oneOf"].clone();
    let grants = grants.as_array().expect("oneOf");
    assert_eq!(grants.len(), 2);
    for grant in grants {
        assert_eq!(grant["additionalProperties"], json!(false), "{grant}");
    }
}

#[test]
fn every_operation_that_takes_a_bearer_token_takes_a_login_too() {
    let doc = serde_json::to_value(super::api_doc()).expect("document");
    let mut bearer = 0;
    for item in doc["paths"].as_object().expect("paths").values() {
        for op in item.as_object().expect("path item").values() {
            let security = op["security"].as_array().cloned().unwrap_or_default();
            if security.contains(&json!({"bearer": []})) {
                bearer += 1;
                assert!(security.contains(&json!({"login": []})), "{op}");
            }
        }
    }
    assert!(bearer > 40, "{bearer} operations take a bearer token");
    let flow = &doc["components"]["securitySchemes"]["login"]["flows"]["password"];
    assert_eq!(flow["tokenUrl"], "/api/v1/auth/token");
}

#[test]
fn article_length_limits_in_the_document_are_the_validators_limits() {
    check_lengths("ArticleInput", json!({"title": "t"}), article_errors, "");
}

#[test]
fn child_length_limits_in_the_document_are_the_validators_limits() {
    check_lengths(
        "TextItemInput",
        json!({"text": "t"}),
        child_errors::<KeyTakeaways>,
        "/0",
    );
    check_lengths(
        "QuoteInput",
        json!({"text": "t", "speaker": "s"}),
        child_errors::<Quotes>,
        "/0",
    );
    check_lengths(
        "RiskNoteInput",
        json!({"title": "t"}),
        child_errors::<RiskNotes>,
        "/0",
    );
}

#[test]
fn list_limits_in_the_document_are_the_validators_limits() {
    let props = schema("ArticleInput")["properties"].clone();
    for (field, item) in [
        ("tags", json!("t")),
        ("key_takeaways", json!({"text": "t"})),
        ("related", json!("01890000-0000-7000-8000-000000000000")),
    ] {
        let max = props[field]["maxItems"].as_u64().expect("maxItems") as usize;
        let items: Vec<Value> = (0..=max)
            .map(|i| match &item {
                Value::String(s) if field == "tags" => json!(format!("{s}{i}")),
                Value::String(_) => json!(format!("01890000-0000-7000-8000-{i:012}")),
                other => other.clone(),
            })
            .collect();
        let errors = article_errors(json!({"title": "t", field: items}));
        assert!(
            errors.contains(&format!("/{field}")),
            "{field}: {} items must be refused",
            max + 1
        );
    }
}
