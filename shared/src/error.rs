//! OAuth 2.0 error codes and the error response body.
//!
//! One enum for the codes of RFC 6749 §4.1.2.1 (authorization endpoint),
//! §5.2 (token endpoint), RFC 6750 §3.1 (protected resources) and OIDC Core
//! §3.1.2.6 (prompt=none), each documented with the RFC's own sentence.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// "The request is missing a required parameter, includes an invalid
    /// parameter value, includes a parameter more than once, or is otherwise
    /// malformed." (RFC 6749 §5.2)
    InvalidRequest,
    /// "Client authentication failed (e.g., unknown client, no client
    /// authentication included, or unsupported authentication method)."
    /// (RFC 6749 §5.2)
    InvalidClient,
    /// "The provided authorization grant (e.g., authorization code, resource
    /// owner credentials) or refresh token is invalid, expired, revoked, does
    /// not match the redirection URI used in the authorization request, or was
    /// issued to another client." (RFC 6749 §5.2)
    InvalidGrant,
    /// "The authenticated client is not authorized to use this authorization
    /// grant type." (RFC 6749 §5.2)
    UnauthorizedClient,
    /// "The authorization grant type is not supported by the authorization
    /// server." (RFC 6749 §5.2)
    UnsupportedGrantType,
    /// "The requested scope is invalid, unknown, malformed, or exceeds the
    /// scope granted by the resource owner." (RFC 6749 §5.2)
    InvalidScope,
    /// "The resource owner or authorization server denied the request."
    /// (RFC 6749 §4.1.2.1)
    AccessDenied,
    /// "The authorization server does not support obtaining an authorization
    /// code using this method." (RFC 6749 §4.1.2.1)
    UnsupportedResponseType,
    /// "The authorization server encountered an unexpected condition that
    /// prevented it from fulfilling the request." (RFC 6749 §4.1.2.1)
    ServerError,
    /// "The authorization server is currently unable to handle the request
    /// due to a temporary overloading or maintenance of the server."
    /// (RFC 6749 §4.1.2.1)
    TemporarilyUnavailable,
    /// "The Authorization Server requires End-User authentication." (OIDC
    /// Core §3.1.2.6, for `prompt=none`)
    LoginRequired,
    /// "The Authorization Server requires End-User consent." (OIDC Core
    /// §3.1.2.6, for `prompt=none`)
    ConsentRequired,
    /// "The OP does not support use of the request parameter" (OIDC Core
    /// §3.1.2.6, §6.1)
    RequestNotSupported,
    /// "The OP does not support use of the request_uri parameter" (OIDC
    /// Core §3.1.2.6, §6.2)
    RequestUriNotSupported,
    /// "The access token provided is expired, revoked, malformed, or invalid
    /// for other reasons." (RFC 6750 §3.1)
    InvalidToken,
    /// "The request requires higher privileges than provided by the access
    /// token." (RFC 6750 §3.1)
    InsufficientScope,
}

impl ErrorCode {
    /// The spelling on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::AccessDenied => "access_denied",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::LoginRequired => "login_required",
            Self::ConsentRequired => "consent_required",
            Self::RequestNotSupported => "request_not_supported",
            Self::RequestUriNotSupported => "request_uri_not_supported",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JSON error body of RFC 6749 §5.2 (and of the todo API, RFC 6750 §3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    pub error: ErrorCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

impl ErrorResponse {
    pub fn new(error: ErrorCode, description: impl Into<String>) -> Self {
        Self { error, error_description: Some(description.into()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_spelling_matches_as_str() {
        for code in [ErrorCode::InvalidGrant, ErrorCode::UnsupportedGrantType, ErrorCode::LoginRequired] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }
}
