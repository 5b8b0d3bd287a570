//! Malformed input, generated.
//!
//! Every service promises that bad input is a 4xx naming the rule, never a
//! panic, a 5xx or lost data. These [proptest] strategies produce the kinds
//! of bad input that break parsers: NUL and control characters (which
//! PostgreSQL refuses in `TEXT`), invalid percent-encoding (`%ZZ`, a lone
//! `%`), percent-encoded bytes that are not UTF-8 (`%FF`), oversized values,
//! repeated parameters, wrong content types, truncated JSON and Basic
//! credentials that do not decode.
//!
//! [`check`] runs a strategy's cases against an async test body from inside
//! a multi-threaded Tokio test, with proptest's shrinking intact.

use std::future::Future;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Runs `cases` cases of `strategy` through `test`, shrinking a failure to
/// a minimal input. `PROPTEST_CASES` overrides the count.
///
/// Call it from `#[tokio::test(flavor = "multi_thread")]`: each case is
/// driven to completion on the test's runtime.
pub fn check<S, F, Fut>(cases: u32, strategy: S, test: F)
where
    S: Strategy,
    S::Value: Clone + std::fmt::Debug,
    F: Fn(S::Value) -> Fut,
    Fut: Future<Output = Result<(), TestCaseError>>,
{
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(cases);
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    let handle = tokio::runtime::Handle::current();
    tokio::task::block_in_place(|| {
        let mut runner = TestRunner::new(config);
        if let Err(failure) = runner.run(&strategy, |input| handle.block_on(test(input))) {
            panic!("{failure}");
        }
    });
}

/// One piece of text a parser may choke on.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z0-9_.~-]{0,40}",
        2 => "\\PC{0,40}",
        2 => "[\\x00-\\x1f\\x7f]{1,4}",
        1 => Just("\0".to_owned()),
        1 => Just(String::new()),
        1 => Just(" ".to_owned()),
        1 => (1usize..20_000).prop_map(|n| "x".repeat(n)),
        1 => "[a-z]{1,8}\0[a-z]{0,8}",
    ]
}

/// One value as it appears on the wire in a query string or form body:
/// sometimes properly percent-encoded text, sometimes raw bytes that no
/// decoder accepts.
pub fn encoded_value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => text().prop_map(|t| percent_encode(&t)),
        1 => Just("%00".to_owned()),
        1 => Just("%FF%FE".to_owned()),
        1 => Just("%C3%28".to_owned()),
        1 => Just("%ZZ".to_owned()),
        1 => Just("%".to_owned()),
        1 => Just("%%%".to_owned()),
        1 => Just("a+b%20c".to_owned()),
        1 => "[a-zA-Z0-9%+=&;]{0,30}",
    ]
}

/// A query string or form body: parameters named from `names` (the
/// endpoint's own, so the parser gets past the first check) or at random,
/// sometimes repeated, sometimes without `=`.
pub fn encoded_pairs(names: &'static [&'static str]) -> impl Strategy<Value = String> {
    let names = known_or_any(names);
    let name = prop_oneof![
        4 => proptest::sample::select(names).prop_map(str::to_owned),
        1 => encoded_value(),
    ];
    let pair = prop_oneof![
        6 => (name.clone(), encoded_value()).prop_map(|(n, v)| format!("{n}={v}")),
        1 => name,
    ];
    proptest::collection::vec(pair, 0..8).prop_map(|pairs| pairs.join("&"))
}

/// A JSON-ish body for an endpoint that takes JSON: objects with the
/// endpoint's names and values of every JSON type, deep nesting, and
/// sometimes text that is not JSON at all.
pub fn json_body(names: &'static [&'static str]) -> impl Strategy<Value = String> {
    let names = known_or_any(names);
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("1e999".to_owned()),
        text().prop_map(|t| json_string(&t)),
        Just("\"\\u0000\"".to_owned()),
        Just("\"\\ud800\"".to_owned()),
    ];
    let value = leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            proptest::collection::vec(inner, 0..3)
                .prop_map(|v| format!("{{{}}}", v.iter().map(|x| format!("\"k\":{x}")).collect::<Vec<_>>().join(","))),
        ]
    });
    let member = (proptest::sample::select(names), value).prop_map(|(n, v)| format!("\"{n}\":{v}"));
    prop_oneof![
        6 => proptest::collection::vec(member, 0..6).prop_map(|m| format!("{{{}}}", m.join(","))),
        1 => "\\PC{0,30}",
        1 => Just("{\"grant_type\":".to_owned()),
        1 => Just("[".repeat(200)),
    ]
}

