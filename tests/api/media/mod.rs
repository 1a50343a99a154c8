//! Media: uploads (types recognised from the bytes, sizes read from the files, the size limit),
//! the files served with immutable caching, renditions, texts, rights, and deleting. The
//! upload, serving, rendition and refusal tests also run against S3-compatible storage when
//! `BYLINE_TEST_S3_ENDPOINT` names a server (see docs/testing.md).

mod library;
mod serving;
mod uploads;

use std::io::Cursor;

use awc::http::Method;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use serde_json::Value;

use crate::helpers::{run_on, skipped, Backend, MediaStore, Resp, TestApp};

/// Runs a test on SQLite and PostgreSQL with a media directory, and on SQLite with a fresh
/// bucket of the S3 server at `BYLINE_TEST_S3_ENDPOINT`: the tests `name::sqlite`,
/// `name::postgres` and `name::s3`.
#[macro_export]
macro_rules! media_test {
    ($name:ident $(, $env:expr)? $(,)?) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[actix_web::test]
            async fn sqlite() {
                let env: &[(&str, &str)] = $crate::env_or_empty!($($env)?);
                $crate::helpers::run_on($crate::helpers::Backend::Sqlite, env, super::$name).await;
            }

            #[actix_web::test]
            async fn postgres() {
                let env: &[(&str, &str)] = $crate::env_or_empty!($($env)?);
                $crate::helpers::run_on($crate::helpers::Backend::Postgres, env, super::$name).await;
            }

            #[actix_web::test]
            async fn s3() {
                let env: &[(&str, &str)] = $crate::env_or_empty!($($env)?);
                $crate::media::run_on_s3(env, super::$name).await;
            }
        }
    };
}

/// Runs `test` on SQLite with its media in a new bucket of the S3 server at
/// `BYLINE_TEST_S3_ENDPOINT`; without one, says so and counts the run as skipped, or fails
/// when `BYLINE_REQUIRE_S3=1`.
pub async fn run_on_s3<F, Fut>(env: &[(&str, &str)], test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let endpoint = std::env::var("BYLINE_TEST_S3_ENDPOINT").unwrap_or_default();
    if endpoint.trim().is_empty() {
        if std::env::var("BYLINE_REQUIRE_S3").as_deref() == Ok("1") {
            panic!("S3 is required (BYLINE_REQUIRE_S3=1) but BYLINE_TEST_S3_ENDPOINT is not set");
        }
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "\n!!! SKIPPED an S3 test: BYLINE_TEST_S3_ENDPOINT is not set.\n\
             !!! Start one with ci/s3.sh, or set BYLINE_REQUIRE_S3=1 to fail instead.\n"
        );
        skipped::s3_not_configured();
        return;
    }
    let endpoint = endpoint.trim_end_matches('/').to_owned();
    let bucket = format!("byline-test-{}", uuid::Uuid::now_v7().simple());
    let created = awc::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("S3 server at {endpoint} unreachable: {e}"));
    assert!(
        created.status().is_success(),
        "create bucket: {}",
        created.status()
    );
    let store = format!("s3://{bucket}/media");
    let mut vars: Vec<(&str, &str)> = vec![
        ("BYLINE_MEDIA_STORE", &store),
        ("AWS_ENDPOINT_URL", &endpoint),
        ("AWS_ACCESS_KEY_ID", "byline-test"),
        ("AWS_SECRET_ACCESS_KEY", "byline-test-secret"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ALLOW_HTTP", "1"),
    ];
    vars.extend_from_slice(env);
    run_on(Backend::Sqlite, &vars, test).await;
}

/// Every file the app's media store holds, as keys relative to its root, sorted.
pub async fn stored_files(app: &TestApp) -> Vec<String> {
    let mut files = match &app.media {
        MediaStore::Dir(dir) => {
            let mut files = vec![];
            let mut dirs = vec![dir.path().to_path_buf()];
            while let Some(d) = dirs.pop() {
                for entry in std::fs::read_dir(&d).expect("read media dir") {
                    let path = entry.expect("entry").path();
                    if path.is_dir() {
                        dirs.push(path);
                    } else {
                        let rel = path.strip_prefix(dir.path()).expect("under the root");
                        files.push(rel.to_string_lossy().into_owned());
                    }
                }
            }
            files
        }
        MediaStore::S3 { endpoint, bucket } => {
            let mut res = awc::Client::new()
                .get(format!("{endpoint}/{bucket}?list-type=2"))
                .send()
                .await
                .expect("list bucket");
            let body = res.body().await.expect("listing");
            let xml = String::from_utf8_lossy(&body).into_owned();
            xml.split("<Key>")
                .skip(1)
                .filter_map(|s| s.split("</Key>").next())
                .map(|k| k.trim_start_matches("media/").to_owned())
                .collect()
        }
        MediaStore::Configured => panic!("the test chose its own media store"),
    };
    files.sort();
    files
}

/// An image `width`×`height` in `format`, with a gradient so that it is not all one colour.
pub fn image_bytes(format: ImageFormat, width: u32, height: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img)
        .write_to(&mut out, format)
        .expect("encode");
    out.into_inner()
}

/// A PNG `width`×`height`.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    image_bytes(ImageFormat::Png, width, height)
}

/// A `multipart/form-data` body with the file `filename` and text parts; its content type.
pub fn form(filename: Option<&str>, file: &[u8], texts: &[(&str, &str)]) -> (Vec<u8>, String) {
    let boundary = "byline-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in texts {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    if let Some(filename) = filename {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (body, format!("multipart/form-data; boundary={boundary}"))
}

/// Uploads `file` as `filename` with the given texts, as the holder of `token`.
pub async fn upload_as(
    app: &TestApp,
    token: &str,
    filename: &str,
    file: &[u8],
    texts: &[(&str, &str)],
) -> Resp {
    let (body, content_type) = form(Some(filename), file, texts);
    app.send_raw(
        Method::POST,
        "/api/v1/media",
        Some(token),
        &[],
        Some((body, &content_type)),
    )
    .await
}

/// Uploads `file` as the admin and returns the medium.
pub async fn upload(app: &TestApp, filename: &str, file: &[u8]) -> Value {
    upload_as(app, &app.admin_token, filename, file, &[])
        .await
        .expect(201)
        .json()
}

/// The number of media rows.
pub async fn media_count(app: &TestApp) -> usize {
    let list = app
        .get("/api/v1/media?limit=100", Some(&app.admin_token))
        .await
        .expect(200)
        .json();
    list["data"].as_array().map_or(0, Vec::len)
}

/// The lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
