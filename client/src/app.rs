//! Putting the app together: database, sessions, state, router, server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use shared::jwks::JwksCache;
use shared::server::Shutdown;
use shared::session_store::SqlSessionStore;
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::config::Config;
use crate::provider::Provider;
use crate::refresh_flight::RefreshFlights;
use crate::routes;
use crate::state::AppState;

/// The name of the session cookie; unique across the three services,
/// because cookies on `localhost` ignore the port.
pub const SESSION_COOKIE: &str = "client_session";

/// How long a session lives without being used.
const SESSION_IDLE: time::Duration = time::Duration::days(7);

/// How often the provider's JWKS may be refetched for an unknown `kid`.
const JWKS_MIN_REFRESH: Duration = Duration::from_secs(60);

/// The client app, bound to its listener and ready to serve.
pub struct App {
    listener: TcpListener,
    router: Router,
    store: SqlSessionStore,
}

impl App {
    /// Binds `config.addr` and builds the app.
    pub async fn build(config: Config) -> anyhow::Result<App> {
        let listener = shared::server::bind(&config.addr, "CLIENT_ADDR").await?;
        Self::build_on(config, listener).await
    }

    /// Builds the app on a listener that is already bound (port 0 in tests).
    pub async fn build_on(config: Config, listener: TcpListener) -> anyhow::Result<App> {
        let pool = shared::db::connect(&config.database_url)
            .await
            .with_context(|| format!("cannot open CLIENT_DATABASE_URL {}", redact_url(&config.database_url)))?;
        sqlx::migrate!("./migrations").run(&pool).await.context("cannot apply the client's database migrations")?;
        let store = SqlSessionStore::new(pool);

        // One HTTP client for every back-channel call. It never follows
        // redirects: a token endpoint that redirects is misconfigured, and
        // following would resend the client's credentials elsewhere.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .user_agent(concat!("oauth-demo-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("cannot build the HTTP client")?;
        let provider = Provider::new(&config, http.clone()).context("bad provider URL")?;
        let jwks = JwksCache::new(provider.jwks_uri.as_str(), http.clone(), JWKS_MIN_REFRESH);

        let sessions = SessionManagerLayer::new(store.clone())
            .with_name(SESSION_COOKIE)
            .with_http_only(true)
            // Lax, not Strict: the browser must send the session cookie on
            // the provider's top-level redirect back to /callback.
            .with_same_site(SameSite::Lax)
            .with_secure(config.cookie_secure)
            .with_path("/")
            .with_expiry(Expiry::OnInactivity(SESSION_IDLE));

        let csp = content_security_policy(&config)?;
        let state = AppState {
            config: Arc::new(config),
            provider: Arc::new(provider),
            jwks,
            refresh_flights: RefreshFlights::default(),
            http,
        };
        let router = routes::router(state.config.token_delivery)
            .layer(sessions)
            .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, csp))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::X_FRAME_OPTIONS,
                HeaderValue::from_static("DENY"),
            ))
            .layer(
                // Spans name the path only: the query string of /callback
                // holds the authorization code, which is never logged.
                TraceLayer::new_for_http().make_span_with(|request: &Request| {
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
                }),
            )
            .with_state(state);

        Ok(App { listener, router, store })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
    }

    /// Serves until `shutdown` resolves, then finishes the requests in flight.
    pub async fn run_until_stopped(self, shutdown: impl Shutdown) -> std::io::Result<()> {
        // Expired sessions are never loaded; this only keeps the table small.
        let store = self.store.clone();
        let cleanup = tokio::spawn(async move {
            let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
            loop {
                every_hour.tick().await;
                if let Err(e) = store.delete_expired().await {
                    tracing::warn!(error = %e, "could not delete expired sessions");
                }
            }
        });
        let served = axum::serve(self.listener, self.router).with_graceful_shutdown(shutdown).await;
        cleanup.abort();
        served
    }
}

/// The page may load scripts, styles and images only from this app, and
/// talk only to this app and the todo API: an injected script could not
/// send anything anywhere else. Forms go to this app, whose logout answers
/// with a redirect to the provider (browsers apply `form-action` to the
/// redirects after a submission too, so the provider is named).
fn content_security_policy(config: &Config) -> anyhow::Result<HeaderValue> {
    let todo_api =
        url::Url::parse(&config.todo_api_public_url).context("TODO_API_PUBLIC_URL")?.origin().ascii_serialization();
    let provider =
        url::Url::parse(&config.provider_public_url).context("PROVIDER_PUBLIC_URL")?.origin().ascii_serialization();
    let policy = format!(
        "default-src 'self'; connect-src 'self' {todo_api}; img-src 'self' data:; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'self' {provider}"
    );
    HeaderValue::from_str(&policy).context("TODO_API_PUBLIC_URL or PROVIDER_PUBLIC_URL makes an invalid header")
}

/// A database URL without its password, for error messages.
fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("[redacted]"));
            url.to_string()
        }
        _ => raw.to_owned(),
    }
}
