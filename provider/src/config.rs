//! The provider's settings, read once at start from the environment.
//!
//! Every variable is listed in `.env.example`; every one has a default that
//! makes a bare `cargo run -p provider` work on a laptop.

use std::time::Duration;

use jsonwebtoken::Algorithm;
use shared::config::{ConfigError, Env};

/// The clients file shipped with the provider, used when
/// `PROVIDER_CLIENTS_FILE` is not set and `provider/clients.toml` is not in
/// the working directory (the binary runs from anywhere).
pub const DEFAULT_CLIENTS_TOML: &str = include_str!("../clients.toml");

#[derive(Clone, Debug)]
pub struct Config {
    /// `PROVIDER_ADDR`: where to listen, `host:port`.
    pub addr: String,
    /// `PROVIDER_PUBLIC_URL`: the issuer (`iss`), as browsers reach it. No
    /// trailing slash. Every URL in discovery is derived from it, never from
    /// request headers (RFC 9700 §4.13: a forged `Host` must not change it).
    pub issuer: String,
    /// `PROVIDER_DATABASE_URL`: `sqlite://…?mode=rwc` or `postgres://…`.
    pub database_url: String,
    /// The clients file's content (`PROVIDER_CLIENTS_FILE`), and where it
    /// came from for error messages.
    pub clients_toml: String,
    pub clients_source: String,
    /// `TODO_API_AUDIENCE` (default `TODO_API_PUBLIC_URL`): the `aud` of
    /// access tokens that carry a `todos:*` scope.
    pub todo_api_audience: String,
    /// `PROVIDER_ACCESS_TOKEN_ALG` (default ES256): what access tokens are
    /// signed with. RFC 9068 §2.1: the server MUST support RS256 — which it
    /// does, when told — but the default is the algorithm that signs in a
    /// twentieth of the time (an RS256 signature is a 2048-bit private-key
    /// operation, about 0.6 ms).
    pub access_token_alg: Algorithm,
    /// `PROVIDER_ID_TOKEN_ALG` (default RS256): what ID tokens are signed
    /// with. OIDC Registration §2: `id_token_signed_response_alg` "The
    /// default, if omitted, is RS256", so every relying party can verify it.
    /// `PROVIDER_SIGNING_ALG`, when set, is the default of both.
    pub id_token_alg: Algorithm,
    /// `PROVIDER_ACCESS_TOKEN_TTL_SECONDS` (default 600): access and ID
    /// token lifetime.
    pub access_token_ttl: Duration,
    /// `PROVIDER_CODE_TTL_SECONDS` (default 60): RFC 6749 §4.1.2 "A maximum
    /// authorization code lifetime of 10 minutes is RECOMMENDED"; one minute
    /// is plenty for a redirect.
    pub code_ttl: Duration,
    /// `PROVIDER_REFRESH_TOKEN_TTL_SECONDS` (default 30 days): absolute
    /// lifetime of a refresh-token family, counted from the login.
    pub refresh_token_ttl: Duration,
    /// `PROVIDER_REFRESH_TOKEN_IDLE_SECONDS` (default 7 days): a refresh
    /// token unused for this long expires.
    pub refresh_token_idle: Duration,
    /// `PROVIDER_SESSION_TTL_SECONDS` (default 8 hours): the login session's
    /// inactivity timeout.
    pub session_ttl: Duration,
    /// `PROVIDER_COOKIE_SECURE` (default: true when the issuer is https).
    pub cookie_secure: bool,
    /// `PROVIDER_SEED_DEMO_USERS` (default true): create `demo`/`demo` and
    /// `alice`/`alice` on start when they do not exist.
    pub seed_demo_users: bool,
    /// `PROVIDER_LOGIN_MAX_FAILURES` (default 5): login attempts per
    /// username within `PROVIDER_LOGIN_WINDOW_SECONDS` (default 300) before
    /// answers become 429; an address may make `throttle::ADDRESS_LIMIT_FACTOR`
    /// times as many.
    pub login_max_failures: u32,
    pub login_window: Duration,
    /// `PROVIDER_KEY_PUBLISH_SECONDS` (default 300): how long the JWKS may
    /// be cached (its `Cache-Control: max-age`), and so how long a key
    /// added by `provider keys rotate` is published before it signs.
    pub key_publish_delay: Duration,
    /// `PROVIDER_KEY_RELOAD_SECONDS` (default 60): how often the key ring is
    /// re-read from the database, so a key that `provider keys rotate` (or
    /// another replica) added is published by every replica within this
    /// bound. Keep it well below `PROVIDER_KEY_PUBLISH_SECONDS`.
    pub key_reload_interval: Duration,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let issuer = env.base_url("PROVIDER_PUBLIC_URL", "http://localhost:8080")?;
        let todo_api_public = env.base_url("TODO_API_PUBLIC_URL", "http://localhost:4000")?;
        let todo_api_audience = env.string("TODO_API_AUDIENCE", &todo_api_public);
        let (clients_toml, clients_source) = read_clients_file(env)?;
        let seconds = |name: &str, default: u64| -> Result<Duration, ConfigError> {
            let value = env.parse::<u64>(name, default, &default.to_string())?;
            if value == 0 {
                return Err(ConfigError::new(name, "0", "must be at least 1 second", &default.to_string()));
            }
            Ok(Duration::from_secs(value))
        };
        let cookie_secure = env.bool("PROVIDER_COOKIE_SECURE", issuer.starts_with("https://"))?;
        Ok(Self {
            addr: env.addr("PROVIDER_ADDR", "127.0.0.1:8080")?,
            database_url: env.database_url("PROVIDER_DATABASE_URL", "sqlite://data/provider.db?mode=rwc")?,
            clients_toml,
            clients_source,
            todo_api_audience,
            access_token_alg: signing_alg(env, "PROVIDER_ACCESS_TOKEN_ALG", Algorithm::ES256)?,
            id_token_alg: signing_alg(env, "PROVIDER_ID_TOKEN_ALG", Algorithm::RS256)?,
            access_token_ttl: seconds("PROVIDER_ACCESS_TOKEN_TTL_SECONDS", 600)?,
            code_ttl: seconds("PROVIDER_CODE_TTL_SECONDS", 60)?,
            refresh_token_ttl: seconds("PROVIDER_REFRESH_TOKEN_TTL_SECONDS", 30 * 24 * 3600)?,
            refresh_token_idle: seconds("PROVIDER_REFRESH_TOKEN_IDLE_SECONDS", 7 * 24 * 3600)?,
            session_ttl: seconds("PROVIDER_SESSION_TTL_SECONDS", 8 * 3600)?,
            cookie_secure,
            seed_demo_users: env.bool("PROVIDER_SEED_DEMO_USERS", true)?,
            login_max_failures: env.parse("PROVIDER_LOGIN_MAX_FAILURES", 5, "5")?,
            login_window: seconds("PROVIDER_LOGIN_WINDOW_SECONDS", 300)?,
            key_publish_delay: seconds("PROVIDER_KEY_PUBLISH_SECONDS", 300)?,
            key_reload_interval: seconds("PROVIDER_KEY_RELOAD_SECONDS", 60)?,
            issuer,
        })
    }

    /// The URL of one of our endpoints, e.g. `endpoint("/oauth2/token")`.
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{}", self.issuer, path)
    }

    /// The algorithms the provider signs with: one key each.
    pub fn signing_algs(&self) -> Vec<Algorithm> {
        let mut algs = vec![self.access_token_alg];
        if self.id_token_alg != self.access_token_alg {
            algs.push(self.id_token_alg);
        }
        algs
    }
}

