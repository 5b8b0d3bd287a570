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
use crate::state::AppState;
use crate::store;

pub async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    // RFC 6750 §2.1: "Authorization: Bearer <token>".
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        // RFC 6750 §3.1: "If the request lacks any authentication
        // information [...] the resource server SHOULD NOT include an error
        // code or other error information."
        return challenge(StatusCode::UNAUTHORIZED, None, None);
    };
    let claims = match access_token::verify(&state, token, false).await {
        Ok(claims) => claims,
        Err(access_token::Invalid::Database(e)) => return crate::error::AppError::from(e).into_response(),
        Err(invalid) => {
            return challenge(StatusCode::UNAUTHORIZED, Some(ErrorCode::InvalidToken), Some(invalid.to_string()));
        }
    };
    let scopes = shared::Scopes::parse(&claims.scope).unwrap_or_default();
    if !scopes.contains("openid") {
        return challenge(
            StatusCode::FORBIDDEN,
            Some(ErrorCode::InsufficientScope),
            Some("the userinfo endpoint needs a token with the openid scope (OIDC Core §5.3)".into()),
        );
    }
    let user = match store::users::find_by_id(&state.db, &claims.sub).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            return challenge(
                StatusCode::UNAUTHORIZED,
                Some(ErrorCode::InvalidToken),
                Some("the token's user no longer exists".into()),
            );
        }
        Err(e) => return crate::error::AppError::from(e).into_response(),
    };
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
    let mut response = Json(Value::Object(body)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// An RFC 6750 §3 challenge, with the same words in a JSON body.
fn challenge(status: StatusCode, error: Option<ErrorCode>, description: Option<String>) -> Response {
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
