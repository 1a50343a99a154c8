//! Media settings: where the bytes are kept, how large an upload may be, and how long it may
//! take to arrive. Read with the rest of the configuration, by `Config::from_lookup`.

use std::path::PathBuf;
use std::time::Duration;

use crate::config::{err, parse_flag, parse_number, ConfigError};

/// Uploads larger than this get 413 unless `BYLINE_MAX_MEDIA_BYTES` says otherwise: 20 MiB.
pub const DEFAULT_MAX_MEDIA_BYTES: u64 = 20 * 1024 * 1024;

/// Everything the media routes read from the environment.
#[derive(Clone, Debug)]
pub struct MediaConfig {
    /// Where files and renditions are kept.
    pub store: StoreLocation,
    /// Uploaded files above this size get 413 (`BYLINE_MAX_MEDIA_BYTES`).
    pub max_bytes: usize,
    /// How long an upload may take, its body included (`BYLINE_MEDIA_UPLOAD_TIMEOUT`); the
    /// longer of this and `BYLINE_REQUEST_TIMEOUT` applies to `POST /api/v1/media`.
    pub upload_timeout: Duration,
}

/// The media store: a directory, or a bucket of S3-compatible object storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreLocation {
    /// A local directory (`BYLINE_MEDIA_DIR`), created when missing.
    Directory(PathBuf),
    /// `BYLINE_MEDIA_STORE=s3://bucket/prefix` with the usual AWS variables.
    S3(S3Location),
}

/// A bucket, a key prefix and the credentials to reach them.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Location {
    /// The bucket's name.
    pub bucket: String,
    /// Prepended to every key, without leading or trailing `/`; may be empty.
    pub prefix: String,
    /// `AWS_REGION` (default `us-east-1`).
    pub region: String,
    /// `AWS_ENDPOINT_URL`, for S3-compatible services other than AWS.
    pub endpoint: Option<String>,
    /// `AWS_ACCESS_KEY_ID`; unset, credentials come from the instance or task role.
    pub access_key_id: Option<String>,
    /// `AWS_SECRET_ACCESS_KEY`.
    pub secret_access_key: Option<String>,
    /// `AWS_SESSION_TOKEN`, for temporary credentials.
    pub session_token: Option<String>,
    /// `AWS_ALLOW_HTTP=1` allows a plain-http endpoint, e.g. a local test server.
    pub allow_http: bool,
}

// Keeps the secrets out of logs and panics.
impl std::fmt::Debug for S3Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Location")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("allow_http", &self.allow_http)
            .finish_non_exhaustive()
    }
}

impl MediaConfig {
    /// Reads the media settings through `var`, which treats empty values as unset.
    pub fn from_lookup(var: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let store = match var("BYLINE_MEDIA_STORE") {
            Some(url) => StoreLocation::S3(S3Location::parse(url.trim(), var)?),
            None => StoreLocation::Directory(
                var("BYLINE_MEDIA_DIR").map_or_else(|| PathBuf::from("media"), PathBuf::from),
            ),
        };
        let max_bytes = parse_number(
            var,
            "BYLINE_MAX_MEDIA_BYTES",
            DEFAULT_MAX_MEDIA_BYTES,
            1_024..=1_073_741_824,
        )?;
        let max_bytes =
            usize::try_from(max_bytes).map_err(|_| err("BYLINE_MAX_MEDIA_BYTES", "too large"))?;
        let upload_timeout = Duration::from_secs(parse_number(
            var,
            "BYLINE_MEDIA_UPLOAD_TIMEOUT",
            300,
            1..=3_600,
        )?);
        Ok(Self {
            store,
            max_bytes,
            upload_timeout,
        })
    }
}

