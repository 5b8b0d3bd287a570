//! BFF mode in a real browser: headless Chromium logs in, adds a todo,
//! ticks it off and logs out, and its cookie jar never holds a token.

use e2e::{Options, System};
use fantoccini::Locator;

use crate::chromium::{
    add_and_tick, assert_nothing_to_steal, chromedriver, close_chromium, log_in_at_the_client, open_chromium,
    start_driver, wait_for_the_empty_list,
};

/// The names of the cookies Chromium holds for the page's site.
async fn cookie_names(browser: &fantoccini::Client) -> Vec<String> {
    let cookies = browser.get_all_cookies().await.expect("the cookie jar");
    cookies.iter().map(|c| c.name().to_owned()).collect()
}

fn assert_no_token_cookie(names: &[String], when: &str) {
    assert!(
        names.iter().all(|n| n != "access_token" && n != "refresh_token"),
        "{when}: the browser holds a token cookie: {names:?}"
    );
}

#[tokio::test]
async fn in_bff_mode_a_person_keeps_todos_in_chromium_without_a_token_cookie() {
    let Some(chromedriver) = chromedriver() else { return };
    let system =
        System::start(Options::default().client("CLIENT_TOKEN_DELIVERY", "bff")).await.expect("the system starts");
    let driver = start_driver(&chromedriver).await;
    let browser = open_chromium(&driver, "1200,900").await;

    // Log in and consent, as in cookie mode.
    log_in_at_the_client(&browser, &system.client.url("/")).await;

    // The page loads the list through the app's /api/todos.
    browser.wait().for_element(Locator::Css("#todos[data-todo-api='/api']")).await.expect("the BFF todo page");
    wait_for_the_empty_list(&browser, "the script loaded the todos through the app").await;
    assert_no_token_cookie(&cookie_names(&browser).await, "after the login");

    // Add a todo and tick it off.
    add_and_tick(&browser, "Buy oat milk").await;
    let names = cookie_names(&browser).await;
    assert_no_token_cookie(&names, "after adding and ticking a todo");
    assert!(names.iter().any(|n| n == "client_session"), "the session cookie is there: {names:?}");
    // The tokens are in the client's server-side session: an injected
    // script finds nothing to steal (the lab's token-theft attack).
    assert_nothing_to_steal(&browser, "the todo page in BFF mode").await;

    // The flow inspector shows the forwarded calls.
    browser.goto(&system.client.url("/flow")).await.expect("open /flow");
    let body = browser.find(Locator::Css("body")).await.expect("a body").text().await.expect("text");
    assert!(body.contains("API call forwarded (BFF)"), "the inspector shows the forwarded calls: {body}");

    // Log out.
    browser.goto(&system.client.url("/")).await.expect("open the client");
    browser.find(Locator::LinkText("Log out")).await.expect("a Log out link").click().await.expect("log out");
    let logged_out = browser.wait().for_element(Locator::Css("a.button[href='/login']")).await;
    logged_out.expect("back at the logged-out home page");
    assert_no_token_cookie(&cookie_names(&browser).await, "after the logout");

    close_chromium(browser, driver).await;
    system.stop().await;
}
