//! A real browser: headless Chromium, driven through chromedriver with
//! fantoccini, clicks through the flow the way a workshop attendee does.
//!
//! Needs Debian's `chromium` and `chromium-driver` packages. Without
//! chromedriver the test says it is skipped and passes, unless
//! `E2E_REQUIRE_BROWSER=1`. Screenshots of the todo page and of the flow
//! inspector are written to `target/tmp/e2e-screenshots/`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use e2e::{Options, System};
use fantoccini::{ClientBuilder, Locator};
use serde_json::json;
use testkit::serve::free_port;

use crate::support::wait_until_expired;

/// chromedriver, killed when dropped (also when the test panics).
pub(crate) struct Driver {
    child: Child,
    pub(crate) port: u16,
    pub(crate) profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first executable called `name` on the `PATH`.
pub(crate) fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|candidate| candidate.is_file())
}

pub(crate) async fn start_driver(chromedriver: &Path) -> Driver {
    let port = free_port();
    let child = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let profile = tempfile::Builder::new().prefix("oauth-e2e-chromium-").tempdir().expect("a profile directory");
    let driver = Driver { child, port, profile };
    let status = format!("http://127.0.0.1:{port}/status");
    for _ in 0..100 {
        if reqwest::get(&status).await.is_ok_and(|response| response.status().is_success()) {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not answer {status} within 10 s");
}

pub(crate) fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-screenshots");
    std::fs::create_dir_all(&dir).expect("create the screenshot directory");
    dir
}

/// chromedriver's path; `None` (the test says it is skipped) when it is not
/// installed, unless `E2E_REQUIRE_BROWSER=1`.
pub(crate) fn chromedriver() -> Option<PathBuf> {
    let found = find_on_path("chromedriver");
    if found.is_none() {
        assert!(
            std::env::var("E2E_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "E2E_REQUIRE_BROWSER=1 but chromedriver is not on the PATH (apt-get install chromium chromium-driver)"
        );
        eprintln!("skipped: chromedriver is not installed (apt-get install chromium chromium-driver)");
    }
    found
}

/// Ends the browser's session, then stops chromedriver.
pub(crate) async fn close_chromium(browser: fantoccini::Client, driver: Driver) {
    browser.close().await.expect("close the session");
    drop(driver);
}

/// Waits until the page script shows the (empty) todo list; `what` says
/// what that proves if it never comes.
pub(crate) async fn wait_for_the_empty_list(browser: &fantoccini::Client, what: &str) {
    let empty = "//p[@id='status'][contains(., 'Nothing to do yet')]";
    browser.wait().for_element(Locator::XPath(empty)).await.expect(what);
}

/// Clicks "Log in" on the client's home page, signs in at the provider as
/// demo and approves the consent page.
pub(crate) async fn log_in_at_the_client(browser: &fantoccini::Client, client_url: &str) {
    browser.goto(client_url).await.expect("open the client");
    browser.find(Locator::Css("a.button[href='/login']")).await.expect("a Log in button").click().await.expect("click");
    sign_in_and_approve(browser).await;
}

/// On the provider's login page: signs in as demo, then approves the
/// consent page that follows.
pub(crate) async fn sign_in_and_approve(browser: &fantoccini::Client) {
    let form = browser.form(Locator::Css("form[action='/login']")).await.expect("the provider's login form");
    form.set_by_name("username", "demo").await.expect("type the username");
    form.set_by_name("password", "demo").await.expect("type the password");
    form.submit().await.expect("sign in");
    let approve = browser.wait().for_element(Locator::Css("button[name='decision'][value='approve']")).await;
    approve.expect("the consent page").click().await.expect("approve");
}

/// Adds a todo through the page's `#add-todo` form, then ticks it off.
pub(crate) async fn add_and_tick(browser: &fantoccini::Client, title: &str) {
    let input = browser.find(Locator::Css("#add-todo input[name='title']")).await.expect("the title input");
    input.send_keys(title).await.expect("type a title");
    browser.find(Locator::Css("#add-todo button[type='submit']")).await.expect("Add").click().await.expect("add");
    let added = format!("//ul[@id='todo-list']/li/span[@class='title'][text()='{title}']");
    browser.wait().for_element(Locator::XPath(&added)).await.expect("the new todo is listed");
    tick_the_first_todo(browser).await;
}

/// Ticks off the first todo of the list and waits until it shows as done.
async fn tick_the_first_todo(browser: &fantoccini::Client) {
    click_the_first_checkbox(browser).await;
    browser.wait().for_element(Locator::Css("#todo-list li.done")).await.expect("the todo is marked done");
}

/// Clicks the checkbox of the first todo of the list (a PATCH of `done`).
pub(crate) async fn click_the_first_checkbox(browser: &fantoccini::Client) {
    let checkbox = browser.find(Locator::Css("#todo-list li input[type='checkbox']")).await.expect("a checkbox");
    checkbox.click().await.expect("click the checkbox");
}

#[tokio::test]
async fn a_person_logs_in_adds_a_todo_inspects_the_flow_and_logs_out_in_chromium() {
    let Some(chromedriver) = chromedriver() else { return };
    // Short-lived access tokens, so the page script's refresh-on-401 runs too.
    let options =
        Options::default().provider("PROVIDER_ACCESS_TOKEN_TTL_SECONDS", "3").todo_api("TODO_API_LEEWAY_SECONDS", "0");
    let system = System::start(options).await.expect("the system starts");
    let driver = start_driver(&chromedriver).await;

    let browser = open_chromium(&driver, "1200,900").await;

    // The home page, logged out: "Log in", the provider's login form, the
    // consent page.
    log_in_at_the_client(&browser, &system.client.url("/")).await;

    // Back at the client, logged in: the script loads the (empty) list.
    browser.wait().for_element(Locator::Css("#todos")).await.expect("the todo page");
    wait_for_the_empty_list(&browser, "the script loaded the todos from the API").await;
    assert_eq!(browser.current_url().await.expect("a URL").as_str(), system.client.url("/"));

    // Add a todo through the form (input named `title`) and see it listed.
    let title = browser.find(Locator::Css("input[name='title']")).await.expect("the title input");
    title.send_keys("Buy oat milk").await.expect("type a title");
    browser.find(Locator::Css("#add-todo button[type='submit']")).await.expect("Add").click().await.expect("add");
    let added = "//ul[@id='todo-list']/li/span[@class='title'][text()='Buy oat milk']";
    browser.wait().for_element(Locator::XPath(added)).await.expect("the new todo is listed");
    let png = browser.screenshot().await.expect("a screenshot");
    std::fs::write(screenshot_dir().join("todo-page.png"), png).expect("save the screenshot");

    // A reload fetches it again from the API.
    browser.refresh().await.expect("reload");
    browser.wait().for_element(Locator::XPath(added)).await.expect("the todo is still there after a reload");

    // Once the access token has expired, a reload gets a 401, and the script
    // refreshes the cookies through POST /refreshtoken and tries again.
    let expired = browser.get_named_cookie("access_token").await.expect("an access_token cookie");
    wait_until_expired(expired.value()).await;
    browser.refresh().await.expect("reload");
    browser.wait().for_element(Locator::XPath(added)).await.expect("the todo is listed after a refresh");
    let renewed = browser.get_named_cookie("access_token").await.expect("a renewed access_token cookie");
    assert_ne!(renewed.value(), expired.value(), "the script got a new access token");

    // An injected script on the todo page reads no token: both cookies are
    // HttpOnly (the lab's token-theft attack, in the browser).
    assert_nothing_to_steal(&browser, "the todo page in cookie mode").await;

    // Tick it off (PATCH) and add another, then delete that one (DELETE):
    // both are CORS requests with a preflight.
    tick_the_first_todo(&browser).await;
    let title = browser.find(Locator::Css("input[name='title']")).await.expect("the title input");
    title.send_keys("Something to delete").await.expect("type a title");
    browser.find(Locator::Css("#add-todo button[type='submit']")).await.expect("Add").click().await.expect("add");
    let doomed = "//ul[@id='todo-list']/li[span[text()='Something to delete']]";
    browser.wait().for_element(Locator::XPath(doomed)).await.expect("the second todo is listed");
    let delete = format!("{doomed}/button[@class='delete']");
    browser.find(Locator::XPath(&delete)).await.expect("its Delete button").click().await.expect("delete");
    let one_left = "//ul[@id='todo-list'][count(li)=1]/li[contains(@class, 'done')]";
    browser.wait().for_element(Locator::XPath(one_left)).await.expect("only the done todo is left");

    // The flow inspector shows the steps that just happened.
    browser.goto(&system.client.url("/flow")).await.expect("open /flow");
    let body = browser.find(Locator::Css("body")).await.expect("a body").text().await.expect("text");
    assert!(body.contains("Authorization request"), "the inspector shows the authorization request: {body}");
    assert!(body.contains("Refresh 1"), "the inspector shows the refresh: {body}");
    let png = browser.screenshot().await.expect("a screenshot");
    std::fs::write(screenshot_dir().join("flow-inspector.png"), png).expect("save the screenshot");

    // Log out: the provider ends its session and sends the browser home.
    browser.goto(&system.client.url("/")).await.expect("open the client");
    browser.find(Locator::LinkText("Log out")).await.expect("a Log out link").click().await.expect("log out");
    let logged_out = browser.wait().for_element(Locator::Css("a.button[href='/login']")).await;
    logged_out.expect("back at the logged-out home page");
    assert_eq!(browser.current_url().await.expect("a URL").as_str(), system.client.url("/"));

    close_chromium(browser, driver).await;
    system.stop().await;
}

/// Runs the attack lab's token-stealing script in the page `browser` shows,
/// as a cross-site scripting hole would, and returns what it could read.
pub(crate) async fn inject_token_thief(browser: &fantoccini::Client) -> Vec<lab::attacks::token_theft::Loot> {
    let script = format!("return {};", lab::attacks::token_theft::INJECTED_SCRIPT.trim());
    let loot = browser.execute(&script, vec![]).await.expect("the injected script runs");
    serde_json::from_value(loot).expect("a list of loot")
}

/// The injected script found no token in the page `browser` shows.
pub(crate) async fn assert_nothing_to_steal(browser: &fantoccini::Client, page: &str) {
    let loot = inject_token_thief(browser).await;
    let finding = lab::attacks::token_theft::verdict(&loot);
    assert_eq!(finding.verdict, lab::Verdict::Blocked, "{page}: {}", finding.because);
}

/// A headless Chromium session on `driver`, with a window of `size`
/// ("width,height") and its own profile.
pub(crate) async fn open_chromium(driver: &Driver, size: &str) -> fantoccini::Client {
    open_chromium_with(driver, size, serde_json::Map::new()).await
}

/// [`open_chromium`] with more capabilities (e.g. `goog:loggingPrefs`).
pub(crate) async fn open_chromium_with(
    driver: &Driver,
    size: &str,
    extra: serde_json::Map<String, serde_json::Value>,
) -> fantoccini::Client {
    let mut args: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    args.push(format!("--window-size={size}"));
    args.push(format!("--user-data-dir={}", driver.profile.path().display()));
    let mut chrome_options = json!({ "args": args });
    if let Some(chromium) = find_on_path("chromium") {
        chrome_options["binary"] = json!(chromium);
    }
    let mut capabilities = extra;
    capabilities.insert("goog:chromeOptions".to_owned(), chrome_options);
    ClientBuilder::rustls()
        .expect("rustls")
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a Chromium session")
}
