//! The client's settings, read once at start-up.
//!
//! Everything the client needs to know about itself (where it listens, the
//! URL the browser sees) and about its provider (two base URLs: the one the
//! browser is sent to and the one the client calls over the back channel),
//! plus its registration: `client_id`, `client_secret`, `redirect_uri` and
//! how it authenticates (RFC 6749 §2.3.1).

use shared::config::{ConfigError, Env};
use shared::{ClientAuthMethod, ClientId, RedirectUri, Scopes, Secret};

/// The scopes asked for when `CLIENT_SCOPES` is not set: an OpenID Connect
/// login (`openid profile email`), a refresh token (`offline_access`, OIDC
/// Core §11) and the todo API's two scopes.
pub const DEFAULT_SCOPES: &str = "openid profile email offline_access todos:read todos:write";

/// How the tokens reach the page's API calls ("OAuth 2.0 for
/// Browser-Based Applications" names both patterns).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenDelivery {
    /// `cookies`: the tokens go to the browser as HttpOnly cookies and the
    /// page calls the todo API directly (the article's way).
    Cookies,
    /// `bff`: the tokens stay in this app's server-side session; the page
    /// calls `/api/todos` here, and this app forwards with the access token
    /// (backend for frontend).
    Bff,
}

/// The client app's configuration. Tests and the launcher build it directly;
/// `main` builds it from the environment with [`Config::from_env`].
#[derive(Clone, Debug)]
pub struct Config {
    /// `CLIENT_ADDR`: the `host:port` to listen on.
    pub addr: String,
    /// `CLIENT_PUBLIC_URL`: this app as the browser sees it, no trailing
    /// slash. Its origin is the only one `POST /refreshtoken` accepts.
    pub public_url: String,
    /// `CLIENT_DATABASE_URL`: where sessions live (SQLite or PostgreSQL).
    pub database_url: String,
    /// `PROVIDER_PUBLIC_URL`: the provider as the browser sees it. It is also
    /// the issuer identifier, compared exactly with `iss`.
    pub provider_public_url: String,
    /// `PROVIDER_INTERNAL_URL`: the provider as this server reaches it (the
    /// back channel: token, revocation, JWKS).
    pub provider_internal_url: String,
    /// `TODO_API_PUBLIC_URL`: the todo API as the browser sees it; the page's
    /// JavaScript calls it directly.
    pub todo_api_public_url: String,
    /// `CLIENT_ID`: this client's identifier at the provider (RFC 6749 §2.2).
    pub client_id: ClientId,
    /// `CLIENT_SECRET`: this client's password at the provider (RFC 6749 §2.3.1).
    pub client_secret: Secret,
    /// `REDIRECT_URI`: where the provider sends the browser back (RFC 6749
    /// §3.1.2); it must be registered at the provider byte for byte.
    pub redirect_uri: RedirectUri,
    /// `CLIENT_AUTH_METHOD`: `client_secret_basic` or `client_secret_post`.
    pub auth_method: ClientAuthMethod,
    /// `CLIENT_SCOPES`: what the authorization request asks for (RFC 6749 §3.3).
    pub scopes: Scopes,
    /// `CLIENT_COOKIE_SECURE`: whether cookies carry `Secure`.
    pub cookie_secure: bool,
    /// `CLIENT_TOKEN_DELIVERY`: `cookies` (default) or `bff`.
    pub token_delivery: TokenDelivery,
    /// `TODO_API_INTERNAL_URL`: the todo API as this server reaches it, for
    /// the calls it forwards in BFF mode (default: `TODO_API_PUBLIC_URL`).
    pub todo_api_internal_url: String,
}

impl Config {
    /// Reads every `CLIENT_*`, `PROVIDER_*` and related variable, with the
    /// defaults that make a bare `cargo run` work on one machine. A bad value
    /// is an error naming the variable.
    pub fn from_env(env: &Env) -> Result<Config, ConfigError> {
        let public_url = env.base_url("CLIENT_PUBLIC_URL", "http://localhost:3000")?;
        let provider_public_url = env.base_url("PROVIDER_PUBLIC_URL", "http://localhost:8080")?;
        let provider_internal_url = env.base_url("PROVIDER_INTERNAL_URL", &provider_public_url)?;

        let default_redirect = format!("{public_url}/callback");
        let raw_redirect = env.string("REDIRECT_URI", &default_redirect);
        let redirect_uri = RedirectUri::parse(&raw_redirect)
            .map_err(|e| ConfigError::new("REDIRECT_URI", &raw_redirect, e.to_string(), &default_redirect))?;

        let auth_method = auth_method(env)?;

        let raw_scopes = env.string("CLIENT_SCOPES", DEFAULT_SCOPES);
        let scopes = Scopes::parse(&raw_scopes)
            .map_err(|e| ConfigError::new("CLIENT_SCOPES", &raw_scopes, e.to_string(), DEFAULT_SCOPES))?;
        if !scopes.contains("openid") {
            // Without `openid` there is no ID token, and the client would not
            // know who logged in (OIDC Core §3.1.2.1).
            return Err(ConfigError::new(
                "CLIENT_SCOPES",
                &raw_scopes,
                "this client is an OpenID Connect relying party, so the scopes must include openid",
                DEFAULT_SCOPES,
            ));
        }

        let todo_api_public_url = env.base_url("TODO_API_PUBLIC_URL", "http://localhost:4000")?;
        let todo_api_internal_url = env.base_url("TODO_API_INTERNAL_URL", &todo_api_public_url)?;
        let client_id = env.string("CLIENT_ID", "todo-app");
        let client_secret = env.string("CLIENT_SECRET", "todo-app-secret");

        Ok(Config {
            addr: env.addr("CLIENT_ADDR", "127.0.0.1:3000")?,
            cookie_secure: env.bool("CLIENT_COOKIE_SECURE", public_url.starts_with("https://"))?,
            database_url: env.database_url("CLIENT_DATABASE_URL", "sqlite://data/client.db?mode=rwc")?,
            todo_api_public_url,
            todo_api_internal_url,
            token_delivery: token_delivery(env)?,
            client_id: ClientId::new(client_id),
            client_secret: Secret::new(client_secret),
            public_url,
            provider_public_url,
            provider_internal_url,
            redirect_uri,
            auth_method,
            scopes,
        })
    }
}

