//! The article's flow from the first click to the logout, every hop asserted.

use e2e::browser::{location, location_params, set_cookie};
use e2e::{Browser, Options, System};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{introspect, jwt_claims, todo_id};

#[tokio::test]
async fn a_user_logs_in_keeps_todos_refreshes_and_logs_out() {
    let system = System::start(Options::default()).await.expect("the system starts");
    let browser = Browser::new(&system);

    // 1. The user clicks "Log in": the client sends the browser to the
    //    provider with state, nonce and a PKCE challenge (RFC 6749 §4.1.1).
    let to_provider = browser.client_login().await;
    assert_eq!(to_provider.status(), StatusCode::FOUND);
    let request = location_params(&to_provider);
    assert!(location(&to_provider).starts_with(&system.provider.url("/oauth2/authorize?")));
    assert_eq!(request["client_id"], "todo-app");
    assert_eq!(request["response_type"], "code");
    assert_eq!(request["redirect_uri"], system.client.url("/callback"));
    assert_eq!(request["code_challenge_method"], "S256");
    assert!(request["scope"].split(' ').any(|scope| scope == "todos:write"));
    let state = request["state"].clone();

    // 2. The provider has no session yet: it asks the user to sign in.
    let to_login = browser.authorize(&to_provider).await;
    assert_eq!(to_login.status(), StatusCode::FOUND);
    assert_eq!(location(&to_login), system.provider.url("/login"));

    // 3. The login form carries an anti-CSRF token; the POST answers 303.
    let form = browser.login_form(&to_login).await;
    assert!(!form.csrf_token.is_empty());
    let signed_in = browser.submit_login(&form, "demo", "demo").await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER, "a 303, never a 307 (RFC 9700 §4.12)");
    assert!(location(&signed_in).starts_with(&system.provider.url("/oauth2/authorize?")));

    // 4. Consent names the client; the user approves.
    let consent = browser.consent_page(&signed_in).await;
    assert!(consent.html.contains("Todo App"), "the consent page names the client");
    let to_client = browser.decide(&consent, "approve").await;
    assert!(to_client.status().is_redirection());
    assert!(location(&to_client).starts_with(&system.client.url("/callback?")));
    let response = location_params(&to_client);
    assert_eq!(response["state"], state, "the state comes back unchanged");
    assert_eq!(response["iss"], system.provider.public_url, "RFC 9207: the issuer is named");
    assert!(!response["code"].is_empty());

    // 5. The callback exchanges the code and sets the two cookies.
    let callback = browser.callback(&to_client).await;
    assert_eq!(callback.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&callback), system.client.url("/"));
    assert_eq!(callback.headers()["referrer-policy"], "no-referrer", "the code must not leak in a Referer");
    let access_cookie = set_cookie(&callback, "access_token").expect("an access_token cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(access_cookie.contains(attribute), "access_token has {attribute}: {access_cookie}");
    }
    assert!(!access_cookie.contains("Secure"), "plain-http localhost: no Secure ({access_cookie})");
    let refresh_cookie = set_cookie(&callback, "refresh_token").expect("a refresh_token cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/refreshtoken"] {
        assert!(refresh_cookie.contains(attribute), "refresh_token has {attribute}: {refresh_cookie}");
    }
    let access_token = browser.cookie(&system.todo_api.url("/todos"), "access_token").expect("sent to the API");
    let claims = jwt_claims(&access_token);
    assert_eq!(claims["iss"], system.provider.public_url);
    assert_eq!(claims["aud"], system.todo_api.public_url);
    assert_eq!(browser.cookie(&system.todo_api.url("/todos"), "refresh_token"), None, "the API never sees it");

    // 6. The home page greets the user and shows no token.
    let home = browser.get(&system.client.url("/")).await;
    assert_eq!(home.status(), StatusCode::OK);
    let html = home.text().await.expect("a page");
    assert!(html.contains("Demo User"), "the page greets the user by name");
    assert!(!html.contains(&access_token), "no token in the HTML (RFC 6750 §5.3: tokens stay out of pages and URLs)");

    // 7. The todo API, with nothing but the cookie, as the page script calls it.
    let created = browser.create_todo("Read RFC 6749").await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers()["access-control-allow-origin"], system.client.public_url.as_str());
    assert_eq!(created.headers()["access-control-allow-credentials"], "true");
    let todo: Value = created.json().await.expect("the todo");
    assert_eq!(todo["title"], "Read RFC 6749");
    assert_eq!(todo["done"], false);
    let id = todo_id(&todo);

    let listed = browser.list_todos().await;
    assert_eq!(listed.status(), StatusCode::OK);
    let todos: Vec<Value> = listed.json().await.expect("a list");
    assert_eq!(todos.len(), 1);
    assert_eq!(todos[0]["id"], todo["id"]);

    let updated = browser.update_todo(&id, &json!({ "done": true })).await;
    assert_eq!(updated.status(), StatusCode::OK);
    assert_eq!(updated.json::<Value>().await.expect("the todo")["done"], true);

    let deleted = browser.delete_todo(&id).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let todos: Vec<Value> = browser.list_todos().await.json().await.expect("a list");
    assert!(todos.is_empty());

    // 8. POST /refreshtoken from the page's origin: new cookies, no token in the body.
    let old_refresh_token =
        browser.cookie(&system.client.url("/refreshtoken"), "refresh_token").expect("the refresh cookie");
    let refreshed = browser.refresh().await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    assert_eq!(refreshed.headers()["cache-control"], "no-store");
    assert!(set_cookie(&refreshed, "access_token").is_some());
    assert!(set_cookie(&refreshed, "refresh_token").is_some(), "the refresh token rotates");
    let body: Value = refreshed.json().await.expect("JSON");
    assert!(body["expires_in"].as_i64().is_some_and(|seconds| seconds > 0), "{body}");
    assert!(body.get("access_token").is_none() && body.get("refresh_token").is_none(), "{body}");
    let new_access_token = browser.cookie(&system.todo_api.url("/todos"), "access_token").expect("a new cookie");
    assert_ne!(new_access_token, access_token);
    assert_eq!(introspect(&system.provider.internal_url, &old_refresh_token).await, json!({ "active": false }));
    assert_eq!(browser.create_todo("Read RFC 9700").await.status(), StatusCode::CREATED, "the new cookie works");

    // 9. Logout revokes the refresh token at the provider and clears the cookies.
    let refresh_token = browser.cookie(&system.client.url("/refreshtoken"), "refresh_token").expect("rotated");
    assert_eq!(introspect(&system.provider.internal_url, &refresh_token).await["active"], true);
    let logout = browser.logout().await;
    assert_eq!(logout.status(), StatusCode::OK, "the hand-over page, not a redirect with the ID token in it");
    assert!(set_cookie(&logout, "access_token").is_some_and(|c| c.contains("Max-Age=0")));
    assert!(set_cookie(&logout, "refresh_token").is_some_and(|c| c.contains("Path=/refreshtoken")));
    assert_eq!(browser.cookie(&system.todo_api.url("/todos"), "access_token"), None);
    assert_eq!(introspect(&system.provider.internal_url, &refresh_token).await, json!({ "active": false }));

    // 10. The page posts the ID token to the provider, which ends its own
    // session at once (the hint is valid) and sends the browser back.
    let back = browser.hand_over(logout).await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&back), system.client.url("/"));
    let authorize = browser.authorize(&browser.client_login().await).await;
    assert!(location(&authorize).contains("/login"), "the provider session ended: {}", location(&authorize));

    system.stop().await;
}

