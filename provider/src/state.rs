//! The provider's shared state, handed to every handler.

use std::collections::HashMap;
use std::sync::Arc;

use shared::jwt::AccessTokenClaims;
use shared::verified::VerifiedTokens;
use sqlx::AnyPool;

use crate::clients::Client;
use crate::config::Config;
use crate::keys::Keys;
use crate::password::SecretVerifier;
use crate::store::tokens::AccessTokenLog;
use crate::templates::Templates;
use crate::throttle::Throttle;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: AnyPool,
    /// Registered clients, loaded from the database at start (the clients
    /// file is the only way to change them, and it is read at start).
    pub clients: Arc<HashMap<String, Client>>,
    pub keys: Keys,
    pub templates: Templates,
    /// Password and client-secret attempts, counted in the database.
    pub throttle: Throttle,
    pub secrets: SecretVerifier,
    /// Records issued access tokens, batching concurrent inserts.
    pub access_tokens: AccessTokenLog,
    /// Access tokens whose signature was verified (see `access_token`).
    pub verified_tokens: VerifiedTokens<AccessTokenClaims>,
}

impl AppState {
    pub fn client(&self, id: &str) -> Option<Client> {
        self.clients.get(id).cloned()
    }
}
