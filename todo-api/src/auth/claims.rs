//! The claim checks of RFC 9068 §4, shared by both validation modes.
//!
//! A JWT's payload (RFC 9068 §2.2) and an introspection response (RFC 7662
//! §2.2) use the same claim names, so one lenient [`Claims`] reads both: every
//! field is optional, so a missing claim is reported by name ("the token has
//! no jti claim") rather than as a JSON parse error.

use serde::Deserialize;
use shared::jwt::Audience;
use shared::{Scopes, now_unix};

use super::error::InvalidToken;
use super::{AccessToken, Owner};
use crate::clock::rfc3339;

/// The claims this API reads; anything else in the token is ignored.
#[derive(Debug, Default, Deserialize)]
pub struct Claims {
    pub iss: Option<String>,
    pub sub: Option<String>,
    pub aud: Option<Audience>,
    pub exp: Option<i64>,
    pub nbf: Option<i64>,
    pub iat: Option<i64>,
    pub jti: Option<String>,
    pub scope: Option<String>,
    pub client_id: Option<String>,
}

/// What a token must say to be accepted here.
#[derive(Clone, Debug)]
pub struct Expectations {
    /// The provider's issuer identifier, compared as an exact string.
    pub issuer: String,
    /// This API's identifier, which `aud` must contain.
    pub audience: String,
    /// Tolerated clock skew, in seconds.
    pub leeway: i64,
}

impl Expectations {
    /// RFC 9068 §4: "The issuer identifier for the authorization server [...]
    /// MUST exactly match the value of the iss claim."
    pub fn check_issuer(&self, iss: &str) -> Result<(), InvalidToken> {
        if iss == self.issuer {
            Ok(())
        } else {
            Err(InvalidToken::Issuer { found: iss.to_owned(), expected: self.issuer.clone() })
        }
    }

    /// RFC 9068 §4: "The resource server MUST validate that the aud claim
    /// contains a resource indicator value corresponding to an identifier
    /// the resource server expects for itself."
    pub fn check_audience(&self, aud: &Audience) -> Result<(), InvalidToken> {
        if aud.contains(&self.audience) {
            Ok(())
        } else {
            Err(InvalidToken::Audience { found: describe_audience(aud), expected: self.audience.clone() })
        }
    }

    /// RFC 9068 §4: "The current time MUST be before the time represented by
    /// the exp claim." RFC 7519 §4.1.5 adds that `nbf` must not be in the
    /// future, and RFC 8725 §3.8 asks for sanity checks on `iat`; each with
    /// "some small leeway, usually no more than a few minutes, to account for
    /// clock skew" (RFC 7519 §4.1.4).
    pub fn check_times(&self, exp: i64, nbf: Option<i64>, iat: Option<i64>, now: i64) -> Result<(), InvalidToken> {
        if exp.saturating_add(self.leeway) < now {
            return Err(self.expired(exp));
        }
        if let Some(nbf) = nbf.filter(|nbf| *nbf > now.saturating_add(self.leeway)) {
            return Err(InvalidToken::NotYetValid { nbf, at: rfc3339(nbf) });
        }
        if let Some(iat) = iat.filter(|iat| *iat > now.saturating_add(self.leeway)) {
            return Err(InvalidToken::IssuedInTheFuture { iat, at: rfc3339(iat) });
        }
        Ok(())
    }

    pub fn expired(&self, exp: i64) -> InvalidToken {
        InvalidToken::Expired { exp, at: rfc3339(exp), leeway: self.leeway.unsigned_abs() }
    }

    /// Runs every check and returns who the token speaks for.
    ///
    /// `require_jti`: RFC 9068 §2.2 makes `jti` REQUIRED in a JWT access
    /// token; an introspection response (RFC 7662 §2.2) need not carry it.
    pub fn accept(&self, claims: Claims, require_jti: bool) -> Result<AccessToken, InvalidToken> {
        let iss = required("iss", claims.iss)?;
        self.check_issuer(&iss)?;
        let aud = required("aud", claims.aud)?;
        self.check_audience(&aud)?;
        let exp = required("exp", claims.exp)?;
        let iat = required("iat", claims.iat)?;
        self.check_times(exp, claims.nbf, Some(iat), now_unix())?;
        // The user is identified by (iss, sub), never by an email address
        // or a name, which can change or be reassigned (ASVS 10.3.3).
        let sub = required("sub", claims.sub.filter(|s| !s.is_empty()))?;
        let jti = claims.jti.filter(|j| !j.is_empty());
        if require_jti && jti.is_none() {
            return Err(InvalidToken::MissingClaim("jti"));
        }
        let scope = required("scope", claims.scope)?;
        let scopes = Scopes::parse(&scope)
            .map_err(|e| InvalidToken::MalformedClaim { claim: "scope", problem: e.to_string() })?;
        Ok(AccessToken {
            owner: Owner { issuer: iss, subject: sub },
            scopes,
            client_id: claims.client_id,
            jti,
            expires_at: exp,
        })
    }
}

/// A claim that must be present.
pub fn required<T>(name: &'static str, value: Option<T>) -> Result<T, InvalidToken> {
    value.ok_or(InvalidToken::MissingClaim(name))
}

/// `aud` as the learner would write it: `"a"` or `["a", "b"]`.
pub fn describe_audience(aud: &Audience) -> String {
    serde_json::to_string(aud).unwrap_or_else(|_| "(unprintable)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expectations() -> Expectations {
        Expectations {
            issuer: "http://localhost:8080".to_owned(),
            audience: "http://localhost:4000".to_owned(),
            leeway: 30,
        }
    }

    #[test]
    fn times_are_checked_with_leeway() {
        let e = expectations();
        let now = 1_000_000;
        assert!(e.check_times(now - 29, None, None, now).is_ok());
        assert!(matches!(e.check_times(now - 31, None, None, now), Err(InvalidToken::Expired { .. })));
        assert!(matches!(e.check_times(now + 600, Some(now + 31), None, now), Err(InvalidToken::NotYetValid { .. })));
        assert!(matches!(
            e.check_times(now + 600, Some(now), Some(now + 31), now),
            Err(InvalidToken::IssuedInTheFuture { .. })
        ));
    }

    #[test]
    fn issuer_must_match_exactly() {
        let e = expectations();
        assert!(e.check_issuer("http://localhost:8080").is_ok());
        assert!(e.check_issuer("http://localhost:8080/").is_err());
    }
}
