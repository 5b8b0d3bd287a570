//! Signing keys (RFC 7517, RFC 7518) and the JWKS.
//!
//! Tokens are signed with an asymmetric key so that anyone can verify them
//! with the public half, published at `/.well-known/jwks.json`, and nobody
//! but the provider can mint them (RFC 8725 §3.1). A key pair is generated
//! on first start and kept in the database, so tokens stay valid across
//! restarts. The `kid` is the key's RFC 7638 thumbprint.
//!
//! One key per algorithm in use: access tokens are signed with
//! `PROVIDER_ACCESS_TOKEN_ALG` (ES256 by default: RFC 9068 §2.1 requires
//! that RS256 be *supported*, not that it be used, and an ES256 signature
//! costs a twentieth of an RS256 one) and ID tokens with
//! `PROVIDER_ID_TOKEN_ALG` (RS256 by default, the default of OIDC
//! Registration's `id_token_signed_response_alg`). The JWKS publishes every
//! key with its `kid`, `alg` and `use`, and a verifier picks the key by
//! `kid` and checks that its `alg` is the token's.
//!
//! Rotation: a verifier caches the JWKS for as long as the JWKS response's
//! `Cache-Control: max-age` allows, so a key that signed at once would make
//! its tokens unverifiable until those caches expire. A new key is therefore
//! published first and signs only after that lifetime
//! (`PROVIDER_KEY_PUBLISH_SECONDS`, which is also the max-age); the key of
//! the same algorithm it replaces signs until then. The first keys of a
//! fresh database sign at once: nobody can have cached anything. Retired
//! keys stay published until every token they signed has expired, then are
//! pruned.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use aws_lc_rs::encoding::AsDer;
use base64::Engine;
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use shared::db::Kept;

use crate::jws::KeyPair;
use crate::store;

/// One key pair, ready to sign and verify.
pub struct SigningKey {
    pub kid: String,
    pub alg: Algorithm,
    /// The private key, parsed once (see `crate::jws`).
    pub pair: KeyPair,
    pub decoding: DecodingKey,
    pub public_jwk: Jwk,
}

/// The signer of each algorithm plus every key still published.
pub struct KeyRing {
    /// For each algorithm, the key that signs with it now.
    signing: HashMap<Algorithm, Arc<SigningKey>>,
    /// The key that signs when the wanted algorithm has none yet.
    fallback: Arc<SigningKey>,
    pub by_kid: HashMap<String, Arc<SigningKey>>,
    pub jwks: JwkSet,
    /// Every key with the time it signs from, latest first.
    keys: Vec<(i64, Arc<SigningKey>)>,
    /// When a published key newer than a signer starts signing.
    next_switch: Option<i64>,
}

impl KeyRing {
    fn new(keys: Vec<(i64, Arc<SigningKey>)>, now: i64) -> anyhow::Result<Self> {
        // Per algorithm, the key whose time came last (they are in that
        // order).
        let mut signing = HashMap::new();
        for (_, key) in keys.iter().filter(|(from, _)| *from <= now) {
            signing.entry(key.alg).or_insert_with(|| key.clone());
        }
        // A key for an algorithm newly configured is published before it
        // signs; until then the tokens of that kind are signed by the key
        // whose time came last — or, if none has come (a clock set back),
        // by the one that comes first. Either is in the JWKS.
        let fallback = keys
            .iter()
            .find(|(from, _)| *from <= now)
            .or_else(|| keys.iter().min_by_key(|(from, _)| *from))
            .map(|(_, key)| key.clone())
            .ok_or_else(|| anyhow::anyhow!("no signing key in the database"))?;
        let next_switch = keys.iter().map(|(from, _)| *from).filter(|from| *from > now).min();
        let by_kid = keys.iter().map(|(_, key)| (key.kid.clone(), key.clone())).collect();
        let jwks = JwkSet { keys: keys.iter().map(|(_, key)| key.public_jwk.clone()).collect() };
        Ok(Self { signing, fallback, by_kid, jwks, keys, next_switch })
    }

    /// The key that signs tokens of algorithm `alg` now.
    pub fn signer(&self, alg: Algorithm) -> &Arc<SigningKey> {
        self.signing.get(&alg).unwrap_or(&self.fallback)
    }
}

/// Shared, reloadable key ring.
#[derive(Clone)]
pub struct Keys(Arc<RwLock<Arc<KeyRing>>>);

