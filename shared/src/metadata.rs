//! Authorization Server Metadata (RFC 8414 §2) and OpenID Provider Metadata
//! (OIDC Discovery 1.0 §3): one document, served at both well-known paths.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProviderMetadata {
    /// "The authorization server's issuer identifier, which is a URL that uses
    /// the https scheme and has no query or fragment components."
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_session_endpoint: Option<String>,
    pub scopes_supported: Vec<String>,
    pub response_types_supported: Vec<String>,
    pub response_modes_supported: Vec<String>,
    pub grant_types_supported: Vec<String>,
    pub token_endpoint_auth_methods_supported: Vec<String>,
    #[serde(default)]
    pub introspection_endpoint_auth_methods_supported: Vec<String>,
    #[serde(default)]
    pub revocation_endpoint_auth_methods_supported: Vec<String>,
    pub code_challenge_methods_supported: Vec<String>,
    pub subject_types_supported: Vec<String>,
    pub id_token_signing_alg_values_supported: Vec<String>,
    #[serde(default)]
    pub claims_supported: Vec<String>,
    #[serde(default)]
    pub prompt_values_supported: Vec<String>,
    /// RFC 9207 §3: the authorization response carries `iss`.
    pub authorization_response_iss_parameter_supported: bool,
    /// OIDC Discovery §3: whether the `request` parameter is supported
    /// ("If omitted, the default value is false").
    #[serde(default)]
    pub request_parameter_supported: bool,
    /// OIDC Discovery §3: whether `request_uri` is supported ("If omitted,
    /// the default value is true"), so a provider without it must say false.
    #[serde(default = "default_true")]
    pub request_uri_parameter_supported: bool,
}

fn default_true() -> bool {
    true
}