/// `CLIENT_TOKEN_DELIVERY`: `cookies` or `bff`.
fn token_delivery(env: &Env) -> Result<TokenDelivery, ConfigError> {
    let raw = env.string("CLIENT_TOKEN_DELIVERY", "cookies");
    match raw.as_str() {
        "cookies" => Ok(TokenDelivery::Cookies),
        "bff" => Ok(TokenDelivery::Bff),
        _ => Err(ConfigError::new(
            "CLIENT_TOKEN_DELIVERY",
            &raw,
            "expected cookies (tokens in HttpOnly cookies, the page calls the todo API) or bff (tokens stay in this app's session, the page calls /api/todos)",
            "bff",
        )),
    }
}

/// `CLIENT_AUTH_METHOD`: the two ways a confidential client sends its secret.
fn auth_method(env: &Env) -> Result<ClientAuthMethod, ConfigError> {
    let raw = env.string("CLIENT_AUTH_METHOD", "client_secret_basic");
    match ClientAuthMethod::parse(&raw) {
        Some(method @ (ClientAuthMethod::ClientSecretBasic | ClientAuthMethod::ClientSecretPost)) => Ok(method),
        Some(ClientAuthMethod::None) => Err(ConfigError::new(
            "CLIENT_AUTH_METHOD",
            &raw,
            "this app is a confidential client with a secret; \"none\" is for public clients",
            "client_secret_basic",
        )),
        None => Err(ConfigError::new(
            "CLIENT_AUTH_METHOD",
            &raw,
            "expected client_secret_basic or client_secret_post (RFC 6749 §2.3.1)",
            "client_secret_basic",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_make_a_bare_cargo_run_work() {
        let config = Config::from_env(&Env::default()).unwrap();
        assert_eq!(config.addr, "127.0.0.1:3000");
        assert_eq!(config.redirect_uri.as_str(), "http://localhost:3000/callback");
        assert_eq!(config.provider_internal_url, "http://localhost:8080");
        assert_eq!(config.auth_method, ClientAuthMethod::ClientSecretBasic);
        assert!(!config.cookie_secure);
        assert!(config.scopes.contains("offline_access"));
        assert_eq!(config.token_delivery, TokenDelivery::Cookies);
        assert_eq!(config.todo_api_internal_url, "http://localhost:4000");
    }

    #[test]
    fn bff_mode_is_chosen_by_name() {
        let env = Env::from_pairs([("CLIENT_TOKEN_DELIVERY", "bff")]);
        assert_eq!(Config::from_env(&env).unwrap().token_delivery, TokenDelivery::Bff);
        let err = Config::from_env(&Env::from_pairs([("CLIENT_TOKEN_DELIVERY", "BFF!")])).unwrap_err();
        assert_eq!(err.variable, "CLIENT_TOKEN_DELIVERY");
        assert!(err.to_string().contains("bff"), "{err}");
    }

    #[test]
    fn https_public_url_turns_secure_cookies_on_unless_overridden() {
        let env = Env::from_pairs([("CLIENT_PUBLIC_URL", "https://app.example")]);
        assert!(Config::from_env(&env).unwrap().cookie_secure);
        let env = Env::from_pairs([("CLIENT_PUBLIC_URL", "https://app.example"), ("CLIENT_COOKIE_SECURE", "false")]);
        assert!(!Config::from_env(&env).unwrap().cookie_secure);
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (name, value) in [
            ("CLIENT_AUTH_METHOD", "private_key_jwt"),
            ("CLIENT_SCOPES", "profile email"),
            ("REDIRECT_URI", "/callback"),
            ("PROVIDER_PUBLIC_URL", "localhost:8080"),
        ] {
            let err = Config::from_env(&Env::from_pairs([(name, value)])).unwrap_err();
            assert_eq!(err.variable, name, "{err}");
        }
    }
}
