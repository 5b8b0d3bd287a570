//! JWT claims: RFC 9068 access tokens and OpenID Connect ID tokens.

use jsonwebtoken::Algorithm;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha512};

use crate::random::b64url;

/// RFC 9068 §2.1: "Resource servers MUST verify that the typ header value is
/// `at+jwt` or `application/at+jwt` and reject tokens carrying any other
/// value." This keeps an ID token from being replayed as an access token.
pub const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// Whether a JOSE `typ` header names an RFC 9068 access token.
pub fn is_access_token_typ(typ: Option<&str>) -> bool {
    matches!(typ, Some(t) if t.eq_ignore_ascii_case("at+jwt") || t.eq_ignore_ascii_case("application/at+jwt"))
}

/// The signing algorithms this system issues and accepts. All asymmetric:
/// RFC 8725 §3.1 — never `none`, and never an HMAC key that a verifier could
/// confuse with a public key.
pub const ASYMMETRIC_ALGORITHMS: &[Algorithm] = &[Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA];

/// `aud`: RFC 7519 §4.1.3 allows one string or an array of strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    pub fn contains(&self, value: &str) -> bool {
        match self {
            Self::One(a) => a == value,
            Self::Many(list) => list.iter().any(|a| a == value),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Self::One(_) => 1,
            Self::Many(list) => list.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// RFC 9068 §2.2: the claims of a JWT access token.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    pub iss: String,
    /// The user, or the client itself for `client_credentials`.
    pub sub: String,
    pub aud: Audience,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    pub jti: String,
    pub client_id: String,
    /// Space-delimited, as in RFC 8693 §4.2.
    pub scope: String,
    /// When the user authenticated (RFC 9068 §2.2.1), absent for
    /// `client_credentials`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    /// The grant the token was issued under, absent for
    /// `client_credentials` (no user, no grant). Only its issuer reads it:
    /// introspection and userinfo look the grant up, so revoking a grant
    /// revokes its access tokens (RFC 7009 §2.1) without a row per token.
    /// RFC 9068 §2.2 lets an authorization server add claims of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<String>,
}

/// OIDC Core §2: the ID token, with the standard claims of §5.1 that the
/// granted scopes release (§5.4).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct IdTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: Option<Audience>,
    pub exp: i64,
    pub iat: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
}

/// OIDC Core §3.1.3.6: "Its value is the base64url encoding of the left-most
/// half of the hash of the octets of the ASCII representation of the
/// access_token value, where the hash algorithm used is the hash algorithm
/// used in the alg Header Parameter of the ID Token's JOSE Header."
///
/// For EdDSA with Ed25519 the hash is SHA-512 (the hash Ed25519 itself uses).
pub fn at_hash(access_token: &str, alg: Algorithm) -> String {
    match alg {
        Algorithm::EdDSA | Algorithm::RS512 | Algorithm::PS512 | Algorithm::HS512 => {
            let digest = Sha512::digest(access_token.as_bytes());
            b64url(&digest[..32])
        }
        _ => {
            let digest = Sha256::digest(access_token.as_bytes());
            b64url(&digest[..16])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_matches_oidc_core_example() {
        // OIDC Core Appendix A.3's access token and at_hash (RS256).
        assert_eq!(at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y", Algorithm::RS256), "77QmUPtjPfzWtF2AnpK9RQ");
    }

    #[test]
    fn audience_is_one_or_many() {
        let one: Audience = serde_json::from_str("\"api\"").unwrap();
        let many: Audience = serde_json::from_str("[\"api\",\"web\"]").unwrap();
        assert!(one.contains("api"));
        assert!(many.contains("web"));
        assert!(!many.contains("other"));
    }

    #[test]
    fn only_at_jwt_is_an_access_token() {
        assert!(is_access_token_typ(Some("at+jwt")));
        assert!(is_access_token_typ(Some("application/at+jwt")));
        assert!(!is_access_token_typ(Some("JWT")));
        assert!(!is_access_token_typ(None));
    }
}
