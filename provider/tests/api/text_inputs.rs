//! Every text input of the provider, sent broken: a NUL, a broken
//! percent-escape, invalid UTF-8, an oversized value. Each gets a 4xx that
//! names the parameter (or, once the client and redirect URI are verified,
//! an RFC 6749 §4.1.2.1 error redirect) — never a 5xx, on either database.

use base64::Engine;
use reqwest::StatusCode;
use shared::pkce::CodeVerifier;

use crate::helpers::*;

/// The broken values, as they appear on the wire.
fn broken_values() -> Vec<(&'static str, String)> {
    vec![
        ("a NUL", "a%00b".to_owned()),
        ("a broken percent-escape", "a%zzb".to_owned()),
        ("invalid UTF-8", "a%FFb".to_owned()),
        ("an oversized value", "a".repeat(5000)),
    ]
}

enum Expect {
    /// A 4xx whose body names the broken parameter.
    Rejected,
    /// An error redirect to the todo app with this error.
    Redirect(&'static str),
    /// Any 4xx (endpoints whose error bodies other tests pin down).
    AnyClientError,
    /// No 5xx: introspection and revocation answer 200 for a token they
    /// do not know (RFC 7662 §2.2, RFC 7009 §2.2).
    NoServerError,
}

struct Case {
    method: &'static str,
    path: &'static str,
    /// A query (GET) or form body (POST) with `{bad}` where the broken
    /// value goes.
    template: String,
    expect: Expect,
}

fn case(method: &'static str, path: &'static str, template: String, expect: Expect) -> Case {
    Case { method, path, template, expect }
}

#[tokio::test]
async fn broken_text_in_any_provider_input_gets_a_clear_4xx_and_never_a_5xx() {
    let app = spawn_app().await;
    // Signed in as demo, with consent for todo-app: a nonce would go
    // straight into a stored grant.
    let challenge = CodeVerifier::generate().challenge();
    let good = format!(
        "client_id=todo-app&response_type=code&redirect_uri={}&scope=openid&state=st&code_challenge={}&code_challenge_method=S256",
        enc(TODO_APP_REDIRECT),
        challenge.as_str()
    );
    let params: Vec<(String, String)> = url::form_urlencoded::parse(good.as_bytes()).into_owned().collect();
    let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert!(redirect_params(&app.authorize_as("demo", &borrowed).await).contains_key("code"));
    let csrf = hidden_input(&app.get("/").await.text().await.unwrap(), "csrf_token");
    // A second browser, signed out, with its own login-form token.
    let stranger = TestApp::attach(&app.base);
    let login_csrf = hidden_input(&stranger.get("/login").await.text().await.unwrap(), "csrf_token");

    let mut cases = vec![
        case("GET", "/oauth2/authorize", "client_id={bad}&response_type=code".into(), Expect::Rejected),
        case("GET", "/oauth2/authorize", "client_id=todo-app&redirect_uri={bad}".into(), Expect::Rejected),
        case("POST", "/oauth2/authorize", "client_id={bad}".into(), Expect::Rejected),
        case("POST", "/login", format!("csrf_token={login_csrf}&username={{bad}}&password=demo"), Expect::Rejected),
        case("POST", "/login", format!("csrf_token={login_csrf}&username=demo&password={{bad}}"), Expect::Rejected),
        case("POST", "/login", "csrf_token={bad}&username=demo&password=demo".into(), Expect::Rejected),
        case("POST", "/consent", format!("csrf_token={csrf}&request_id={{bad}}&decision=approve"), Expect::Rejected),
        case("POST", "/consent", format!("csrf_token={csrf}&request_id=x&decision={{bad}}"), Expect::Rejected),
        case("POST", "/account/apps/revoke", format!("csrf_token={csrf}&client_id={{bad}}"), Expect::Rejected),
        case("GET", "/oauth2/logout", "client_id={bad}".into(), Expect::Rejected),
        case("GET", "/oauth2/logout", "state={bad}".into(), Expect::Rejected),
        case("GET", "/oauth2/logout", "id_token_hint={bad}".into(), Expect::Rejected),
        case("POST", "/oauth2/logout", "post_logout_redirect_uri={bad}".into(), Expect::Rejected),
        case("POST", "/oauth2/token", "grant_type=authorization_code&client_id={bad}".into(), Expect::AnyClientError),
        case(
            "POST",
            "/oauth2/token",
            "grant_type=authorization_code&client_id=todo-spa&code={bad}&code_verifier=x".into(),
            Expect::AnyClientError,
        ),
        case("POST", "/oauth2/token", "grant_type={bad}&client_id=todo-spa".into(), Expect::AnyClientError),
        case(
            "POST",
            "/oauth2/introspect",
            "client_id=todo-api&client_secret=todo-api-secret&token={bad}".into(),
            Expect::NoServerError,
        ),
        case(
            "POST",
            "/oauth2/revoke",
            "client_id=todo-app&client_secret=todo-app-secret&token={bad}".into(),
            Expect::NoServerError,
        ),
        case("POST", "/oauth2/userinfo", "access_token={bad}".into(), Expect::NoServerError),
    ];
    // Once client and redirect URI are verified, every other parameter of
    // the authorization request fails as a redirect, by GET and by POST.
    for name in ["state", "nonce", "scope", "response_type", "response_mode", "code_challenge", "prompt", "max_age"] {
        let template = format!("{}&{name}={{bad}}", without(&good, name));
        cases.push(case("GET", "/oauth2/authorize", template.clone(), Expect::Redirect("invalid_request")));
        cases.push(case("POST", "/oauth2/authorize", template, Expect::Redirect("invalid_request")));
    }

    for case in &cases {
        for (what, bad) in broken_values() {
            let raw = case.template.replace("{bad}", &bad);
            let browser = if case.path == "/login" { &stranger } else { &app };
            let request = match case.method {
                "GET" => browser.http.get(format!("{}?{raw}", browser.url(case.path))),
                _ => browser
                    .http
                    .post(browser.url(case.path))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(raw.clone()),
            };
            let response = request.send().await.unwrap();
            let status = response.status();
            let label = format!("{} {} with {what} in {:.60}", case.method, case.path, case.template);
            match case.expect {
                Expect::Rejected => {
                    let needle = broken_parameter(&case.template);
                    assert!(status.is_client_error(), "{label}: {status}");
                    assert!(response.headers().get("location").is_none(), "{label}: no redirect");
                    let body = response.text().await.unwrap();
                    assert!(body.contains(needle), "{label}: the answer names {needle}: {body}");
                }
                Expect::Redirect(error) => {
                    assert!(status == StatusCode::FOUND || status == StatusCode::SEE_OTHER, "{label}: {status}");
                    let params = redirect_params(&response);
                    assert!(location(&response).starts_with(TODO_APP_REDIRECT), "{label}");
                    assert_eq!(params["error"], error, "{label}: {params:?}");
                    assert_eq!(params["iss"], app.base, "{label}");
                }
                Expect::AnyClientError => assert!(status.is_client_error(), "{label}: {status}"),
                Expect::NoServerError => assert!(!status.is_server_error(), "{label}: {status}"),
            }
        }
    }
}

#[tokio::test]
async fn broken_text_in_json_bodies_and_basic_credentials_gets_a_4xx() {
    let app = spawn_app().await;
    let json_bodies: [&[u8]; 3] = [
        br#"{"grant_type":"authorization_code","client_id":"todo-spa","code":"a\u0000b","code_verifier":"x"}"#,
        br#"{"grant_type":"client_credentials","client_id":"a\u0000b","client_secret":"x"}"#,
        b"{\"grant_type\":\"authorization_code\",\"client_id\":\"todo-spa\",\"code\":\"a\xffb\"}",
    ];
    for body in json_bodies {
        for path in ["/oauth2/token", "/oauth2/introspect", "/oauth2/revoke"] {
            let response = app
                .http
                .post(app.url(path))
                .header("content-type", "application/json")
                .body(body.to_vec())
                .send()
                .await
                .unwrap();
            assert!(
                response.status().is_client_error(),
                "{path} {}: {}",
                String::from_utf8_lossy(body),
                response.status()
            );
        }
    }
    let standard = base64::engine::general_purpose::STANDARD;
    for credentials in [b"todo%00app:secret".to_vec(), b"todo-app:a%zz".to_vec(), b"\xff\xfe:\x00".to_vec()] {
        for path in ["/oauth2/token", "/oauth2/introspect", "/oauth2/revoke"] {
            let response = app
                .http
                .post(app.url(path))
                .header("authorization", format!("Basic {}", standard.encode(&credentials)))
                .form(&[("grant_type", "client_credentials"), ("token", "x")])
                .send()
                .await
                .unwrap();
            assert!(response.status().is_client_error(), "{path}: {}", response.status());
        }
    }
    let response = app.http.get(app.url("/oauth2/userinfo")).header("authorization", "Bearer a\u{7f}b").send().await;
    if let Ok(response) = response {
        assert!(response.status().is_client_error());
    }
}

fn enc(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The name of the parameter that carries `{bad}` in `template`.
fn broken_parameter(template: &str) -> &str {
    let pair = template.split('&').find(|pair| pair.ends_with("={bad}")).expect("a {bad} parameter");
    pair.trim_end_matches("={bad}")
}

/// `query` without the parameter `name`.
fn without(query: &str, name: &str) -> String {
    query.split('&').filter(|pair| !pair.starts_with(&format!("{name}="))).collect::<Vec<_>>().join("&")
}
