//! The todo API's settings, read once at start-up.
//!
//! Every field is public so that tests and the e2e launcher can build a
//! `Config` directly; `main` builds it from the environment with
//! [`Config::from_env`]. A bad value stops the service with a message naming
//! the variable (see [`shared::config::ConfigError`]).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use shared::Secret;
use shared::config::{ConfigError, Env};

/// How the API decides whether an access token is good.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenValidation {
    /// Verify the JWT locally against the provider's published keys
    /// (RFC 9068 §4). No call to the provider per request; a revoked token
    /// stays usable until it expires.
    Jwt,
    /// Ask the provider about every token (RFC 7662). One round trip per
    /// request, but a revoked token is refused at once.
    Introspection,
}

impl TokenValidation {
    /// The spelling in `TODO_API_TOKEN_VALIDATION`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jwt => "jwt",
            Self::Introspection => "introspection",
        }
    }
}

impl fmt::Display for TokenValidation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TokenValidation {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "jwt" => Ok(Self::Jwt),
            "introspection" => Ok(Self::Introspection),
            _ => Err("expected jwt or introspection".to_owned()),
        }
    }
}

/// Everything the todo API needs to know.
#[derive(Clone, Debug)]
pub struct Config {
    /// `TODO_API_ADDR`: the `host:port` to listen on.
    pub addr: String,
    /// `TODO_API_PUBLIC_URL`: where browsers reach this API.
    pub public_url: String,
    /// `TODO_API_AUDIENCE`: this API's identifier, which an access token's
    /// `aud` must contain (RFC 9068 §4). Defaults to the public URL.
    pub audience: String,
    /// `TODO_API_DATABASE_URL`: `sqlite://…?mode=rwc` or `postgres://…`.
    pub database_url: String,
    /// `PROVIDER_PUBLIC_URL`: the issuer. An access token's `iss` must be
    /// exactly this string (no trailing slash).
    pub issuer: String,
    /// `PROVIDER_INTERNAL_URL`: where this API reaches the provider for its
    /// JWKS and introspection endpoint (in Docker, `http://provider:8080`).
    pub provider_internal_url: String,
    /// `CLIENT_PUBLIC_URL`: the client app's origin, allowed by CORS with
    /// credentials (its page sends the `access_token` cookie).
    pub client_origin: String,
    /// `SPA_PUBLIC_URL`: the single-page app's origin, allowed by CORS for
    /// Bearer calls without credentials.
    pub spa_origin: String,
    /// `TODO_API_TOKEN_VALIDATION`: `jwt` (default) or `introspection`.
    pub token_validation: TokenValidation,
    /// `TODO_API_CLIENT_ID`: this API's own client at the provider, used to
    /// authenticate to the introspection endpoint.
    pub client_id: String,
    /// `TODO_API_CLIENT_SECRET`: that client's secret.
    pub client_secret: Secret,
    /// `TODO_API_LEEWAY_SECONDS`: tolerated clock skew for `exp`, `nbf`, `iat`.
    pub leeway: Duration,
    /// `TODO_API_JWKS_MIN_REFRESH_SECONDS`: an unknown `kid` refetches the
    /// JWKS at most once per this interval.
    pub jwks_min_refresh: Duration,
}

impl Config {
    /// Reads the configuration, with defaults that make a bare `cargo run`
    /// work next to the provider (8080) and the client app (3000).
    pub fn from_env(env: &Env) -> Result<Config, ConfigError> {
        let public_url = env.base_url("TODO_API_PUBLIC_URL", "http://localhost:4000")?;
        let audience = env.string("TODO_API_AUDIENCE", &public_url);
        let issuer = env.base_url("PROVIDER_PUBLIC_URL", "http://localhost:8080")?;
        let provider_internal_url = env.base_url("PROVIDER_INTERNAL_URL", &issuer)?;
        Ok(Config {
            addr: env.addr("TODO_API_ADDR", "127.0.0.1:4000")?,
            public_url,
            audience,
            database_url: env.database_url("TODO_API_DATABASE_URL", "sqlite://data/todos.db?mode=rwc")?,
            issuer,
            provider_internal_url,
            client_origin: env.base_url("CLIENT_PUBLIC_URL", "http://localhost:3000")?,
            spa_origin: env.base_url("SPA_PUBLIC_URL", "http://localhost:5173")?,
            token_validation: env.parse("TODO_API_TOKEN_VALIDATION", TokenValidation::Jwt, "introspection")?,
            client_id: env.string("TODO_API_CLIENT_ID", "todo-api"),
            client_secret: Secret::new(env.string("TODO_API_CLIENT_SECRET", "todo-api-secret")),
            leeway: Duration::from_secs(env.parse("TODO_API_LEEWAY_SECONDS", 30, "30")?),
            jwks_min_refresh: Duration::from_secs(env.parse("TODO_API_JWKS_MIN_REFRESH_SECONDS", 5, "5")?),
        })
    }

    /// The provider's JWKS, fetched over the back channel (never from a
    /// URL found in a token: RFC 8725 §3.10).
    pub fn jwks_url(&self) -> String {
        format!("{}/.well-known/jwks.json", self.provider_internal_url)
    }

    /// The provider's RFC 7662 introspection endpoint, over the back channel.
    pub fn introspection_url(&self) -> String {
        format!("{}/oauth2/introspect", self.provider_internal_url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_make_a_bare_cargo_run_work() {
        let config = Config::from_env(&Env::default()).unwrap();
        assert_eq!(config.addr, "127.0.0.1:4000");
        assert_eq!(config.audience, "http://localhost:4000");
        assert_eq!(config.issuer, "http://localhost:8080");
        assert_eq!(config.provider_internal_url, "http://localhost:8080");
        assert_eq!(config.client_origin, "http://localhost:3000");
        assert_eq!(config.spa_origin, "http://localhost:5173");
        assert_eq!(config.token_validation, TokenValidation::Jwt);
        assert_eq!(config.leeway, Duration::from_secs(30));
        assert_eq!(config.jwks_url(), "http://localhost:8080/.well-known/jwks.json");
    }

    #[test]
    fn audience_follows_the_public_url_unless_set() {
        let env = Env::from_pairs([("TODO_API_PUBLIC_URL", "https://api.example.com/")]);
        assert_eq!(Config::from_env(&env).unwrap().audience, "https://api.example.com");
        let env = Env::from_pairs([("TODO_API_AUDIENCE", "urn:todo-api")]);
        assert_eq!(Config::from_env(&env).unwrap().audience, "urn:todo-api");
    }

    #[test]
    fn issuer_loses_its_trailing_slash() {
        let env = Env::from_pairs([("PROVIDER_PUBLIC_URL", "http://localhost:8080/")]);
        assert_eq!(Config::from_env(&env).unwrap().issuer, "http://localhost:8080");
    }

    #[test]
    fn unknown_validation_mode_names_the_variable() {
        let env = Env::from_pairs([("TODO_API_TOKEN_VALIDATION", "opaque")]);
        let message = Config::from_env(&env).unwrap_err().to_string();
        assert!(message.contains("TODO_API_TOKEN_VALIDATION"), "{message}");
        assert!(message.contains("jwt or introspection"), "{message}");
    }

    #[test]
    fn non_numeric_leeway_names_the_variable() {
        let env = Env::from_pairs([("TODO_API_LEEWAY_SECONDS", "half a minute")]);
        let message = Config::from_env(&env).unwrap_err().to_string();
        assert!(message.contains("TODO_API_LEEWAY_SECONDS"), "{message}");
    }
}
