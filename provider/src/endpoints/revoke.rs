//! `POST /oauth2/revoke` — token revocation (RFC 7009).
//!
//! RFC 7009 §2.2: "The authorization server responds with HTTP status code
//! 200 if the token has been revoked successfully or if the client submitted
//! an invalid token." Revoking a refresh token revokes its whole grant,
//! access tokens included (§2.1: the server "SHOULD also invalidate all
//! access tokens based on the same authorization grant"). A token issued to
//! another client is refused and left alone (§2.1).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use shared::random::sha256_hex;

use crate::access_token;
use crate::params::Params;
use crate::responses::no_store_headers;
use crate::state::{ClientAuth, Database, TokenChecker};
use crate::store;
use crate::token::client_auth::authenticate;
use crate::token::error::TokenError;

pub async fn revoke(
    State(auth): State<ClientAuth>,
    State(checker): State<TokenChecker>,
    State(db): State<Database>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, TokenError> {
    let client = authenticate(&auth, peer.ip(), &headers, &params).await?;
    let token = params.require("token", "RFC 7009 §2.1")?;

    // Each statement takes the writer and gives it back: a lease held
    // through the `if let` would wait for itself below.
    let refresh = store::tokens::find_refresh_token(&mut *db.writer.acquire().await?, &sha256_hex(token)).await?;
    if let Some(row) = refresh {
        if row.client_id != client.id.as_str() {
            return Err(foreign());
        }
        store::families::revoke(&mut *db.writer.acquire().await?, &row.grant_id).await?;
        tracing::info!(client_id = %client.id, "refresh token revoked with its grant");
    } else if let Ok(claims) = access_token::verify(&checker, token, true).await {
        if claims.client_id != client.id.as_str() {
            return Err(foreign());
        }
        let revoked = store::tokens::RevokedAccessToken {
            jti: &claims.jti,
            grant_id: claims.grant_id.as_deref(),
            client_id: &claims.client_id,
            expires_at: claims.exp,
        };
        store::tokens::revoke_access_token(&mut *db.writer.acquire().await?, revoked).await?;
        tracing::info!(client_id = %client.id, "access token revoked");
    }
    let mut response = StatusCode::OK.into_response();
    no_store_headers(response.headers_mut());
    Ok(response)
}

fn foreign() -> TokenError {
    TokenError::unauthorized_client(
        "the token was issued to another client; only its own client may revoke it (RFC 7009 §2.1)",
    )
}
