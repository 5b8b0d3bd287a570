//! Who is calling, and may they? The resource server's side of OAuth 2.0.
//!
//! Every request to `/todos` passes through [`Authorized`], an extractor that
//! runs before the handler touches any data:
//!
//! ```text
//! request ──▶ bearer::bearer_token   header `Authorization: Bearer …`, else the
//!             │                      `access_token` cookie       (RFC 6750 §2)
//!             ▼
//!             TokenValidator          jwt: signature, typ, iss, aud, exp, nbf,
//!             │                       iat, sub, jti, scope     (RFC 9068 §4)
//!             │                       introspection: ask the provider (RFC 7662)
//!             ▼
//!             scope check             `todos:read` / `todos:write` (RFC 6750 §3.1)
//!             ▼
//!             handler(Authorized { token: AccessToken { owner: (iss, sub), … } })
//! ```
//!
//! Any failure becomes a [`BearerError`]: a 401/403 with the
//! `WWW-Authenticate` challenge of RFC 6750 §3.

pub mod bearer;
pub mod claims;
pub mod error;
pub mod introspection;
pub mod jwt;

use std::marker::PhantomData;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use shared::Scopes;

pub use error::{BearerError, InvalidToken};
pub use introspection::Introspector;
pub use jwt::JwtValidator;

/// The owner of a todo: a user as one issuer knows them.
///
/// `sub` is only unique within its issuer (OIDC Core §2: "A locally unique
/// and never reassigned identifier within the Issuer"), so the pair is the
/// identity. Never the email address (ASVS 10.3.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    pub issuer: String,
    pub subject: String,
}

/// A validated access token: what the handlers may rely on.
#[derive(Clone, Debug)]
pub struct AccessToken {
    pub owner: Owner,
    pub scopes: Scopes,
    pub client_id: Option<String>,
    pub jti: Option<String>,
    pub expires_at: i64,
}

/// The configured way of validating tokens (`TODO_API_TOKEN_VALIDATION`).
#[derive(Clone)]
pub enum TokenValidator {
    Jwt(JwtValidator),
    Introspection(Introspector),
}

impl TokenValidator {
    pub async fn validate(&self, token: &str) -> Result<AccessToken, BearerError> {
        match self {
            Self::Jwt(validator) => Ok(validator.validate(token).await?),
            Self::Introspection(introspector) => introspector.validate(token).await,
        }
    }
}

/// A scope a handler requires, as a type: `Authorized<ReadTodos>`.
pub trait RequiredScope {
    const SCOPE: &'static str;
}

/// `todos:read`: list the caller's todos.
pub struct ReadTodos;
impl RequiredScope for ReadTodos {
    const SCOPE: &'static str = "todos:read";
}

/// `todos:write`: create, change and delete the caller's todos.
pub struct WriteTodos;
impl RequiredScope for WriteTodos {
    const SCOPE: &'static str = "todos:write";
}

/// Extractor: a valid access token that grants scope `S`.
///
/// Accepts a token from the `Authorization` header or the `access_token`
/// cookie. Rejects with [`BearerError`]: 401 without a token or with an
/// invalid one, 400 for a malformed `Authorization` header, 403 when the
/// token lacks `S::SCOPE`, 503 when introspection cannot reach the provider.
pub struct Authorized<S: RequiredScope> {
    pub token: AccessToken,
    scope: PhantomData<S>,
}

impl<S: RequiredScope> Authorized<S> {
    pub fn owner(&self) -> &Owner {
        &self.token.owner
    }
}

impl<St, S> FromRequestParts<St> for Authorized<S>
where
    St: Send + Sync,
    TokenValidator: FromRef<St>,
    S: RequiredScope,
{
    type Rejection = BearerError;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, Self::Rejection> {
        let presented = bearer::bearer_token(&parts.headers)?;
        let token = TokenValidator::from_ref(state).validate(presented.expose()).await?;
        // RFC 6750 §3.1, insufficient_scope: "The request requires higher
        // privileges than provided by the access token."
        if !token.scopes.contains(S::SCOPE) {
            return Err(BearerError::InsufficientScope { required: S::SCOPE, granted: token.scopes.to_string() });
        }
        Ok(Self { token, scope: PhantomData })
    }
}
