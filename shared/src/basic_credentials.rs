//! HTTP Basic client credentials, both ways (RFC 6749 §2.3.1, RFC 7617).
//!
//! RFC 6749 §2.3.1: "The client identifier is encoded using the
//! "application/x-www-form-urlencoded" encoding algorithm per Appendix B,
//! and the encoded value is used as the username; the client password is
//! encoded using the same algorithm and used as the password." Only then
//! are the two joined with `:` and base64-encoded (RFC 7617 §2). Without the
//! form-encoding a secret containing `:` or `%` would be read back wrongly,
//! so every side of this system encodes and decodes here.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use url::form_urlencoded;

/// The `Authorization` header value for `client_id` and `client_secret`.
pub fn encode(client_id: &str, client_secret: &str) -> String {
    let form = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!("Basic {}", STANDARD.encode(format!("{}:{}", form(client_id), form(client_secret))))
}

/// Why an `Authorization` header holds no client credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BasicError {
    #[error("expected \"Basic <base64>\"")]
    NotBasic,
    #[error("only the Basic scheme authenticates clients here")]
    OtherScheme,
    #[error("not base64")]
    NotBase64,
    #[error("not UTF-8")]
    NotUtf8,
    #[error("no ':' between id and secret")]
    NoColon,
}

/// `(client_id, client_secret)` from an `Authorization` header value.
pub fn decode(header: &str) -> Result<(String, String), BasicError> {
    let (scheme, encoded) = header.split_once(' ').ok_or(BasicError::NotBasic)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(BasicError::OtherScheme);
    }
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| BasicError::NotBase64)?;
    let decoded = String::from_utf8(decoded).map_err(|_| BasicError::NotUtf8)?;
    let (id, secret) = decoded.split_once(':').ok_or(BasicError::NoColon)?;
    // application/x-www-form-urlencoded: `+` is a space, then percent-decoding.
    let form = |s: &str| percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
    Ok((form(id), form(secret)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_form_url_encoded_before_base64() {
        let header = encode("my client", "p@ss:w%rd+");
        let raw = String::from_utf8(STANDARD.decode(header.trim_start_matches("Basic ")).unwrap()).unwrap();
        assert_eq!(raw, "my+client:p%40ss%3Aw%25rd%2B");
        assert_eq!(decode(&header), Ok(("my client".to_owned(), "p@ss:w%rd+".to_owned())));
    }

    #[test]
    fn form_encoded_credentials_are_decoded() {
        let header = format!("Basic {}", STANDARD.encode("my%20client:p%40ss+word"));
        assert_eq!(decode(&header), Ok(("my client".to_owned(), "p@ss word".to_owned())));
    }

    #[test]
    fn anything_else_is_refused_with_its_reason() {
        assert_eq!(decode("Bearer abc"), Err(BasicError::OtherScheme));
        assert_eq!(decode("Basic !!!"), Err(BasicError::NotBase64));
        assert_eq!(decode("Basic"), Err(BasicError::NotBasic));
        assert_eq!(decode(&format!("Basic {}", STANDARD.encode("no-colon"))), Err(BasicError::NoColon));
    }
}
