//! # The single-page app `todo-spa`
//!
//! A browser-based public client ("OAuth 2.0 for Browser-Based
//! Applications", draft-ietf-oauth-browser-based-apps-26 §6.3): the page's
//! own JavaScript runs the authorization code flow with PKCE, keeps the
//! tokens in memory and calls the todo API with `Authorization: Bearer`.
//! Read the scripts in `static/`, in this order:
//!
//! | file | what it does |
//! |---|---|
//! | `pkce.js` | RFC 7636 §4.1–§4.2 with WebCrypto: verifier, `S256` challenge |
//! | `discovery.js` | the provider's metadata (OIDC Discovery §4, RFC 8414) |
//! | `authorize.js` | the authorization request and the callback: `state`, `iss` (RFC 9207) |
//! | `id_token.js` | OIDC Core §3.1.3.7: the ID token's signature (JWKS + WebCrypto) and claims |
//! | `tokens.js` | exchange, refresh with rotation, revocation, logout; tokens in a module variable |
//! | `api.js` | the todo API with a Bearer token (RFC 6750 §2.1), refresh on 401 |
//! | `app.js` | the page: login, reload recovery with `prompt=none`, the todo list |
//!
//! This server only serves those files, embedded in the binary, and
//! `/config.js`, which tells the page where the provider and the todo API
//! are. Every answer carries a strict Content Security Policy: scripts from
//! this origin only, and `fetch` to this origin, the provider and the todo
//! API only.

/// Settings from the environment.
pub mod config;

use std::net::SocketAddr;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use shared::server::Shutdown;
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;

pub use config::{Config, TokenRequestBody};

/// One file of the app: its path, its media type and its text.
struct StaticFile {
    path: &'static str,
    content_type: &'static str,
    text: &'static str,
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// The page and its modules. `/callback` is the page too: the redirect URI
/// is where the app reads the authorization response (RFC 6749 §3.1.2).
const FILES: &[StaticFile] = &[
    StaticFile { path: "/", content_type: HTML, text: include_str!("../static/index.html") },
    StaticFile { path: "/callback", content_type: HTML, text: include_str!("../static/index.html") },
    StaticFile { path: "/architectures.html", content_type: HTML, text: include_str!("../static/architectures.html") },
    StaticFile {
        path: "/style.css",
        content_type: "text/css; charset=utf-8",
        text: include_str!("../static/style.css"),
    },
    StaticFile { path: "/pkce.js", content_type: JS, text: include_str!("../static/pkce.js") },
    StaticFile { path: "/discovery.js", content_type: JS, text: include_str!("../static/discovery.js") },
    StaticFile { path: "/authorize.js", content_type: JS, text: include_str!("../static/authorize.js") },
    StaticFile { path: "/id_token.js", content_type: JS, text: include_str!("../static/id_token.js") },
    StaticFile { path: "/tokens.js", content_type: JS, text: include_str!("../static/tokens.js") },
    StaticFile { path: "/api.js", content_type: JS, text: include_str!("../static/api.js") },
    StaticFile { path: "/app.js", content_type: JS, text: include_str!("../static/app.js") },
];

/// The server, bound and ready to serve.
pub struct App {
    listener: TcpListener,
    router: Router,
}

impl App {
    /// Binds `config.addr` (`SPA_ADDR`) and builds the app.
    pub async fn build(config: Config) -> anyhow::Result<App> {
        let listener = shared::server::bind(&config.addr, "SPA_ADDR").await?;
        Self::build_on(config, listener)
    }