/// A request body and the content type it claims to be.
#[derive(Clone, Debug)]
pub struct Body {
    pub content_type: Option<&'static str>,
    pub bytes: Vec<u8>,
}

/// A body for an endpoint that reads the parameters `names`: a form, JSON,
/// or bytes that are neither, under a right, wrong or missing content type.
pub fn body(names: &'static [&'static str]) -> impl Strategy<Value = Body> {
    let content_type = proptest::sample::select(vec![
        Some("application/x-www-form-urlencoded"),
        Some("application/json"),
        Some("application/json; charset=utf-8"),
        Some("text/plain"),
        Some("multipart/form-data; boundary=x"),
        Some("application/x-www-form-urlencoded; charset=iso-8859-1"),
        Some("\u{1}"),
        None,
    ]);
    let bytes = prop_oneof![
        3 => encoded_pairs(names).prop_map(String::into_bytes),
        2 => json_body(names).prop_map(String::into_bytes),
        1 => proptest::collection::vec(any::<u8>(), 0..64),
        1 => Just(vec![0xff, 0xfe, 0x00]),
    ];
    (content_type, bytes).prop_map(|(content_type, bytes)| Body { content_type, bytes })
}

/// A value for `Authorization`: Basic credentials that decode to nonsense
/// (or do not decode), Bearer tokens of every shape, other schemes.
pub fn authorization() -> impl Strategy<Value = Option<Vec<u8>>> {
    prop_oneof![
        2 => Just(None),
        2 => (encoded_value(), encoded_value())
            .prop_map(|(id, secret)| Some(format!("Basic {}", STANDARD.encode(format!("{id}:{secret}"))).into_bytes())),
        1 => proptest::collection::vec(any::<u8>(), 0..40)
            .prop_map(|raw| Some(format!("Basic {}", STANDARD.encode(raw)).into_bytes())),
        1 => "[ -~]{0,40}".prop_map(|s| Some(format!("Basic {s}").into_bytes())),
        1 => "[ -~]{0,60}".prop_map(|s| Some(format!("Bearer {s}").into_bytes())),
        1 => proptest::collection::vec(0x80u8..=0xff, 1..10).prop_map(|b| Some([b"Bearer ".to_vec(), b].concat())),
        1 => "[ -~]{0,40}".prop_map(|s| Some(s.into_bytes())),
    ]
}

/// A value for `Cookie`: the service's own cookie names with values that
/// are not what the service wrote.
pub fn cookie(names: &'static [&'static str]) -> impl Strategy<Value = Option<Vec<u8>>> {
    prop_oneof![
        1 => Just(None),
        3 => proptest::collection::vec((proptest::sample::select(names), "[!-~]{0,60}"), 1..4).prop_map(|c| {
            Some(c.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; ").into_bytes())
        }),
        1 => proptest::collection::vec(0x20u8..=0xff, 0..60).prop_map(Some),
    ]
}

/// A mutation of a well-formed token (a JWT's three segments): one
/// character changed, segments swapped, dropped, duplicated or replaced.
#[derive(Clone, Debug)]
pub enum TokenMutation {
    /// The character at this index (modulo the length) becomes `with`.
    Replace { at: usize, with: char },
    /// The token cut to this length (modulo the length).
    Truncate { at: usize },
    /// Segment `segment` (0 header, 1 payload, 2 signature) replaced.
    Segment { segment: usize, with: String },
    /// The segments in another order.
    Swap,
    /// A fourth segment.
    Extra { with: String },
}

pub fn token_mutation() -> impl Strategy<Value = TokenMutation> {
    let b64 = "[A-Za-z0-9_-]{0,80}";
    prop_oneof![
        4 => (any::<usize>(), proptest::sample::select(vec!['A', 'z', '0', '-', '_', '.', '=', '+', '/', ' ', '\0', 'é']))
            .prop_map(|(at, with)| TokenMutation::Replace { at, with }),
        1 => any::<usize>().prop_map(|at| TokenMutation::Truncate { at }),
        2 => (0usize..3, prop_oneof![
            b64.prop_map(|s| s.to_owned()),
            text().prop_map(|t| STANDARD.encode(t)),
            Just("eyJhbGciOiJub25lIn0".to_owned()),
            Just("eyJhbGciOiJIUzI1NiIsInR5cCI6ImF0K2p3dCJ9".to_owned()),
            Just(String::new()),
        ]).prop_map(|(segment, with)| TokenMutation::Segment { segment, with }),
        1 => Just(TokenMutation::Swap),
        1 => b64.prop_map(|with| TokenMutation::Extra { with }),
    ]
}

impl TokenMutation {
    /// The token after this mutation (which may, rarely, be the original).
    pub fn apply(&self, token: &str) -> String {
        let segments: Vec<&str> = token.split('.').collect();
        match self {
            TokenMutation::Replace { at, with } => {
                let mut chars: Vec<char> = token.chars().collect();
                let at = at % chars.len().max(1);
                if let Some(c) = chars.get_mut(at) {
                    *c = *with;
                }
                chars.into_iter().collect()
            }
            TokenMutation::Truncate { at } => token.chars().take(at % token.len().max(1)).collect(),
            TokenMutation::Segment { segment, with } => {
                let mut owned: Vec<String> = segments.iter().map(|s| (*s).to_owned()).collect();
                if let Some(s) = owned.get_mut(*segment) {
                    *s = with.clone();
                }
                owned.join(".")
            }
            TokenMutation::Swap => {
                let mut owned = segments.clone();
                owned.reverse();
                owned.join(".")
            }
            TokenMutation::Extra { with } => format!("{token}.{with}"),
        }
    }
}

/// The endpoint's parameter names, or a made-up one for an endpoint that
/// reads none.
fn known_or_any(names: &'static [&'static str]) -> &'static [&'static str] {
    if names.is_empty() { &["x"] } else { names }
}

