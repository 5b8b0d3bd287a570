//! Two tabs of one browser refresh at the same moment, against the real
//! provider, which treats a rotated refresh token presented again as theft
//! and revokes the whole grant (RFC 9700 §4.14.2). The client must not
//! make it look like one.

use e2e::{Browser, Options, System};
use reqwest::StatusCode;
use reqwest::header::ORIGIN;
use serde_json::json;

use crate::support::introspect;

#[tokio::test]
async fn concurrent_refreshes_of_one_session_all_succeed_and_the_user_stays_logged_in() {
    let system = System::start(Options::default()).await.expect("the system starts");
    let browser = Browser::logged_in_as(&system, "demo").await;
    let first_refresh_token =
        browser.cookie(&system.client.url("/refreshtoken"), "refresh_token").expect("the refresh cookie");

    // Six tabs, one cookie jar: every request carries the same refresh token.
    let tabs: Vec<_> = (0..6)
        .map(|_| {
            let request = browser
                .http()
                .post(system.client.url("/refreshtoken"))
                .header(ORIGIN, system.client.public_url.as_str());
            tokio::spawn(request.send())
        })
        .collect();
    for tab in tabs {
        let response = tab.await.expect("the task ran").expect("the client answers");
        assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap_or_default());
    }

    // The grant survived: the current cookies work, at the API and for the
    // next refresh, and only the first refresh token is spent.
    assert_eq!(introspect(&system.provider.internal_url, &first_refresh_token).await, json!({ "active": false }));
    let current = browser.cookie(&system.client.url("/refreshtoken"), "refresh_token").expect("a refresh cookie");
    assert_eq!(introspect(&system.provider.internal_url, &current).await["active"], true);
    assert_eq!(browser.list_todos().await.status(), StatusCode::OK);
    assert_eq!(browser.refresh().await.status(), StatusCode::OK);
    assert_eq!(browser.create_todo("Still logged in").await.status(), StatusCode::CREATED);

    system.stop().await;
}
