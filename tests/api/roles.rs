//! The role matrix: every protected route, called by an anonymous client, the author who owns
//! the article, another author, an editor and an admin, against the status SPEC §4 gives each.
//! Public routes that take no token (`/auth/login`, `/auth/refresh`, `/auth/token`, probes,
//! OpenAPI) do not depend on the caller and are tested elsewhere.

use awc::http::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{claims_of, sign, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD, JWT_SECRET};

const PASSWORD: &str = "a-long-test-password";

/// What each case needs to exist before the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Nothing,
    Draft,
    Published,
    User,
    ApiKey,
    Author,
    Medium,
}

/// One row of the matrix; `expect` is for [anonymous, owner, other author, editor, admin].
struct Case {
    method: Method,
    path: String,
    body: Option<String>,
    target: Target,
    fresh_login: bool,
    expect: [u16; 5],
}

fn case(method: Method, path: &str, body: Option<&str>, target: Target, expect: [u16; 5]) -> Case {
    Case {
        method,
        path: path.to_owned(),
        body: body.map(str::to_owned),
        target,
        fresh_login: false,
        expect,
    }
}

const WHO: [&str; 5] = ["anonymous", "owner", "other author", "editor", "admin"];

/// The four child kinds: URL segment, field of the article document, a valid new item.
const KINDS: [(&str, &str, &str); 4] = [
    (
        "key-takeaways",
        "key_takeaways",
        r#"{"text": "A takeaway"}"#,
    ),
    (
        "quotes",
        "quotes",
        r#"{"text": "A quote", "speaker": "A speaker"}"#,
    ),
    ("highlights", "highlights", r#"{"text": "A highlight"}"#),
    ("risk-notes", "risk_notes", r#"{"title": "A risk"}"#),
];

fn cases() -> Vec<Case> {
    use Method as M;
    use Target::*;
    let a = "/api/v1/articles/{article}";
    let mut cases = vec![
        case(M::GET, a, None, Draft, [404, 200, 404, 200, 200]),
        case(M::GET, a, None, Published, [200, 200, 200, 200, 200]),
        case(M::HEAD, a, None, Draft, [404, 200, 404, 200, 200]),
        case(
            M::POST,
            "/api/v1/articles",
            Some(r#"{"title": "Matrix"}"#),
            Nothing,
            [401, 201, 201, 201, 201],
        ),
        case(
            M::PUT,
            a,
            Some(r#"{"title": "Replaced"}"#),
            Draft,
            [401, 200, 404, 200, 200],
        ),
        case(
            M::PUT,
            a,
            Some(r#"{"title": "Replaced"}"#),
            Published,
            [401, 403, 403, 200, 200],
        ),
        case(
            M::PATCH,
            a,
            Some(r#"{"kicker": "K"}"#),
            Draft,
            [401, 200, 404, 200, 200],
        ),
        case(
            M::PATCH,
            a,
            Some(r#"{"kicker": "K"}"#),
            Published,
            [401, 403, 403, 200, 200],
        ),
        case(M::DELETE, a, None, Draft, [401, 204, 404, 204, 204]),
        case(M::DELETE, a, None, Published, [401, 403, 403, 204, 204]),
        case(
            M::POST,
            "/api/v1/articles/{article}/publish",
            None,
            Draft,
            [401, 403, 404, 200, 200],
        ),
        case(
            M::POST,
            "/api/v1/articles/{article}/unpublish",
            None,
            Published,
            [401, 403, 403, 200, 200],
        ),
        case(
            M::POST,
            "/api/v1/articles/{article}/archive",
            None,
            Draft,
            [401, 403, 404, 200, 200],
        ),
        case(
            M::POST,
            "/api/v1/articles/{article}/archive",
            None,
            Published,
            [401, 403, 403, 200, 200],
        ),
        case(
            M::POST,
            "/api/v1/articles/{article}/schedule",
            Some(r#"{"publish_at": "2099-01-01T00:00:00Z"}"#),
            Draft,
            [401, 403, 404, 200, 200],
        ),
        case(
            M::POST,
            "/api/v1/articles/{article}/schedule",
            Some(r#"{"publish_at": "2099-01-01T00:00:00Z"}"#),
            Published,
            [401, 403, 403, 409, 409],
        ),
        case(
            M::GET,
            "/api/v1/articles",
            None,
            Draft,
            [200, 200, 200, 200, 200],
        ),
        case(
            M::HEAD,
            "/api/v1/articles",
            None,
            Draft,
            [200, 200, 200, 200, 200],
        ),
        case(
            M::GET,
            "/api/v1/tags",
            None,
            Published,
            [200, 200, 200, 200, 200],
        ),
    ];
    for (segment, _, item) in KINDS {
        let list = format!("/api/v1/articles/{{article}}/{segment}");
        let one = format!("{list}/{{child}}");
        let array = format!("[{item}]");
        cases.extend([
            case(M::GET, &list, None, Draft, [404, 200, 404, 200, 200]),
            case(M::GET, &list, None, Published, [200, 200, 200, 200, 200]),
            case(M::GET, &one, None, Draft, [404, 200, 404, 200, 200]),
            case(M::POST, &list, Some(item), Draft, [401, 201, 404, 201, 201]),
            case(
                M::POST,
                &list,
                Some(item),
                Published,
                [401, 403, 403, 201, 201],
            ),
            case(M::PATCH, &one, Some(item), Draft, [401, 200, 404, 200, 200]),
            case(
                M::PATCH,
                &one,
                Some(item),
                Published,
                [401, 403, 403, 200, 200],
            ),
            case(M::DELETE, &one, None, Draft, [401, 204, 404, 204, 204]),
            case(M::DELETE, &one, None, Published, [401, 403, 403, 204, 204]),
            case(
                M::PUT,
                &list,
                Some(&array),
                Draft,
                [401, 200, 404, 200, 200],
            ),
            case(
                M::PUT,
                &list,
                Some(&array),
                Published,
                [401, 403, 403, 200, 200],
            ),
        ]);
    }
    let admin_only = |ok: u16| [401, 403, 403, 403, ok];
    cases.extend([
        case(M::GET, "/api/v1/users", None, Nothing, admin_only(200)),
        case(M::POST, "/api/v1/users", Some(r#"{"email": "{unique}@byline.test", "role": "author", "password": "a-long-test-password"}"#), Nothing, admin_only(201)),
        case(M::GET, "/api/v1/users/{user}", None, User, admin_only(200)),
        case(M::PATCH, "/api/v1/users/{user}", Some(r#"{"name": "Renamed", "role": "editor"}"#), User, admin_only(200)),
        case(M::DELETE, "/api/v1/users/{user}", None, User, admin_only(204)),
        case(M::GET, "/api/v1/api-keys", None, Nothing, admin_only(200)),
        case(M::POST, "/api/v1/api-keys", Some(r#"{"name": "Bot", "role": "editor"}"#), Nothing, admin_only(201)),
        case(M::GET, "/api/v1/api-keys/{key}", None, ApiKey, admin_only(200)),
        case(M::DELETE, "/api/v1/api-keys/{key}", None, ApiKey, admin_only(204)),
        case(M::GET, "/api/v1/audit", None, Nothing, admin_only(200)),
        case(M::GET, "/api/v1/articles/{article}/revisions", None, Draft, [401, 200, 404, 200, 200]),
        case(M::GET, "/api/v1/articles/{article}/revisions", None, Published, [401, 403, 403, 200, 200]),
        case(M::GET, "/api/v1/articles/{article}/revisions/1", None, Draft, [401, 200, 404, 200, 200]),
        case(M::POST, "/api/v1/articles/{article}/revisions/1/restore", None, Draft, [401, 200, 404, 200, 200]),
        case(M::POST, "/api/v1/articles/{article}/revisions/1/restore", None, Published, [401, 403, 403, 200, 200]),
        case(M::GET, "/api/v1/auth/me", None, Nothing, [401, 200, 200, 200, 200]),
    ]);
    let staff_only = |ok: u16| [401, 403, 403, ok, ok];
    let links = "/api/v1/articles/{article}/preview-links";
    cases.extend([
        case(M::GET, "/api/v1/authors", None, Nothing, [200; 5]),
        case(M::GET, "/api/v1/authors/{author}", None, Author, [200; 5]),
        case(
            M::POST,
            "/api/v1/authors",
            Some(r#"{"name": "Matrix {unique}"}"#),
            Nothing,
            staff_only(201),
        ),
        case(
            M::PATCH,
            "/api/v1/authors/{author}",
            Some(r#"{"bio": "Changed"}"#),
            Author,
            staff_only(200),
        ),
        case(
            M::DELETE,
            "/api/v1/authors/{author}",
            None,
            Author,
            staff_only(204),
        ),
        case(M::POST, links, Some("{}"), Draft, [401, 201, 404, 201, 201]),
        case(
            M::POST,
            links,
            Some("{}"),
            Published,
            [401, 403, 403, 201, 201],
        ),
        case(M::DELETE, links, None, Draft, [401, 204, 404, 204, 204]),
        case(M::DELETE, links, None, Published, [401, 403, 403, 204, 204]),
    ]);
    // These end sessions, so they use a login of their own; the password change ends every
    // session of the caller and so comes last.
    let mut logout = case(
        M::POST,
        "/api/v1/auth/logout",
        None,
        Nothing,
        [401, 204, 204, 204, 204],
    );
    logout.fresh_login = true;
    let mut password = case(
        M::PUT,
        "/api/v1/auth/me/password",
        Some(r#"{"current_password": "{password}", "new_password": "{password}"}"#),
        Nothing,
        [401, 200, 200, 200, 200],
    );
    password.fresh_login = true;
    let m = "/api/v1/media/{medium}";
    let alt = Some(r#"{"alt": "Alt"}"#);
    cases.extend([
        case(
            M::GET,
            "/api/v1/media",
            None,
            Nothing,
            [401, 200, 200, 200, 200],
        ),
        case(M::GET, m, None, Medium, [401, 200, 200, 200, 200]),
        case(M::PATCH, m, alt, Medium, [401, 200, 403, 200, 200]),
        case(M::DELETE, m, None, Medium, [401, 204, 403, 204, 204]),
    ]);
    cases.extend([logout, password]);
    cases
}

struct People {
    owner: String,
    emails: [String; 5],
    tokens: [Option<String>; 5],
}

async fn people(app: &TestApp) -> People {
    let mut emails = [
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        ADMIN_EMAIL.to_owned(),
    ];
    let mut tokens = [None, None, None, None, Some(app.admin_token.clone())];
    let mut owner = String::new();
    for (i, role) in [(1, "author"), (2, "author"), (3, "editor")] {
        let email = format!("{}-{i}@byline.test", role);
        let id = app.create_user(&email, role, PASSWORD).await;
        if i == 1 {
            owner = id;
        }
        tokens[i] = Some(app.login(&email, PASSWORD).await);
        emails[i] = email;
    }
    People {
        owner,
        emails,
        tokens,
    }
}

fn password_of(who: usize) -> &'static str {
    if who == 4 {
        ADMIN_PASSWORD
    } else {
        PASSWORD
    }
}

/// Creates what a case needs and returns the values for the path placeholders.
async fn prepare(
    app: &TestApp,
    people: &People,
    target: Target,
    child_field: Option<&str>,
) -> Vec<(&'static str, String)> {
    let mut values = vec![("{unique}", uuid::Uuid::now_v7().simple().to_string())];
    match target {
        Target::Nothing => {}
        Target::Draft | Target::Published => {
            let mut body = json!({"title": "Owned by the first author"});
            for (_, field, item) in KINDS {
                body[field] = json!([serde_json::from_str::<Value>(item).expect("item")]);
            }
            let owner = people.tokens[1].as_deref();
            let doc = app
                .post("/api/v1/articles", owner, body)
                .await
                .expect(201)
                .json();
            let id = doc["id"].as_str().expect("id").to_owned();
            assert_eq!(doc["author_id"], people.owner.as_str());
            if target == Target::Published {
                app.post(
                    &format!("/api/v1/articles/{id}/publish"),
                    Some(&app.admin_token),
                    json!({}),
                )
                .await
                .expect(200);
            }
            if let Some(field) = child_field {
                values.push((
                    "{child}",
                    doc[field][0]["id"].as_str().expect("child id").to_owned(),
                ));
            }
            values.push(("{article}", id));
        }
        Target::User => {
            let email = format!("target-{}@byline.test", uuid::Uuid::now_v7().simple());
            values.push(("{user}", app.create_user(&email, "author", PASSWORD).await));
        }
        Target::Medium => {
            let owner = people.tokens[1].as_deref().expect("owner token");
            let png = crate::media::png(4, 4);
            let medium = crate::media::upload_as(app, owner, "matrix.png", &png, &[])
                .await
                .expect(201)
                .json();
            values.push(("{medium}", medium["id"].as_str().expect("id").to_owned()));
        }
        Target::ApiKey => {
            let key = app
                .post(
                    "/api/v1/api-keys",
                    Some(&app.admin_token),
                    json!({"name": "Target", "role": "author"}),
                )
                .await
                .expect(201)
                .json();
            values.push(("{key}", key["id"].as_str().expect("id").to_owned()));
        }
        Target::Author => {
            let author = app
                .post(
                    "/api/v1/authors",
                    Some(&app.admin_token),
                    json!({"name": "Target author"}),
                )
                .await
                .expect(201)
                .json();
            values.push(("{author}", author["id"].as_str().expect("id").to_owned()));
        }
    }
    values
}

fn fill(template: &str, values: &[(&str, String)], password: &str) -> String {
    let mut out = template.replace("{password}", password);
    for (placeholder, value) in values {
        out = out.replace(placeholder, value);
    }
    out
}

both_backends!(every_protected_route_answers_each_role_as_the_spec_says);
async fn every_protected_route_answers_each_role_as_the_spec_says(app: TestApp) {
    let people = people(&app).await;
    let mut wrong = vec![];
    for case in cases() {
        let child_field = KINDS
            .iter()
            .find(|(segment, _, _)| case.path.contains(&format!("/{segment}/")))
            .map(|(_, field, _)| *field);
        for (who, name) in WHO.iter().enumerate() {
            let values = prepare(&app, &people, case.target, child_field).await;
            let path = fill(&case.path, &values, "");
            let body = case.body.as_deref().map(|b| {
                serde_json::from_str::<Value>(&fill(b, &values, password_of(who)))
                    .expect("case body")
            });
            let token = match (&people.tokens[who], case.fresh_login) {
                (None, _) => None,
                (Some(_), true) => Some(app.login(&people.emails[who], password_of(who)).await),
                (Some(t), false) => Some(t.clone()),
            };
            let r = app
                .send(case.method.clone(), &path, token.as_deref(), &[], body)
                .await;
            if r.status != case.expect[who] {
                wrong.push(format!(
                    "{} {} as {}: expected {}, got {} {}",
                    case.method,
                    case.path,
                    name,
                    case.expect[who],
                    r.status,
                    String::from_utf8_lossy(&r.body)
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} mismatches:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

both_backends!(a_role_claim_added_by_someone_with_the_signing_key_grants_nothing);
async fn a_role_claim_added_by_someone_with_the_signing_key_grants_nothing(app: TestApp) {
    let people = people(&app).await;
    let author = people.tokens[1].clone().expect("author token");
    let mut claims = claims_of(&author);
    claims["role"] = json!("admin");
    claims["roles"] = json!(["admin"]);
    claims["admin"] = json!(true);
    let raised = sign(&claims, JWT_SECRET, jsonwebtoken::Algorithm::HS256);
    assert_eq!(
        app.get("/api/v1/auth/me", Some(&raised))
            .await
            .expect(200)
            .json()["role"],
        "author"
    );
    app.get("/api/v1/users", Some(&raised)).await.expect(403);
    app.post(
        "/api/v1/api-keys",
        Some(&raised),
        json!({"name": "x", "role": "admin"}),
    )
    .await
    .expect(403);
    let doc = app
        .post(
            "/api/v1/articles",
            Some(&raised),
            json!({"title": "Raised"}),
        )
        .await
        .expect(201)
        .json();
    app.post(
        &format!(
            "/api/v1/articles/{}/publish",
            doc["id"].as_str().expect("id")
        ),
        Some(&raised),
        json!({}),
    )
    .await
    .expect(403);
    let mut claims = claims_of(&author);
    claims["sub"] = json!(claims_of(&app.admin_token)["sub"].clone());
    let swapped = sign(&claims, JWT_SECRET, jsonwebtoken::Algorithm::HS256);
    app.get("/api/v1/users", Some(&swapped)).await.expect(401);
}

both_backends!(a_demoted_editor_loses_editor_rights_on_the_next_request);
async fn a_demoted_editor_loses_editor_rights_on_the_next_request(app: TestApp) {
    let people = people(&app).await;
    let editor = people.tokens[3].clone().expect("editor token");
    let doc = app
        .create_article(json!({"title": "Someone else's draft"}))
        .await;
    let path = format!("/api/v1/articles/{}", doc["id"].as_str().expect("id"));
    app.get(&path, Some(&editor)).await.expect(200);
    let me = app
        .get("/api/v1/auth/me", Some(&editor))
        .await
        .expect(200)
        .json();
    app.patch(
        &format!("/api/v1/users/{}", me["id"].as_str().expect("id")),
        Some(&app.admin_token),
        json!({"role": "author"}),
    )
    .await
    .expect(200);
    app.get(&path, Some(&editor)).await.expect(404);
    app.post(&format!("{path}/publish"), Some(&editor), json!({}))
        .await
        .expect(404);
}
