//! `POST /oauth2/introspect` — token introspection (RFC 7662).
//!
//! A resource server asks "is this token active, and what does it allow?".
//! RFC 7662 §2.1: "the endpoint MUST also require some form of
//! authorization to access this endpoint" — here, the credentials of a
//! client registered with `may_introspect` (§4: the authorization server
//! decides who may learn what a token is). §2.2: for a token that is not active, "the authorization
//! server [...] SHOULD NOT include any additional information", so the
//! answer is exactly `{"active": false}`.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use shared::random::sha256_hex;

use crate::access_token;
use crate::params::Params;
use crate::responses::no_store_headers;
use crate::state::{ClientAuth, TokenChecker};
use crate::store;
use crate::token::client_auth::authenticate_introspector;
use crate::token::error::TokenError;

/// RFC 7662 §2.2's response members.
#[derive(Serialize, Default)]
pub struct Introspection {
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aud: Option<shared::jwt::Audience>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
}

pub async fn introspect(
    State(auth): State<ClientAuth>,
    State(checker): State<TokenChecker>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, TokenError> {
    authenticate_introspector(&auth, peer.ip(), &headers, &params).await?;
    let token = params.require("token", "RFC 7662 §2.1")?;
    // RFC 7662 §2.1: the hint only says where to look first.
    let result = if params.get("token_type_hint") == Some("refresh_token") {
        match refresh_token(&checker, token).await? {
            Some(found) => found,
            None => access_token(&checker, token).await?,
        }
    } else {
        match access_token(&checker, token).await? {
            found @ Introspection { active: true, .. } => found,
            _ => refresh_token(&checker, token).await?.unwrap_or_default(),
        }
    };
    let mut response = Json(result).into_response();
    no_store_headers(response.headers_mut());
    Ok(response)
}

async fn access_token(checker: &TokenChecker, token: &str) -> Result<Introspection, TokenError> {
    match access_token::verify(checker, token, false).await {
        Ok(claims) => Ok(Introspection {
            active: true,
            scope: Some(claims.scope),
            client_id: Some(claims.client_id),
            sub: Some(claims.sub),
            exp: Some(claims.exp),
            iat: Some(claims.iat),
            nbf: Some(claims.nbf),
            iss: Some(claims.iss),
            aud: Some(claims.aud),
            jti: Some(claims.jti),
            token_type: Some("Bearer".into()),
        }),
        Err(access_token::Invalid::Database(e)) => Err(e.into()),
        Err(_) => Ok(Introspection::default()),
    }
}

/// `Some` only for an active refresh token.
async fn refresh_token(checker: &TokenChecker, token: &str) -> Result<Option<Introspection>, TokenError> {
    let mut conn = checker.reads.acquire().await?;
    let Some(row) = store::tokens::find_refresh_token(&mut *conn, &sha256_hex(token)).await? else {
        return Ok(None);
    };
    let now = shared::now_unix();
    let grant_live = store::families::find(&mut *conn, &row.grant_id).await?.is_some_and(|g| g.revoked_at.is_none());
    drop(conn);
    let active = row.revoked == 0 && row.rotated_at.is_none() && now < row.expires_at && grant_live;
    if !active {
        return Ok(None);
    }
    Ok(Some(Introspection {
        active: true,
        scope: Some(row.scope),
        client_id: Some(row.client_id.clone()),
        sub: Some(row.user_id),
        exp: Some(row.expires_at.min(row.family_expires_at)),
        iat: Some(row.created_at),
        iss: Some(checker.issuer.config.issuer.clone()),
        aud: Some(shared::jwt::Audience::One(row.client_id)),
        token_type: Some("refresh_token".into()),
        ..Introspection::default()
    }))
}