#[tokio::test]
async fn revoking_the_app_at_the_provider_ends_the_clients_refreshes() {
    let system = System::start(Options::default()).await.expect("the system starts");
    let browser = Browser::logged_in_as(&system, "demo").await;

    // The provider's account page lists the app the user connected.
    let account = browser.get(&system.provider.url("/")).await;
    assert_eq!(account.status(), StatusCode::OK);
    let html = account.text().await.expect("a page");
    assert!(html.contains("Todo App"), "the account page lists the client: {html}");
    let csrf_token = e2e::browser::hidden_input(&html, "csrf_token");
    let revoked = browser
        .http()
        .post(system.provider.url("/account/apps/revoke"))
        .form(&[("csrf_token", csrf_token.as_str()), ("client_id", "todo-app")])
        .send()
        .await
        .expect("the provider answers");
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);

    // The client's refresh token died with the consent.
    let refreshed = browser.refresh().await;
    assert_eq!(refreshed.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(refreshed.json::<Value>().await.expect("JSON")["error"], "invalid_grant");
}

#[tokio::test]
async fn the_client_can_authenticate_with_client_secret_post() {
    let options = Options::default().client("CLIENT_AUTH_METHOD", "client_secret_post");
    let system = System::start(options).await.expect("the system starts");
    let browser = Browser::logged_in_as(&system, "demo").await;
    assert_eq!(browser.list_todos().await.status(), StatusCode::OK);
    assert_eq!(browser.refresh().await.status(), StatusCode::OK);
}
