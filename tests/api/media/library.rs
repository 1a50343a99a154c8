//! The media library: listing, changing texts, deleting, who may do what, and the audit log.

use byline::users::domain::Role;
use serde_json::json;

use super::{png, stored_files, upload, upload_as};
use crate::helpers::TestApp;

crate::both_backends!(patch_changes_the_texts_given_and_null_clears_one);
async fn patch_changes_the_texts_given_and_null_clears_one(app: TestApp) {
    let texts = [("alt", "Old alt"), ("credit", "Old credit")];
    let m = upload_as(&app, &app.admin_token, "a.png", &png(4, 4), &texts)
        .await
        .expect(201)
        .json();
    let path = format!("/api/v1/media/{}", m["id"].as_str().expect("id"));
    let token = app.admin_token.clone();
    let changed = app
        .patch(
            &path,
            Some(&token),
            json!({"caption": "New caption", "credit": null}),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(changed["alt"], "Old alt");
    assert_eq!(changed["caption"], "New caption");
    assert_eq!(changed["credit"], json!(null));
    assert_eq!(changed["sha256"], m["sha256"]);
    let got = app.get(&path, Some(&token)).await.expect(200).json();
    assert_eq!(got, changed);
}

crate::both_backends!(patch_refuses_unknown_fields_and_long_texts);
async fn patch_refuses_unknown_fields_and_long_texts(app: TestApp) {
    let m = upload(&app, "a.png", &png(4, 4)).await;
    let path = format!("/api/v1/media/{}", m["id"].as_str().expect("id"));
    let token = app.admin_token.clone();
    app.patch(&path, Some(&token), json!({"sha256": "x"}))
        .await
        .expect(422);
    let res = app
        .patch(&path, Some(&token), json!({"alt": "a".repeat(1001)}))
        .await
        .expect(422);
    assert_eq!(res.pointers(), ["/alt"]);
    app.patch(
        &format!("/api/v1/media/{}", uuid::Uuid::now_v7()),
        Some(&token),
        json!({}),
    )
    .await
    .expect(404);
}

crate::both_backends!(authors_change_and_delete_only_what_they_uploaded);
async fn authors_change_and_delete_only_what_they_uploaded(app: TestApp) {
    let (_, mine) = app.user_token(Role::Author).await;
    let (_, other) = app.user_token(Role::Author).await;
    let (_, editor) = app.user_token(Role::Editor).await;
    let m = upload_as(&app, &mine, "a.png", &png(4, 4), &[])
        .await
        .expect(201)
        .json();
    let path = format!("/api/v1/media/{}", m["id"].as_str().expect("id"));
    let alt = json!({"alt": "Changed"});
    // Everyone signed in sees the library.
    app.get(&path, Some(&other)).await.expect(200);
    app.patch(&path, Some(&other), alt.clone())
        .await
        .expect(403);
    app.delete(&path, Some(&other)).await.expect(403);
    app.patch(&path, Some(&mine), alt.clone()).await.expect(200);
    app.patch(&path, Some(&editor), alt).await.expect(200);
    app.delete(&path, Some(&mine)).await.expect(204);
    let theirs = upload_as(&app, &mine, "b.png", &png(5, 5), &[])
        .await
        .expect(201)
        .json();
    let path = format!("/api/v1/media/{}", theirs["id"].as_str().expect("id"));
    app.delete(&path, Some(&editor)).await.expect(204);
}

crate::both_backends!(delete_removes_the_medium_and_its_files);
async fn delete_removes_the_medium_and_its_files(app: TestApp) {
    let m = upload(&app, "a.png", &png(800, 400)).await;
    let url = m["url"].as_str().expect("url").to_owned();
    app.get(&format!("{url}?w=320"), None).await.expect(200);
    assert_eq!(stored_files(&app).await.len(), 2);
    let path = format!("/api/v1/media/{}", m["id"].as_str().expect("id"));
    let token = app.admin_token.clone();
    app.delete(&path, Some(&token)).await.expect(204);
    app.get(&path, Some(&token)).await.expect(404);
    app.get(&url, None).await.expect(404);
    app.delete(&path, Some(&token)).await.expect(404);
    assert_eq!(stored_files(&app).await, Vec::<String>::new());
}

crate::both_backends!(deleting_one_of_two_media_with_the_same_bytes_keeps_the_file);
async fn deleting_one_of_two_media_with_the_same_bytes_keeps_the_file(app: TestApp) {
    let file = png(6, 6);
    let first = upload(&app, "a.png", &file).await;
    let second = upload(&app, "b.png", &file).await;
    let path = format!("/api/v1/media/{}", first["id"].as_str().expect("id"));
    app.delete(&path, Some(&app.admin_token)).await.expect(204);
    let served = app
        .get(second["url"].as_str().expect("url"), None)
        .await
        .expect(200);
    assert_eq!(served.body, file);
}

crate::both_backends!(the_library_lists_newest_first_in_pages);
async fn the_library_lists_newest_first_in_pages(app: TestApp) {
    let mut ids = vec![];
    for n in 1..=3 {
        ids.push(upload(&app, "a.png", &png(n, n)).await["id"].clone());
    }
    let token = app.admin_token.clone();
    let first = app
        .get("/api/v1/media?limit=2", Some(&token))
        .await
        .expect(200);
    assert!(first
        .header("link")
        .is_some_and(|l| l.contains("rel=\"next\"")));
    let page = first.json();
    assert_eq!(page["data"][0]["id"], ids[2]);
    assert_eq!(page["data"][1]["id"], ids[1]);
    let cursor = page["meta"]["next_cursor"].as_str().expect("cursor");
    let next = app
        .get(
            &format!("/api/v1/media?limit=2&cursor={cursor}"),
            Some(&token),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(next["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(next["data"][0]["id"], ids[0]);
    assert_eq!(next["meta"]["next_cursor"], json!(null));
    app.get("/api/v1/media?limit=0", Some(&token))
        .await
        .expect(400);
    app.get("/api/v1/media?cursor=bad", Some(&token))
        .await
        .expect(400);
}

crate::both_backends!(uploads_changes_and_deletions_are_audited);
async fn uploads_changes_and_deletions_are_audited(app: TestApp) {
    let m = upload(&app, "a.png", &png(4, 4)).await;
    let id = m["id"].as_str().expect("id");
    let path = format!("/api/v1/media/{id}");
    let token = app.admin_token.clone();
    app.patch(&path, Some(&token), json!({"alt": "Alt"}))
        .await
        .expect(200);
    app.delete(&path, Some(&token)).await.expect(204);
    let log = app
        .get("/api/v1/audit?action=media.*", Some(&token))
        .await
        .expect(200)
        .json();
    let entries: Vec<(&str, &str)> = log["data"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default(),
                e["target"]["id"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            ("media.delete", id),
            ("media.update", id),
            ("media.create", id)
        ]
    );
    assert_eq!(log["data"][2]["target"]["type"], "medium");
    assert_eq!(log["data"][2]["detail"]["sha256"], m["sha256"]);
}
