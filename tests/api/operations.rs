//! Health probes, the OpenAPI document and Swagger UI.

use crate::both_backends;
use crate::helpers::TestApp;

both_backends!(health_and_readiness_probes_answer);
async fn health_and_readiness_probes_answer(app: TestApp) {
    assert_eq!(
        app.get("/healthz", None).await.expect(200).json()["status"],
        "ok"
    );
    let ready = app.get("/readyz", None).await.expect(200).json();
    assert_eq!(ready["status"], "ready");
    let expected = match app.backend {
        crate::helpers::Backend::Sqlite => "sqlite",
        crate::helpers::Backend::Postgres => "postgres",
    };
    assert_eq!(ready["database"], expected);
}

both_backends!(served_openapi_equals_the_committed_document);
async fn served_openapi_equals_the_committed_document(app: TestApp) {
    let served = app
        .get("/api-docs/openapi.json", None)
        .await
        .expect(200)
        .json();
    let committed: serde_json::Value =
        serde_json::from_str(include_str!("../../openapi/openapi.json"))
            .expect("committed openapi.json parses");
    assert!(
        served == committed,
        "openapi/openapi.json is out of date: run `cargo run --quiet -- openapi > openapi/openapi.json`"
    );
    assert!(served["openapi"]
        .as_str()
        .expect("version")
        .starts_with("3.1"));
    assert!(served["components"]["securitySchemes"]["bearer"].is_object());
}

both_backends!(swagger_ui_is_served_offline);
async fn swagger_ui_is_served_offline(app: TestApp) {
    let r = app.get("/swagger-ui/", None).await.expect(200);
    assert!(
        String::from_utf8_lossy(&r.body).contains("swagger"),
        "Swagger UI page"
    );
    app.get("/swagger-ui/swagger-ui-bundle.js", None)
        .await
        .expect(200);
}

both_backends!(the_root_and_swagger_ui_without_a_slash_redirect_to_swagger_ui);
async fn the_root_and_swagger_ui_without_a_slash_redirect_to_swagger_ui(app: TestApp) {
    let client = awc::Client::builder().disable_redirects().finish();
    for (method, path) in [
        ("GET", "/"),
        ("HEAD", "/"),
        ("GET", "/swagger-ui"),
        ("HEAD", "/swagger-ui"),
    ] {
        let method = awc::http::Method::from_bytes(method.as_bytes()).expect("method");
        let r = client
            .request(method.clone(), format!("{}{path}", app.base))
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status().as_u16(), 302, "{method} {path}");
        assert_eq!(
            r.headers().get("location").and_then(|v| v.to_str().ok()),
            Some("/swagger-ui/"),
            "{method} {path}"
        );
    }
    app.get("/", None).await.expect(200);
}

both_backends!(the_me_endpoint_returns_the_callers_user);
async fn the_me_endpoint_returns_the_callers_user(app: TestApp) {
    let me = app
        .get("/api/v1/auth/me", Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    assert_eq!(me["email"], crate::helpers::ADMIN_EMAIL);
    assert_eq!(me["role"], "admin");
    assert!(me.get("password").is_none() && me.get("password_hash").is_none());
    app.get("/api/v1/auth/me", None).await.expect(401);
}
