//! Where the public site lives and who publishes it: the settings behind canonical URLs,
//! structured data, feeds and sitemaps (`BYLINE_SITE_URL`, `BYLINE_ARTICLE_PATH`,
//! `BYLINE_PUBLISHER_NAME`, `BYLINE_PUBLISHER_LOGO_URL`), parsed once at start-up.

use crate::config::ConfigError;

/// The public site that shows the articles, and its publisher.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// Scheme, host and optional path prefix, without a trailing slash
    /// (`BYLINE_SITE_URL`).
    pub url: String,
    /// The path of an article page, with `{slug}` and/or `{id}` (`BYLINE_ARTICLE_PATH`).
    pub article_path: String,
    /// The publisher's name (`BYLINE_PUBLISHER_NAME`).
    pub publisher_name: String,
    /// An absolute URL of the publisher's logo (`BYLINE_PUBLISHER_LOGO_URL`).
    pub publisher_logo_url: Option<String>,
}

/// The site's address unless `BYLINE_SITE_URL` says otherwise: Byline's own default address.
pub const DEFAULT_SITE_URL: &str = "http://127.0.0.1:8080";
/// The article page's path unless `BYLINE_ARTICLE_PATH` says otherwise.
pub const DEFAULT_ARTICLE_PATH: &str = "/articles/{slug}";
/// The publisher's name unless `BYLINE_PUBLISHER_NAME` says otherwise.
pub const DEFAULT_PUBLISHER_NAME: &str = "Byline";

impl Default for Site {
    fn default() -> Self {
        Self {
            url: DEFAULT_SITE_URL.into(),
            article_path: DEFAULT_ARTICLE_PATH.into(),
            publisher_name: DEFAULT_PUBLISHER_NAME.into(),
            publisher_logo_url: None,
        }
    }
}

fn err(var: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        reason: reason.into(),
    }
}

/// An absolute http(s) URL with a host and no query or fragment, or why not.
fn web_url(raw: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(raw).map_err(|e| format!("{raw:?} is not an absolute URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!("{raw:?} is not an http:// or https:// URL"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("{raw:?} must not have a query or fragment"));
    }
    Ok(url)
}

impl Site {
    /// Reads the four settings through `var` (which treats empty values as unset).
    pub fn from_lookup(var: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let url = match var("BYLINE_SITE_URL") {
            None => DEFAULT_SITE_URL.to_owned(),
            Some(raw) => web_url(raw.trim())
                .map_err(|r| err("BYLINE_SITE_URL", r))?
                .as_str()
                .trim_end_matches('/')
                .to_owned(),
        };
        let article_path = var("BYLINE_ARTICLE_PATH")
            .map(|p| p.trim().to_owned())
            .unwrap_or_else(|| DEFAULT_ARTICLE_PATH.into());
        if !article_path.starts_with('/')
            || !(article_path.contains("{slug}") || article_path.contains("{id}"))
            || article_path.contains(|c: char| c.is_whitespace() || c == '?' || c == '#')
        {
            return Err(err(
                "BYLINE_ARTICLE_PATH",
                format!("{article_path:?} must be a path starting with / that contains {{slug}} or {{id}}, e.g. /articles/{{slug}}"),
            ));
        }
        let publisher_name = var("BYLINE_PUBLISHER_NAME")
            .map(|n| n.trim().to_owned())
            .unwrap_or_else(|| DEFAULT_PUBLISHER_NAME.into());
        if publisher_name.chars().count() > 200 {
            return Err(err(
                "BYLINE_PUBLISHER_NAME",
                "must be at most 200 characters",
            ));
        }
        let publisher_logo_url = var("BYLINE_PUBLISHER_LOGO_URL")
            .map(|raw| web_url(raw.trim()).map(String::from))
            .transpose()
            .map_err(|r| err("BYLINE_PUBLISHER_LOGO_URL", r))?;
        Ok(Self {
            url,
            article_path,
            publisher_name,
            publisher_logo_url,
        })
    }

    /// The canonical URL of an article page.
    pub fn article_url(&self, id: &str, slug: &str) -> String {
        let path = self
            .article_path
            .replace("{slug}", slug)
            .replace("{id}", id);
        format!("{}{path}", self.url)
    }

    /// An absolute URL on the site for `path` (which starts with `/`).
    pub fn url_of(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn site(vars: &[(&str, &str)]) -> Result<Site, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Site::from_lookup(&|k: &str| map.get(k).cloned())
    }

    #[test]
    fn defaults_give_byline_s_own_address_and_slug_paths() {
        let s = site(&[]).expect("defaults");
        assert_eq!(s, Site::default());
        assert_eq!(
            s.article_url("0198", "a-story"),
            "http://127.0.0.1:8080/articles/a-story"
        );
    }

    #[test]
    fn the_path_pattern_takes_the_slug_and_the_id() {
        let s = site(&[
            ("BYLINE_SITE_URL", "https://news.example/en/"),
            ("BYLINE_ARTICLE_PATH", "/{id}/{slug}"),
        ])
        .expect("valid");
        assert_eq!(
            s.article_url("0198", "a-story"),
            "https://news.example/en/0198/a-story"
        );
    }

    #[test]
    fn a_path_without_slug_or_id_is_refused_naming_the_variable() {
        let e = site(&[("BYLINE_ARTICLE_PATH", "/articles/")]).expect_err("refused");
        assert_eq!(e.var, "BYLINE_ARTICLE_PATH");
        let e = site(&[("BYLINE_ARTICLE_PATH", "articles/{slug}")]).expect_err("refused");
        assert_eq!(e.var, "BYLINE_ARTICLE_PATH");
    }

    #[test]
    fn urls_must_be_absolute_http() {
        for (var, value) in [
            ("BYLINE_SITE_URL", "news.example"),
            ("BYLINE_SITE_URL", "ftp://news.example"),
            ("BYLINE_SITE_URL", "https://news.example/?a=1"),
            ("BYLINE_PUBLISHER_LOGO_URL", "/logo.png"),
        ] {
            let e = site(&[(var, value)]).expect_err(value);
            assert_eq!(e.var, var, "{value}");
        }
    }
}
