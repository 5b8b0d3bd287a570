//! One module per route, listed in the order of the flow.

use axum::Router;
use axum::routing::{get, patch, post};

use axum::http::{HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::TokenDelivery;
use crate::state::AppState;

/// BFF mode: `/api/todos`, forwarded to the todo API with the session's token.
pub mod api;
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

/// Every route of the app. The token endpoints the page calls depend on
/// how tokens are delivered: `POST /refreshtoken` for cookies, `/api/` for BFF.
pub fn router(delivery: TokenDelivery) -> Router<AppState> {
    let router = match delivery {
        TokenDelivery::Cookies => Router::new().route("/refreshtoken", post(refresh::refresh)),
        TokenDelivery::Bff => Router::new()
            .route("/api/todos", get(api::forward).post(api::forward))
            .route("/api/todos/{id}", patch(api::forward).delete(api::forward)),
    };
    router
        .route("/", get(home::home))
        .route("/login", get(login::login))
        // The callback URL carries the authorization code: the page must not
        // leak it in a Referer header (RFC 9700 §4.2.4).
        .route("/callback", get(callback::callback).layer(no_referrer()))
        .route("/logout", get(logout::logout).post(logout::confirm))
        .route("/flow", get(flow::flow))
        .route("/static/app.js", get(assets::app_js))
        .route("/static/autosubmit.js", get(assets::autosubmit_js))
        .route("/static/style.css", get(assets::style_css))
        .route("/healthz", get(assets::healthz))
        .fallback(assets::not_found)
}

/// `Referrer-Policy: no-referrer`, for pages whose URL carries a code.
pub fn no_referrer() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"))
}
