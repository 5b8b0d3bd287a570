//! BFF mode (`CLIENT_TOKEN_DELIVERY=bff`): the tokens stay in the session,
//! `/api/todos` forwards to the todo API with `Authorization: Bearer`, and
//! an access token the API refuses is refreshed server-side.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode as AxumStatus, Uri, header};
use axum::response::IntoResponse;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    ACCESS_TOKEN, REFRESH_TOKEN, TestApp, assert_internal_error_in_json, set_cookies, spawn_app_with,
};

/// One call the fake todo API received.
#[derive(Clone, Debug)]
struct ApiCall {
    method: String,
    path: String,
    authorization: Option<String>,
    content_type: Option<String>,
    body: String,
}

/// The fake API's announcement of a next page (RFC 8288).
const NEXT_PAGE: &str = "<http://todo-api.test/todos?limit=5&cursor=MS4x>; rel=\"next\"";

/// A stand-in for the todo API: accepts exactly one access token.
struct FakeApi {
    valid_token: Mutex<String>,
    calls: Mutex<Vec<ApiCall>>,
}

async fn spawn_bff() -> (TestApp, Arc<FakeApi>) {
    async fn any(
        State(api): State<Arc<FakeApi>>,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> impl IntoResponse {
        let header = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let authorization = header(header::AUTHORIZATION);
        api.calls.lock().unwrap().push(ApiCall {
            method: method.to_string(),
            path: uri.to_string(),
            authorization: authorization.clone(),
            content_type: header(header::CONTENT_TYPE),
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        let expected = format!("Bearer {}", api.valid_token.lock().unwrap());
        if authorization.as_deref() != Some(expected.as_str()) {
            return (
                AxumStatus::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer realm=\"todo-api\", error=\"invalid_token\"")],
                axum::Json(json!({"error": "invalid_token", "error_description": "the access token expired"})),
            )
                .into_response();
        }
        let status = if method == Method::POST { AxumStatus::CREATED } else { AxumStatus::OK };
        let mut response =
            (status, axum::Json(json!([{"id": 1, "title": "from the API", "done": false, "created_at": "now"}])))
                .into_response();
        if method == Method::GET {
            let next = header::HeaderValue::from_static(NEXT_PAGE);
            response.headers_mut().insert(header::LINK, next);
        }
        response
    }
    let api = Arc::new(FakeApi { valid_token: Mutex::new(ACCESS_TOKEN.to_owned()), calls: Mutex::new(Vec::new()) });
    let port = testkit::serve::Port::free().await;
    let url = port.url().to_owned();
    let router = Router::new().fallback(any).with_state(api.clone());
    port.serve(router);
    let app = spawn_app_with(&[("CLIENT_TOKEN_DELIVERY", "bff"), ("TODO_API_INTERNAL_URL", &url)]).await;
    (app, api)
}

impl TestApp {
    /// A call of the page's script to `/api…`, from the app's own origin.
    async fn api(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> reqwest::Response {
        let mut request =
            self.browser.request(method, format!("{}{path}", self.address)).header("Sec-Fetch-Site", "same-origin");
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request works")
    }
}

fn no_token_cookie(response: &reqwest::Response) -> bool {
    set_cookies(response).iter().all(|c| c.name != "access_token" && c.name != "refresh_token")
}

#[tokio::test]
async fn a_bff_login_sets_no_token_cookie() {
    let (app, _) = spawn_bff().await;

    let response = app.log_in().await;

    assert!(no_token_cookie(&response), "{:?}", set_cookies(&response));
    assert_eq!(set_cookies(&response).iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["client_session"]);
}

#[tokio::test]
async fn api_calls_are_forwarded_with_the_session_s_access_token() {
    let (app, api) = spawn_bff().await;
    app.log_in().await;

    let listed = app.api(reqwest::Method::GET, "/api/todos?limit=5", None).await;
    let created = app.api(reqwest::Method::POST, "/api/todos", Some(json!({"title": "Read RFC 6750"}))).await;
    let patched = app.api(reqwest::Method::PATCH, "/api/todos/1", Some(json!({"done": true}))).await;
    let deleted = app.api(reqwest::Method::DELETE, "/api/todos/1", None).await;

    assert_eq!(listed.status(), StatusCode::OK);
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(patched.status(), StatusCode::OK);
    assert_eq!(deleted.status(), StatusCode::OK);
    assert!(no_token_cookie(&listed));
    assert_eq!(listed.headers()["content-type"], "application/json");
    assert_eq!(listed.headers()["link"], NEXT_PAGE, "the page learns that another page follows");
    assert_eq!(listed.json::<Value>().await.unwrap()[0]["title"], "from the API");
    let calls = api.calls.lock().unwrap().clone();
    let seen: Vec<(&str, &str)> = calls.iter().map(|c| (c.method.as_str(), c.path.as_str())).collect();
    assert_eq!(seen, [("GET", "/todos?limit=5"), ("POST", "/todos"), ("PATCH", "/todos/1"), ("DELETE", "/todos/1")]);
    let bearer = format!("Bearer {ACCESS_TOKEN}");
    assert!(calls.iter().all(|c| c.authorization.as_deref() == Some(bearer.as_str())), "{calls:?}");
    assert_eq!(calls[1].content_type.as_deref(), Some("application/json"));
    assert_eq!(calls[1].body, r#"{"title":"Read RFC 6750"}"#);
}

#[tokio::test]
async fn an_access_token_the_api_refuses_is_refreshed_server_side_and_the_call_retried() {
    let (app, api) = spawn_bff().await;
    app.log_in().await;
    *api.valid_token.lock().unwrap() = "access-token-2".to_owned();
    *app.provider.script.token_reply.lock().unwrap() = (
        200,
        json!({"access_token": "access-token-2", "token_type": "Bearer", "expires_in": 600, "refresh_token": "refresh-2"}),
    );

    let response = app.api(reqwest::Method::GET, "/api/todos", None).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert!(no_token_cookie(&response));
    let refresh = app.token_requests().last().unwrap().clone();
    assert_eq!(refresh.form["grant_type"], "refresh_token");
    assert_eq!(refresh.form["refresh_token"], REFRESH_TOKEN);
    let calls = api.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2, "the refused call, then the retry");
    assert_eq!(calls[1].authorization.as_deref(), Some("Bearer access-token-2"));

    // The session keeps the rotated tokens: the next call needs no refresh,
    // and logout revokes the rotated refresh token.
    let before = app.token_requests().len();
    assert_eq!(app.api(reqwest::Method::GET, "/api/todos", None).await.status(), StatusCode::OK);
    assert_eq!(app.token_requests().len(), before);
    let logout = app.logout().await;
    assert!(no_token_cookie(&logout), "BFF logout has no cookie to clear: {:?}", set_cookies(&logout));
    assert_eq!(app.revocations()[0].form["token"], "refresh-2");
}

#[tokio::test]
async fn a_refused_refresh_answers_login_required() {
    let (app, api) = spawn_bff().await;
    app.log_in().await;
    *api.valid_token.lock().unwrap() = "something-else".to_owned();
    app.reply_with_error(400, "invalid_grant", "refresh token revoked");

    let response = app.api(reqwest::Method::GET, "/api/todos", None).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "login_required");
    assert!(body["error_description"].as_str().unwrap().contains("invalid_grant"), "{body}");
}

#[tokio::test]
async fn api_calls_from_another_origin_or_without_a_login_are_refused() {
    let (app, api) = spawn_bff().await;

    let anonymous = app.api(reqwest::Method::GET, "/api/todos", None).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.json::<Value>().await.unwrap()["error"], "login_required");

    app.log_in().await;
    let forged = app
        .browser
        .post(format!("{}/api/todos", app.address))
        .header("Origin", "http://127.0.0.1:6660")
        .header("Sec-Fetch-Site", "cross-site")
        .json(&json!({"title": "planted"}))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(api.calls.lock().unwrap().is_empty(), "nothing reached the todo API");
}

