//! `GET /todos` a page at a time: `limit`, an opaque `cursor`, and the next
//! page announced in an RFC 8288 `Link: <…>; rel="next"` header.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, assert_api_error, spawn_app};

/// The URL of a `Link: <URL>; rel="next"` header, if there is one.
fn next_url(response: &reqwest::Response) -> Option<String> {
    let link = response.headers().get("link")?.to_str().unwrap();
    let (target, params) = link.split_once(';').expect("Link: <target>; params");
    assert_eq!(params.trim(), "rel=\"next\"", "{link}");
    Some(target.trim().trim_start_matches('<').trim_end_matches('>').to_owned())
}

async fn get(app: &TestApp, token: &str, url: &str) -> reqwest::Response {
    app.http.get(url).bearer_auth(token).send().await.expect("GET")
}

fn titles(page: &[Value]) -> Vec<String> {
    page.iter().map(|t| t["title"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_long_list_comes_in_pages_linked_by_rel_next_each_todo_once_in_order() {
    let app = spawn_app().await;
    let token = app.token().sign();
    // Created within the same second: the order's tie-break (id) is what
    // the cursor must get right.
    for i in 1..=5 {
        app.new_todo(&token, &format!("todo {i}")).await;
    }

    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut url = Some(app.url("/todos?limit=2"));
    while let Some(next) = url.take() {
        assert!(next.starts_with(&app.address), "the next page is at the API's public URL: {next}");
        let response = get(&app, &token, &next).await;
        assert_eq!(response.status(), StatusCode::OK);
        url = next_url(&response);
        let page: Vec<Value> = response.json().await.unwrap();
        sizes.push(page.len());
        seen.extend(titles(&page));
    }

    assert_eq!(sizes, [2, 2, 1], "the last page has no Link");
    assert_eq!(seen, ["todo 5", "todo 4", "todo 3", "todo 2", "todo 1"]);
}

#[tokio::test]
async fn without_limit_a_page_holds_100_and_limit_goes_up_to_500() {
    let app = spawn_app().await;
    let token = app.token().sign();
    for i in 0..101 {
        app.new_todo(&token, &format!("todo {i}")).await;
    }

    let first = app.get_todos(&token).await;
    let next = next_url(&first).expect("a 101st todo means a second page");
    let page: Vec<Value> = first.json().await.unwrap();
    assert_eq!(page.len(), 100, "the default limit");
    assert!(next.contains("limit=100"), "{next}");
    let rest: Vec<Value> = get(&app, &token, &next).await.json().await.unwrap();
    assert_eq!(titles(&rest), ["todo 0"]);

    let all = get(&app, &token, &app.url("/todos?limit=500")).await;
    assert!(next_url(&all).is_none(), "everything fits: no next page");
    assert_eq!(all.json::<Vec<Value>>().await.unwrap().len(), 101);
}

#[tokio::test]
async fn a_bad_limit_or_cursor_is_a_400_naming_the_rule() {
    let app = spawn_app().await;
    let token = app.token().sign();
    for (query, mentions) in [
        ("limit=0", "from 1 to 500"),
        ("limit=501", "from 1 to 500"),
        ("limit=ten", "from 1 to 500"),
        ("limit=2&limit=3", "given twice"),
        ("cursor=not-a-cursor", "rel=\"next\""),
        ("cursor=MTIz", "rel=\"next\""),
    ] {
        let response = get(&app, &token, &app.url(&format!("/todos?{query}"))).await;
        assert_api_error(response, StatusCode::BAD_REQUEST, "invalid_request", mentions).await;
    }
}

#[tokio::test]
async fn a_cursor_is_only_a_position_it_never_shows_another_user_s_todos() {
    let app = spawn_app().await;
    let alice = app.token().sign();
    let bob = app.token().sub("bob").sign();
    for i in 0..3 {
        app.new_todo(&alice, &format!("alice {i}")).await;
    }
    app.new_todo(&bob, "bob's").await;
    let first = get(&app, &alice, &app.url("/todos?limit=1")).await;
    let next = next_url(&first).unwrap();

    let response = get(&app, &bob, &next).await;

    assert_eq!(response.status(), StatusCode::OK);
    let page: Vec<Value> = response.json().await.unwrap();
    assert!(titles(&page).iter().all(|t| t.starts_with("bob")), "{page:?}");
}
