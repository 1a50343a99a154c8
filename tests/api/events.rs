//! The change feed: one event per committed change, in the order changes committed, followed
//! by cursor without gaps or repeats, filtered for anonymous callers, and nothing for a write
//! that failed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use awc::http::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::TestApp;

fn id_of(doc: &Value) -> String {
    doc["id"].as_str().expect("id").to_owned()
}

/// One page of the feed after `after`: its events and `next_cursor`.
async fn page(
    app: &TestApp,
    token: Option<&str>,
    after: Option<&str>,
    limit: u32,
) -> (Vec<Value>, String) {
    let mut path = format!("/api/v1/changes?limit={limit}");
    if let Some(after) = after {
        path.push_str(&format!("&after={after}"));
    }
    let body = app.get(&path, token).await.expect(200).json();
    let cursor = body["meta"]["next_cursor"]
        .as_str()
        .expect("next_cursor always given")
        .to_owned();
    (body["data"].as_array().expect("data").clone(), cursor)
}

/// Every event from the start, following cursors until an empty page.
async fn follow(app: &TestApp, token: Option<&str>) -> Vec<Value> {
    let (mut all, mut cursor) = (Vec::new(), None::<String>);
    loop {
        let (events, next) = page(app, token, cursor.as_deref(), 7).await;
        if events.is_empty() {
            return all;
        }
        all.extend(events);
        cursor = Some(next);
    }
}

