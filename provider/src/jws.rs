//! Signing a JWT: the JWS Compact Serialization (RFC 7515 §7.1).
//!
//! A signed JWT is `BASE64URL(header) "." BASE64URL(claims) "."
//! BASE64URL(signature)`, the signature taken over the first two parts as
//! they stand (RFC 7515 §5.1). `jsonwebtoken::encode` does the same, but
//! parses the PKCS#8 private key again for every token: for ES256 and
//! EdDSA that parse computes the public key, a scalar multiplication as
//! costly as the signature itself. The provider signs every token with one
//! of a few keys, so each key is parsed once, into a [`KeyPair`].

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, RSA_PKCS1_SHA256, RsaKeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

/// A private key, parsed, for one of the algorithms the provider signs
/// with (RFC 7518 §3.1: RS256 and ES256; RFC 8037 §3.1: EdDSA).
pub enum KeyPair {
    Es256(EcdsaKeyPair),
    EdDsa(Ed25519KeyPair),
    Rs256(RsaKeyPair),
}

impl KeyPair {
    /// Parses the key `jsonwebtoken` read from PEM: PKCS#8 for ES256 and
    /// EdDSA, PKCS#1 for RS256.
    pub fn parse(alg: Algorithm, key: &EncodingKey) -> anyhow::Result<Self> {
        let der = key.as_bytes();
        let rejected = |e: aws_lc_rs::error::KeyRejected| anyhow::anyhow!("the {alg:?} private key is unusable: {e}");
        Ok(match alg {
            Algorithm::ES256 => {
                Self::Es256(EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der).map_err(rejected)?)
            }
            Algorithm::EdDSA => Self::EdDsa(Ed25519KeyPair::from_pkcs8(der).map_err(rejected)?),
            Algorithm::RS256 => Self::Rs256(RsaKeyPair::from_der(der).map_err(rejected)?),
            other => anyhow::bail!("the provider does not sign with {other:?}"),
        })
    }

    pub fn alg(&self) -> Algorithm {
        match self {
            Self::Es256(_) => Algorithm::ES256,
            Self::EdDsa(_) => Algorithm::EdDSA,
            Self::Rs256(_) => Algorithm::RS256,
        }
    }

    /// The signature of `message`: for ES256 the fixed-width `R || S` of
    /// RFC 7518 §3.4, not DER.
    fn sign(&self, message: &[u8]) -> anyhow::Result<Vec<u8>> {
        let failed = |_| anyhow::anyhow!("signing with {:?} failed", self.alg());
        match self {
            Self::Es256(pair) => Ok(pair.sign(&SystemRandom::new(), message).map_err(failed)?.as_ref().to_vec()),
            Self::EdDsa(pair) => Ok(pair.sign(message).as_ref().to_vec()),
            Self::Rs256(pair) => {
                let mut signature = vec![0; pair.public_modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut signature).map_err(failed)?;
                Ok(signature)
            }
        }
    }
}

/// `claims` under `header`, signed with `key` (RFC 7515 §7.1). The header
/// must name the key's algorithm (RFC 8725 §3.1: one key, one algorithm).
pub fn sign(header: &Header, claims: &impl Serialize, key: &KeyPair) -> anyhow::Result<String> {
    anyhow::ensure!(header.alg == key.alg(), "a {:?} header for a {:?} key", header.alg, key.alg());
    let part = |json: Vec<u8>| URL_SAFE_NO_PAD.encode(json);
    let signing_input = format!("{}.{}", part(serde_json::to_vec(header)?), part(serde_json::to_vec(claims)?));
    let signature = URL_SAFE_NO_PAD.encode(key.sign(signing_input.as_bytes())?);
    Ok(format!("{signing_input}.{signature}"))
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{Validation, decode};
    use serde_json::{Value, json};

    use super::*;
    use crate::keys;

    fn claims() -> Value {
        json!({"iss": "https://issuer.test", "sub": "someone", "exp": shared::now_unix() + 60})
    }

    #[test]
    fn what_it_signs_verifies_with_jsonwebtoken_for_every_algorithm() {
        for alg in [Algorithm::ES256, Algorithm::EdDSA, Algorithm::RS256] {
            let key = keys::fresh(alg);
            let token = sign(&Header::new(alg), &claims(), &key.pair).unwrap();
            let mut validation = Validation::new(alg);
            validation.validate_aud = false;
            let decoded = decode::<Value>(&token, &key.decoding, &validation).unwrap();
            assert_eq!(decoded.claims["sub"], "someone", "{alg:?}");
            let mut tampered = token.clone();
            tampered.insert(tampered.rfind('.').unwrap() + 1, 'A');
            assert!(decode::<Value>(&tampered, &key.decoding, &validation).is_err(), "{alg:?}");
        }
    }

    #[test]
    fn deterministic_signatures_match_jsonwebtoken_byte_for_byte() {
        // Ed25519 and RSASSA-PKCS1-v1_5 sign deterministically, so the same
        // header, claims and key give jsonwebtoken's very token.
        for alg in [Algorithm::EdDSA, Algorithm::RS256] {
            let pem = keys::fresh_pem(alg);
            let encoding = match alg {
                Algorithm::EdDSA => EncodingKey::from_ed_pem(pem.as_bytes()).unwrap(),
                _ => EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
            };
            let pair = KeyPair::parse(alg, &encoding).unwrap();
            let (header, claims) = (Header::new(alg), claims());
            let ours = sign(&header, &claims, &pair).unwrap();
            assert_eq!(ours, jsonwebtoken::encode(&header, &claims, &encoding).unwrap(), "{alg:?}");
        }
    }

    #[test]
    fn a_header_naming_another_algorithm_is_refused() {
        let key = keys::fresh(Algorithm::ES256);
        assert!(sign(&Header::new(Algorithm::RS256), &claims(), &key.pair).is_err());
    }
}
