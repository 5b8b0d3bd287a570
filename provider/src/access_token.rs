//! Checking this provider's own JWT access tokens, for the userinfo and
//! introspection endpoints: the same checks a resource server makes (RFC
//! 9068 §4), plus one only the issuer can make — whether the token, or the
//! grant it names, was revoked.
//!
//! A resource server introspects the same token again and again (RFC 7662
//! §4 expects it), so a token whose signature verified is remembered by its
//! digest (`shared::verified`). Every use still checks `exp` and `nbf`,
//! that the signing key is still in the key ring, and — always from the
//! database, so that every replica agrees at once — whether it was revoked.

use jsonwebtoken::{Validation, decode, decode_header};
use shared::jwt::{AccessTokenClaims, is_access_token_typ};
use shared::verified::Verified;

use crate::state::TokenChecker;
use crate::store;

/// Why a token is not (or no longer) valid. The text goes into
/// `error_description`.
#[derive(Debug, thiserror::Error)]
pub enum Invalid {
    #[error("the token is not a JWT signed by this provider ({0})")]
    Malformed(String),
    #[error("the token's typ header is not at+jwt (RFC 9068 §2.1)")]
    NotAnAccessToken,
    #[error("unknown key id: the token was not signed by a key of this provider")]
    UnknownKey,
    #[error("{0}")]
    Rejected(String),
    #[error("the token has been revoked")]
    Revoked,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// Verifies signature, `typ`, `iss`, `exp` and `nbf` (no leeway: the issuer
/// and verifier share a clock) and the revocation list. With
/// `allow_expired`, an expired token still passes (for revocation, where
/// "revoking" an expired token is a harmless no-op).
pub async fn verify(checker: &TokenChecker, token: &str, allow_expired: bool) -> Result<AccessTokenClaims, Invalid> {
    let claims = authentic_claims(checker, token, allow_expired)?;
    let grant_id = claims.grant_id.as_deref();
    if store::tokens::access_token_is_revoked(&mut *checker.reads.acquire().await?, &claims.jti, grant_id).await? {
        return Err(Invalid::Revoked);
    }
    Ok(claims)
}

/// The claims of a token this provider signed, valid now (or expired, with
/// `allow_expired`): from the memo when the signature was verified before.
fn authentic_claims(checker: &TokenChecker, token: &str, allow_expired: bool) -> Result<AccessTokenClaims, Invalid> {
    let now = shared::now_unix();
    // A remembered token's expiry bounds its entry, so an expired one (for
    // revocation) is simply verified again.
    if let Some(seen) = checker.verified_tokens.get(token, now)
        && checker.issuer.keys.ring().by_kid.contains_key(&seen.kid)
    {
        let claims = seen.value;
        // The same checks, with the same words, as `Validation` below.
        if claims.nbf > now {
            return Err(Invalid::Rejected(describe(&jsonwebtoken::errors::ErrorKind::ImmatureSignature)));
        }
        return Ok(claims);
    }
    let header = decode_header(token).map_err(|e| Invalid::Malformed(e.to_string()))?;
    if !is_access_token_typ(header.typ.as_deref()) {
        return Err(Invalid::NotAnAccessToken);
    }
    let ring = checker.issuer.keys.ring();
    let key = header.kid.as_deref().and_then(|kid| ring.by_kid.get(kid)).ok_or(Invalid::UnknownKey)?;
    // RFC 8725 §3.1: the algorithm comes from our key, never from the token.
    if header.alg != key.alg {
        return Err(Invalid::Rejected(format!("alg {:?} does not match the key's {:?}", header.alg, key.alg)));
    }
    let mut validation = Validation::new(key.alg);
    validation.set_issuer(&[&checker.issuer.config.issuer]);
    validation.validate_aud = false;
    validation.validate_nbf = true;
    validation.validate_exp = !allow_expired;
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp", "iss", "sub"]);
    let claims = decode::<AccessTokenClaims>(token, &key.decoding, &validation)
        .map_err(|e| Invalid::Rejected(describe(e.kind())))?
        .claims;
    if claims.exp >= now {
        let remembered = Verified { kid: key.kid.clone(), expires_at: claims.exp, value: claims.clone() };
        checker.verified_tokens.insert(token, remembered, now);
    }
    Ok(claims)
}

fn describe(kind: &jsonwebtoken::errors::ErrorKind) -> String {
    use jsonwebtoken::errors::ErrorKind::*;
    match kind {
        ExpiredSignature => "the token has expired".into(),
        ImmatureSignature => "the token is not valid yet (nbf)".into(),
        InvalidIssuer => "the token was issued by another issuer".into(),
        InvalidSignature => "the token's signature does not verify".into(),
        other => format!("the token is invalid: {other:?}"),
    }
}
