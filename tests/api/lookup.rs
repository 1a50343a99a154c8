//! `GET /articles/{id_or_slug}` is never ambiguous: a slug cannot have the shape of a UUID,
//! and an id match wins over a slug match stored before that rule.

use serde_json::json;

use crate::both_backends;
use crate::helpers::TestApp;

both_backends!(a_slug_shaped_like_a_uuid_is_refused_on_create_put_and_patch);
async fn a_slug_shaped_like_a_uuid_is_refused_on_create_put_and_patch(app: TestApp) {
    let real = app.create_published(json!({"title": "The real one"})).await;
    let real_id = real["id"].as_str().expect("id").to_owned();
    let t = Some(app.admin_token.as_str());
    let r = app
        .post(
            "/api/v1/articles",
            t,
            json!({"title": "Squatter", "slug": real_id}),
        )
        .await
        .expect(422);
    assert_eq!(r.pointers(), ["/slug"]);
    let own = app.create_article(json!({"title": "Mine"})).await;
    let path = format!("/api/v1/articles/{}", own["id"].as_str().expect("id"));
    app.put(&path, t, json!({"title": "Mine", "slug": real_id}))
        .await
        .expect(422);
    app.patch(&path, t, json!({"slug": real_id}))
        .await
        .expect(422);
}

both_backends!(an_id_match_wins_over_a_stored_slug_with_the_same_text);
async fn an_id_match_wins_over_a_stored_slug_with_the_same_text(app: TestApp) {
    use byline::db::schema::articles;
    use diesel::prelude::*;
    let real = app.create_published(json!({"title": "The real one"})).await;
    let real_id = real["id"].as_str().expect("id").to_owned();
    let squatter = app.create_published(json!({"title": "Squatter"})).await;
    // A slug stored before the rule existed.
    let mut conn = app.db.get().expect("conn");
    diesel::update(articles::table.find(squatter["id"].as_str().expect("id")))
        .set(articles::slug.eq(&real_id))
        .execute(&mut *conn)
        .expect("squat");
    drop(conn);
    let got = app
        .get(&format!("/api/v1/articles/{real_id}"), None)
        .await
        .expect(200)
        .json();
    assert_eq!(got["title"], "The real one");
}
