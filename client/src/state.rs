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

/// The parts a refresh uses (RFC 6749 §6): the provider to trade the
/// refresh token with, what its new ID token is checked against
/// (OIDC Core §12.2: the settings and the provider's keys), and the flights
/// that keep it to one exchange per session. `POST /refreshtoken` and the
/// BFF's `/api/` both refresh, so both take this one part.
#[derive(Clone)]
pub struct RefreshParts {
    pub config: Arc<Config>,
    pub provider: Arc<Provider>,
    pub jwks: JwksCache,
    pub flights: RefreshFlights,
}

impl FromRef<AppState> for RefreshParts {
    fn from_ref(app: &AppState) -> Self {
        RefreshParts {
            config: app.config.clone(),
            provider: app.provider.clone(),
            jwks: app.jwks.clone(),
            flights: app.refresh_flights.clone(),
        }
    }
}