/// A failure behind `/api/` is answered in JSON like its other errors,
/// and nothing is forwarded.
#[tokio::test]
async fn a_failing_session_store_answers_500_in_json() {
    let (app, api) = spawn_bff().await;
    app.log_in().await;
    app.break_session_store().await;

    let response = app.api(reqwest::Method::GET, "/api/todos", None).await;

    assert_internal_error_in_json(response).await;
    assert!(api.calls.lock().unwrap().is_empty(), "nothing reached the todo API");
}

#[tokio::test]
async fn in_bff_mode_the_page_calls_the_app_and_there_is_no_refresh_endpoint() {
    let (app, _) = spawn_bff().await;
    app.log_in().await;

    let home = crate::helpers::page(app.get("/").await).await;
    assert!(home.contains("data-todo-api=\"/api\""), "{home}");
    assert!(home.contains("data-refresh-url=\"\""), "{home}");
    assert_eq!(app.refresh_same_origin().await.status(), StatusCode::NOT_FOUND);
    app.api(reqwest::Method::GET, "/api/todos", None).await;
    let flow = crate::helpers::page(app.get("/flow").await).await;
    assert!(flow.contains("Tokens kept in the server-side session"), "{flow}");
    assert!(flow.contains("API call forwarded (BFF)"), "the inspector shows the forwarded call: {flow}");
    assert!(flow.contains("/todos"), "{flow}");
}
