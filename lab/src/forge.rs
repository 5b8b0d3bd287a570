//! The attacker's own key and the tokens they forge with it (or without
//! any key at all). The todo API must refuse every one of them: RFC 8725
//! §2.1 lists the attacks, §3.1 the defence — "Libraries MUST enable the
//! caller to specify a supported set of algorithms and MUST NOT use any
//! other algorithms when performing cryptographic operations."

use anyhow::Context as _;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::config::Config;

/// The `kid` of the attacker's key: the provider never published it.
pub const ATTACKER_KID: &str = "lab-attacker-key";

/// An ES256 key pair generated when the lab starts.
pub struct AttackerKey {
    encoding: EncodingKey,
    /// The public key as a JWK (with `kid`, `alg`, `use`).
    pub jwk: Value,
}

impl AttackerKey {
    pub fn generate() -> anyhow::Result<Self> {
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
            .map_err(|_| anyhow::anyhow!("cannot generate a P-256 key"))?;
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref())
            .map_err(|_| anyhow::anyhow!("cannot read the generated key"))?;
        // The public key is the uncompressed point 0x04 || x || y.
        let point = pair.public_key().as_ref();
        let (x, y) = point.get(1..).context("an uncompressed point")?.split_at(32);
        let jwk = json!({
            "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": ATTACKER_KID,
            "x": shared::random::b64url(x), "y": shared::random::b64url(y),
        });
        Ok(Self { encoding: EncodingKey::from_ec_der(pkcs8.as_ref()), jwk })
    }

    /// The JWKS the lab publishes at `/.well-known/jwks.json` (what a `jku`
    /// header would point at).
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.jwk] })
    }

    /// `claims` signed with the attacker's key, `header` as given.
    pub fn sign(&self, mut header: Header, claims: &Value) -> anyhow::Result<String> {
        header.alg = Algorithm::ES256;
        jsonwebtoken::encode(&header, claims, &self.encoding).context("signing with the attacker's key")
    }
}

/// The claims of an access token for the todo API, as the provider would
/// issue one (RFC 9068 §2.2), valid from now for five minutes.
pub fn access_token_claims(config: &Config, sub: &str) -> Value {
    let now = shared::now_unix();
    json!({
        "iss": config.provider_public_url,
        "sub": sub,
        "aud": config.todo_api_audience,
        "exp": now + 300,
        "iat": now,
        "nbf": now,
        "jti": shared::random::random_token(),
        "client_id": "todo-app",
        "scope": "todos:read todos:write",
    })
}

/// A JOSE header `{"typ":"at+jwt", …}` with the given algorithm and kid.
pub fn access_token_header(alg: Algorithm, kid: Option<&str>) -> Header {
    let mut header = Header::new(alg);
    header.typ = Some("at+jwt".into());
    header.kid = kid.map(str::to_owned);
    header
}

/// The header of a token signed with the attacker's own key: ES256, under
/// a `kid` the provider never published.
pub fn attacker_header() -> Header {
    access_token_header(Algorithm::ES256, Some(ATTACKER_KID))
}

/// base64url(JSON) of a JOSE part.
pub fn encode_part(value: &Value) -> String {
    shared::random::b64url(value.to_string().as_bytes())
}

/// An unsecured JWT (RFC 7519 §6): `alg: none`, empty signature.
pub fn unsecured(kid: Option<&str>, claims: &Value) -> String {
    let mut header = json!({ "alg": "none", "typ": "at+jwt" });
    if let Some(kid) = kid {
        header["kid"] = json!(kid);
    }
    format!("{}.{}.", encode_part(&header), encode_part(claims))
}

/// HS256 over `header.payload` with `secret` as the HMAC key.
pub fn hs256(kid: Option<&str>, claims: &Value, secret: &[u8]) -> anyhow::Result<String> {
    let header = access_token_header(Algorithm::HS256, kid);
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret)).context("HS256 signing")
}

/// A token's payload, decoded (no checks: the attacker reads it).
pub fn payload_of(token: &str) -> Option<Value> {
    let part = token.split('.').nth(1)?;
    let bytes = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, part).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A token's header, decoded.
pub fn header_of(token: &str) -> Option<Value> {
    let part = token.split('.').next()?;
    let bytes = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, part).ok()?;
    serde_json::from_slice(&bytes).ok()
}
