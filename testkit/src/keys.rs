//! Signing keys for tests: what a provider (or a forger) signs JWTs with,
//! and the public JWK it would publish (RFC 7517 §4: `kid`, `alg`,
//! `use: sig`).

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

/// A private key, its algorithm and its public JWK.
pub struct TestKey {
    pub kid: String,
    pub alg: Algorithm,
    pub encoding: EncodingKey,
    pub jwk: Jwk,
    /// The public key's raw bytes (for the RS256 → HS256 key-confusion
    /// attack, RFC 8725 §2.1, which signs with them as an HMAC secret).
    pub public_bytes: Vec<u8>,
}

impl TestKey {
    /// A 2048-bit RSA key for RS256. Generation takes a while: keep one per
    /// test binary in a `LazyLock`.
    pub fn rsa(kid: &str) -> Self {
        let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).expect("RSA key generation");
        let der: Pkcs8V1Der = pair.as_der().expect("PKCS#8 DER");
        let encoding = EncodingKey::from_rsa_pem(pem("PRIVATE KEY", der.as_ref()).as_bytes()).expect("RSA PEM");
        Self::new(kid, Algorithm::RS256, encoding, pair.public_key().as_ref().to_vec())
    }

    /// A P-256 key for ES256.
    pub fn ec(kid: &str) -> Self {
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
            .expect("EC key generation");
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).expect("EC key");
        let encoding = EncodingKey::from_ec_der(pkcs8.as_ref());
        Self::new(kid, Algorithm::ES256, encoding, pair.public_key().as_ref().to_vec())
    }

    fn new(kid: &str, alg: Algorithm, encoding: EncodingKey, public_bytes: Vec<u8>) -> Self {
        let mut jwk = Jwk::from_encoding_key(&encoding, alg).expect("JWK from key");
        jwk.common.key_id = Some(kid.to_owned());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        Self { kid: kid.to_owned(), alg, encoding, jwk, public_bytes }
    }

    /// Signs `claims` with this key's `alg` and `kid`, with the given `typ`
    /// (`JWT` for an ID token, `at+jwt` for an RFC 9068 access token).
    pub fn sign(&self, claims: &impl Serialize, typ: &str) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.clone());
        header.typ = Some(typ.to_owned());
        jsonwebtoken::encode(&header, claims, &self.encoding).expect("signing works")
    }
}

/// DER bytes as PEM (RFC 7468 §2): base64 in lines of 64 characters.
pub fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{DecodingKey, Validation};

    use super::*;

    #[test]
    fn a_signature_verifies_with_the_published_jwk_and_names_its_key() {
        let key = TestKey::ec("k1");
        let token = key.sign(&serde_json::json!({ "sub": "x", "exp": 4_000_000_000u64 }), "at+jwt");
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!((header.kid.as_deref(), header.typ.as_deref()), (Some("k1"), Some("at+jwt")));
        let mut validation = Validation::new(Algorithm::ES256);
        validation.required_spec_claims.clear();
        validation.validate_aud = false;
        let decoded =
            jsonwebtoken::decode::<serde_json::Value>(&token, &DecodingKey::from_jwk(&key.jwk).unwrap(), &validation)
                .unwrap();
        assert_eq!(decoded.claims["sub"], "x");
    }

    #[test]
    fn pem_lines_are_64_characters() {
        let text = pem("TEST", &[7u8; 100]);
        assert!(text.starts_with("-----BEGIN TEST-----\n") && text.ends_with("-----END TEST-----\n"));
        assert!(text.lines().all(|line| line.len() <= 64 || line.starts_with("-----")));
    }
}
