//! Pages of `GET /todos`: `?limit=N&cursor=C`, so that a user with ten
//! thousand todos gets a bounded answer.
//!
//! Keyset pagination on the list's own order, newest first by
//! `(created_at, id)`: the cursor names the last todo of a page, and the
//! next page is the todos that sort after it. Unlike an offset, it costs
//! one index seek whatever the page number, and a todo added or deleted
//! meanwhile neither repeats nor skips one.
//!
//! The body stays a JSON array. When there is more, the answer carries the
//! next page's URL in an RFC 8288 `Link` header: §3.3 "The "rel" parameter
//! […] defines the link relation type", and `next` is registered for "the
//! next resource in an ordered series" (IANA Link Relations).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::AppError;

/// Todos per page when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 100;
/// The most todos one page holds.
pub const MAX_LIMIT: u32 = 500;

/// Where a page starts: after the todo with this `(created_at, id)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: i64,
    pub id: i64,
}

impl Cursor {
    /// The opaque form clients see and send back: base64url of
    /// `created_at.id`. Opaque to the client (it is only ever copied from a
    /// `Link` header), plain to a reader of this code.
    pub fn encode(self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}.{}", self.created_at, self.id))
    }

    pub fn decode(raw: &str) -> Result<Cursor, AppError> {
        let invalid = || {
            AppError::InvalidInput(
                "cursor is not one this API issued: copy it unchanged from the URL of the previous answer's \
                 Link: <…>; rel=\"next\" header (RFC 8288)"
                    .to_owned(),
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let (created_at, id) = text.split_once('.').ok_or_else(invalid)?;
        Ok(Cursor { created_at: created_at.parse().map_err(|_| invalid())?, id: id.parse().map_err(|_| invalid())? })
    }
}

/// The page a `GET /todos` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<Cursor>,
}

impl PageRequest {
    /// Reads `limit` and `cursor` from a query string; other parameters are
    /// ignored, and each of the two may appear once.
    pub fn parse(query: &str) -> Result<PageRequest, AppError> {
        let mut page = PageRequest { limit: DEFAULT_LIMIT, after: None };
        let (mut seen_limit, mut seen_cursor) = (false, false);
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let seen = match name.as_ref() {
                "limit" => &mut seen_limit,
                "cursor" => &mut seen_cursor,
                _ => continue,
            };
            if std::mem::replace(seen, true) {
                return Err(AppError::InvalidInput(format!("{name} is given twice; send it once")));
            }
            if name == "limit" {
                page.limit = value.parse().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| {
                    let shown: String = value.chars().take(40).collect();
                    AppError::InvalidInput(format!(
                        "limit must be a whole number from 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}); got {shown:?}"
                    ))
                })?;
            } else {
                page.after = Some(Cursor::decode(&value)?);
            }
        }
        Ok(page)
    }
}

/// The extractor: a bad `limit` or `cursor` is a 400 in the API's JSON
/// error shape, naming the rule.
impl<S: Send + Sync> FromRequestParts<S> for PageRequest {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        PageRequest::parse(parts.uri.query().unwrap_or_default())
    }
}

/// The `Link` header value announcing the page after `last`, at the API's
/// public URL.
pub fn next_link(public_url: &str, limit: u32, last: Cursor) -> Option<String> {
    let mut url = url::Url::parse(public_url).ok()?.join("/todos").ok()?;
    url.query_pairs_mut().append_pair("limit", &limit.to_string()).append_pair("cursor", &last.encode());
    Some(format!("<{url}>; rel=\"next\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_as_itself() {
        let cursor = Cursor { created_at: 1_764_000_000, id: 42 };
        assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        for bad in ["", "!!", &URL_SAFE_NO_PAD.encode("12"), &URL_SAFE_NO_PAD.encode("a.b")] {
            assert!(Cursor::decode(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn limit_has_a_default_and_a_maximum() {
        assert_eq!(PageRequest::parse("").unwrap().limit, DEFAULT_LIMIT);
        assert_eq!(PageRequest::parse("limit=500&other=x").unwrap().limit, 500);
        for bad in ["limit=0", "limit=501", "limit=-1", "limit=ten", "limit=", "limit=1&limit=2"] {
            assert!(PageRequest::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_next_link_carries_limit_and_cursor() {
        let link = next_link("http://localhost:4000", 2, Cursor { created_at: 5, id: 7 }).unwrap();
        assert_eq!(
            link,
            format!("<http://localhost:4000/todos?limit=2&cursor={}>; rel=\"next\"", URL_SAFE_NO_PAD.encode("5.7"))
        );
    }
}
