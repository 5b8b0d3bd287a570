//! Putting the provider together: database, clients, users, keys, router.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Request, StatusCode, header};
use axum::routing::{get, post};
use shared::server::Shutdown;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tracing::Level;

use crate::clients::{Client, Clients, parse_clients_file};
use crate::config::Config;
use crate::endpoints::{
    account, authorize, consent, discovery, health, introspect, jwks, login, logout, revoke, token, userinfo,
};
use crate::housekeeping::Housekeeping;
use crate::keys::Keys;
use crate::password::{self, SecretVerifier};
use crate::state::AppState;
use crate::store;
use crate::throttle::Throttle;

/// The session cookie's name: unique across the three services, because
/// cookies on `localhost` ignore the port (RFC 6265 §8.5).
pub const SESSION_COOKIE: &str = "provider_session";

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub struct App {
    listener: TcpListener,
    router: Router,
    pub state: AppState,
    /// Pruning and key reloading, stopped with the server.
    housekeeping: Housekeeping,
}

impl App {
    /// Binds `config.addr` and builds the app.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let listener = shared::server::bind(&config.addr, "PROVIDER_ADDR").await?;
        Self::build_on(config, listener).await
    }

    /// Builds the app on a listener the caller bound (port 0 in tests).
    pub async fn build_on(config: Config, listener: TcpListener) -> anyhow::Result<Self> {
        let checked = parse_clients_file(&config.clients_toml, &config.clients_source)?;
        let (db, reads) = store::open_with_reads(&config.database_url).await?;
        let secrets = SecretVerifier::default();
        let clients = register_clients(&db, checked, &secrets).await?;
        if config.seed_demo_users {
            seed_demo_users(&db).await?;
        }
        crate::templates::check()?;
        // Start-up's password hashing is over; requests bring argon2's
        // memory back when someone signs in.
        password::release_unused_memory(std::time::Duration::ZERO);
        let keys = Keys::load_or_create(&db, &config.signing_algs(), config.key_publish_delay).await?;
        let state = AppState {
            throttle: Throttle::new(db.clone()),
            config: Arc::new(config),
            codes: store::codes::Codes::start(db.clone()),
            db,
            reads,
            clients: Clients::new(clients),
            keys,
            secrets,
            verified_tokens: Default::default(),
        };
        let housekeeping = Housekeeping::start(&state);
        let router = router(state.clone());
        Ok(Self { listener, router, state, housekeeping })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests
    /// and stops the background tasks.
    pub async fn run_until_stopped(self, shutdown: impl Shutdown) -> std::io::Result<()> {
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(self.listener, service).with_graceful_shutdown(shutdown).await;
        self.housekeeping.stop().await;
        served
    }
}

/// The routes, in the order of the flow.
pub fn router(state: AppState) -> Router {
    let config = &state.config;
    let sessions = SessionManagerLayer::new(
        shared::session_store::SqlSessionStore::writing_to(state.db.clone()).reading_from(state.reads.clone()),
    )
    .with_name(SESSION_COOKIE)
    .with_http_only(true)
    // Lax: the cookie must come along on the top-level GET from the
    // client to /oauth2/authorize, which is a cross-site navigation.
    .with_same_site(SameSite::Lax)
    .with_secure(config.cookie_secure)
    .with_path("/")
    .with_expiry(Expiry::OnInactivity(time::Duration::seconds(config.session_ttl.as_secs() as i64)));
    let cors_origins = crate::cors::WebOrigins::of_public_clients(state.clients.all());

    Router::new()
        // Discovery and keys.
        .route("/.well-known/openid-configuration", get(discovery::discovery))
        .route("/.well-known/oauth-authorization-server", get(discovery::discovery))
        .route("/.well-known/jwks.json", get(jwks::jwks))
        // (A)-(C): authorization request, login, consent, code.
        .route("/oauth2/authorize", get(authorize::authorize).post(authorize::authorize_post))
        .route("/login", get(login::show).post(login::submit))
        .route("/consent", post(consent::submit))
        // (D)-(E): token request.
        .route("/oauth2/token", post(token::token))
        // After the token: what resource servers and clients do with it.
        .route("/oauth2/introspect", post(introspect::introspect))
        .route("/oauth2/revoke", post(revoke::revoke))
        .route("/oauth2/userinfo", get(userinfo::userinfo).post(userinfo::userinfo))
        .route("/oauth2/logout", get(logout::show).post(logout::confirm))
        // The provider's own pages.
        .route("/", get(account::home))
        .route("/account/apps/revoke", post(account::revoke_app))
        .route("/healthz", get(health::health))
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(cors_origins, crate::cors::for_web_origins))
        // RFC 6749 §10.13 / RFC 9700 §4.16: no framing (clickjacking).
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(RequestBodyLimitLayer::new(64 * 1024))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        // A request id per request, and one log span with the method and
        // the path only: query strings carry codes and state, and are never
        // logged.
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<axum::body::Body>| {
            let id = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO)))
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
        .with_state(state)
}

/// Upserts the clients of the file, hashing each secret with argon2id
/// (reusing the stored hash when the secret is unchanged).
async fn register_clients(
    db: &shared::db::Kept,
    checked: Vec<crate::clients::CheckedClient>,
    secrets: &SecretVerifier,
) -> anyhow::Result<HashMap<String, Client>> {
    let mut clients = HashMap::new();
    for entry in checked {
        let mut client = entry.client;
        if let Some(secret) = &entry.secret {
            let stored = store::clients::secret_hash(&mut *db.acquire().await?, &client.id).await?;
            let hash = match stored {
                Some(hash) if password::verify(secret.expose().to_owned(), hash.clone()).await => hash,
                _ => password::hash(secret.expose().to_owned()).await?,
            };
            secrets.remember(client.id.as_str(), secret.expose());
            client.secret_hash = Some(hash);
        }
        if client.redirect_uris.iter().any(|u| u.as_str().starts_with("http://")) {
            // RFC 9700 §2.6, RFC 8252 §7.3: plain http is a loopback-only,
            // development-only allowance, and it is said out loud.
            tracing::warn!(client_id = %client.id, "client has plain-http loopback redirect URIs (development only)");
        }
        store::clients::upsert(&mut *db.acquire().await?, &client).await?;
        clients.insert(client.id.to_string(), client);
    }
    Ok(clients)
}

/// The demo users the README names (`demo`, `alice`), created when missing.
/// Demo-only passwords.
async fn seed_demo_users(db: &shared::db::Kept) -> anyhow::Result<()> {
    let demo_users =
        [("demo", "demo", "Demo User", "demo@example.com"), ("alice", "alice", "Alice Example", "alice@example.com")];
    for (username, password, name, email) in demo_users {
        if store::users::exists(&mut *db.acquire().await?, username).await? {
            continue;
        }
        let password_hash = password::hash(password.to_owned()).await?;
        let user = store::users::NewUser { username, password_hash: &password_hash, name, email, email_verified: true };
        if store::users::insert_if_absent(&mut *db.acquire().await?, user).await? {
            tracing::info!(username, "seeded demo user");
        }
    }
    Ok(())
}