impl Keys {
    /// Loads the keys, creating a key for each algorithm of `algs` that has
    /// none: it signs at once in a fresh database, and is published first,
    /// like any rotation, in one that already has keys. Keys of algorithms
    /// no longer in `algs` are retired once the new keys sign, and pruned
    /// once their tokens have expired.
    pub async fn load_or_create(db: &Kept, algs: &[Algorithm], publish_delay: Duration) -> anyhow::Result<Self> {
        let stored = store::keys::all(&mut *db.acquire().await?).await?;
        let delay = if stored.is_empty() { Duration::ZERO } else { publish_delay };
        let mut switch_at = shared::now_unix();
        for &alg in algs {
            if !stored.iter().any(|k| k.retired_at.is_none() && k.alg == alg_name(alg)) {
                switch_at = switch_at.max(rotate(db, alg, delay).await?.1);
            }
        }
        let in_use: Vec<&str> = algs.iter().map(|&alg| alg_name(alg)).collect();
        store::keys::retire_other_algorithms(&mut *db.acquire().await?, &in_use, switch_at).await?;
        let ring = load_ring(db).await?;
        Ok(Self(Arc::new(RwLock::new(Arc::new(ring)))))
    }

    /// The current key ring; a published key whose time to sign has come
    /// takes over here.
    pub fn ring(&self) -> Arc<KeyRing> {
        let ring = match self.0.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        let now = shared::now_unix();
        if ring.next_switch.is_none_or(|at| at > now) {
            return ring;
        }
        let Ok(switched) = KeyRing::new(ring.keys.clone(), now) else { return ring };
        let switched = Arc::new(switched);
        match self.0.write() {
            Ok(mut guard) => *guard = switched.clone(),
            Err(poisoned) => *poisoned.into_inner() = switched.clone(),
        }
        switched
    }

    /// Re-reads the keys from the database (after a rotation by
    /// `provider keys rotate`, another process).
    pub async fn reload(&self, db: &Kept) -> anyhow::Result<()> {
        let ring = Arc::new(load_ring(db).await?);
        match self.0.write() {
            Ok(mut guard) => *guard = ring,
            Err(poisoned) => *poisoned.into_inner() = ring,
        }
        Ok(())
    }
}

/// Generates a new key for `alg` and publishes it; it signs once
/// `publish_delay` has passed, and the previous key of `alg` signs until then.
/// Returns the new `kid` and the unix time it signs from.
pub async fn rotate(db: &Kept, alg: Algorithm, publish_delay: Duration) -> anyhow::Result<(String, i64)> {
    let pem = generate_pem(alg)?;
    let key = signing_key_from_pem(alg, &pem)?;
    let signs_from = shared::now_unix() + publish_delay.as_secs() as i64;
    store::keys::insert(&mut *db.acquire().await?, &key.kid, alg_name(alg), &pem, signs_from).await?;
    Ok((key.kid, signs_from))
}

async fn load_ring(db: &Kept) -> anyhow::Result<KeyRing> {
    // The rows first: the connection goes back before the keys are parsed.
    let rows = store::keys::all(&mut *db.acquire().await?).await?;
    let mut keys = Vec::new();
    for row in rows {
        let alg =
            parse_alg(&row.alg).ok_or_else(|| anyhow::anyhow!("stored key {} has unknown alg {}", row.kid, row.alg))?;
        keys.push((row.signs_from, Arc::new(signing_key_from_pem(alg, &row.private_pem)?)));
    }
    KeyRing::new(keys, shared::now_unix())
}

pub fn alg_name(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::ES256 => "ES256",
        Algorithm::EdDSA => "EdDSA",
        _ => "RS256",
    }
}

pub fn parse_alg(name: &str) -> Option<Algorithm> {
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
    Ok(SigningKey { kid, alg, pair: KeyPair::parse(alg, &encoding)?, decoding, public_jwk: jwk })
}

/// A new private key of `alg` in PEM, for tests.
#[cfg(test)]
pub(crate) fn fresh_pem(alg: Algorithm) -> String {
    generate_pem(alg).unwrap()
}

/// A new key of `alg`, for tests.
#[cfg(test)]
pub(crate) fn fresh(alg: Algorithm) -> SigningKey {
    signing_key_from_pem(alg, &fresh_pem(alg)).unwrap()
}

/// Deletes retired keys whose every token has expired: a key retired at T
/// (the moment its successor starts signing) signed its last token at T,
/// which expired by T + the token lifetime.
pub async fn prune(db: &Kept, token_ttl: std::time::Duration) -> anyhow::Result<u64> {
    let cutoff = shared::now_unix() - token_ttl.as_secs() as i64 - 60;
    Ok(store::keys::prune_retired_before(&mut *db.acquire().await?, cutoff).await?)
}
