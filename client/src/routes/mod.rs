//! One module per route, listed in the order of the flow.

use axum::Router;
use axum::routing::{get, post};

use crate::app::{AppState, no_referrer};

/// Static files and the health check.
pub mod assets;
/// `GET /callback`: steps 2–4, the authorization response, the code
/// exchange, the ID token checks and the cookies.
pub mod callback;
/// `GET /flow`: the flow inspector.
pub mod flow;
/// `GET /`: the home page, logged out or logged in with the todo list.
pub mod home;
/// `GET /login`: step 1, the authorization request.
pub mod login;
/// `GET|POST /logout`: revocation and RP-initiated logout, confirmed
/// first when another site asked for it.
pub mod logout;
/// `POST /refreshtoken`: step 6, a new access token for the page.
pub mod refresh;

/// Every route of the app.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/login", get(login::login))
        // The callback URL carries the authorization code: the page must not
        // leak it in a Referer header (RFC 9700 §4.2.4).
        .route("/callback", get(callback::callback).layer(no_referrer()))
        .route("/refreshtoken", post(refresh::refresh))
        .route("/logout", get(logout::logout).post(logout::confirm))
        .route("/flow", get(flow::flow))
        .route("/static/app.js", get(assets::app_js))
        .route("/static/style.css", get(assets::style_css))
        .route("/healthz", get(assets::healthz))
        .fallback(assets::not_found)
}