/// A signing algorithm setting: `name`, else `PROVIDER_SIGNING_ALG` (one
/// algorithm for both kinds of token), else `default`.
fn signing_alg(env: &Env, name: &str, default: Algorithm) -> Result<Algorithm, ConfigError> {
    let parse = |name: &str, raw: &str| {
        crate::keys::parse_alg(raw)
            .ok_or_else(|| ConfigError::new(name, raw, "supported: RS256, ES256, EdDSA", "ES256"))
    };
    match (env.get(name), env.get("PROVIDER_SIGNING_ALG")) {
        (Some(raw), _) => parse(name, raw),
        (None, Some(both)) => parse("PROVIDER_SIGNING_ALG", both),
        (None, None) => Ok(default),
    }
}

/// Reads the clients file and checks it, so that a mistake in it stops the
/// provider like any other bad setting: naming `PROVIDER_CLIENTS_FILE`, the
/// file, the client and the field.
fn read_clients_file(env: &Env) -> Result<(String, String), ConfigError> {
    const DEFAULT_PATH: &str = "provider/clients.toml";
    const EXAMPLE: &str = "provider/clients.toml (the shipped file; README's \"Clients\" explains each field)";
    let (text, source) = match env.get("PROVIDER_CLIENTS_FILE") {
        Some(path) => std::fs::read_to_string(path)
            .map(|text| (text, path.to_owned()))
            .map_err(|e| ConfigError::new("PROVIDER_CLIENTS_FILE", path, e.to_string(), EXAMPLE))?,
        None => match std::fs::read_to_string(DEFAULT_PATH) {
            Ok(text) => (text, DEFAULT_PATH.to_owned()),
            Err(_) => (DEFAULT_CLIENTS_TOML.to_owned(), "the built-in clients.toml".to_owned()),
        },
    };
    if let Err(problem) = crate::clients::parse_clients_file(&text, &source) {
        return Err(ConfigError::new("PROVIDER_CLIENTS_FILE", &source, problem.to_string(), EXAMPLE));
    }
    Ok((text, source))
}
