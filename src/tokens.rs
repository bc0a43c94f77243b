//! Secrets handed to clients (resume tokens, API tokens): random, shown once, stored only as a
//! SHA-256 hash, compared in constant time.

use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A fresh 256-bit random token, hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The stored form of a token. Tokens are 256-bit random values, so a fast hash is enough:
/// there is nothing to brute-force, unlike a password.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Does `token` hash to `stored_hash`? Constant-time in the compared bytes.
pub fn verify(token: &str, stored_hash: &str) -> bool {
    hash_token(token)
        .as_bytes()
        .ct_eq(stored_hash.as_bytes())
        .into()
}

/// SHA-256 of a text, hex-encoded (prompt templates, rubric sources).
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Installs the process-wide TLS crypto provider (ring) used by outgoing HTTPS and PostgreSQL
/// TLS connections. Safe to call more than once.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_against_their_hash_only() {
        let t = random_token();
        assert_eq!(t.len(), 64);
        assert_ne!(t, random_token());
        let h = hash_token(&t);
        assert!(verify(&t, &h));
        assert!(!verify(&random_token(), &h));
        assert!(!verify(&t, ""));
    }
}

/// Prefix of API tokens, so they are recognisable in logs and secret scanners.
pub const TOKEN_PREFIX: &str = "rh_";

/// A staff role; admins can do everything recruiters can.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
    utoipa::ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    Recruiter,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}
