//! Preview tokens: `{link id}.{expiry, Unix seconds}.{signature}`, the signature being
//! base64url HMAC-SHA256, keyed with the service's JWT secret, over the link id, the article id
//! and the expiry. A token is bound to one article and one stored link: revoking deletes the
//! link, so every process refuses the token at once. Pure: no database, no HTTP.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The shortest lifetime of a link, in seconds.
pub const MIN_TTL: i64 = 1;
/// The longest lifetime of a link: 7 days.
pub const MAX_TTL: i64 = 7 * 24 * 3600;
/// The lifetime of a link when none is asked for: one day.
pub const DEFAULT_TTL: i64 = 24 * 3600;

/// What a token claims, before the database confirms it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// The stored link the token names.
    pub link_id: String,
    /// When the link expires, in Unix seconds.
    pub expires: i64,
    signature: Vec<u8>,
}

fn mac(secret: &[u8], link_id: &str, article_id: &str, expires: i64) -> Option<Hmac<Sha256>> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).ok()?;
    // A prefix of its own keeps these signatures apart from anything else the secret signs.
    mac.update(b"byline-preview-v1\0");
    mac.update(link_id.as_bytes());
    mac.update(b"\0");
    mac.update(article_id.as_bytes());
    mac.update(b"\0");
    mac.update(expires.to_string().as_bytes());
    Some(mac)
}

/// The token of link `link_id` to article `article_id`, expiring at `expires`.
pub fn sign(secret: &[u8], link_id: &str, article_id: &str, expires: i64) -> Option<String> {
    let tag = mac(secret, link_id, article_id, expires)?
        .finalize()
        .into_bytes();
    Some(format!(
        "{link_id}.{expires}.{}",
        URL_SAFE_NO_PAD.encode(tag)
    ))
}

/// Splits a token into what it claims; `None` when it cannot be one of ours.
pub fn parse(token: &str) -> Option<Claimed> {
    let mut parts = token.split('.');
    let (link_id, expires, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || uuid::Uuid::parse_str(link_id).is_err() {
        return None;
    }
    Some(Claimed {
        link_id: link_id.to_owned(),
        expires: expires.parse().ok()?,
        signature: URL_SAFE_NO_PAD.decode(signature).ok()?,
    })
}

impl Claimed {
    /// Whether the signature is the service's for this link, `article_id` and expiry
    /// (compared in constant time).
    pub fn signed_for(&self, secret: &[u8], article_id: &str) -> bool {
        mac(secret, &self.link_id, article_id, self.expires)
            .is_some_and(|m| m.verify_slice(&self.signature).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"a-test-secret-of-at-least-32-bytes!!";
    const LINK: &str = "0198b7c1-2f4e-7cc1-9a51-6f1d2a3b4c5d";

    #[test]
    fn a_token_verifies_for_its_article_only() {
        let token = sign(SECRET, LINK, "article-a", 1_900_000_000).expect("token");
        let claimed = parse(&token).expect("parses");
        assert_eq!(claimed.link_id, LINK);
        assert_eq!(claimed.expires, 1_900_000_000);
        assert!(claimed.signed_for(SECRET, "article-a"));
        assert!(!claimed.signed_for(SECRET, "article-b"));
        assert!(!claimed.signed_for(b"another-secret-of-at-least-32-bytes", "article-a"));
    }

    #[test]
    fn a_changed_expiry_or_signature_does_not_verify() {
        let token = sign(SECRET, LINK, "a", 1_900_000_000).expect("token");
        let later = token.replace(".1900000000.", ".1900000001.");
        assert!(!parse(&later).expect("parses").signed_for(SECRET, "a"));
        let mut flipped = token.into_bytes();
        let last = flipped.len() - 2;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).expect("ascii");
        assert!(parse(&flipped).is_none_or(|c| !c.signed_for(SECRET, "a")));
    }

    #[test]
    fn malformed_tokens_are_refused() {
        for token in [
            "",
            "x",
            "a.b.c",
            &format!("{LINK}.1.!!"),
            &format!("{LINK}.1.AA.x"),
        ] {
            assert!(parse(token).is_none(), "{token}");
        }
    }
}
