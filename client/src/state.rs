//! What the handlers share. Each handler takes only the parts it uses
//! (`State<Arc<Config>>`, `State<Arc<Provider>>`, …): axum's [`FromRef`]
//! hands them out of the one [`AppState`] the router holds.

use std::sync::Arc;

use axum::extract::FromRef;
use shared::jwks::JwksCache;

use crate::config::Config;
use crate::provider::Provider;
use crate::refresh_flight::RefreshFlights;

/// What every handler may ask for.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub config: Arc<Config>,
    /// The provider's endpoints and the back-channel calls to them.
    pub provider: Arc<Provider>,
    /// The provider's signing keys, for ID token signatures.
    pub jwks: JwksCache,
    /// The refresh in flight for each session, if any.
    pub refresh_flights: RefreshFlights,
    /// The HTTP client for back-channel calls (BFF mode forwards with it).
    pub http: reqwest::Client,
}
