use super::*;

fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: std::collections::HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Config::from_lookup(|k| map.get(k).cloned())
}

#[test]
fn defaults_need_no_environment() {
    let c = config(&[]).expect("defaults are valid");
    assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(c.database_url, DatabaseUrl::Sqlite("byline.db".into()));
    assert!(c.jwt_secret_generated && c.jwt_secret.len() == 32);
    assert_eq!(c.access_token_ttl, 900);
    assert_eq!(c.refresh_token_ttl, 2_592_000);
    assert!(c.demo);
    assert_eq!(c.cors, CorsPolicy::ReadsFromAnyOrigin);
    assert!(c.password_threads >= 1);
    assert_eq!(c.password_queue, 16);
    assert_eq!(c.request_timeout, Duration::from_secs(30));
    assert!(c.trusted_proxies.is_empty());
    assert_eq!(c.rate_limit, 1_200);
}

#[test]
fn cors_origins_choose_the_policy() {
    let any = config(&[("BYLINE_CORS_ORIGINS", "*")]).expect("valid");
    assert_eq!(any.cors, CorsPolicy::AnyOrigin);
    let listed = config(&[(
        "BYLINE_CORS_ORIGINS",
        "https://news.example, http://localhost:3000",
    )])
    .expect("valid");
    assert_eq!(
        listed.cors,
        CorsPolicy::Origins(vec![
            "https://news.example".into(),
            "http://localhost:3000".into()
        ])
    );
}

#[test]
fn the_refresh_token_lifetime_is_read_in_seconds() {
    let c = config(&[("BYLINE_REFRESH_TOKEN_TTL", "3600")]).expect("valid");
    assert_eq!(c.refresh_token_ttl, 3600);
}

#[test]
fn bad_values_name_their_variable() {
    for (var, value) in [
        ("BYLINE_BIND", "nope"),
        ("BYLINE_JWT_SECRET", "short"),
        ("BYLINE_ACCESS_TOKEN_TTL", "-5"),
        ("BYLINE_REFRESH_TOKEN_TTL", "59"),
        ("BYLINE_REFRESH_TOKEN_TTL", "31536001"),
        ("BYLINE_REFRESH_TOKEN_TTL", "a month"),
        ("BYLINE_MAX_BODY_BYTES", "ten"),
        ("BYLINE_DEMO", "maybe"),
        ("BYLINE_PASSWORD_THREADS", "0"),
        ("BYLINE_PASSWORD_QUEUE", "many"),
        ("BYLINE_REQUEST_TIMEOUT", "0"),
        ("BYLINE_REQUEST_TIMEOUT", "3601"),
        ("DATABASE_URL", "mysql://x/y"),
        ("BYLINE_CORS_ORIGINS", "example.com"),
        ("BYLINE_CORS_ORIGINS", "https://exa mple.com"),
        ("BYLINE_CORS_ORIGINS", "https://example.com/"),
        ("BYLINE_TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal"),
        ("BYLINE_RATE_LIMIT", "-1"),
        ("BYLINE_RATE_LIMIT", "1000000001"),
        ("BYLINE_RATE_LIMIT", "lots"),
        ("BYLINE_SITE_URL", "news.example"),
        ("BYLINE_ARTICLE_PATH", "/articles/"),
        ("BYLINE_PUBLISHER_LOGO_URL", "logo.png"),
    ] {
        let e = config(&[(var, value)]).expect_err(var);
        assert_eq!(e.var, var);
        assert!(e.to_string().starts_with(&format!("invalid {var}: ")));
    }
}
