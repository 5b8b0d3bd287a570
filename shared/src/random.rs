//! Unguessable values.
//!
//! RFC 6749 §10.10: "The probability of an attacker guessing generated tokens
//! (and other credentials not intended for handling by end-users) MUST be less
//! than or equal to 2^(-128) and SHOULD be less than or equal to 2^(-160)."
//! Every code, token, state and nonce here carries 256 bits from the
//! operating system's CSPRNG, base64url-encoded without padding (43 chars).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Bytes of randomness in every generated credential (256 bits).
pub const TOKEN_BYTES: usize = 32;

/// A fresh random value, base64url without padding.
pub fn random_token() -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    rand::fill(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a high-entropy credential, hex-encoded: what the database keeps
/// instead of a code or refresh token (RFC 6819 §5.1.4.1.3). A plain hash is
/// enough because the input has 256 bits of entropy; a slow password hash
/// would only slow the token endpoint down.
pub fn sha256_hex(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// base64url without padding, the encoding of every JOSE and PKCE value.
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_43_chars_of_base64url_and_differ() {
        let a = random_token();
        let b = random_token();
        assert_eq!(a.len(), 43);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_ne!(a, b);
    }

    #[test]
    fn sha256_hex_matches_a_known_vector() {
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
