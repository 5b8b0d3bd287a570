//! The back channel: the client's own HTTP calls to the provider.
//!
//! These requests go from this server straight to the provider
//! (`PROVIDER_INTERNAL_URL`), never through the browser, which is why the
//! client can authenticate with its secret and why the tokens in the answer
//! are never exposed to the user agent (RFC 6749 §4.1.3, §1.3.1).
//!
//! Everything is written out by hand with reqwest, so the requests read like
//! the RFC's examples: a form body, a `Basic` header, a JSON answer. Each call
//! also returns [`FlowStep`]s describing what went over the wire, with every
//! secret redacted, for the flow inspector.

use std::sync::Arc;

use serde::Deserialize;
use shared::{ClientAuthMethod, ClientId, ErrorCode, Secret, TokenRequest, TokenResponse};
use url::Url;

use crate::config::Config;
use crate::flow_log::{FlowStep, Outcome, Row, mask, rfc};

mod exchange;
mod metadata;
use exchange::Labels;
pub use metadata::{MetadataCache, ProviderMetadata};

/// The provider's endpoints, as this client reaches them.
#[derive(Clone, Debug)]
pub struct Provider {
    http: reqwest::Client,
    /// The issuer identifier: `PROVIDER_PUBLIC_URL`, compared exactly.
    pub issuer: String,
    /// Browser-facing (public URL): RFC 6749 §3.1.
    pub authorization_endpoint: Url,
    /// Browser-facing (public URL): OIDC RP-Initiated Logout §2.
    pub end_session_endpoint: Url,
    /// Back channel (internal URL): RFC 6749 §3.2.
    pub token_endpoint: Url,
    /// Back channel (internal URL): RFC 7009 §2.
    pub revocation_endpoint: Url,
    /// Back channel (internal URL): where the ID token's signing keys are.
    pub jwks_uri: Url,
    /// Back channel (internal URL): the metadata document (OIDC Discovery §4).
    pub metadata: Arc<MetadataCache>,
    client_id: ClientId,
    client_secret: Secret,
    auth_method: ClientAuthMethod,
}

/// What the provider's back channel can go wrong with.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// No HTTP answer at all: connection refused, DNS, timeout.
    #[error("the provider at {url} could not be reached: {reason}")]
    Unreachable { url: String, reason: String },
    /// An RFC 6749 §5.2 error response (`invalid_grant`, `invalid_client`, …).
    #[error("the provider at {url} answered {status} {error}")]
    Rejected { url: String, status: u16, error: String, description: Option<String> },
    /// An answer that is not what the RFC describes.
    #[error("the provider at {url} answered {status} with an unexpected body: {reason}")]
    Malformed { url: String, status: u16, reason: String },
}

impl ProviderError {
    /// RFC 6749 §5.2 `invalid_grant`: the code or refresh token is no good
    /// (expired, revoked, already used, issued to someone else).
    pub fn is_invalid_grant(&self) -> bool {
        matches!(self, Self::Rejected { error, .. } if error == ErrorCode::InvalidGrant.as_str())
    }
}

/// A call's result together with the inspector's record of it.
pub struct Recorded<T> {
    pub steps: Vec<FlowStep>,
    pub result: Result<T, ProviderError>,
}

/// How the flow inspector labels a token request (the request itself is
/// [`shared::TokenRequest`], the same type the provider reads).
fn labels(request: &TokenRequest<'_>) -> Labels {
    let (title, request_spec) = match request {
        TokenRequest::AuthorizationCode { .. } => ("Token request (authorization code)", rfc(6749, "4.1.3")),
        TokenRequest::RefreshToken { .. } => ("Token request (refresh token)", rfc(6749, "6")),
        TokenRequest::ClientCredentials { .. } => ("Token request (client credentials)", rfc(6749, "4.4.2")),
    };
    Labels {
        title,
        request_spec,
        response_spec: rfc(6749, "5.1"),
        response_summary: "The provider's answer. RFC 6749 §5.1 requires Cache-Control: no-store on token responses, so no cache keeps the tokens.",
    }
}

/// How the inspector shows one form parameter of a token request, and why
/// it is there. Credentials are never shown whole.
fn shown(name: &str, value: &str) -> (String, &'static str) {
    match name {
        "grant_type" => (
            value.to_owned(),
            match value {
                "authorization_code" => "RFC 6749 §4.1.3: we are redeeming an authorization code",
                "refresh_token" => "RFC 6749 §6: trading a refresh token for a new access token",
                _ => "RFC 6749 §4.4.2: a token for the client itself",
            },
        ),
        "code" => (mask(value), "the code from the callback; single use, short-lived"),
        "redirect_uri" => (value.to_owned(), "must be identical to the one in the authorization request (§4.1.3)"),
        "code_verifier" => ("[redacted]".into(), "RFC 7636 §4.5: proves we are the one who sent the code_challenge"),
        "refresh_token" => ("[redacted]".into(), "the long-lived credential, from the HttpOnly cookie"),
        _ => (value.to_owned(), "RFC 6749 §3.3: narrower than what was granted, never wider"),
    }
}

