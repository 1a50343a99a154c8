//! Uploading: what is accepted, what it is recognised as, and what is refused with nothing
//! stored.

use awc::http::Method;
use image::ImageFormat;
use serde_json::json;

use super::{form, image_bytes, media_count, png, sha256_hex, stored_files, upload, upload_as};
use crate::helpers::TestApp;
use crate::media_test;

media_test!(uploading_a_png_answers_201_with_its_type_size_digest_and_texts);
async fn uploading_a_png_answers_201_with_its_type_size_digest_and_texts(app: TestApp) {
    let file = png(40, 30);
    let texts = [
        ("alt", "A test card"),
        ("caption", "Gradients, 40 by 30"),
        ("credit", "Byline test desk"),
    ];
    let res = upload_as(&app, &app.admin_token, "card.png", &file, &texts)
        .await
        .expect(201);
    let m = res.json();
    let id = m["id"].as_str().expect("id");
    assert_eq!(res.header("location"), Some(format!("/api/v1/media/{id}")));
    let sha = sha256_hex(&file);
    assert_eq!(m["mime"], "image/png");
    assert_eq!(
        (m["width"].as_i64(), m["height"].as_i64()),
        (Some(40), Some(30))
    );
    assert_eq!(m["bytes"].as_u64(), Some(file.len() as u64));
    assert_eq!(m["sha256"], sha.as_str());
    assert_eq!(m["url"], format!("/media/{sha}.png"));
    assert_eq!(
        (&m["alt"], &m["caption"], &m["credit"]),
        (
            &json!("A test card"),
            &json!("Gradients, 40 by 30"),
            &json!("Byline test desk")
        )
    );
    assert!(m["created_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    let got = app
        .get(&format!("/api/v1/media/{id}"), Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    assert_eq!(got, m);
}

media_test!(a_jpeg_and_a_webp_are_recognised_and_measured);
async fn a_jpeg_and_a_webp_are_recognised_and_measured(app: TestApp) {
    for (format, mime, ext) in [
        (ImageFormat::Jpeg, "image/jpeg", "jpg"),
        (ImageFormat::WebP, "image/webp", "webp"),
    ] {
        let file = image_bytes(format, 64, 48);
        // The name says PNG: the bytes decide.
        let m = upload(&app, "photo.png", &file).await;
        assert_eq!(m["mime"], mime);
        assert_eq!(
            (m["width"].as_i64(), m["height"].as_i64()),
            (Some(64), Some(48))
        );
        assert!(m["url"]
            .as_str()
            .is_some_and(|u| u.ends_with(&format!(".{ext}"))));
    }
}

/// The boxes of an AVIF file up to its image size: `ftyp`, then `meta/iprp/ipco/ispe`.
fn avif_header(width: u32, height: u32) -> Vec<u8> {
    fn bmff(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        [&((body.len() + 8) as u32).to_be_bytes()[..], kind, body].concat()
    }
    let ispe = bmff(
        b"ispe",
        &[&[0u8; 4][..], &width.to_be_bytes(), &height.to_be_bytes()].concat(),
    );
    let meta = bmff(
        b"meta",
        &[&[0u8; 4][..], &bmff(b"iprp", &bmff(b"ipco", &ispe))].concat(),
    );
    [
        bmff(b"ftyp", b"avif\0\0\0\0mif1miafavif"),
        meta,
        vec![0; 64],
    ]
    .concat()
}

media_test!(an_avif_is_accepted_and_measured_from_its_header);
async fn an_avif_is_accepted_and_measured_from_its_header(app: TestApp) {
    let m = upload(&app, "photo.avif", &avif_header(1200, 800)).await;
    assert_eq!(m["mime"], "image/avif");
    assert_eq!(
        (m["width"].as_i64(), m["height"].as_i64()),
        (Some(1200), Some(800))
    );
}

/// Uploads `file` and expects `status`, with no medium and no file left behind.
async fn refused_and_nothing_stored(app: &TestApp, filename: &str, file: &[u8], status: u16) {
    upload_as(app, &app.admin_token, filename, file, &[("alt", "x")])
        .await
        .expect(status);
    assert_eq!(media_count(app).await, 0, "no medium");
    assert_eq!(stored_files(app).await, Vec::<String>::new(), "no file");
}

media_test!(an_svg_is_415_and_nothing_is_stored);
async fn an_svg_is_415_and_nothing_is_stored(app: TestApp) {
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>"#;
    refused_and_nothing_stored(&app, "logo.svg", svg, 415).await;
}

media_test!(html_named_png_is_415_and_nothing_is_stored);
async fn html_named_png_is_415_and_nothing_is_stored(app: TestApp) {
    let html = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>";
    refused_and_nothing_stored(&app, "innocent.png", html, 415).await;
}

media_test!(
    a_file_over_the_limit_is_413_and_nothing_is_stored,
    [("BYLINE_MAX_MEDIA_BYTES", "2048")]
);
async fn a_file_over_the_limit_is_413_and_nothing_is_stored(app: TestApp) {
    let big = png(200, 200);
    assert!(big.len() > 2048, "the test image must exceed the limit");
    refused_and_nothing_stored(&app, "big.png", &big, 413).await;
    // Under the limit, an image is taken.
    let small = png(8, 8);
    assert!(small.len() <= 2048);
    upload(&app, "small.png", &small).await;
}

media_test!(an_upload_larger_than_the_json_body_limit_is_accepted);
async fn an_upload_larger_than_the_json_body_limit_is_accepted(app: TestApp) {
    // Noise does not compress: about 3 MB, three times BYLINE_MAX_BODY_BYTES.
    let mut seed = 0x2545_f491_u32;
    let noise = image::RgbImage::from_fn(1000, 1000, |_, _| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let [a, b, c, _] = seed.to_le_bytes();
        image::Rgb([a, b, c])
    });
    let mut file = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(noise)
        .write_to(&mut file, ImageFormat::Png)
        .expect("encode");
    let file = file.into_inner();
    assert!(file.len() > 2 * 1_048_576, "{}", file.len());
    let m = upload(&app, "noise.png", &file).await;
    assert_eq!(m["bytes"].as_u64(), Some(file.len() as u64));
}

crate::both_backends!(the_same_bytes_twice_make_two_media_and_one_file);
async fn the_same_bytes_twice_make_two_media_and_one_file(app: TestApp) {
    let file = png(16, 16);
    let first = upload(&app, "a.png", &file).await;
    let second = upload(&app, "b.png", &file).await;
    assert_ne!(first["id"], second["id"]);
    assert_eq!(first["url"], second["url"]);
    assert_eq!(stored_files(&app).await.len(), 1);
}

crate::both_backends!(a_form_without_a_file_is_422_naming_it);
async fn a_form_without_a_file_is_422_naming_it(app: TestApp) {
    let (body, content_type) = form(None, b"", &[("alt", "no file here")]);
    let res = app
        .send_raw(
            Method::POST,
            "/api/v1/media",
            Some(&app.admin_token),
            &[],
            Some((body, &content_type)),
        )
        .await
        .expect(422);
    assert_eq!(res.pointers(), ["/file"]);
}

crate::both_backends!(unknown_parts_and_long_texts_are_422_naming_them);
async fn unknown_parts_and_long_texts_are_422_naming_them(app: TestApp) {
    let long = "x".repeat(301);
    let res = upload_as(
        &app,
        &app.admin_token,
        "a.png",
        &png(4, 4),
        &[("title", "not a field"), ("credit", &long)],
    )
    .await
    .expect(422);
    assert_eq!(res.pointers(), ["/title", "/credit"]);
    assert_eq!(media_count(&app).await, 0);
}

crate::both_backends!(a_body_that_is_not_multipart_is_415);
async fn a_body_that_is_not_multipart_is_415(app: TestApp) {
    app.post(
        "/api/v1/media",
        Some(&app.admin_token),
        json!({"file": "x"}),
    )
    .await
    .expect(415);
    let raw = (png(4, 4), "image/png");
    app.send_raw(
        Method::POST,
        "/api/v1/media",
        Some(&app.admin_token),
        &[],
        Some(raw),
    )
    .await
    .expect(415);
}

crate::both_backends!(uploading_needs_a_token);
async fn uploading_needs_a_token(app: TestApp) {
    let (body, content_type) = form(Some("a.png"), &png(4, 4), &[]);
    app.send_raw(
        Method::POST,
        "/api/v1/media",
        None,
        &[],
        Some((body, &content_type)),
    )
    .await
    .expect(401);
    app.get("/api/v1/media", None).await.expect(401);
}
