//! Webhooks against a real receiver on 127.0.0.1: registration, signed deliveries of each
//! change after it commits, retries, subscriptions, the delivery log, private addresses, and
//! several processes delivering each event once.

use std::collections::HashMap;
use std::time::Duration;

use awc::http::Method;
use byline::config::Config;
use byline::startup::Application;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{TestApp, ADMIN_EMAIL, ADMIN_PASSWORD, JWT_SECRET};
use crate::receiver::{Delivery, Receiver};

/// Local receivers need the override; retries come quickly; hundreds of writes from one
/// token stay under no rate limit.
const LOCAL: [(&str, &str); 3] = [
    ("BYLINE_WEBHOOK_ALLOW_PRIVATE", "1"),
    ("BYLINE_WEBHOOK_RETRY_BASE_MS", "100"),
    ("BYLINE_RATE_LIMIT", "0"),
];

/// What the service promises: an event arrives within 2 seconds of its change.
const PROMPTLY: Duration = Duration::from_secs(2);

fn id_of(doc: &Value) -> String {
    doc["id"].as_str().expect("id").to_owned()
}

/// Registers a webhook for `events`; answers its id and secret.
async fn register(app: &TestApp, url: &str, events: Value) -> (String, String) {
    let hook = app
        .post(
            "/api/v1/webhooks",
            Some(&app.admin_token),
            json!({"url": url, "events": events}),
        )
        .await
        .expect(201)
        .json();
    (
        id_of(&hook),
        hook["secret"].as_str().expect("secret").to_owned(),
    )
}

fn of_type<'a>(got: &'a [Delivery], kind: &str) -> Vec<&'a Delivery> {
    got.iter().filter(|d| d.event_type() == kind).collect()
}

both_backends!(admins_register_webhooks_and_see_the_secret_once, LOCAL);
async fn admins_register_webhooks_and_see_the_secret_once(app: TestApp) {
    let t = Some(app.admin_token.as_str());
    let created = app
        .post(
            "/api/v1/webhooks",
            t,
            json!({"url": "https://hooks.example.com/byline", "events": ["article.published"]}),
        )
        .await
        .expect(201);
    let hook = created.json();
    let id = id_of(&hook);
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/webhooks/{id}"))
    );
    assert!(hook["secret"]
        .as_str()
        .expect("secret")
        .starts_with("whsec_"));
    assert_eq!(hook["active"], true);
    let fetched = app
        .get(&format!("/api/v1/webhooks/{id}"), t)
        .await
        .expect(200)
        .json();
    assert!(fetched.get("secret").is_none(), "the secret is shown once");
    assert_eq!(fetched["events"], json!(["article.published"]));
    let listed = app.get("/api/v1/webhooks", t).await.expect(200).json();
    assert_eq!(listed["data"], json!([fetched]));
}

