//! Webhook secrets and signatures, per the Standard Webhooks convention: the secret is
//! `whsec_` + base64 of random bytes; a delivery is signed with HMAC-SHA256, keyed with those
//! bytes, over `{webhook-id}.{webhook-timestamp}.{body}`, and the signature header is `v1,` +
//! base64 of the tag.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const PREFIX: &str = "whsec_";

/// Random bytes in a secret.
const SECRET_BYTES: usize = 32;

/// A new secret, `whsec_` + base64 of 32 random bytes.
pub fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{PREFIX}{}", STANDARD.encode(bytes))
}

/// The `webhook-signature` header value for a message; `None` for a secret that is not
/// `whsec_` + base64 (never one this service issued).
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = STANDARD.decode(secret.strip_prefix(PREFIX)?).ok()?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_secret_is_prefixed_base64_of_32_bytes() {
        let secret = new_secret();
        let bytes = STANDARD
            .decode(secret.strip_prefix(PREFIX).expect("prefix"))
            .expect("base64");
        assert_eq!(bytes.len(), SECRET_BYTES);
        assert_ne!(secret, new_secret());
    }

    #[test]
    fn the_signature_covers_id_timestamp_and_body() {
        let secret = format!(
            "{PREFIX}{}",
            STANDARD.encode(b"a key of our own, 32 bytes long!")
        );
        let sig = sign(&secret, "msg_1", 1_700_000_000, b"{}").expect("signs");
        // Computed independently with Python's hmac and hashlib.
        assert_eq!(sig, "v1,p70UKL1/YncVtEFQL+eKH42eWU+RdbT+N13vqQh56is=");
        assert_ne!(
            Some(&sig),
            sign(&secret, "msg_2", 1_700_000_000, b"{}").as_ref()
        );
        assert_ne!(
            Some(&sig),
            sign(&secret, "msg_1", 1_700_000_001, b"{}").as_ref()
        );
        assert_ne!(
            Some(&sig),
            sign(&secret, "msg_1", 1_700_000_000, b"[]").as_ref()
        );
        assert_eq!(sign("not a secret", "msg_1", 1, b"{}"), None);
    }
}
