//! `GET|POST /oauth2/userinfo` — the UserInfo endpoint (OIDC Core §5.3): the
//! signed-in user's claims, released by the scopes of the access token
//! (§5.4), behind RFC 6750 bearer authentication.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use shared::ErrorCode;
use shared::bearer_challenge::Challenge;

use crate::access_token;
use crate::error::AppError;
use crate::responses::no_store;
use crate::state::{Database, TokenChecker};
use crate::store;

pub async fn userinfo(
    State(checker): State<TokenChecker>,
    State(db): State<Database>,
    headers: HeaderMap,
) -> Result<Response, UserinfoError> {
    // RFC 6750 §2.1: "Authorization: Bearer <token>".
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    // RFC 6750 §3.1: "If the request lacks any authentication information
    // [...] the resource server SHOULD NOT include an error code or other
    // error information."
    let token = token.ok_or(UserinfoError::NoToken)?;
    let claims = match access_token::verify(&checker, token, false).await {
        Ok(claims) => claims,
        Err(access_token::Invalid::Database(e)) => return Err(UserinfoError::Server(e.into())),
        Err(invalid) => return Err(UserinfoError::InvalidToken(invalid.to_string())),
    };
    // RFC 6749 §3.3: a scope claim that is no list of scope tokens makes
    // the token unusable, not a token with no scopes.
    let scopes = shared::Scopes::parse(&claims.scope)
        .map_err(|e| UserinfoError::InvalidToken(format!("the token's scope claim is malformed: {e}")))?;
    if !scopes.contains("openid") {
        return Err(UserinfoError::InsufficientScope);
    }
    let server_error = |e: sqlx::Error| UserinfoError::Server(e.into());
    let mut conn = db.reads.acquire().await.map_err(server_error)?;
    let user = store::users::find_by_id(&mut *conn, &claims.sub)
        .await
        .map_err(server_error)?
        .ok_or_else(|| UserinfoError::InvalidToken("the token's user no longer exists".into()))?;
    let mut body = Map::new();
    body.insert("sub".into(), json!(user.id));
    if scopes.contains("profile") {
        body.insert("name".into(), json!(user.name));
        body.insert("preferred_username".into(), json!(user.username));
    }
    if scopes.contains("email") {
        body.insert("email".into(), json!(user.email));
        body.insert("email_verified".into(), json!(user.email_verified != 0));
    }
    Ok(no_store(Json(Value::Object(body))))
}

/// Every way the UserInfo endpoint refuses: an RFC 6750 §3 challenge with
/// the same words in a JSON body, or a JSON server error.
pub enum UserinfoError {
    /// No token at all: a bare challenge (RFC 6750 §3.1).
    NoToken,
    /// RFC 6750 §3.1 `invalid_token`, with the reason.
    InvalidToken(String),
    /// RFC 6750 §3.1 `insufficient_scope`: OIDC Core §5.3 needs `openid`.
    InsufficientScope,
    /// The database failed; logged, never detailed to the caller.
    Server(AppError),
}

impl IntoResponse for UserinfoError {
    fn into_response(self) -> Response {
        let (status, error, description) = match self {
            Self::NoToken => (StatusCode::UNAUTHORIZED, None, None),
            Self::InvalidToken(why) => (StatusCode::UNAUTHORIZED, Some(ErrorCode::InvalidToken), Some(why)),
            Self::InsufficientScope => (
                StatusCode::FORBIDDEN,
                Some(ErrorCode::InsufficientScope),
                Some("the userinfo endpoint needs a token with the openid scope (OIDC Core §5.3)".to_owned()),
            ),
            Self::Server(error) => {
                tracing::error!(%error, "userinfo failed");
                let body = json!({"error": "server_error", "error_description": "the provider failed; the error has been logged"});
                return (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response();
            }
        };
        let mut challenge = Challenge::new("userinfo");
        if let Some(error) = error {
            challenge = challenge.error(error, description.as_deref().unwrap_or_default());
            if status == StatusCode::FORBIDDEN {
                challenge = challenge.scope("openid");
            }
        }
        let body = match error {
            Some(error) => json!({"error": error.as_str(), "error_description": description}),
            None => json!({"error_description": "send the access token as Authorization: Bearer <token>"}),
        };
        let mut response = (status, Json(body)).into_response();
        if let Ok(value) = HeaderValue::from_str(&challenge.header_value()) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}
