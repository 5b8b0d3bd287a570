//! Validating a JWT access token locally: RFC 9068 §4, with the
//! precautions of RFC 8725 (JWT Best Current Practices).
//!
//! The article's "API verifies token" step, with nothing skipped. In order:
//!
//! 1. read the JOSE header without trusting it;
//! 2. refuse any `alg` outside the asymmetric allow-list — before a key is
//!    even looked up (RFC 8725 §3.1);
//! 3. refuse any `typ` other than `at+jwt`, so an ID token cannot stand in
//!    for an access token (RFC 9068 §4, RFC 8725 §3.11);
//! 4. choose the key by `kid` from the provider's JWKS, fetched from the one
//!    configured URL — never from `jku`, `x5u` or an embedded `jwk`
//!    (RFC 8725 §3.10) — and require the key's `alg` to be the token's;
//! 5. verify the signature and the registered claims `iss`, `aud`, `exp`,
//!    `nbf` with jsonwebtoken, every check switched on explicitly;
//! 6. check what jsonwebtoken does not: `iat`, `jti`, `scope`.
//!
//! A token that passed steps 1–6 is remembered by its digest
//! (`shared::verified`): on its next use only what can change is checked
//! again — the clock (`exp`, `nbf`, `iat`) and whether its key is still in
//! the JWKS. A JWT access token carries no revocation this API could look
//! up (RFC 9068 §4 leaves it to the token's lifetime; for revocation at
//! once, use introspection mode), so nothing revocable is remembered.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Header, Validation};
use shared::jwks::{JwksCache, KeyLookupError};
use shared::jwt::{ASYMMETRIC_ALGORITHMS, is_access_token_typ};
use shared::verified::{Verified, VerifiedTokens};

use super::AccessToken;
use super::claims::{Claims, Expectations, describe_audience};
use super::error::InvalidToken;

/// Validates JWT access tokens against the provider's published keys.
#[derive(Clone)]
pub struct JwtValidator {
    keys: JwksCache,
    expect: Expectations,
    verified: VerifiedTokens<Remembered>,
}

/// What steps 1–6 concluded about a token, and the times to check again.
#[derive(Clone, Debug)]
struct Remembered {
    token: AccessToken,
    alg: Algorithm,
    nbf: Option<i64>,
    iat: Option<i64>,
}

impl JwtValidator {
    pub fn new(keys: JwksCache, expect: Expectations) -> Self {
        Self { keys, expect, verified: VerifiedTokens::default() }
    }

    /// Steps 1–6 for a token seen for the first time; for one already
    /// verified, the checks whose answer can change since.
    pub async fn validate(&self, token: &str) -> Result<AccessToken, InvalidToken> {
        let now = shared::now_unix();
        if let Some(seen) = self.verified.get(token, now) {
            // The key that verified it must still be published (with the
            // same alg), and the clock must still say yes.
            if self.keys.key(Some(&seen.kid)).await.is_ok_and(|key| key.alg == seen.value.alg) {
                let Remembered { token, nbf, iat, .. } = seen.value;
                self.expect.check_times(token.expires_at, nbf, iat, now)?;
                return Ok(token);
            }
        }
        let (token_ok, remembered) = self.verify(token).await?;
        self.verified.insert(token, remembered, now);
        Ok(token_ok)
    }

    /// Runs steps 1–6 above; the first failure is the answer.
    async fn verify(&self, token: &str) -> Result<(AccessToken, Verified<Remembered>), InvalidToken> {
        // Step 1. Nothing in the header is trusted yet: it only tells us
        // which rules to apply and which key to try.
        let header = read_header(token)?;

        // Step 2. RFC 8725 §3.1: "libraries MUST enable the caller to specify
        // a supported set of algorithms and MUST NOT use any other algorithms
        // when performing cryptographic operations." With HS256 allowed, an
        // attacker could sign with our *public* key as the HMAC secret.
        if !ASYMMETRIC_ALGORITHMS.contains(&header.alg) {
            return Err(InvalidToken::AlgorithmNotAllowed(format!("{:?}", header.alg)));
        }

        // Step 3. RFC 9068 §4: "Resource servers MUST verify that the typ
        // header value is "at+jwt" or "application/at+jwt" and reject tokens
        // carrying any other value."
        if !is_access_token_typ(header.typ.as_deref()) {
            return Err(InvalidToken::WrongType { found: header.typ });
        }

        // RFC 7515 §4.1.11: a recipient that does not understand a header
        // listed in `crit` MUST reject the token. We understand none.
        if let Some(crit) = &header.crit {
            return Err(InvalidToken::CriticalHeader(crit.join(", ")));
        }

        // Step 4. RFC 9068 §4: "The resource server MUST use the keys provided
        // by the authorization server." `header.jku`, `header.x5u` and
        // `header.jwk` are deliberately never read.
        let kid = header.kid.clone().ok_or(InvalidToken::MissingKeyId)?;
        let key = self.keys.key(Some(&kid)).await.map_err(|e| match e {
            KeyLookupError::MissingKid => InvalidToken::MissingKeyId,
            KeyLookupError::UnknownKid(kid) => InvalidToken::UnknownKeyId(kid),
            KeyLookupError::Unavailable { reason, .. } => {
                tracing::warn!(%reason, "JWKS refresh failed while looking for an unknown kid");
                InvalidToken::UnknownKeyIdProviderDown { kid: kid.clone() }
            }
        })?;
        if key.alg != header.alg {
            return Err(InvalidToken::KeyAlgorithmMismatch {
                kid,
                key_alg: format!("{:?}", key.alg),
                token_alg: format!("{:?}", header.alg),
            });
        }

        // Step 5. jsonwebtoken's `Validation` defaults check only `exp`, with
        // 60 s leeway: `iss`, `aud` and `nbf` are each switched on here.
        let validation = self.validation(header.alg);
        let claims = match jsonwebtoken::decode::<Claims>(token, &key.key, &validation) {
            Ok(data) => data.claims,
            Err(e) => return Err(self.explain(e.into_kind(), token, kid)),
        };

        // Step 6, and the same claim checks the introspection mode runs.
        let (nbf, iat) = (claims.nbf, claims.iat);
        let accepted = self.expect.accept(claims, true)?;
        let remembered = Remembered { token: accepted.clone(), alg: header.alg, nbf, iat };
        Ok((accepted, Verified { kid, expires_at: remembered.token.expires_at, value: remembered }))
    }

