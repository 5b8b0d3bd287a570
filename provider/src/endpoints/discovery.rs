//! `GET /.well-known/openid-configuration` and
//! `GET /.well-known/oauth-authorization-server` — one metadata document
//! (OIDC Discovery 1.0 §3, RFC 8414 §2) advertising exactly what is
//! enforced. Every URL is derived from the configured issuer, never from
//! the request's `Host` header (RFC 9700 §4.13).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use shared::metadata::ProviderMetadata;
use shared::pkce::CodeChallengeMethod;
use shared::{ClientAuthMethod, GrantType, ResponseMode, ResponseType};

use crate::config::Config;
use crate::keys::alg_name;
use crate::scopes::KNOWN_SCOPES;

pub fn metadata(config: &Config) -> ProviderMetadata {
    let all = |names: &[&'static str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let secret_methods =
        all(&[ClientAuthMethod::ClientSecretBasic.as_str(), ClientAuthMethod::ClientSecretPost.as_str()]);
    ProviderMetadata {
        issuer: config.issuer.clone(),
        authorization_endpoint: config.endpoint("/oauth2/authorize"),
        token_endpoint: config.endpoint("/oauth2/token"),
        jwks_uri: config.endpoint("/.well-known/jwks.json"),
        userinfo_endpoint: Some(config.endpoint("/oauth2/userinfo")),
        introspection_endpoint: Some(config.endpoint("/oauth2/introspect")),
        revocation_endpoint: Some(config.endpoint("/oauth2/revoke")),
        end_session_endpoint: Some(config.endpoint("/oauth2/logout")),
        scopes_supported: KNOWN_SCOPES.iter().map(|s| s.name.to_owned()).collect(),
        response_types_supported: ResponseType::ALL.iter().map(|r| r.as_str().to_owned()).collect(),
        response_modes_supported: ResponseMode::ALL.iter().map(|r| r.as_str().to_owned()).collect(),
        grant_types_supported: GrantType::ALL.iter().map(|g| g.as_str().to_owned()).collect(),
        token_endpoint_auth_methods_supported: ClientAuthMethod::ALL.iter().map(|m| m.as_str().to_owned()).collect(),
        introspection_endpoint_auth_methods_supported: secret_methods.clone(),
        revocation_endpoint_auth_methods_supported: ClientAuthMethod::ALL
            .iter()
            .map(|m| m.as_str().to_owned())
            .collect(),
        // RFC 7636 §4.2 / RFC 9700 §2.1.1: S256 only, so only S256 is listed.
        code_challenge_methods_supported: vec![CodeChallengeMethod::S256.as_str().to_owned()],
        subject_types_supported: vec!["public".to_owned()],
        id_token_signing_alg_values_supported: vec![alg_name(config.id_token_alg).to_owned()],
        claims_supported: all(&[
            "iss",
            "sub",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "at_hash",
            "name",
            "preferred_username",
            "email",
            "email_verified",
        ]),
        prompt_values_supported: all(&["none", "login", "consent", "select_account"]),
        // RFC 9207 §3.
        authorization_response_iss_parameter_supported: true,
        // OIDC Core §6: request objects are refused with
        // request_not_supported / request_uri_not_supported.
        request_parameter_supported: false,
        request_uri_parameter_supported: false,
    }
}

pub async fn discovery(State(config): State<Arc<Config>>) -> Response {
    let mut response = Json(metadata(&config)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}