impl S3Location {
    fn parse(url: &str, var: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        const VAR: &str = "BYLINE_MEDIA_STORE";
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| err(VAR, format!("expected s3://bucket/prefix, got {url:?}")))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid_bucket = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !valid_bucket {
            return Err(err(
                VAR,
                format!("{bucket:?} is not a bucket name (3 to 63 lower-case letters, digits, '-' and '.')"),
            ));
        }
        let endpoint = var("AWS_ENDPOINT_URL");
        if let Some(e) = &endpoint {
            if !url::Url::parse(e).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
                return Err(err(
                    "AWS_ENDPOINT_URL",
                    format!("expected an http(s) URL, got {e:?}"),
                ));
            }
        }
        let access_key_id = var("AWS_ACCESS_KEY_ID");
        let secret_access_key = var("AWS_SECRET_ACCESS_KEY");
        if access_key_id.is_some() != secret_access_key.is_some() {
            return Err(err(
                "AWS_SECRET_ACCESS_KEY",
                "set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither",
            ));
        }
        Ok(Self {
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
            region: var("AWS_REGION").unwrap_or_else(|| "us-east-1".into()),
            endpoint,
            access_key_id,
            secret_access_key,
            session_token: var("AWS_SESSION_TOKEN"),
            allow_http: parse_flag(var, "AWS_ALLOW_HTTP", false)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(pairs: &[(&str, &str)]) -> Result<MediaConfig, ConfigError> {
        let map: std::collections::HashMap<&str, &str> = pairs.iter().copied().collect();
        MediaConfig::from_lookup(&|k: &str| map.get(k).map(|v| (*v).to_owned()))
    }

    #[test]
    fn defaults_are_a_media_directory_and_20_mib() {
        let c = media(&[]).expect("defaults");
        assert_eq!(c.store, StoreLocation::Directory(PathBuf::from("media")));
        assert_eq!(c.max_bytes, 20 * 1024 * 1024);
        assert_eq!(c.upload_timeout, Duration::from_secs(300));
    }

    #[test]
    fn an_s3_url_names_the_bucket_and_the_prefix() {
        let c = media(&[
            ("BYLINE_MEDIA_STORE", "s3://news-media/byline/prod/"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9000"),
            ("AWS_ACCESS_KEY_ID", "key"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_ALLOW_HTTP", "1"),
        ])
        .expect("valid");
        let StoreLocation::S3(s3) = c.store else {
            panic!("not S3");
        };
        assert_eq!(
            (s3.bucket.as_str(), s3.prefix.as_str()),
            ("news-media", "byline/prod")
        );
        assert_eq!(s3.region, "us-east-1");
        assert!(s3.allow_http);
        assert!(!format!("{s3:?}").contains("secret"));
    }

    #[test]
    fn bad_media_settings_name_their_variable() {
        for (pairs, var) in [
            (
                vec![("BYLINE_MEDIA_STORE", "/var/media")],
                "BYLINE_MEDIA_STORE",
            ),
            (
                vec![("BYLINE_MEDIA_STORE", "s3://Bad_Bucket")],
                "BYLINE_MEDIA_STORE",
            ),
            (
                vec![
                    ("BYLINE_MEDIA_STORE", "s3://media"),
                    ("AWS_ACCESS_KEY_ID", "k"),
                ],
                "AWS_SECRET_ACCESS_KEY",
            ),
            (
                vec![
                    ("BYLINE_MEDIA_STORE", "s3://media"),
                    ("AWS_ENDPOINT_URL", "ftp://x"),
                ],
                "AWS_ENDPOINT_URL",
            ),
            (
                vec![("BYLINE_MAX_MEDIA_BYTES", "10")],
                "BYLINE_MAX_MEDIA_BYTES",
            ),
            (
                vec![("BYLINE_MEDIA_UPLOAD_TIMEOUT", "0")],
                "BYLINE_MEDIA_UPLOAD_TIMEOUT",
            ),
        ] {
            let e = media(&pairs).expect_err("refused");
            assert_eq!(e.var, var, "{pairs:?}");
        }
    }
}
