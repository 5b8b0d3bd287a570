//! Signing keys (RFC 7517, RFC 7518) and the JWKS.
//!
//! Tokens are signed with an asymmetric key so that anyone can verify them
//! with the public half, published at `/.well-known/jwks.json`, and nobody
//! but the provider can mint them (RFC 8725 §3.1). A key pair is generated
//! on first start and kept in the database, so tokens stay valid across
//! restarts. The `kid` is the key's RFC 7638 thumbprint.
//!
//! Rotation (RFC 9700 §2.6 and checklist 41): a new key is added and becomes
//! the signer; retired keys stay published until every token they signed has
//! expired, then are pruned.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use aws_lc_rs::encoding::AsDer;
use base64::Engine;
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use sqlx::AnyPool;

use crate::store;

/// One key pair, ready to sign and verify.
pub struct SigningKey {
    pub kid: String,
    pub alg: Algorithm,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    pub public_jwk: Jwk,
}

/// The active signer plus every key still published.
pub struct KeyRing {
    pub active: Arc<SigningKey>,
    pub by_kid: HashMap<String, Arc<SigningKey>>,
    pub jwks: JwkSet,
}

/// Shared, reloadable key ring.
#[derive(Clone)]
pub struct Keys(Arc<RwLock<Arc<KeyRing>>>);

impl Keys {
    /// Loads the keys, creating a key for `alg` when none is active or the
    /// active one is for another algorithm.
    pub async fn load_or_create(pool: &AnyPool, alg: Algorithm) -> anyhow::Result<Self> {
        let stored = store::keys::all(pool).await?;
        let active_alg = stored.iter().find(|k| k.retired_at.is_none()).map(|k| k.alg.clone());
        if active_alg.as_deref() != Some(alg_name(alg)) {
            rotate(pool, alg).await?;
        }
        let ring = load_ring(pool).await?;
        Ok(Self(Arc::new(RwLock::new(Arc::new(ring)))))
    }

    /// The current key ring.
    pub fn ring(&self) -> Arc<KeyRing> {
        match self.0.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Re-reads the keys from the database (after a rotation by
    /// `provider keys rotate`, another process).
    pub async fn reload(&self, pool: &AnyPool) -> anyhow::Result<()> {
        let ring = Arc::new(load_ring(pool).await?);
        match self.0.write() {
            Ok(mut guard) => *guard = ring,
            Err(poisoned) => *poisoned.into_inner() = ring,
        }
        Ok(())
    }
}

/// Generates a new key for `alg`, stores it as the active signer and
/// retires the previous one. Returns the new `kid`.
pub async fn rotate(pool: &AnyPool, alg: Algorithm) -> anyhow::Result<String> {
    let pem = generate_pem(alg)?;
    let key = signing_key_from_pem(alg, &pem)?;
    store::keys::insert_active(pool, &key.kid, alg_name(alg), &pem).await?;
    Ok(key.kid)
}

async fn load_ring(pool: &AnyPool) -> anyhow::Result<KeyRing> {
    let stored = store::keys::all(pool).await?;
    let mut by_kid = HashMap::new();
    let mut active = None;
    let mut jwks = JwkSet { keys: Vec::new() };
    for row in stored {
        let alg =
            parse_alg(&row.alg).ok_or_else(|| anyhow::anyhow!("stored key {} has unknown alg {}", row.kid, row.alg))?;
        let key = Arc::new(signing_key_from_pem(alg, &row.private_pem)?);
        if row.retired_at.is_none() && active.is_none() {
            active = Some(key.clone());
        }
        jwks.keys.push(key.public_jwk.clone());
        by_kid.insert(row.kid.clone(), key);
    }
    let active = active.ok_or_else(|| anyhow::anyhow!("no active signing key in the database"))?;
    Ok(KeyRing { active, by_kid, jwks })
}

pub fn alg_name(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::ES256 => "ES256",
        Algorithm::EdDSA => "EdDSA",
        _ => "RS256",
    }
}

fn parse_alg(name: &str) -> Option<Algorithm> {
    match name {
        "RS256" => Some(Algorithm::RS256),
        "ES256" => Some(Algorithm::ES256),
        "EdDSA" => Some(Algorithm::EdDSA),
        _ => None,
    }
}

/// A fresh PKCS#8 private key, PEM-encoded.
fn generate_pem(alg: Algorithm) -> anyhow::Result<String> {
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair};
    let der: Vec<u8> = match alg {
        Algorithm::ES256 => EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
            .map_err(|_| anyhow::anyhow!("EC key generation failed"))?
            .as_ref()
            .to_vec(),
        Algorithm::EdDSA => Ed25519KeyPair::generate_pkcs8v1(&SystemRandom::new())
            .map_err(|_| anyhow::anyhow!("Ed25519 key generation failed"))?
            .as_ref()
            .to_vec(),
        _ => {
            let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
                .map_err(|_| anyhow::anyhow!("RSA key generation failed"))?;
            let der: aws_lc_rs::encoding::Pkcs8V1Der =
                pair.as_der().map_err(|_| anyhow::anyhow!("RSA key encoding failed"))?;
            der.as_ref().to_vec()
        }
    };
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    Ok(pem)
}

/// Builds the signing and verification halves and the public JWK.
fn signing_key_from_pem(alg: Algorithm, pem: &str) -> anyhow::Result<SigningKey> {
    let encoding = match alg {
        Algorithm::ES256 => EncodingKey::from_ec_pem(pem.as_bytes())?,
        Algorithm::EdDSA => EncodingKey::from_ed_pem(pem.as_bytes())?,
        _ => EncodingKey::from_rsa_pem(pem.as_bytes())?,
    };
    let mut jwk = Jwk::from_encoding_key(&encoding, alg)?;
    let kid = jwk.thumbprint(ThumbprintHash::SHA256)?;
    jwk.common.key_id = Some(kid.clone());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    jwk.common.key_algorithm = Some(KeyAlgorithm::from(alg));
    let decoding = DecodingKey::from_jwk(&jwk)?;
    Ok(SigningKey { kid, alg, encoding, decoding, public_jwk: jwk })
}

/// Deletes retired keys whose every token has expired: a key retired at T
/// signed its last token at T, which expired by T + the token lifetime.
pub async fn prune(pool: &AnyPool, token_ttl: std::time::Duration) -> anyhow::Result<u64> {
    let cutoff = shared::now_unix() - token_ttl.as_secs() as i64 - 60;
    Ok(store::keys::prune_retired_before(pool, cutoff).await?)
}