/// Waits until the staff feed shows `n` events. On PostgreSQL the feed shows a transaction's
/// events once every transaction that began before it has ended (in the whole cluster, where
/// other tests create databases), so a read right after a write may lag a little.
async fn settle(app: &TestApp, n: usize) {
    for _ in 0..200 {
        if follow(app, Some(&app.admin_token)).await.len() >= n {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the feed never showed {n} events");
}

/// `(type, article version)` of each event.
fn kinds(events: &[Value]) -> Vec<(String, i64)> {
    events
        .iter()
        .map(|e| {
            (
                e["type"].as_str().expect("type").to_owned(),
                e["article"]["version"].as_i64().expect("version"),
            )
        })
        .collect()
}

both_backends!(every_change_is_one_event_in_commit_order);
async fn every_change_is_one_event_in_commit_order(app: TestApp) {
    let t = Some(app.admin_token.as_str());
    let a = app
        .create_article(json!({"title": "Tidal barrier vote"}))
        .await;
    let id = id_of(&a);
    app.patch(
        &format!("/api/v1/articles/{id}"),
        t,
        json!({"dek": "Council decides tonight"}),
    )
    .await
    .expect(200);
    app.post(&format!("/api/v1/articles/{id}/publish"), t, json!({}))
        .await
        .expect(200);
    app.post(
        &format!("/api/v1/articles/{id}/quotes"),
        t,
        json!({"text": "We are ready.", "speaker": "Ines Valk"}),
    )
    .await
    .expect(201);
    app.post(&format!("/api/v1/articles/{id}/archive"), t, json!({}))
        .await
        .expect(200);
    app.delete(&format!("/api/v1/articles/{id}"), t)
        .await
        .expect(204);

    settle(&app, 6).await;
    let events = follow(&app, t).await;
    let expected = [
        ("article.created", 1),
        ("article.updated", 2),
        ("article.published", 3),
        ("article.updated", 4),
        ("article.archived", 5),
        ("article.deleted", 6),
    ];
    assert_eq!(
        kinds(&events),
        expected.map(|(k, v)| (k.to_owned(), v)).to_vec()
    );
    let ids: BTreeSet<&str> = events
        .iter()
        .map(|e| e["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids.len(), events.len(), "event ids are distinct");
    let first = &events[0];
    assert_eq!(
        first["article"],
        json!({"id": id, "slug": "tidal-barrier-vote", "version": 1, "status": "draft"})
    );
    assert!(first["occurred_at"].as_str().expect("time").ends_with('Z'));
    assert_eq!(
        events[5]["article"]["status"], "archived",
        "a deletion names the status it ended"
    );
}

both_backends!(anonymous_callers_see_only_changes_that_touch_what_the_public_sees);
async fn anonymous_callers_see_only_changes_that_touch_what_the_public_sees(app: TestApp) {
    let t = Some(app.admin_token.as_str());
    let draft = id_of(
        &app.create_article(json!({"title": "Never published"}))
            .await,
    );
    app.patch(
        &format!("/api/v1/articles/{draft}"),
        t,
        json!({"dek": "Still a draft"}),
    )
    .await
    .expect(200);
    let public = id_of(&app.create_article(json!({"title": "Goes public"})).await);
    app.post(&format!("/api/v1/articles/{public}/publish"), t, json!({}))
        .await
        .expect(200);
    app.patch(
        &format!("/api/v1/articles/{public}"),
        t,
        json!({"dek": "Corrected"}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/articles/{public}/unpublish"),
        t,
        json!({}),
    )
    .await
    .expect(200);
    app.patch(
        &format!("/api/v1/articles/{public}"),
        t,
        json!({"dek": "Reworked offline"}),
    )
    .await
    .expect(200);
    app.delete(&format!("/api/v1/articles/{draft}"), t)
        .await
        .expect(204);

    settle(&app, 8).await;
    let seen = follow(&app, None).await;
    assert_eq!(
        kinds(&seen),
        vec![
            ("article.published".into(), 2),
            ("article.updated".into(), 3),
            ("article.unpublished".into(), 4)
        ]
    );
    assert!(seen.iter().all(|e| e["article"]["id"] == public.as_str()));
    let (_, author) = app.user_token(byline::users::domain::Role::Author).await;
    assert_eq!(
        kinds(&follow(&app, Some(&author)).await),
        kinds(&seen),
        "authors see the public feed"
    );
    assert_eq!(follow(&app, t).await.len(), 8, "staff see every event");
}

both_backends!(a_deleted_published_article_leaves_the_public_feed_with_an_event);
async fn a_deleted_published_article_leaves_the_public_feed_with_an_event(app: TestApp) {
    let a = app.create_published(json!({"title": "Pulled story"})).await;
    app.delete(
        &format!("/api/v1/articles/{}", id_of(&a)),
        Some(&app.admin_token),
    )
    .await
    .expect(204);
    settle(&app, 3).await;
    assert_eq!(
        kinds(&follow(&app, None).await),
        vec![
            ("article.published".into(), 2),
            ("article.deleted".into(), 3)
        ]
    );
}

both_backends!(the_cursor_of_an_empty_page_picks_up_later_events);
async fn the_cursor_of_an_empty_page_picks_up_later_events(app: TestApp) {
    let t = Some(app.admin_token.as_str());
    let (events, cursor) = page(&app, t, None, 10).await;
    assert!(events.is_empty());
    let (again, same) = page(&app, t, Some(&cursor), 10).await;
    assert!(again.is_empty());
    app.create_article(json!({"title": "First of the day"}))
        .await;
    settle(&app, 1).await;
    let (later, _) = page(&app, t, Some(&same), 10).await;
    assert_eq!(kinds(&later), vec![("article.created".into(), 1)]);
}

both_backends!(pages_follow_on_without_gaps_or_repeats);
async fn pages_follow_on_without_gaps_or_repeats(app: TestApp) {
    for i in 0..5 {
        app.create_article(json!({"title": format!("Brief number {i}")}))
            .await;
    }
    settle(&app, 5).await;
    let t = Some(app.admin_token.as_str());
    let (first, cursor) = page(&app, t, None, 2).await;
    let (second, cursor) = page(&app, t, Some(&cursor), 2).await;
    let (third, _) = page(&app, t, Some(&cursor), 2).await;
    let titles: Vec<&str> = first
        .iter()
        .chain(&second)
        .chain(&third)
        .map(|e| e["article"]["slug"].as_str().expect("slug"))
        .collect();
    assert_eq!(
        titles,
        (0..5)
            .map(|i| format!("brief-number-{i}"))
            .collect::<Vec<_>>()
    );
}

both_backends!(a_malformed_cursor_or_limit_is_400);
async fn a_malformed_cursor_or_limit_is_400(app: TestApp) {
    for query in [
        "after=not-a-cursor",
        "after=",
        "after=LTEuMQ",
        "limit=0",
        "limit=1001",
        "limit=ten",
    ] {
        app.get(&format!("/api/v1/changes?{query}"), None)
            .await
            .expect(400);
    }
    app.get("/api/v1/changes?limit=1000", None)
        .await
        .expect(200);
}

both_backends!(a_write_that_fails_records_no_event);
async fn a_write_that_fails_records_no_event(app: TestApp) {
    let t = Some(app.admin_token.as_str());
    let a = app.create_article(json!({"title": "Only once"})).await;
    let id = id_of(&a);
    let path = format!("/api/v1/articles/{id}");
    let stale = [("If-Match", "\"stale\"")];
    let r = app
        .send(Method::PATCH, &path, t, &stale, Some(json!({"dek": "x"})))
        .await;
    assert_eq!(r.status, 412);
    app.patch(&path, t, json!({"title": ""})).await.expect(422);
    app.post(
        "/api/v1/articles",
        t,
        json!({"title": "Only once", "slug": a["slug"]}),
    )
    .await
    .expect(409);
    app.post(&format!("{path}/quotes"), t, json!({"text": ""}))
        .await
        .expect(422);
    app.post(&format!("{path}/unpublish"), t, json!({})).await;
    // A write that commits after the failed ones: once its event shows, theirs would too.
    app.patch(&path, t, json!({"dek": "Marker"}))
        .await
        .expect(200);
    settle(&app, 2).await;
    assert_eq!(
        kinds(&follow(&app, t).await),
        vec![("article.created".into(), 1), ("article.updated".into(), 2)]
    );
}

both_backends!(replaying_the_feed_reproduces_the_published_articles);
async fn replaying_the_feed_reproduces_the_published_articles(app: TestApp) {
    let t = Some(app.admin_token.as_str());
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(id_of(
            &app.create_published(json!({"title": format!("Story {i}")}))
                .await,
        ));
    }
    app.post(
        &format!("/api/v1/articles/{}/unpublish", ids[0]),
        t,
        json!({}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/articles/{}/archive", ids[1]),
        t,
        json!({}),
    )
    .await
    .expect(200);
    app.delete(&format!("/api/v1/articles/{}", ids[2]), t)
        .await
        .expect(204);
    app.patch(
        &format!("/api/v1/articles/{}", ids[3]),
        t,
        json!({"slug": "story-three-renamed"}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/articles/{}/publish", ids[0]),
        t,
        json!({}),
    )
    .await
    .expect(200);
    app.create_article(json!({"title": "Draft only"})).await;
    settle(&app, 18).await;

    let mut published: BTreeMap<String, String> = BTreeMap::new();
    for e in follow(&app, None).await {
        let id = e["article"]["id"].as_str().expect("id").to_owned();
        if e["type"] != "article.deleted" && e["article"]["status"] == "published" {
            published.insert(id, e["article"]["slug"].as_str().expect("slug").to_owned());
        } else {
            published.remove(&id);
        }
    }
    let listed = app
        .get("/api/v1/articles?limit=100", None)
        .await
        .expect(200)
        .json();
    let today: BTreeMap<String, String> = listed["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|a| (id_of(a), a["slug"].as_str().expect("slug").to_owned()))
        .collect();
    assert_eq!(published, today);
    assert_eq!(today.len(), 4);
}

both_backends!(a_scheduled_publication_is_an_event_without_an_actor);
async fn a_scheduled_publication_is_an_event_without_an_actor(app: TestApp) {
    let a = app.create_article(json!({"title": "Timed release"})).await;
    let id = id_of(&a);
    let at = (chrono::Utc::now() + chrono::Duration::seconds(1)).to_rfc3339();
    app.post(
        &format!("/api/v1/articles/{id}/schedule"),
        Some(&app.admin_token),
        json!({"publish_at": at}),
    )
    .await
    .expect(200);
    for _ in 0..100 {
        let events = follow(&app, None).await;
        if !events.is_empty() {
            assert_eq!(kinds(&events), vec![("article.published".into(), 3)]);
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the scheduled publication never reached the feed");
}

both_backends!(
    a_follower_sees_every_event_of_concurrent_writers_once_in_version_order,
    [("BYLINE_RATE_LIMIT", "0")]
);
async fn a_follower_sees_every_event_of_concurrent_writers_once_in_version_order(app: TestApp) {
    let writers = 8;
    let edits = 12;
    let mut ids = Vec::new();
    for i in 0..writers {
        ids.push(id_of(
            &app.create_article(json!({"title": format!("Live blog {i}")}))
                .await,
        ));
    }
    let token = app.admin_token.clone();
    let app = std::rc::Rc::new(app);
    let write = |id: String| {
        let (app, token) = (app.clone(), token.clone());
        async move {
            for n in 0..edits {
                let path = format!("/api/v1/articles/{id}");
                app.patch(&path, Some(&token), json!({"dek": format!("Update {n}")}))
                    .await
                    .expect(200);
            }
        }
    };
    let follower = async {
        let (mut seen, mut cursor) = (Vec::<Value>::new(), None::<String>);
        let expected = writers * (edits + 1);
        for _ in 0..5_000 {
            let (events, next) = page(&app, Some(&token), cursor.as_deref(), 5).await;
            seen.extend(events);
            cursor = Some(next);
            if seen.len() >= expected {
                break;
            }
        }
        seen
    };
    let (_, seen) = futures_util::future::join(
        futures_util::future::join_all(ids.iter().cloned().map(write)),
        follower,
    )
    .await;
    let distinct: BTreeSet<&str> = seen.iter().map(|e| e["id"].as_str().expect("id")).collect();
    assert_eq!(distinct.len(), seen.len(), "no event twice");
    assert_eq!(seen.len(), writers * (edits + 1), "every event");
    let mut last: HashMap<&str, i64> = HashMap::new();
    for e in &seen {
        let (id, v) = (
            e["article"]["id"].as_str().expect("id"),
            e["article"]["version"].as_i64().expect("v"),
        );
        assert_eq!(
            last.insert(id, v).unwrap_or(0),
            v - 1,
            "versions of {id} in order"
        );
    }
}

/// PostgreSQL hands out sequence numbers when rows are written, not when they commit: a
/// transaction holding a lower number can commit after one holding a higher number. The feed
/// must not show the higher one first, or a follower's cursor would pass the lower one.
#[actix_web::test]
async fn an_event_committed_late_with_a_lower_sequence_number_is_not_skipped() {
    use diesel::connection::SimpleConnection;
    let Some(app) = TestApp::spawn(crate::helpers::Backend::Postgres).await else {
        return;
    };
    let id = id_of(&app.create_article(json!({"title": "Slow and fast"})).await);
    settle(&app, 1).await;
    let t = Some(app.admin_token.as_str());
    let (_, cursor) = page(&app, t, None, 100).await;

    let mut slow = app.db.get().expect("connection");
    slow.batch_execute(&format!(
        "BEGIN; INSERT INTO events (id, event_type, occurred_at, article_id, slug, version, status, public) \
         VALUES ('slow-event', 'article.updated', now(), '{id}', 'slow-and-fast', 99, 'draft', false)"
    ))
    .expect("a transaction that takes a sequence number and waits");
    app.patch(&format!("/api/v1/articles/{id}"), t, json!({"dek": "Fast"}))
        .await
        .expect(200);
    let (while_open, held) = page(&app, t, Some(&cursor), 100).await;
    assert!(
        while_open.is_empty(),
        "nothing after the open transaction's event shows before it commits"
    );
    assert_eq!(held, cursor);

    slow.batch_execute("COMMIT").expect("commit");
    let mut seen = Vec::new();
    let mut cursor = held;
    for _ in 0..200 {
        let (events, next) = page(&app, t, Some(&cursor), 100).await;
        seen.extend(
            events
                .iter()
                .map(|e| e["id"].as_str().expect("id").to_owned()),
        );
        cursor = next;
        if seen.len() >= 2 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(seen.len(), 2, "both events, once each: {seen:?}");
    assert_eq!(
        seen[0], "slow-event",
        "in the order their transactions began writing"
    );
}
