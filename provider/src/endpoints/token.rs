//! `POST /oauth2/token` — the token endpoint (RFC 6749 §3.2).
//!
//! Authenticates the client, dispatches on `grant_type` to the grant's own
//! module, and answers RFC 6749 §5.1 JSON with `Cache-Control: no-store`.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use shared::{ErrorCode, GrantType, TokenRequest};

use crate::params::Params;
use crate::responses::no_store_headers;
use crate::state::{ClientAuth, Database, Issuer};
use crate::token::client_auth::authenticate;
use crate::token::error::TokenError;
use crate::token::grants;

#[tracing::instrument(skip_all, fields(grant_type, client_id))]
pub async fn token(
    State(auth): State<ClientAuth>,
    State(db): State<Database>,
    State(issuer): State<Issuer>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, TokenError> {
    let raw_grant = params.require("grant_type", "RFC 6749 §4.1.3")?;
    tracing::Span::current().record("grant_type", raw_grant);
    let grant = GrantType::parse(raw_grant).ok_or_else(|| unsupported(raw_grant))?;

    let client = authenticate(&auth, peer.ip(), &headers, &params).await?;
    tracing::Span::current().record("client_id", client.id.as_str());
    // RFC 6749 §5.2 unauthorized_client: "The authenticated client is not
    // authorized to use this authorization grant type" (ASVS 10.4.4).
    if !client.allows_grant(grant) {
        return Err(TokenError::unauthorized_client(format!(
            "client {} is not registered for the {grant} grant",
            client.id
        )));
    }

    let response = match TokenRequest::read(grant, |name| params.get(name))? {
        TokenRequest::AuthorizationCode { code, redirect_uri, code_verifier } => {
            grants::authorization_code::exchange(&db, &issuer, &client, code, redirect_uri, code_verifier).await?
        }
        TokenRequest::RefreshToken { refresh_token, scope } => {
            grants::refresh_token::refresh(&db, &issuer, &client, refresh_token, scope).await?
        }
        TokenRequest::ClientCredentials { scope } => {
            grants::client_credentials::issue_for_client(&issuer, &client, scope).await?
        }
    };
    tracing::info!("tokens issued");
    let mut response = Json(response).into_response();
    no_store_headers(response.headers_mut());
    Ok(response)
}

fn unsupported(grant_type: &str) -> TokenError {
    let why = match grant_type {
        "password" => "the resource owner password grant must not be used (RFC 9700 §2.4)",
        "implicit" | "token" => "the implicit grant is not a token-endpoint grant and is deprecated (RFC 9700 §2.1.2)",
        _ => "supported: authorization_code, refresh_token, client_credentials",
    };
    TokenError::new(ErrorCode::UnsupportedGrantType, format!("grant_type {grant_type:?} is not supported: {why}"))
}
