//! Settings from the environment, with defaults that make a bare
//! `cargo run -p spa` work beside the other services.

use shared::config::{ConfigError, Env};

/// How the page sends its token requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenRequestBody {
    /// `application/x-www-form-urlencoded`, as RFC 6749 §4.1.3 says.
    Form,
    /// `application/json`, as some browser apps send it (the
    /// provider accepts both).
    Json,
}

impl TokenRequestBody {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenRequestBody::Form => "form",
            TokenRequestBody::Json => "json",
        }
    }
}

impl std::str::FromStr for TokenRequestBody {
    type Err = &'static str;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "form" => Ok(TokenRequestBody::Form),
            "json" => Ok(TokenRequestBody::Json),
            _ => Err("expected form or json"),
        }
    }
}

/// The single-page app's settings. The page itself gets them from
/// `/config.js`: it has no environment of its own.
#[derive(Clone, Debug)]
pub struct Config {
    /// `SPA_ADDR`: where this server listens.
    pub addr: String,
    /// `SPA_PUBLIC_URL`: the app as the browser reaches it; its redirect URI
    /// is `{SPA_PUBLIC_URL}/callback`, which must be registered for the
    /// client at the provider.
    pub public_url: String,
    /// `PROVIDER_PUBLIC_URL`: the issuer, as the browser reaches it.
    pub issuer: String,
    /// `TODO_API_PUBLIC_URL`: the todo API, as the browser reaches it.
    pub todo_api_url: String,
    /// `SPA_CLIENT_ID`: the public client's identifier at the provider.
    pub client_id: String,
    /// `SPA_TOKEN_REQUEST_BODY`: `form` (default) or `json`.
    pub token_request_body: TokenRequestBody,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Config, ConfigError> {
        Ok(Config {
            addr: env.addr("SPA_ADDR", "127.0.0.1:5173")?,
            public_url: env.base_url("SPA_PUBLIC_URL", "http://localhost:5173")?,
            issuer: env.base_url("PROVIDER_PUBLIC_URL", "http://localhost:8080")?,
            todo_api_url: env.base_url("TODO_API_PUBLIC_URL", "http://localhost:4000")?,
            client_id: env.string("SPA_CLIENT_ID", "todo-spa"),
            token_request_body: env.parse("SPA_TOKEN_REQUEST_BODY", TokenRequestBody::Form, "json")?,
        })
    }

    /// The redirect URI registered for `todo-spa` (RFC 6749 §3.1.2).
    pub fn redirect_uri(&self) -> String {
        format!("{}/callback", self.public_url)
    }

    /// Where the provider sends the browser after logout (OIDC RP-Initiated
    /// Logout §3).
    pub fn post_logout_redirect_uri(&self) -> String {
        format!("{}/", self.public_url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_registration_in_the_providers_clients_file() {
        let config = Config::from_env(&Env::default()).unwrap();
        assert_eq!(config.addr, "127.0.0.1:5173");
        assert_eq!(config.redirect_uri(), "http://localhost:5173/callback");
        assert_eq!(config.post_logout_redirect_uri(), "http://localhost:5173/");
        assert_eq!(config.client_id, "todo-spa");
        assert_eq!(config.token_request_body, TokenRequestBody::Form);
    }

    #[test]
    fn an_unknown_token_request_body_names_the_variable() {
        let env = Env::from_pairs([("SPA_TOKEN_REQUEST_BODY", "xml")]);
        let message = Config::from_env(&env).unwrap_err().to_string();
        assert!(message.contains("SPA_TOKEN_REQUEST_BODY"), "{message}");
    }
}
