//! The successful token response (RFC 6749 §5.1).

use serde::{Deserialize, Serialize};

use crate::scope::Scopes;
use crate::secret::Secret;

/// RFC 6750: the only token type issued here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenType {
    Bearer,
}

/// RFC 6749 §5.1, plus `id_token` from OIDC Core §3.1.3.3.
#[derive(Debug, Serialize, Deserialize)]
pub struct TokenResponse {
    /// "The access token issued by the authorization server."
    pub access_token: Secret,
    /// "The type of the token issued" — here always `Bearer`.
    pub token_type: TokenType,
    /// "The lifetime in seconds of the access token."
    pub expires_in: i64,
    /// "OPTIONAL, if identical to the scope requested by the client;
    /// otherwise, REQUIRED." Always sent, which is simplest for learners.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scopes>,
    /// "The refresh token, which can be used to obtain new access tokens."
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    /// OIDC Core §3.1.3.3: "ID Token value associated with the authenticated
    /// session."
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<Secret>,
}