/// Everything but RFC 3986's unreserved characters is percent-encoded.
const FORM: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// One generated request to one of a service's endpoints.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: &'static str,
    pub path: &'static str,
    /// The query as it goes on the wire, malformed escapes and all.
    pub query: String,
    pub body: Body,
    pub authorization: Option<Vec<u8>>,
    pub cookie: Option<Vec<u8>>,
    /// Sent from a signed-in session (its own cookies) instead of
    /// anonymously with the generated cookie, so that the input reaches what
    /// lies behind the session and CSRF checks.
    pub from_session: bool,
}

/// A request to one of `endpoints` (method, path, the parameter names it
/// reads, so that generated input gets past the first check), with cookies
/// named from `cookie_names`.
pub fn request(
    endpoints: &'static [(&'static str, &'static str, &'static [&'static str])],
    cookie_names: &'static [&'static str],
) -> impl Strategy<Value = Request> {
    proptest::sample::select(endpoints).prop_flat_map(move |(method, path, names)| {
        (encoded_pairs(names), body(names), authorization(), cookie(cookie_names), any::<bool>()).prop_map(
            move |(query, body, authorization, cookie, from_session)| Request {
                method,
                path,
                query,
                body,
                authorization,
                cookie,
                from_session,
            },
        )
    })
}

/// Sends a generated request and returns the answer.
///
/// A server may answer before it has read the request's body — a `GET`
/// with a body it ignores — and then close the connection instead of
/// draining it (RFC 9112 §9.6). If that close reaches the client while it
/// is still writing the body, the client sees a broken pipe or a reset
/// instead of the answer. Such a request is sent again, up to three times:
/// the answer is what the property is about, not the race.
pub async fn send(mut request: reqwest::RequestBuilder) -> reqwest::Response {
    let mut attempts = 1;
    loop {
        let retry = request.try_clone().filter(|_| attempts < 3);
        match request.send().await {
            Ok(response) => return response,
            Err(closed) => match retry {
                Some(again) if closed_while_writing(&closed) => {
                    attempts += 1;
                    request = again;
                }
                _ => panic!("the service did not answer: {closed:?}"),
            },
        }
    }
}

/// Whether `error` is the server closing the connection under the client's
/// write: a broken pipe or a reset somewhere in its chain of causes.
fn closed_while_writing(error: &reqwest::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = cause {
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            return matches!(io.kind(), std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset);
        }
        cause = error.source();
    }
    false
}

/// `text` percent-encoded as a form would send it.
pub fn percent_encode(text: &str) -> String {
    utf8_percent_encode(text, FORM).to_string()
}

/// `text` as a JSON string literal.
fn json_string(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_keeps_unreserved_characters() {
        assert_eq!(percent_encode("a b\0é~"), "a%20b%00%C3%A9~");
    }

    #[test]
    fn a_replaced_character_changes_the_token() {
        let mutated = TokenMutation::Replace { at: 1, with: 'z' }.apply("abc.def.ghi");
        assert_eq!(mutated, "azc.def.ghi");
        assert_eq!(TokenMutation::Swap.apply("a.b.c"), "c.b.a");
        assert_eq!(TokenMutation::Segment { segment: 2, with: String::new() }.apply("a.b.c"), "a.b.");
    }
}
