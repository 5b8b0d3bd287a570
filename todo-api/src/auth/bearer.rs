//! Where the access token comes from: RFC 6750 §2.
//!
//! The article's client app delivers the token two ways, and this API reads
//! both:
//!
//! 1. the `Authorization: Bearer <token>` header (RFC 6750 §2.1), which
//!    "resource servers MUST support";
//! 2. the `access_token` cookie the client app sets as HttpOnly, which the
//!    browser sends along when the todo page calls this API with
//!    `credentials: 'include'`.
//!
//! When both are present the header wins: it is what a program sent on
//! purpose, while a cookie rides along with every request of the browser.

use axum::http::{HeaderMap, header};
use axum_extra::extract::CookieJar;
use shared::Secret;

use super::error::BearerError;

/// The cookie the client app sets (see the design's cookie names).
pub const ACCESS_TOKEN_COOKIE: &str = "access_token";

/// A token as presented, not yet validated. Its `Debug` is `[redacted]`.
#[derive(Debug)]
pub struct BearerToken(Secret);

impl BearerToken {
    /// The raw token, for the validator only.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

/// Finds the token in the request's headers, or says why there is none.
pub fn bearer_token(headers: &HeaderMap) -> Result<BearerToken, BearerError> {
    if let Some(token) = from_authorization_header(headers)? {
        return Ok(token);
    }
    let jar = CookieJar::from_headers(headers);
    match jar.get(ACCESS_TOKEN_COOKIE).map(|c| c.value()) {
        Some(value) if !value.is_empty() => Ok(BearerToken(Secret::new(value))),
        _ => Err(BearerError::MissingToken),
    }
}

/// RFC 6750 §2.1: `credentials = "Bearer" 1*SP b64token`.
///
/// Another scheme (say `Basic`) is not an error here: it is "an unsupported
/// authentication scheme", answered like no token at all (RFC 6750 §3.1),
/// unless the cookie carries one.
fn from_authorization_header(headers: &HeaderMap) -> Result<Option<BearerToken>, BearerError> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(BearerError::InvalidRequest(
            "more than one Authorization header: send the access token once (RFC 6750 §3.1)".to_owned(),
        ));
    }
    let value =
        value.to_str().map_err(|_| BearerError::InvalidRequest("the Authorization header is not ASCII".to_owned()))?;
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    // "auth-scheme" is case-insensitive (RFC 9110 §11.1).
    if !scheme.eq_ignore_ascii_case("Bearer") {
        return Ok(None);
    }
    let token = rest.trim_start_matches(' ');
    if !is_b64token(token) {
        return Err(BearerError::InvalidRequest(
            "the Authorization header must be Bearer followed by one space and the token, a b64token (RFC 6750 §2.1)"
                .to_owned(),
        ));
    }
    Ok(Some(BearerToken(Secret::new(token))))
}

/// RFC 6750 §2.1: `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" /
/// "+" / "/" ) *"="`.
fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty() && body.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use testkit::http::headers;

    #[test]
    fn header_wins_over_cookie() {
        let h = headers(&[("authorization", "Bearer from.header.x"), ("cookie", "access_token=from.cookie.x")]);
        assert_eq!(bearer_token(&h).unwrap().expose(), "from.header.x");
    }

    #[test]
    fn scheme_is_case_insensitive_and_other_schemes_fall_back_to_the_cookie() {
        let h = headers(&[("authorization", "bearer a.b.c")]);
        assert_eq!(bearer_token(&h).unwrap().expose(), "a.b.c");
        let h = headers(&[("authorization", "Basic dXNlcjpwYXNz"), ("cookie", "theme=dark; access_token=c.d.e")]);
        assert_eq!(bearer_token(&h).unwrap().expose(), "c.d.e");
        let h = headers(&[("authorization", "Basic dXNlcjpwYXNz")]);
        assert!(matches!(bearer_token(&h), Err(BearerError::MissingToken)));
    }

    #[test]
    fn a_token_that_is_not_a_b64token_is_a_malformed_request() {
        for bad in ["Bearer", "Bearer ", "Bearer a b", "Bearer a\"b"] {
            let h = headers(&[("authorization", bad)]);
            assert!(matches!(bearer_token(&h), Err(BearerError::InvalidRequest(_))), "{bad}");
        }
    }
}
