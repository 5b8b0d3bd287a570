//! Building and running the service: state, router, listener.
//!
//! `App::build` does everything that can fail (bind, connect, migrate) before
//! the first request, so a misconfigured service stops at start with a clear
//! message. Tests and the e2e launcher use `App::build_on` with a listener on
//! port 0 and read the chosen address from `local_addr`.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::{Router, middleware, routing::get};
use shared::jwks::JwksCache;
use shared::server::Shutdown;
use tokio::net::TcpListener;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::auth::claims::Expectations;
use crate::auth::{Introspector, JwtValidator, TokenValidator};
use crate::config::{Config, TokenValidation};
use crate::error::AppError;
use crate::state::{AppState, PublicUrl};
use crate::store::Store;
use crate::{cors, health, todos};

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The todo API, bound and ready to serve.
pub struct App {
    listener: TcpListener,
    router: Router,
    local_addr: SocketAddr,
}

impl App {
    /// Binds `config.addr` (`TODO_API_ADDR`) and builds the app.
    pub async fn build(config: Config) -> anyhow::Result<App> {
        let listener = shared::server::bind(&config.addr, "TODO_API_ADDR").await?;
        Self::build_on(config, listener).await
    }

    /// Builds the app on a listener the caller bound (port 0 in tests).
    pub async fn build_on(config: Config, listener: TcpListener) -> anyhow::Result<App> {
        let local_addr = listener.local_addr()?;
        let store = Store::open(&config.database_url).await.with_context(|| {
            format!("cannot open the database at TODO_API_DATABASE_URL={}", redact_password(&config.database_url))
        })?;
        let state = AppState {
            store,
            validator: token_validator(&config)?,
            public_url: PublicUrl(config.public_url.as_str().into()),
        };
        let cors = cors::CorsPolicy {
            with_credentials: HeaderValue::from_str(&config.client_origin)
                .context("CLIENT_PUBLIC_URL is not a valid Origin header value")?,
            bearer_only: HeaderValue::from_str(&config.spa_origin)
                .context("SPA_PUBLIC_URL is not a valid Origin header value")?,
        };
        Ok(App { listener, router: router(state, cors), local_addr })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests.
    pub async fn run_until_stopped(self, shutdown: impl Shutdown) -> std::io::Result<()> {
        axum::serve(self.listener, self.router).with_graceful_shutdown(shutdown).await
    }
}

/// The router, with its layers listed from the inside out.
pub fn router(state: AppState, cors: cors::CorsPolicy) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .merge(todos::router())
        .fallback(|uri: Uri| async move { AppError::RouteNotFound(uri.path().to_owned()) })
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Logs method, path and status. Tokens travel in headers and
        // cookies only, never in URLs, so nothing secret is logged.
        .layer(TraceLayer::new_for_http())
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(middleware::from_fn_with_state(cors, cors::cors))
}

/// The validator chosen by `TODO_API_TOKEN_VALIDATION`.
fn token_validator(config: &Config) -> anyhow::Result<TokenValidator> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .context("cannot build the HTTP client")?;
    let expect = Expectations {
        issuer: config.issuer.clone(),
        audience: config.audience.clone(),
        leeway: i64::try_from(config.leeway.as_secs()).unwrap_or(i64::MAX),
    };
    Ok(match config.token_validation {
        TokenValidation::Jwt => TokenValidator::Jwt(JwtValidator::new(
            JwksCache::new(config.jwks_url(), http, config.jwks_min_refresh),
            expect,
        )),
        TokenValidation::Introspection => TokenValidator::Introspection(Introspector::new(
            http,
            config.introspection_url(),
            config.client_id.clone(),
            config.client_secret.clone(),
            expect,
        )),
    })
}

/// A database URL safe to print: `postgres://user:***@host/db`.
fn redact_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}
