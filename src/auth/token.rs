//! HS256 access tokens: issuing and verifying, with the algorithm pinned and `exp`, `nbf`,
//! `iss` and `aud` checked.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::Config;
use crate::error::AppError;

/// Clock skew tolerated when checking `exp` and `nbf`, in seconds.
const LEEWAY_SECONDS: u64 = 60;

/// The claims of a Byline access token. `sub` names the user and `sid` the session (a login or
/// an API key) the token belongs to; rights are always read from the user record, and the token
/// is good only while its session is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub sid: String,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    pub iss: String,
    pub aud: String,
    pub jti: String,
}

/// Signing and verification keys with the rules tokens must satisfy.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl: u64,
}

impl TokenKeys {
    /// Builds the keys from the configuration.
    pub fn from_config(config: &Config) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_issuer(&[&config.jwt_issuer]);
        validation.set_audience(&[&config.jwt_audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(&config.jwt_secret),
            decoding: DecodingKey::from_secret(&config.jwt_secret),
            validation,
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            ttl: config.access_token_ttl,
        }
    }

    /// Lifetime of the tokens issued, in seconds.
    pub fn ttl(&self) -> u64 {
        self.ttl
    }

    /// Issues an access token for the user `sub` in the session `sid`.
    pub fn issue(&self, sub: &str, sid: &str) -> Result<String, AppError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: sub.to_owned(),
            sid: sid.to_owned(),
            exp: now + i64::try_from(self.ttl).unwrap_or(900),
            iat: now,
            nbf: now,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            jti: Uuid::now_v7().to_string(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AppError::internal(format!("token signing failed: {e}")))
    }

    /// Verifies signature, algorithm and registered claims; any failure is a 401.
    pub fn verify(&self, token: &str) -> Result<Claims, AppError> {
        use jsonwebtoken::errors::ErrorKind;
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| {
                let why = match e.kind() {
                    ErrorKind::ExpiredSignature => "the access token has expired",
                    ErrorKind::ImmatureSignature => "the access token is not valid yet",
                    ErrorKind::InvalidIssuer => "the access token has the wrong issuer",
                    ErrorKind::InvalidAudience => "the access token has the wrong audience",
                    ErrorKind::InvalidAlgorithm => {
                        "the access token uses an algorithm other than HS256"
                    }
                    _ => "the access token is invalid",
                };
                AppError::Unauthorized(why.into())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str, iss: &str) -> TokenKeys {
        let mut c = Config::from_lookup(|_| None).expect("defaults");
        c.jwt_secret = secret.as_bytes().to_vec();
        c.jwt_issuer = iss.into();
        TokenKeys::from_config(&c)
    }

    #[test]
    fn issued_tokens_verify_and_carry_all_registered_claims() {
        let k = keys("0123456789abcdef0123456789abcdef", "byline");
        let claims = k
            .verify(&k.issue("user-1", "session-1").expect("issue"))
            .expect("verify");
        assert_eq!(claims.sub, "user-1");
        assert_eq!(claims.sid, "session-1");
        assert_eq!(claims.aud, "byline-api");
        assert_eq!(claims.exp - claims.iat, 900);
        assert!(!claims.jti.is_empty());
    }

    #[test]
    fn tokens_from_another_key_or_issuer_are_rejected() {
        let a = keys("0123456789abcdef0123456789abcdef", "byline");
        let other_key = keys("ffffffffffffffffffffffffffffffff", "byline");
        let other_iss = keys("0123456789abcdef0123456789abcdef", "elsewhere");
        assert!(a
            .verify(&other_key.issue("u", "s").expect("issue"))
            .is_err());
        assert!(a
            .verify(&other_iss.issue("u", "s").expect("issue"))
            .is_err());
        assert!(a.verify("not.a.token").is_err());
    }
}
