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
}
