//! Everything a client can get wrong answers problem+json with the right status, never a 500.

use awc::http::Method;
use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::json;

use crate::both_backends;
use crate::helpers::{claims_of, TestApp, JWT_SECRET};

fn token_with(claims: serde_json::Value, secret: &str, alg: jsonwebtoken::Algorithm) -> String {
    encode(
        &Header::new(alg),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("encode")
}

async fn admin_id(app: &TestApp) -> String {
    app.get("/api/v1/auth/me", Some(&app.admin_token))
        .await
        .expect(200)
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

both_backends!(malformed_json_is_400);
async fn malformed_json_is_400(app: TestApp) {
    let r = app
        .send_raw(
            Method::POST,
            "/api/v1/articles",
            Some(&app.admin_token),
            &[],
            Some((b"{\"title\": ".to_vec(), "application/json")),
        )
        .await
        .expect(400);
    assert!(r.json()["detail"]
        .as_str()
        .expect("detail")
        .contains("malformed JSON"));
    app.send_raw(
        Method::POST,
        "/api/v1/articles",
        Some(&app.admin_token),
        &[],
        Some((b"".to_vec(), "application/json")),
    )
    .await
    .expect(400);
    app.send_raw(
        Method::POST,
        "/api/v1/articles",
        Some(&app.admin_token),
        &[],
        Some((vec![b'"', 0xff, b'"'], "application/json")),
    )
    .await
    .expect(400);
}

both_backends!(wrong_types_and_missing_fields_are_422);
async fn wrong_types_and_missing_fields_are_422(app: TestApp) {
    let r = app
        .post(
            "/api/v1/articles",
            Some(&app.admin_token),
            json!({"title": 5}),
        )
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/title"]);
    app.post(
        "/api/v1/articles",
        Some(&app.admin_token),
        json!({"dek": "no title"}),
    )
    .await
    .expect(422);
    app.post("/api/v1/articles", Some(&app.admin_token), json!([1, 2]))
        .await
        .expect(422);
    app.patch(
        &format!("/api/v1/articles/{}", "x"),
        Some(&app.admin_token),
        json!("string"),
    )
    .await
    .expect(422);
}

both_backends!(a_body_that_is_not_json_is_415);
async fn a_body_that_is_not_json_is_415(app: TestApp) {
    app.send_raw(
        Method::POST,
        "/api/v1/articles",
        Some(&app.admin_token),
        &[],
        Some((b"title=x".to_vec(), "application/x-www-form-urlencoded")),
    )
    .await
    .expect(415);
    app.send_raw(
        Method::POST,
        "/api/v1/articles",
        Some(&app.admin_token),
        &[],
        Some((b"{}".to_vec(), "text/plain")),
    )
    .await
    .expect(415);
    app.send(Method::POST, "/api/v1/auth/login", None, &[], None)
        .await
        .expect(415);
    let doc = app.create_article(json!({"title": "t"})).await;
    let path = format!("/api/v1/articles/{}", doc["id"].as_str().expect("id"));
    app.send_raw(
        Method::PUT,
        &path,
        Some(&app.admin_token),
        &[],
        Some((b"{}".to_vec(), "application/merge-patch+json")),
    )
    .await
    .expect(415);
}

both_backends!(
    a_body_over_the_limit_is_413,
    [("BYLINE_MAX_BODY_BYTES", "2048")]
);
async fn a_body_over_the_limit_is_413(app: TestApp) {
    let big = json!({"title": "t", "body": "x".repeat(4096)});
    app.post("/api/v1/articles", Some(&app.admin_token), big)
        .await
        .expect(413);
    app.post(
        "/api/v1/articles",
        Some(&app.admin_token),
        json!({"title": "small"}),
    )
    .await
    .expect(201);
}

both_backends!(unknown_routes_ids_and_methods_are_problem_json);
async fn unknown_routes_ids_and_methods_are_problem_json(app: TestApp) {
    app.get("/api/v1/nothing-here", None).await.expect(404);
    app.get("/api/v1/articles/no-such-article", None)
        .await
        .expect(404);
    app.get(
        "/api/v1/articles/01890000-0000-7000-8000-000000000000/quotes",
        None,
    )
    .await
    .expect(404);
    app.put(
        "/api/v1/articles/no-such-id",
        Some(&app.admin_token),
        json!({"title": "t"}),
    )
    .await
    .expect(404);
    app.delete("/api/v1/articles/no-such-id", Some(&app.admin_token))
        .await
        .expect(404);
    app.send(Method::DELETE, "/api/v1/auth/login", None, &[], None)
        .await
        .expect(405);
}

both_backends!(writes_without_a_valid_token_are_401_with_www_authenticate);
async fn writes_without_a_valid_token_are_401_with_www_authenticate(app: TestApp) {
    let doc = app.create_article(json!({"title": "Protected"})).await;
    let id = doc["id"].as_str().expect("id").to_owned();
    let writes = [
        (Method::POST, "/api/v1/articles".to_owned()),
        (Method::PUT, format!("/api/v1/articles/{id}")),
        (Method::PATCH, format!("/api/v1/articles/{id}")),
        (Method::DELETE, format!("/api/v1/articles/{id}")),
        (Method::POST, format!("/api/v1/articles/{id}/publish")),
        (Method::POST, format!("/api/v1/articles/{id}/quotes")),
        (Method::PUT, format!("/api/v1/articles/{id}/quotes")),
    ];
    for (method, path) in writes {
        for token in [None, Some("garbage"), Some("a.b.c")] {
            let r = app
                .send(
                    method.clone(),
                    &path,
                    token,
                    &[],
                    Some(json!({"title": "x"})),
                )
                .await
                .expect(401);
            let challenge = r.header("www-authenticate").expect("WWW-Authenticate");
            assert!(
                challenge.starts_with("Bearer") && challenge.contains("error=\"invalid_token\""),
                "{challenge}"
            );
        }
    }
    let r = app
        .send(
            Method::POST,
            "/api/v1/articles",
            None,
            &[("Authorization", "Basic YTpi")],
            Some(json!({"title": "x"})),
        )
        .await;
    assert_eq!(r.status, 401);
    app.get(&format!("/api/v1/articles/{id}"), Some("garbage"))
        .await
        .expect(401);
    assert_eq!(
        app.get(&format!("/api/v1/articles/{id}"), Some(&app.admin_token))
            .await
            .json()["version"],
        1
    );
}

both_backends!(forged_expired_and_misaddressed_tokens_are_401);
async fn forged_expired_and_misaddressed_tokens_are_401(app: TestApp) {
    let sub = admin_id(&app).await;
    let sid = claims_of(&app.admin_token)["sid"]
        .as_str()
        .expect("sid")
        .to_owned();
    let now = chrono::Utc::now().timestamp();
    let good = json!({
        "sub": sub, "sid": sid, "iat": now, "nbf": now, "exp": now + 600,
        "iss": "byline", "aud": "byline-api", "jti": "j"
    });
    let hs = jsonwebtoken::Algorithm::HS256;
    assert_eq!(
        app.get(
            "/api/v1/auth/me",
            Some(&token_with(good.clone(), JWT_SECRET, hs))
        )
        .await
        .status,
        200
    );
    let mut cases = vec![
        (
            "signed with another key",
            token_with(good.clone(), "another-secret-another-secret-another", hs),
        ),
        (
            "algorithm swapped to HS512",
            token_with(good.clone(), JWT_SECRET, jsonwebtoken::Algorithm::HS512),
        ),
    ];
    for (what, field, value) in [
        ("expired", "exp", json!(now - 120)),
        ("nbf in the future", "nbf", json!(now + 600)),
        ("wrong iss", "iss", json!("someone-else")),
        ("wrong aud", "aud", json!("another-api")),
        (
            "unknown sub",
            "sub",
            json!("01890000-0000-7000-8000-000000000000"),
        ),
        (
            "unknown sid",
            "sid",
            json!("01890000-0000-7000-8000-000000000000"),
        ),
        ("sid that is not an id", "sid", json!("x\u{0}y")),
    ] {
        let mut claims = good.clone();
        claims[field] = value;
        cases.push((what, token_with(claims, JWT_SECRET, hs)));
    }
    let mut no_sid = good.clone();
    no_sid.as_object_mut().expect("object").remove("sid");
    cases.push(("no sid", token_with(no_sid, JWT_SECRET, hs)));
    let valid = token_with(good.clone(), JWT_SECRET, hs);
    let parts: Vec<&str> = valid.split('.').collect();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let none_header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
    cases.push(("alg none", format!("{none_header}.{}.", parts[1])));
    let rs_header = b64.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    cases.push((
        "RS256 in the header over an HS256 signature",
        format!("{rs_header}.{}.{}", parts[1], parts[2]),
    ));
    let mut tampered = good.clone();
    tampered["sub"] = json!("someone-else");
    cases.push((
        "tampered payload",
        format!(
            "{}.{}.{}",
            parts[0],
            b64.encode(tampered.to_string()),
            parts[2]
        ),
    ));
    for (what, token) in cases {
        let r = app.get("/api/v1/auth/me", Some(&token)).await;
        assert_eq!(
            r.status,
            401,
            "{what}: {}",
            String::from_utf8_lossy(&r.body)
        );
        r.expect(401);
    }
}

both_backends!(login_with_wrong_credentials_is_401);
async fn login_with_wrong_credentials_is_401(app: TestApp) {
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": crate::helpers::ADMIN_EMAIL, "password": "wrong-password"}),
    )
    .await
    .expect(401);
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": "nobody@example.com", "password": "whatever-password"}),
    )
    .await
    .expect(401);
    app.post("/api/v1/auth/login", None, json!({"email": "x"}))
        .await
        .expect(422);
    let upper = crate::helpers::ADMIN_EMAIL.to_uppercase();
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": upper, "password": crate::helpers::ADMIN_PASSWORD}),
        )
        .await
        .expect(200);
    let body = r.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
}