both_backends!(webhooks_are_changed_and_deleted_with_an_audit_trail, LOCAL);
async fn webhooks_are_changed_and_deleted_with_an_audit_trail(app: TestApp) {
    let t = Some(app.admin_token.as_str());
    let (id, _) = register(&app, "https://hooks.example.com/a", json!(["*"])).await;
    let path = format!("/api/v1/webhooks/{id}");
    let changed = app
        .patch(
            &path,
            t,
            json!({"active": false, "events": ["article.deleted"]}),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(
        (changed["active"].clone(), changed["events"].clone()),
        (json!(false), json!(["article.deleted"]))
    );
    assert_eq!(changed["url"], "https://hooks.example.com/a");
    app.delete(&path, t).await.expect(204);
    app.get(&path, t).await.expect(404);
    app.delete(&path, t).await.expect(404);
    let audit = app
        .get(&format!("/api/v1/audit?target={id}"), t)
        .await
        .expect(200)
        .json();
    let actions: Vec<&str> = audit["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(
        actions,
        ["webhook.delete", "webhook.update", "webhook.create"]
    );
}

both_backends!(only_admins_manage_webhooks, LOCAL);
async fn only_admins_manage_webhooks(app: TestApp) {
    let (_, editor) = app.user_token(byline::users::domain::Role::Editor).await;
    app.get("/api/v1/webhooks", Some(&editor)).await.expect(403);
    app.post(
        "/api/v1/webhooks",
        Some(&editor),
        json!({"url": "https://hooks.example.com/"}),
    )
    .await
    .expect(403);
    app.get("/api/v1/webhooks", None).await.expect(401);
}

both_backends!(bad_webhook_bodies_are_422_naming_the_field, LOCAL);
async fn bad_webhook_bodies_are_422_naming_the_field(app: TestApp) {
    let t = Some(app.admin_token.as_str());
    for (body, pointer) in [
        (json!({"url": "ftp://hooks.example.com/"}), "/url"),
        (json!({"url": "not a url"}), "/url"),
        (
            json!({"url": "https://hooks.example.com/", "events": []}),
            "/events",
        ),
        (
            json!({"url": "https://hooks.example.com/", "events": ["*", "article.created"]}),
            "/events",
        ),
        (
            json!({"url": "https://hooks.example.com/", "events": ["article.exploded"]}),
            "/events/0",
        ),
        (
            json!({"url": "https://hooks.example.com/", "secret": "mine"}),
            "/secret",
        ),
    ] {
        let r = app
            .post("/api/v1/webhooks", t, body.clone())
            .await
            .expect(422);
        assert_eq!(r.pointers(), [pointer], "{body}");
    }
}

both_backends!(webhook_urls_on_private_addresses_are_422_without_the_override);
async fn webhook_urls_on_private_addresses_are_422_without_the_override(app: TestApp) {
    let t = Some(app.admin_token.as_str());
    for url in [
        "http://127.0.0.1/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://localhost:8080/",
    ] {
        let r = app
            .post("/api/v1/webhooks", t, json!({"url": url}))
            .await
            .expect(422);
        assert_eq!(r.pointers(), ["/url"], "{url}");
    }
    let (id, _) = register(&app, "https://hooks.example.com/", json!(["*"])).await;
    let r = app
        .patch(
            &format!("/api/v1/webhooks/{id}"),
            t,
            json!({"url": "http://192.168.0.10/"}),
        )
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/url"]);
}

both_backends!(each_change_arrives_once_signed_within_two_seconds, LOCAL);
async fn each_change_arrives_once_signed_within_two_seconds(app: TestApp) {
    let receiver = Receiver::start().await;
    let (_, secret) = register(&app, &receiver.url, json!(["*"])).await;
    let t = Some(app.admin_token.as_str());
    let id = id_of(
        &app.create_article(json!({"title": "Ferry timetable"}))
            .await,
    );
    let path = format!("/api/v1/articles/{id}");
    let steps: [(&str, Method, String, Option<Value>); 4] = [
        (
            "article.published",
            Method::POST,
            format!("{path}/publish"),
            Some(json!({})),
        ),
        (
            "article.updated",
            Method::PATCH,
            path.clone(),
            Some(json!({"dek": "Now hourly"})),
        ),
        (
            "article.unpublished",
            Method::POST,
            format!("{path}/unpublish"),
            Some(json!({})),
        ),
        ("article.deleted", Method::DELETE, path.clone(), None),
    ];
    for (kind, method, target, body) in steps {
        let r = app.send(method, &target, t, &[], body).await;
        assert!(r.status < 300, "{kind}: {}", r.status);
        let got = receiver
            .wait_until(PROMPTLY, |got| !of_type(got, kind).is_empty())
            .await;
        let d = of_type(&got, kind)[0].clone();
        assert!(
            d.verifies(&secret),
            "{kind} is signed with the webhook's secret"
        );
        assert!(!d.verifies("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
        assert_eq!(d.content_type, "application/json");
        let event = d.json();
        assert_eq!(
            d.id,
            event["id"].as_str().expect("id"),
            "webhook-id is the event id"
        );
        assert_eq!(event["article"]["id"], id.as_str());
        let age =
            chrono::Utc::now().timestamp() - d.timestamp.parse::<i64>().expect("unix seconds");
        assert!((0..=5).contains(&age), "webhook-timestamp is now");
    }
    actix_web::rt::time::sleep(Duration::from_millis(700)).await;
    let got = receiver.received();
    assert_eq!(
        got.len(),
        5,
        "created, published, updated, unpublished, deleted: once each"
    );
}

both_backends!(
    a_receiver_that_fails_twice_gets_the_event_on_the_third_attempt,
    LOCAL
);
async fn a_receiver_that_fails_twice_gets_the_event_on_the_third_attempt(app: TestApp) {
    let receiver = Receiver::start().await;
    receiver.answer_first(&[500, 503]);
    let (hook, _) = register(&app, &receiver.url, json!(["article.created"])).await;
    app.create_article(json!({"title": "Third time lucky"}))
        .await;
    let got = receiver
        .wait_until(Duration::from_secs(10), |got| {
            got.iter().any(|d| d.answered == 200)
        })
        .await;
    assert_eq!(
        got.iter().map(|d| d.answered).collect::<Vec<_>>(),
        [500, 503, 200]
    );
    assert!(
        got.windows(2).all(|w| w[0].id == w[1].id),
        "the same event, with the same webhook-id"
    );
    let log = app
        .get(
            &format!("/api/v1/webhooks/{hook}/deliveries"),
            Some(&app.admin_token),
        )
        .await
        .expect(200)
        .json();
    let attempts: Vec<(i64, i64)> = log["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|a| {
            (
                a["attempt"].as_i64().expect("attempt"),
                a["status_code"].as_i64().expect("status"),
            )
        })
        .collect();
    assert_eq!(attempts, [(3, 200), (2, 503), (1, 500)], "newest first");
    assert!(log["data"][1]["error"]
        .as_str()
        .expect("error")
        .contains("503"));
}

both_backends!(a_write_that_fails_sends_nothing, LOCAL);
async fn a_write_that_fails_sends_nothing(app: TestApp) {
    let receiver = Receiver::start().await;
    let t = Some(app.admin_token.as_str());
    let id = id_of(&app.create_article(json!({"title": "Guarded"})).await);
    register(&app, &receiver.url, json!(["*"])).await;
    let path = format!("/api/v1/articles/{id}");
    let r = app
        .send(
            Method::PATCH,
            &path,
            t,
            &[("If-Match", "\"0-0\"")],
            Some(json!({"dek": "x"})),
        )
        .await;
    assert_eq!(r.status, 412);
    app.patch(&path, t, json!({"language": "not a language tag!"}))
        .await
        .expect(422);
    app.post(&format!("{path}/quotes"), t, json!({"speaker": "Nobody"}))
        .await
        .expect(422);
    app.patch(&path, t, json!({"dek": "This one counts"}))
        .await
        .expect(200);
    let got = receiver.wait_until(PROMPTLY, |got| !got.is_empty()).await;
    actix_web::rt::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        receiver.received().len(),
        1,
        "only the write that committed: {got:?}"
    );
    assert_eq!(got[0].json()["article"]["version"], 2);
}

both_backends!(redirects_are_not_followed, LOCAL);
async fn redirects_are_not_followed(app: TestApp) {
    let (first, elsewhere) = (Receiver::start().await, Receiver::start().await);
    first.redirect_first(&elsewhere.url);
    let (hook, _) = register(&app, &first.url, json!(["*"])).await;
    app.create_article(json!({"title": "Moved on"})).await;
    let got = first
        .wait_until(Duration::from_secs(5), |got| {
            got.iter().any(|d| d.answered == 200)
        })
        .await;
    assert_eq!(
        got.iter().map(|d| d.answered).collect::<Vec<_>>(),
        [307, 200],
        "retried at the registered URL"
    );
    assert!(
        elsewhere.received().is_empty(),
        "the redirect's target got nothing"
    );
    let log = app
        .get(
            &format!("/api/v1/webhooks/{hook}/deliveries"),
            Some(&app.admin_token),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(log["data"][1]["status_code"], 307);
}

both_backends!(a_webhook_gets_only_the_events_it_subscribes_to, LOCAL);
async fn a_webhook_gets_only_the_events_it_subscribes_to(app: TestApp) {
    let receiver = Receiver::start().await;
    register(&app, &receiver.url, json!(["article.deleted"])).await;
    let a = app.create_published(json!({"title": "Short lived"})).await;
    app.delete(
        &format!("/api/v1/articles/{}", id_of(&a)),
        Some(&app.admin_token),
    )
    .await
    .expect(204);
    receiver.wait_until(PROMPTLY, |got| !got.is_empty()).await;
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    let types: Vec<String> = receiver
        .received()
        .iter()
        .map(Delivery::event_type)
        .collect();
    assert_eq!(types, ["article.deleted"]);
}

both_backends!(an_inactive_webhook_gets_nothing_but_pings, LOCAL);
async fn an_inactive_webhook_gets_nothing_but_pings(app: TestApp) {
    let receiver = Receiver::start().await;
    let (id, secret) = register(&app, &receiver.url, json!(["*"])).await;
    let t = Some(app.admin_token.as_str());
    app.patch(
        &format!("/api/v1/webhooks/{id}"),
        t,
        json!({"active": false}),
    )
    .await
    .expect(200);
    app.create_article(json!({"title": "Quiet day"})).await;
    let ping = app
        .post(&format!("/api/v1/webhooks/{id}/ping"), t, json!({}))
        .await
        .expect(202)
        .json();
    assert_eq!(ping["type"], "ping");
    let got = receiver.wait_until(PROMPTLY, |got| !got.is_empty()).await;
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.received().len(), 1);
    assert_eq!(got[0].json(), ping);
    assert!(got[0].verifies(&secret));
    let log = app
        .get(&format!("/api/v1/webhooks/{id}/deliveries"), t)
        .await
        .expect(200)
        .json();
    assert_eq!(log["data"][0]["event_type"], "ping");
    assert_eq!(log["data"][0]["event_id"], ping["id"]);
}

both_backends!(two_processes_deliver_each_event_once, LOCAL);
async fn two_processes_deliver_each_event_once(app: TestApp) {
    let receiver = Receiver::start().await;
    register(&app, &receiver.url, json!(["article.created"])).await;
    let second = spawn_second(&app, &LOCAL).await;
    let token = app.admin_token.clone();
    let client = awc::Client::default();
    let create = |i: usize| {
        let base = if i % 2 == 0 {
            app.base.clone()
        } else {
            second.clone()
        };
        let (client, token) = (client.clone(), token.clone());
        async move {
            let r = client
                .post(format!("{base}/api/v1/articles"))
                .insert_header(("Authorization", format!("Bearer {token}")))
                .send_json(&json!({"title": format!("Wire copy {i}")}))
                .await
                .expect("sent");
            assert_eq!(r.status().as_u16(), 201);
        }
    };
    for chunk in (0..200).collect::<Vec<_>>().chunks(8) {
        futures_util::future::join_all(chunk.iter().map(|&i| create(i))).await;
    }
    let got = receiver
        .wait_until(Duration::from_secs(20), |got| got.len() >= 200)
        .await;
    actix_web::rt::time::sleep(Duration::from_secs(1)).await;
    let mut per_event: HashMap<String, usize> = HashMap::new();
    for d in receiver.received() {
        *per_event.entry(d.id).or_default() += 1;
    }
    assert_eq!(per_event.len(), 200, "every event ({} requests)", got.len());
    assert!(per_event.values().all(|n| *n == 1), "each event once");
}

/// A second server on the same database, with its own pool, scheduler and dispatcher.
async fn spawn_second(app: &TestApp, env: &[(&str, &str)]) -> String {
    let url = app.database.url().to_owned();
    let mut vars: HashMap<&str, &str> = [
        ("DATABASE_URL", url.as_str()),
        ("BYLINE_BIND", "127.0.0.1:0"),
        ("BYLINE_JWT_SECRET", JWT_SECRET),
        ("BYLINE_ADMIN_EMAIL", ADMIN_EMAIL),
        ("BYLINE_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("BYLINE_DEMO", "0"),
    ]
    .into_iter()
    .collect();
    vars.extend(env.iter().copied());
    let mut config = Config::from_lookup(|k| vars.get(k).map(|v| (*v).to_owned())).expect("config");
    config.workers = Some(1);
    let server = Application::build(config).expect("second application starts");
    let base = format!("http://127.0.0.1:{}", server.port());
    actix_web::rt::spawn(server.into_server());
    base
}
