//! Validating a token by asking the provider: RFC 7662, Token Introspection.
//!
//! The article's alternative to local JWT validation. Each request costs a
//! round trip to the provider, and in exchange a revoked token is refused at
//! once instead of living on until its `exp`. Nothing is cached, on purpose:
//! a cache would bring back exactly the delay this mode exists to remove.
//!
//! RFC 7662 §2.1: "The protected resource calls the introspection endpoint
//! using an HTTP POST request with parameters sent as
//! application/x-www-form-urlencoded data", and "the endpoint MUST also
//! require some form of authorization": this API authenticates as its own
//! confidential client with HTTP Basic (RFC 6749 §2.3.1).

use serde::Deserialize;
use shared::Secret;

use super::AccessToken;
use super::claims::{Claims, Expectations};
use super::error::{BearerError, InvalidToken};

/// Asks the provider's introspection endpoint about each token.
#[derive(Clone)]
pub struct Introspector {
    http: reqwest::Client,
    endpoint: String,
    client_id: String,
    client_secret: Secret,
    expect: Expectations,
}

/// RFC 7662 §2.2: the introspection response. `active` is the only member
/// an inactive token's response has; the rest are the token's claims.
#[derive(Debug, Deserialize)]
struct IntrospectionResponse {
    /// "REQUIRED. Boolean indicator of whether or not the presented token is
    /// currently active."
    active: bool,
    #[serde(flatten)]
    claims: Claims,
}

impl Introspector {
    pub fn new(
        http: reqwest::Client,
        endpoint: String,
        client_id: String,
        client_secret: Secret,
        expect: Expectations,
    ) -> Self {
        Self { http, endpoint, client_id, client_secret, expect }
    }

    /// Introspects `token`; an unreachable provider is a 503, not a 401.
    pub async fn validate(&self, token: &str) -> Result<AccessToken, BearerError> {
        let unavailable = |reason: String| {
            tracing::warn!(endpoint = %self.endpoint, %reason, "token introspection failed");
            BearerError::ValidatorUnavailable(format!(
                "the provider's introspection endpoint did not answer usefully ({reason})"
            ))
        };
        let response = self
            .http
            .post(&self.endpoint)
            // RFC 6749 §2.3.1: form-encoded, then Basic (reqwest's
            // `basic_auth` would skip the form-encoding).
            .header(
                reqwest::header::AUTHORIZATION,
                shared::basic_credentials::encode(&self.client_id, self.client_secret.expose()),
            )
            // RFC 7662 §2.1: `token` REQUIRED, `token_type_hint` OPTIONAL.
            .form(&[("token", token), ("token_type_hint", "access_token")])
            .send()
            .await
            .map_err(|e| unavailable(e.without_url().to_string()))?;
        if !response.status().is_success() {
            // A 401 here means *our* client credentials were refused: a
            // configuration problem of this API, never the caller's fault.
            return Err(unavailable(format!("HTTP {}", response.status())));
        }
        let answer: IntrospectionResponse =
            response.json().await.map_err(|e| unavailable(e.without_url().to_string()))?;

        // RFC 7662 §2.2: "If the introspection call is properly authorized
        // but the token is not active [...] the authorization server MUST
        // return an introspection response with the active field set to
        // false." Revoked tokens end here.
        if !answer.active {
            return Err(InvalidToken::Inactive.into());
        }
        // RFC 7662 §4: the protected resource still decides whether the
        // token is meant for it, so `iss`, `aud` and `exp` are checked as in
        // the JWT mode. `jti` is optional in an introspection response.
        Ok(self.expect.accept(answer.claims, false)?)
    }
}
