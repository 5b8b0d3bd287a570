//! The spa server over HTTP: the page at `/` and at the redirect URI, its
//! modules, `/config.js`, and the headers every answer carries.

use shared::config::Env;
use testkit::serve::{Port, Running};

/// The spa server on a free port, serving until the test ends; its URL.
async fn spawn(pairs: &[(&str, &str)]) -> String {
    let port = Port::free().await;
    let base = port.url().to_owned();
    let config = spa::Config::from_env(&Env::from_pairs(pairs.iter().copied())).expect("a valid configuration");
    let app = spa::App::build_on(config, port.into_listener()).expect("the spa starts");
    Running::spawn(|stopped| async move { app.run_until_stopped(stopped).await.expect("the spa runs") });
    base
}

#[tokio::test]
async fn the_page_is_served_at_the_root_and_at_the_redirect_uri_with_a_strict_csp() {
    let base = spawn(&[]).await;
    for path in ["/", "/callback", "/architectures.html"] {
        let response = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers();
        assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"), "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        // RFC 9700 §4.2.4: the callback's code must not leak in a Referer.
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
    }
}

#[tokio::test]
async fn every_module_is_javascript_and_config_js_names_the_configured_services() {
    let base = spawn(&[
        ("PROVIDER_PUBLIC_URL", "https://login.example"),
        ("TODO_API_PUBLIC_URL", "https://api.example"),
        ("SPA_PUBLIC_URL", "https://spa.example"),
        ("SPA_TOKEN_REQUEST_BODY", "json"),
    ])
    .await;
    for module in ["/app.js", "/pkce.js", "/discovery.js", "/authorize.js", "/id_token.js", "/tokens.js", "/api.js"] {
        let response = reqwest::get(format!("{base}{module}")).await.unwrap();
        assert_eq!(response.status(), 200, "{module}");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"), "{module}");
    }
    let response = reqwest::get(format!("{base}/config.js")).await.unwrap();
    let csp = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("connect-src https://login.example https://api.example;"), "{csp}");
    let script = response.text().await.unwrap();
    assert!(script.contains(r#""issuer":"https://login.example""#), "{script}");
    assert!(script.contains(r#""redirectUri":"https://spa.example/callback""#), "{script}");
    assert!(script.contains(r#""todoApi":"https://api.example""#), "{script}");
    assert!(script.contains(r#""tokenRequestBody":"json""#), "{script}");
}

#[tokio::test]
async fn an_unknown_path_is_404() {
    let base = spawn(&[]).await;
    let response = reqwest::get(format!("{base}/secret.js")).await.unwrap();
    assert_eq!(response.status(), 404);
}
