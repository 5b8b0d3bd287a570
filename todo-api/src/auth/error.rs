//! The errors of a protected resource, as RFC 6750 §3 spells them.
//!
//! "If the protected resource request does not include authentication
//! credentials or does not contain an access token that enables access to the
//! protected resource, the resource server MUST include the HTTP
//! `WWW-Authenticate` response header field" (RFC 6750 §3). Its `error`
//! attribute is one of the three codes of §3.1, and `error_description` is a
//! human-readable explanation. The same code and description go in a JSON
//! body, so a learner with `curl` sees them without `-i`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::bearer_challenge::{Challenge, header_safe};
use shared::{ErrorCode, ErrorResponse};

/// The `realm` of every challenge this API sends (RFC 6750 §3).
pub const REALM: &str = "todo-api";

/// Why a request was not allowed through to the todos.
#[derive(Debug, thiserror::Error)]
pub enum BearerError {
    /// 401 with a bare `Bearer realm="todo-api"` challenge. RFC 6750 §3.1:
    /// "If the request lacks any authentication information (e.g., the client
    /// was unaware that authentication is necessary or attempted using an
    /// unsupported authentication scheme), the resource server SHOULD NOT
    /// include an error code or other error information."
    #[error("this endpoint needs an access token: send Authorization: Bearer <token> or the access_token cookie")]
    MissingToken,

    /// 400 `invalid_request`: "The request is missing a required parameter,
    /// includes an unsupported parameter or parameter value, repeats the same
    /// parameter, uses more than one method for including an access token, or
    /// is otherwise malformed." (RFC 6750 §3.1)
    #[error("{0}")]
    InvalidRequest(String),

    /// 401 `invalid_token`: "The access token provided is expired, revoked,
    /// malformed, or invalid for other reasons." (RFC 6750 §3.1)
    #[error("{0}")]
    InvalidToken(#[from] InvalidToken),

    /// 403 `insufficient_scope`: "The request requires higher privileges than
    /// provided by the access token. The resource server SHOULD respond with
    /// the HTTP 403 (Forbidden) status code and MAY include the `scope`
    /// attribute with the scope necessary to access the protected resource."
    /// (RFC 6750 §3.1)
    #[error("this request needs the scope {required}; the token grants '{granted}'")]
    InsufficientScope { required: &'static str, granted: String },

    /// 503: the token cannot be checked right now because the provider's
    /// introspection endpoint does not answer. Not the token's fault, so not
    /// a 401 (which would make the client throw a good token away).
    #[error("the token cannot be checked right now: {0}")]
    ValidatorUnavailable(String),
}

/// Every way an access token can fail validation, each naming the rule.
#[derive(Debug, thiserror::Error)]
pub enum InvalidToken {
    #[error("the token is not a JWT: {0}")]
    Malformed(String),
    #[error(
        "alg '{0}' is not allowed: this API accepts only the asymmetric algorithms RS256, ES256 and EdDSA (RFC 8725 §3.1)"
    )]
    AlgorithmNotAllowed(String),
    #[error(
        "typ {} is not at+jwt: only RFC 9068 access tokens are accepted here (an ID token is not an access token)",
        typ_of(.found)
    )]
    WrongType { found: Option<String> },
    #[error("the token has a crit header ({0}), which this API does not understand (RFC 7515 §4.1.11)")]
    CriticalHeader(String),
    #[error("the token has no kid header, so no key of the provider's JWKS can be chosen")]
    MissingKeyId,
    #[error("unknown key id '{0}': it is not in the provider's JWKS")]
    UnknownKeyId(String),
    #[error("unknown key id '{kid}': it is not in the cached JWKS and the provider's JWKS cannot be fetched right now")]
    UnknownKeyIdProviderDown { kid: String },
    #[error("key '{kid}' is for {key_alg}, but the token says alg {token_alg}")]
    KeyAlgorithmMismatch { kid: String, key_alg: String, token_alg: String },
    #[error("the signature does not verify with the provider's key '{kid}'")]
    Signature { kid: String },
    #[error("the token expired at {at} (exp={exp}), beyond the {leeway}s leeway")]
    Expired { exp: i64, at: String, leeway: u64 },
    #[error("the token is not valid before {at} (nbf={nbf})")]
    NotYetValid { nbf: i64, at: String },
    #[error("the token was issued in the future, at {at} (iat={iat})")]
    IssuedInTheFuture { iat: i64, at: String },
    #[error("issuer '{found}' is not the expected issuer '{expected}'")]
    Issuer { found: String, expected: String },
    #[error("audience {found} does not contain this API's identifier '{expected}'")]
    Audience { found: String, expected: String },
    #[error("the token has no {0} claim, which RFC 9068 §2.2 requires")]
    MissingClaim(&'static str),
    #[error("claim {claim} is malformed: {problem}")]
    MalformedClaim { claim: &'static str, problem: String },
    #[error("the provider says this token is not active (expired, revoked or never issued; RFC 7662 §2.2)")]
    Inactive,
}

/// A `typ` header as the error message shows it.
fn typ_of(found: &Option<String>) -> String {
    match found {
        Some(typ) => format!("'{typ}'"),
        None => "(absent)".to_owned(),
    }
}

impl BearerError {
    fn status(&self) -> StatusCode {
        match self {
            Self::MissingToken | Self::InvalidToken(_) => StatusCode::UNAUTHORIZED,
            Self::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            Self::InsufficientScope { .. } => StatusCode::FORBIDDEN,
            Self::ValidatorUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The RFC 6750 §3.1 code, absent when no credentials were sent.
    fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::MissingToken | Self::ValidatorUnavailable(_) => None,
            Self::InvalidRequest(_) => Some(ErrorCode::InvalidRequest),
            Self::InvalidToken(_) => Some(ErrorCode::InvalidToken),
            Self::InsufficientScope { .. } => Some(ErrorCode::InsufficientScope),
        }
    }

    /// The `WWW-Authenticate` challenge (RFC 6750 §3), or none for a 503.
    fn challenge(&self, description: &str) -> Option<Challenge> {
        if matches!(self, Self::ValidatorUnavailable(_)) {
            return None;
        }
        let mut challenge = Challenge::new(REALM);
        if let Some(code) = self.code() {
            challenge = challenge.error(code, description);
        }
        if let Self::InsufficientScope { required, .. } = self {
            challenge = challenge.scope(required.as_ref());
        }
        Some(challenge)
    }
}

impl IntoResponse for BearerError {
    fn into_response(self) -> Response {
        let description = header_safe(&self.to_string());
        // The JSON body always has an `error`. Where the challenge carries no
        // code (no token at all), the body says what is missing with
        // `invalid_request`; a 503 says `temporarily_unavailable`.
        let body_code = self.code().unwrap_or(match self {
            Self::ValidatorUnavailable(_) => ErrorCode::TemporarilyUnavailable,
            _ => ErrorCode::InvalidRequest,
        });
        let body = ErrorResponse::new(body_code, description.clone());
        let mut response = (self.status(), Json(body)).into_response();
        if let Some(challenge) = self.challenge(&description) {
            // `header_safe` leaves only visible ASCII, so this cannot fail;
            // should it ever, the response is still a correct 401 without it.
            if let Ok(value) = HeaderValue::from_str(&challenge.header_value()) {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_token_gets_a_bare_challenge() {
        let response = BearerError::MissingToken.into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer realm=\"todo-api\"");
    }
}