impl Provider {
    pub fn new(config: &Config, http: reqwest::Client) -> Result<Self, url::ParseError> {
        let public = Url::parse(&config.provider_public_url)?;
        let internal = Url::parse(&config.provider_internal_url)?;
        Ok(Self {
            http,
            issuer: config.provider_public_url.clone(),
            authorization_endpoint: endpoint(&public, &["oauth2", "authorize"]),
            end_session_endpoint: endpoint(&public, &["oauth2", "logout"]),
            token_endpoint: endpoint(&internal, &["oauth2", "token"]),
            revocation_endpoint: endpoint(&internal, &["oauth2", "revoke"]),
            jwks_uri: endpoint(&internal, &[".well-known", "jwks.json"]),
            metadata: Arc::new(MetadataCache::new(
                endpoint(&internal, &[".well-known", "openid-configuration"]),
                config.provider_public_url.clone(),
            )),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            auth_method: config.auth_method,
        })
    }

    /// The provider's metadata document, fetched on first use.
    pub async fn metadata(&self) -> Result<Arc<ProviderMetadata>, ProviderError> {
        self.metadata.get(&self.http).await
    }

    /// `POST /oauth2/token` (RFC 6749 §4.1.3 or §6), answered by §5.1 or §5.2.
    #[tracing::instrument(skip_all, fields(client_id = %self.client_id))]
    pub async fn token(&self, request: TokenRequest<'_>) -> Recorded<TokenResponse> {
        let form = request.to_form();
        let rows = form
            .iter()
            .map(|(name, value)| {
                let (value, note) = shown(name, value);
                Row::new(name, value, note)
            })
            .collect();
        let (mut steps, answer) = self.post_form(&self.token_endpoint, form, rows, labels(&request)).await;
        let result = answer.and_then(|(status, body)| {
            if (200..300).contains(&status) {
                // RFC 6749 §5.1: the successful response.
                serde_json::from_str::<TokenResponse>(&body).map_err(|e| ProviderError::Malformed {
                    url: self.token_endpoint.to_string(),
                    status,
                    reason: format!("not an RFC 6749 §5.1 token response: {e}"),
                })
            } else {
                Err(self.error_response(&self.token_endpoint, status, &body))
            }
        });
        if let Some(step) = steps.last_mut() {
            step.outcome = if result.is_ok() { Outcome::Ok } else { Outcome::Failed };
        }
        Recorded { steps, result }
    }

    /// `POST /oauth2/revoke` (RFC 7009 §2.1) for a refresh token. Revoking
    /// it also invalidates the access tokens issued from it (RFC 7009 §2.1:
    /// "If the token passed to the request is a refresh token and the
    /// authorization server supports the revocation of access tokens, then
    /// the authorization server SHOULD also invalidate all access tokens
    /// based on the same authorization grant").
    #[tracing::instrument(skip_all, fields(client_id = %self.client_id))]
    pub async fn revoke(&self, refresh_token: &Secret) -> Recorded<()> {
        let form = vec![("token", refresh_token.expose()), ("token_type_hint", "refresh_token")];
        let rows = vec![
            Row::new("token", "[redacted]", "the refresh token to revoke"),
            Row::new("token_type_hint", "refresh_token", "RFC 7009 §2.1: helps the server find the token"),
        ];
        let (mut steps, answer) = self
            .post_form(
                &self.revocation_endpoint,
                form,
                rows,
                Labels {
                    title: "Revocation request",
                    request_spec: rfc(7009, "2.1"),
                    response_spec: rfc(7009, "2.2"),
                    response_summary: "RFC 7009 §2.2: 200 whether the token was revoked or was already invalid, so an attacker learns nothing.",
                },
            )
            .await;
        // RFC 7009 §2.2: "The authorization server responds with HTTP status
        // code 200 if the token has been revoked successfully or if the
        // client submitted an invalid token."
        let result = answer.and_then(|(status, body)| match status {
            200 => Ok(()),
            _ => Err(self.error_response(&self.revocation_endpoint, status, &body)),
        });
        if let Some(step) = steps.last_mut() {
            step.outcome = if result.is_ok() { Outcome::Ok } else { Outcome::Failed };
        }
        Recorded { steps, result }
    }

    /// Reads an RFC 6749 §5.2 error body; anything else is malformed.
    fn error_response(&self, url: &Url, status: u16, body: &str) -> ProviderError {
        #[derive(Deserialize)]
        struct ErrorBody {
            error: String,
            error_description: Option<String>,
        }
        match serde_json::from_str::<ErrorBody>(body) {
            Ok(e) => ProviderError::Rejected {
                url: url.to_string(),
                status,
                error: e.error,
                description: e.error_description,
            },
            Err(_) => ProviderError::Malformed {
                url: url.to_string(),
                status,
                reason: "no RFC 6749 §5.2 error object in the body".into(),
            },
        }
    }
}

/// `base` with `segments` appended to its path.
fn endpoint(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_keep_a_base_path() {
        let base = Url::parse("http://provider:8080/idp").unwrap();
        assert_eq!(endpoint(&base, &["oauth2", "token"]).as_str(), "http://provider:8080/idp/oauth2/token");
        let root = Url::parse("http://provider:8080").unwrap();
        assert_eq!(endpoint(&root, &["oauth2", "token"]).as_str(), "http://provider:8080/oauth2/token");
    }
}
