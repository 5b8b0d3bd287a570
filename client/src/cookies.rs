//! The article's `handleTokens`: tokens go to the browser as HttpOnly
//! cookies, never into a page or a script.
//!
//! - `access_token`: `HttpOnly; SameSite=Lax; Path=/; Max-Age=expires_in`.
//!   The browser attaches it to the todo API calls that the page's script
//!   makes with `credentials: 'include'`; the script itself cannot read it.
//!   It expires with the token, so an expired token is simply absent.
//! - `refresh_token`: `HttpOnly; SameSite=Strict; Path=/refreshtoken`. Only
//!   this app's refresh endpoint ever receives it, and only from a request
//!   that started on this site.
//!
//! Both carry `Secure` when the app is served over https (`cookie_secure`).
//! Cookies on `localhost` ignore the port, which is why every cookie name in
//! the system is unique.

use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use shared::TokenResponse;

use crate::flow_log::Row;

pub const ACCESS_TOKEN: &str = "access_token";
pub const REFRESH_TOKEN: &str = "refresh_token";
/// The only path the refresh cookie is sent to: the refresh endpoint.
pub const REFRESH_PATH: &str = "/refreshtoken";

/// `handleTokens`: adds the cookies for a token response to `jar`. A
/// response without a refresh token leaves the current refresh cookie alone
/// (RFC 6749 §6: the server MAY keep the old one valid).
pub fn handle_tokens(jar: CookieJar, tokens: &TokenResponse, secure: bool) -> (CookieJar, Vec<Row>) {
    let mut access = access_cookie(tokens.access_token.expose().to_owned(), secure);
    access.set_max_age(time::Duration::seconds(tokens.expires_in.max(0)));
    let mut shown = vec![describe(&access, "read by the todo API; expires with the token")];
    let mut jar = jar.add(access);
    if let Some(refresh) = &tokens.refresh_token {
        let refresh = refresh_cookie(refresh.expose().to_owned(), secure);
        shown.push(describe(&refresh, "sent only to POST /refreshtoken"));
        jar = jar.add(refresh);
    }
    (jar, shown)
}

/// Expires both cookies. The removal must carry the same `Path` as the
/// cookie it removes, or the browser treats it as a different cookie.
///
/// Built explicitly rather than with `CookieJar::remove`, which only emits a
/// removal for cookies the request carried — and the refresh cookie is never
/// carried to `/logout`.
pub fn clear_tokens(jar: CookieJar, secure: bool) -> CookieJar {
    let mut access = access_cookie(String::new(), secure);
    access.make_removal();
    let mut refresh = refresh_cookie(String::new(), secure);
    refresh.make_removal();
    jar.add(access).add(refresh)
}

fn access_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((ACCESS_TOKEN, value)).http_only(true).same_site(SameSite::Lax).path("/").secure(secure).build()
}

fn refresh_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((REFRESH_TOKEN, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path(REFRESH_PATH)
        .secure(secure)
        .build()
}

/// The cookie's name and attributes, never its value.
fn describe(cookie: &Cookie<'_>, note: &str) -> Row {
    let mut attributes = Vec::new();
    if cookie.http_only() == Some(true) {
        attributes.push("HttpOnly".to_owned());
    }
    if cookie.secure() == Some(true) {
        attributes.push("Secure".to_owned());
    }
    if let Some(same_site) = cookie.same_site() {
        attributes.push(format!("SameSite={same_site}"));
    }
    if let Some(path) = cookie.path() {
        attributes.push(format!("Path={path}"));
    }
    if let Some(max_age) = cookie.max_age() {
        attributes.push(format!("Max-Age={}", max_age.whole_seconds()));
    }
    Row::new(cookie.name(), attributes.join("; "), note)
}