    fn validation(&self, alg: Algorithm) -> Validation {
        let mut validation = Validation::new(alg);
        validation.set_issuer(&[&self.expect.issuer]);
        validation.set_audience(&[&self.expect.audience]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.validate_aud = true;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = self.expect.leeway.unsigned_abs();
        validation
    }

    /// Turns jsonwebtoken's terse error into a sentence naming the rule.
    ///
    /// jsonwebtoken verifies the signature before it looks at any claim, so
    /// for a claim error the payload is authentic and may be quoted.
    fn explain(&self, kind: ErrorKind, token: &str, kid: String) -> InvalidToken {
        let claims = || jsonwebtoken::dangerous::insecure_decode_claims::<Claims>(token).unwrap_or_default();
        match kind {
            ErrorKind::InvalidSignature => InvalidToken::Signature { kid },
            ErrorKind::ExpiredSignature => self.expect.expired(claims().exp.unwrap_or_default()),
            ErrorKind::ImmatureSignature => {
                let nbf = claims().nbf.unwrap_or_default();
                InvalidToken::NotYetValid { nbf, at: crate::clock::rfc3339(nbf) }
            }
            ErrorKind::InvalidIssuer => {
                InvalidToken::Issuer { found: claims().iss.unwrap_or_default(), expected: self.expect.issuer.clone() }
            }
            ErrorKind::InvalidAudience => InvalidToken::Audience {
                found: claims().aud.as_ref().map(describe_audience).unwrap_or_default(),
                expected: self.expect.audience.clone(),
            },
            ErrorKind::MissingRequiredClaim(claim) => match claim.as_str() {
                "exp" => InvalidToken::MissingClaim("exp"),
                "iss" => InvalidToken::MissingClaim("iss"),
                "aud" => InvalidToken::MissingClaim("aud"),
                "sub" => InvalidToken::MissingClaim("sub"),
                other => InvalidToken::Malformed(format!("missing claim {other}")),
            },
            ErrorKind::InvalidClaimFormat(claim) => {
                InvalidToken::Malformed(format!("claim {claim} does not have the type RFC 7519 gives it"))
            }
            ErrorKind::Json(e) => InvalidToken::Malformed(format!("the payload is not the JSON of a claims set: {e}")),
            ErrorKind::InvalidToken | ErrorKind::Base64(_) | ErrorKind::Utf8(_) => {
                InvalidToken::Malformed("expected three base64url parts separated by dots (RFC 7515 §7.1)".to_owned())
            }
            other => InvalidToken::Malformed(format!("{other:?}")),
        }
    }
}

/// Step 1: the JOSE header. jsonwebtoken's `decode_header` fails on an `alg`
/// it has no variant for — `none` among them — with a JSON error; that case
/// is told apart so the answer names the algorithm.
fn read_header(token: &str) -> Result<Header, InvalidToken> {
    jsonwebtoken::decode_header(token).map_err(|e| match raw_alg(token) {
        Some(alg) => InvalidToken::AlgorithmNotAllowed(alg),
        None => InvalidToken::Malformed(format!("its header cannot be read ({e})")),
    })
}

/// The `alg` of a header that jsonwebtoken could not read, if it has one.
fn raw_alg(token: &str) -> Option<String> {
    let encoded = token.split('.').next()?;
    let json = URL_SAFE_NO_PAD.decode(encoded).ok()?;
    let header: serde_json::Value = serde_json::from_slice(&json).ok()?;
    let alg = header.get("alg")?.as_str()?;
    // Only an algorithm jsonwebtoken does not know gets here.
    alg.parse::<Algorithm>().is_err().then(|| alg.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alg_none_is_named_in_the_error() {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"at+jwt"}"#);
        let token = format!("{header}.e30.");
        assert!(matches!(
            read_header(&token),
            Err(InvalidToken::AlgorithmNotAllowed(alg)) if alg == "none"
        ));
    }

    #[test]
    fn garbage_is_malformed() {
        assert!(matches!(read_header("not-a-jwt"), Err(InvalidToken::Malformed(_))));
    }
}