#[actix_web::test]
async fn a_database_outage_is_503_and_recovers_by_itself() {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let Some(app) = TestApp::spawn(crate::helpers::Backend::Postgres).await else {
        return;
    };
    let crate::helpers::TestDb::Postgres {
        admin_url, name, ..
    } = &app.database
    else {
        unreachable!()
    };
    let doc = app.create_published(json!({"title": "Outage"})).await;
    let path = format!("/api/v1/articles/{}", doc["id"].as_str().expect("id"));
    let mut admin = diesel::PgConnection::establish(admin_url).expect("admin connection");
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {name} ALLOW_CONNECTIONS false; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}';"
        ))
        .expect("cut the database off");
    let r = app.get(&path, None).await.expect(503);
    assert!(r.header("retry-after").is_some());
    app.get("/readyz", None).await.expect(503);
    app.get("/healthz", None).await.expect(200);
    admin
        .batch_execute(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .expect("restore");
    let mut recovered = false;
    for _ in 0..20 {
        if app.get(&path, None).await.status == 200 {
            recovered = true;
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert!(recovered, "the service recovers once the database is back");
}

both_backends!(nul_characters_in_paths_and_credentials_never_reach_the_database);
async fn nul_characters_in_paths_and_credentials_never_reach_the_database(app: TestApp) {
    let doc = app.create_article(json!({"title": "Nul"})).await;
    let id = doc["id"].as_str().expect("id");
    app.get("/api/v1/articles/a%00b", None).await.expect(404);
    app.patch(
        "/api/v1/articles/a%00b",
        Some(&app.admin_token),
        json!({"title": "x"}),
    )
    .await
    .expect(404);
    app.delete(
        &format!("/api/v1/articles/{id}/quotes/a%00b"),
        Some(&app.admin_token),
    )
    .await
    .expect(404);
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": "a\u{0}b", "password": "whatever-password"}),
    )
    .await
    .expect(401);
    let r = app
        .post(
            "/api/v1/articles",
            Some(&app.admin_token),
            json!({"title": "t", "related": ["x\u{0}y"]}),
        )
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/related/0"]);
}

both_backends!(method_not_allowed_lists_the_allowed_methods);
async fn method_not_allowed_lists_the_allowed_methods(app: TestApp) {
    let r = app
        .send(Method::DELETE, "/api/v1/auth/login", None, &[], None)
        .await
        .expect(405);
    assert_eq!(r.header("allow").as_deref(), Some("POST"));
    assert_eq!(r.json()["title"], "Method not allowed");
}
