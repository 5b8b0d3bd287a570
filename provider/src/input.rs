//! Reading `application/x-www-form-urlencoded` text strictly: query strings
//! and HTML form bodies.
//!
//! The WHATWG URL standard's parser (and so `url::form_urlencoded`) never
//! fails: it keeps a broken `%zz` as it is and turns invalid UTF-8 into
//! U+FFFD, so a mangled value would travel on as if it had been sent. Here
//! each value is decoded exactly or refused with the reason, and two more
//! things are refused that no parameter of this provider ever needs:
//! U+0000 (PostgreSQL cannot store it in a `text` column, and no protocol
//! value contains it) and values longer than [`MAX_VALUE_BYTES`].

use std::fmt;

/// The longest parameter value accepted, in bytes. The longest legitimate
/// value is an `id_token_hint` at the logout endpoint (about 1 KiB).
pub const MAX_VALUE_BYTES: usize = 4096;

/// Why a parameter's text could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextProblem {
    /// A `%` not followed by two hexadecimal digits.
    BadPercentEncoding,
    /// The decoded bytes are not UTF-8.
    NotUtf8,
    /// U+0000, the NUL character.
    Nul,
    /// Longer than [`MAX_VALUE_BYTES`].
    TooLong,
}

impl fmt::Display for TextProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::BadPercentEncoding => "has a % that is not followed by two hexadecimal digits (RFC 3986 §2.1)",
            Self::NotUtf8 => "is not valid UTF-8 once percent-decoded",
            Self::Nul => "contains the NUL character (U+0000), which no parameter may contain",
            Self::TooLong => "is longer than 4096 bytes",
        })
    }
}

/// One `name=value` pair; the value is either usable text or the reason
/// it is not.
pub struct Pair {
    pub name: Result<String, TextProblem>,
    pub value: Result<String, TextProblem>,
}

/// Splits and decodes a form-urlencoded string (a query or a body).
pub fn parse(input: &[u8]) -> Vec<Pair> {
    input
        .split(|b| *b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = match part.iter().position(|b| *b == b'=') {
                Some(at) => (&part[..at], &part[at + 1..]),
                None => (part, &[][..]),
            };
            Pair { name: decode(name), value: decode(value) }
        })
        .collect()
}

/// Every pair, or the first problem, described with the parameter's name.
pub fn parse_all(input: &[u8]) -> Result<Vec<(String, String)>, String> {
    parse(input)
        .into_iter()
        .map(|pair| match (pair.name, pair.value) {
            (Ok(name), Ok(value)) => Ok((name, value)),
            (Ok(name), Err(problem)) => Err(format!("the value of {name} {problem}")),
            (Err(problem), _) => Err(format!("a parameter name {problem}")),
        })
        .collect()
}

/// Decodes one name or value: `+` is a space, `%XX` a byte (WHATWG URL
/// §5.1, the application/x-www-form-urlencoded parser), then checks it.
pub fn decode(raw: &[u8]) -> Result<String, TextProblem> {
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = raw.get(i + 1..i + 3).ok_or(TextProblem::BadPercentEncoding)?;
                let text = std::str::from_utf8(hex).map_err(|_| TextProblem::BadPercentEncoding)?;
                let byte = u8::from_str_radix(text, 16).map_err(|_| TextProblem::BadPercentEncoding)?;
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return Err(TextProblem::BadPercentEncoding);
                }
                bytes.push(byte);
                i += 2;
            }
            other => bytes.push(other),
        }
        i += 1;
    }
    let text = String::from_utf8(bytes).map_err(|_| TextProblem::NotUtf8)?;
    check(&text)?;
    Ok(text)
}

/// The checks every text input passes, however it arrived.
pub fn check(text: &str) -> Result<(), TextProblem> {
    if text.contains('\0') {
        return Err(TextProblem::Nul);
    }
    if text.len() > MAX_VALUE_BYTES {
        return Err(TextProblem::TooLong);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plus_and_percent_decode_as_in_a_browser_form() {
        assert_eq!(decode(b"a+b%20c%C3%A9").unwrap(), "a b c\u{e9}");
    }

    #[test]
    fn broken_text_is_refused_with_its_reason() {
        assert_eq!(decode(b"%zz"), Err(TextProblem::BadPercentEncoding));
        assert_eq!(decode(b"%4"), Err(TextProblem::BadPercentEncoding));
        assert_eq!(decode(b"%+1"), Err(TextProblem::BadPercentEncoding));
        assert_eq!(decode(b"%FF"), Err(TextProblem::NotUtf8));
        assert_eq!(decode(b"a%00b"), Err(TextProblem::Nul));
        assert_eq!(decode("x".repeat(MAX_VALUE_BYTES + 1).as_bytes()), Err(TextProblem::TooLong));
    }

    #[test]
    fn pairs_keep_order_and_empty_values() {
        let pairs = parse_all(b"a=1&b=&c").unwrap();
        assert_eq!(pairs, vec![("a".into(), "1".into()), ("b".into(), "".into()), ("c".into(), "".into())]);
        assert!(parse_all(b"a=%00").unwrap_err().contains("value of a"));
    }
}
