//! Opaque bearer secrets — refresh tokens and API key secrets — and their stored digests.
//!
//! The secrets are 32 random bytes, so a fast SHA-256 digest is enough to store them: unlike
//! passwords they cannot be guessed, and a leaked digest cannot be turned back into a secret.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A new random secret: 32 bytes from the OS generator, base64url without padding (43 chars).
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The digest stored in place of a secret: SHA-256, lower-case hex.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares two digests in time independent of where they first differ.
pub fn digests_match(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_43_url_safe_characters_and_never_repeat() {
        let (a, b) = (generate(), generate());
        assert_eq!(a.len(), 43);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_ne!(a, b);
    }

    #[test]
    fn digests_are_stable_hex_and_compare_exactly() {
        let d = digest("secret");
        assert_eq!(d.len(), 64);
        assert_eq!(d, digest("secret"));
        assert!(digests_match(&d, &digest("secret")));
        assert!(!digests_match(&d, &digest("secret2")));
        assert!(!digests_match(&d, "short"));
    }
}
