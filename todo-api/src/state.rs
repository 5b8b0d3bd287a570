//! What the handlers share. Each handler asks only for the part it uses:
//! `State<Store>`, or the `TokenValidator` through the `Authorized`
//! extractor (`FromRef` hands each out of the one state).

use axum::extract::FromRef;

use crate::auth::TokenValidator;
use crate::store::Store;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub store: Store,
    pub validator: TokenValidator,
    pub public_url: PublicUrl,
}

/// `TODO_API_PUBLIC_URL`: where clients reach this API, for the URLs it
/// hands out (the next page's `Link`).
#[derive(Clone)]
pub struct PublicUrl(pub std::sync::Arc<str>);