    /// Builds the app on a listener the caller bound (port 0 in tests).
    pub fn build_on(config: Config, listener: TcpListener) -> anyhow::Result<App> {
        Ok(App { router: router(&config)?, listener })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Serves until `shutdown` resolves.
    pub async fn run_until_stopped(self, shutdown: impl Shutdown) -> std::io::Result<()> {
        axum::serve(self.listener, self.router).with_graceful_shutdown(shutdown).await
    }
}

/// The files, `/config.js`, `/healthz`, and the headers every answer carries.
pub fn router(config: &Config) -> anyhow::Result<Router> {
    let mut router = Router::new();
    for file in FILES {
        router = router.route(file.path, get(move || async move { serve(file.content_type, file.text.to_owned()) }));
    }
    let script = config_js(config);
    let csp = HeaderValue::from_str(&content_security_policy(config))?;
    Ok(router
        .route("/config.js", get(move || async move { serve(JS, script) }))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async { (StatusCode::NOT_FOUND, "Not found") })
        .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, csp))
        // RFC 9700 §4.2.4: the callback URL carries the code; no Referer
        // may take it to another site.
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        // Always fetched afresh: a new version of a module takes effect at the
        // next load, and the callback page is never served from a cache.
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))))
}

fn serve(content_type: &'static str, text: String) -> Response {
    ([(header::CONTENT_TYPE, content_type)], text).into_response()
}

/// The page's settings as an ES module. The values are JSON strings, so no
/// setting can break out of them into code.
pub fn config_js(config: &Config) -> String {
    let settings = serde_json::json!({
        "issuer": config.issuer,
        "clientId": config.client_id,
        "redirectUri": config.redirect_uri(),
        "postLogoutRedirectUri": config.post_logout_redirect_uri(),
        "todoApi": config.todo_api_url,
        "scope": "openid profile email offline_access todos:read todos:write",
        "tokenRequestBody": config.token_request_body.as_str(),
    });
    format!(
        "// Generated by the spa server from its settings (spa/src/config.rs).\nexport const config = Object.freeze({settings});\n"
    )
}

/// CSP Level 3: scripts, styles and images from this origin only (no inline
/// script, so an injected `<script>` or `onclick=` does not run); `fetch`
/// only to the provider and the todo API; no framing, no `<base>`, forms
/// only to this origin and to the provider (the logout request is a form
/// post, OIDC RP-Initiated Logout 1.0 §2).
pub fn content_security_policy(config: &Config) -> String {
    let origin = |url: &str| url::Url::parse(url).map(|u| u.origin().ascii_serialization()).unwrap_or_default();
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src {} {}; \
         form-action 'self' {}; base-uri 'none'; frame-ancestors 'none'",
        origin(&config.issuer),
        origin(&config.todo_api_url),
        origin(&config.issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::config::Env;

    #[test]
    fn config_js_carries_the_urls_as_json_strings() {
        let config = Config::from_env(&Env::default()).unwrap();
        let script = config_js(&config);
        assert!(script.contains(r#""issuer":"http://localhost:8080""#), "{script}");
        assert!(script.contains(r#""redirectUri":"http://localhost:5173/callback""#), "{script}");
        assert!(script.contains(r#""tokenRequestBody":"form""#), "{script}");
    }

    #[test]
    fn scripts_come_from_this_origin_and_fetch_goes_to_the_provider_and_the_api_only() {
        let config = Config::from_env(&Env::default()).unwrap();
        let csp = content_security_policy(&config);
        assert!(csp.contains("script-src 'self';"), "{csp}");
        assert!(csp.contains("connect-src http://localhost:8080 http://localhost:4000;"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
    }

    #[test]
    fn no_page_has_an_inline_script_or_a_script_from_elsewhere() {
        for file in FILES.iter().filter(|f| f.content_type == HTML) {
            for tag in file.text.split("<script").skip(1) {
                let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
                assert!(tag.contains("src=\"/"), "{}: a script without a local src: <script{tag}>", file.path);
            }
            assert!(!file.text.contains("http://") || file.path == "/architectures.html", "{}", file.path);
        }
    }

    #[test]
    fn no_script_keeps_anything_in_local_storage() {
        for file in FILES.iter().filter(|f| f.content_type == JS) {
            let uses = file.text.contains("localStorage.") || file.text.contains("localStorage[");
            assert!(!uses, "{} uses localStorage", file.path);
        }
    }
}
