//! The provider's shared state. `FromRef` hands each part out on its own, so
//! a handler that needs only the database asks for `State<AnyPool>`, and one
//! that needs only the keys asks for `State<Keys>`.

use std::sync::Arc;

use axum::extract::FromRef;
use shared::jwt::AccessTokenClaims;
use shared::verified::VerifiedTokens;
use sqlx::AnyPool;

use crate::clients::Clients;
use crate::config::Config;
use crate::keys::Keys;
use crate::password::SecretVerifier;
use crate::throttle::Throttle;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub config: Arc<Config>,
    /// Every write, and the reads that decide a write.
    pub db: AnyPool,
    /// Reads only (see `store::open_reads`); skipped by `FromRef`, which
    /// hands out `db` as `State<AnyPool>`.
    #[from_ref(skip)]
    pub reads: shared::db::Kept,
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
