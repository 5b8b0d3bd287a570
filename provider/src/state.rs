//! The provider's shared state. `FromRef` hands each part out on its own, so
//! a handler that needs only the keys asks for `State<Keys>`; and the groups
//! below hand the domain code what it uses: `Database`, `ClientAuth`,
//! `Issuer` and `TokenChecker`. A function takes those, never the whole
//! `AppState`.

use std::sync::Arc;

use axum::extract::FromRef;
use shared::jwt::AccessTokenClaims;
use shared::verified::VerifiedTokens;

use crate::clients::Clients;
use crate::config::Config;
use crate::keys::Keys;
use crate::password::SecretVerifier;
use crate::throttle::Throttle;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub config: Arc<Config>,
    /// Every write, and the reads that decide a write: on SQLite the one
    /// writer connection, kept between queries (see `shared::db::Kept`).
    pub db: shared::db::Kept,
    /// Reads only (see `store::open_reads`); skipped by `FromRef`, which
    /// hands out `db` as `State<Kept>`.
    #[from_ref(skip)]
    pub reads: shared::db::Kept,
    /// Authorization codes, issued and spent in batches on `db` (see
    /// `store::batch`).
    #[from_ref(skip)]
    pub codes: crate::store::codes::Codes,
    /// Registered clients, loaded from the database at start (the clients
    /// file is the only way to change them, and it is read at start).
    pub clients: Clients,
    pub keys: Keys,
    /// Password and client-secret attempts, counted in the database.
    pub throttle: Throttle,
    pub secrets: SecretVerifier,
    /// Access tokens whose signature was verified (see `access_token`).
    pub verified_tokens: VerifiedTokens<AccessTokenClaims>,
}

/// The database, as the domain code sees it: every write goes to `writer`,
/// the reads of the hot paths to `reads`.
#[derive(Clone)]
pub struct Database {
    pub writer: shared::db::Kept,
    pub reads: shared::db::Kept,
    pub codes: crate::store::codes::Codes,
}

impl FromRef<AppState> for Database {
    fn from_ref(state: &AppState) -> Self {
        Self { writer: state.db.clone(), reads: state.reads.clone(), codes: state.codes.clone() }
    }
}

/// What client authentication uses (`token::client_auth`).
#[derive(Clone)]
pub struct ClientAuth {
    pub clients: Clients,
    pub secrets: SecretVerifier,
    pub throttle: Throttle,
}

impl FromRef<AppState> for ClientAuth {
    fn from_ref(state: &AppState) -> Self {
        Self { clients: state.clients.clone(), secrets: state.secrets.clone(), throttle: state.throttle.clone() }
    }
}

/// What signing tokens uses (`token::issue`).
#[derive(Clone)]
pub struct Issuer {
    pub config: Arc<Config>,
    pub keys: Keys,
}

impl FromRef<AppState> for Issuer {
    fn from_ref(state: &AppState) -> Self {
        Self { config: state.config.clone(), keys: state.keys.clone() }
    }
}

/// What checking this provider's own access tokens uses (`access_token`).
#[derive(Clone)]
pub struct TokenChecker {
    pub issuer: Issuer,
    pub verified_tokens: VerifiedTokens<AccessTokenClaims>,
    pub reads: shared::db::Kept,
}

impl FromRef<AppState> for TokenChecker {
    fn from_ref(state: &AppState) -> Self {
        Self {
            issuer: Issuer::from_ref(state),
            verified_tokens: state.verified_tokens.clone(),
            reads: state.reads.clone(),
        }
    }
}
