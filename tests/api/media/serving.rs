//! Serving: the files byte for byte with their type and immutable caching, conditional
//! requests, renditions, and 404s.

use awc::http::Method;
use image::ImageFormat;

use super::{image_bytes, png, stored_files, upload};
use crate::helpers::TestApp;
use crate::media_test;

media_test!(the_file_is_served_byte_identical_with_immutable_caching_and_nosniff);
async fn the_file_is_served_byte_identical_with_immutable_caching_and_nosniff(app: TestApp) {
    let file = image_bytes(ImageFormat::Jpeg, 50, 20);
    let m = upload(&app, "photo.jpg", &file).await;
    let url = m["url"].as_str().expect("url");
    let res = app.get(url, None).await.expect(200);
    assert_eq!(res.body, file);
    assert_eq!(res.header("content-type").as_deref(), Some("image/jpeg"));
    assert_eq!(
        res.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert_eq!(
        res.header("cache-control").as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    let etag = res.header("etag").expect("etag");
    assert_eq!(
        etag,
        format!("\"{}\"", m["sha256"].as_str().expect("sha256"))
    );

    let head = app
        .send(Method::HEAD, url, None, &[], None)
        .await
        .expect(200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("etag"), Some(etag.clone()));
    assert_eq!(head.header("content-type").as_deref(), Some("image/jpeg"));

    let again = app
        .send(Method::GET, url, None, &[("If-None-Match", &etag)], None)
        .await
        .expect(304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag));
}

media_test!(a_rendition_is_as_wide_as_asked_keeps_the_aspect_and_is_kept);
async fn a_rendition_is_as_wide_as_asked_keeps_the_aspect_and_is_kept(app: TestApp) {
    let m = upload(&app, "wide.png", &png(1000, 500)).await;
    let url = format!("{}?w=320", m["url"].as_str().expect("url"));
    let res = app.get(&url, None).await.expect(200);
    assert_eq!(res.header("content-type").as_deref(), Some("image/png"));
    let sha = m["sha256"].as_str().expect("sha256");
    assert_eq!(res.header("etag"), Some(format!("\"{sha}-w320\"")));
    assert_eq!(
        res.header("cache-control").as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    let img = image::load_from_memory(&res.body).expect("a decodable image");
    assert_eq!((img.width(), img.height()), (320, 160));
    assert_eq!(
        stored_files(&app).await.len(),
        2,
        "the original and the rendition"
    );
    let again = app.get(&url, None).await.expect(200);
    assert_eq!(again.body, res.body, "the kept rendition");
    assert_eq!(stored_files(&app).await.len(), 2);
}

media_test!(a_jpeg_rendition_is_a_jpeg);
async fn a_jpeg_rendition_is_a_jpeg(app: TestApp) {
    let m = upload(&app, "photo.jpg", &image_bytes(ImageFormat::Jpeg, 800, 600)).await;
    let url = format!("{}?w=640", m["url"].as_str().expect("url"));
    let res = app.get(&url, None).await.expect(200);
    assert_eq!(res.header("content-type").as_deref(), Some("image/jpeg"));
    let img = image::load_from_memory_with_format(&res.body, ImageFormat::Jpeg).expect("JPEG");
    assert_eq!((img.width(), img.height()), (640, 480));
}

media_test!(a_rendition_wider_than_the_original_answers_the_original);
async fn a_rendition_wider_than_the_original_answers_the_original(app: TestApp) {
    let file = png(300, 200);
    let m = upload(&app, "small.png", &file).await;
    let res = app
        .get(&format!("{}?w=640", m["url"].as_str().expect("url")), None)
        .await
        .expect(200);
    assert_eq!(res.body, file, "never upscaled");
    let sha = m["sha256"].as_str().expect("sha256");
    assert_eq!(res.header("etag"), Some(format!("\"{sha}\"")));
    assert_eq!(stored_files(&app).await.len(), 1, "no rendition kept");
}

media_test!(a_width_other_than_the_four_is_400);
async fn a_width_other_than_the_four_is_400(app: TestApp) {
    let m = upload(&app, "a.png", &png(500, 500)).await;
    let url = m["url"].as_str().expect("url");
    for bad in ["100", "320px", "", "-320", "99999999999"] {
        app.get(&format!("{url}?w={bad}"), None).await.expect(400);
    }
}

crate::both_backends!(unknown_files_and_media_are_404_problems);
async fn unknown_files_and_media_are_404_problems(app: TestApp) {
    let m = upload(&app, "a.png", &png(4, 4)).await;
    let sha = m["sha256"].as_str().expect("sha256");
    let unknown = "0".repeat(64);
    for path in [
        format!("/media/{unknown}.png"),
        format!("/media/{sha}.jpg"),
        format!("/media/{sha}.svg"),
        format!("/media/{sha}"),
        "/media/not-a-digest.png".to_owned(),
    ] {
        app.get(&path, None).await.expect(404);
    }
    let token = app.admin_token.clone();
    app.get(
        &format!("/api/v1/media/{}", uuid::Uuid::now_v7()),
        Some(&token),
    )
    .await
    .expect(404);
    app.get("/api/v1/media/not-an-id", Some(&token))
        .await
        .expect(404);
}
