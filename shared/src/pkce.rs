//! Proof Key for Code Exchange (RFC 7636).
//!
//! The client makes a secret `code_verifier`, sends only its SHA-256
//! (`code_challenge`) with the authorization request, and proves possession
//! by sending the verifier with the token request. A stolen authorization
//! code is useless without it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::random::{b64url, random_token};
use crate::secret::constant_time_eq;

/// RFC 7636 §4.1: `code-verifier = 43*128unreserved`,
/// `unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"`.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Why a verifier or challenge was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PkceError {
    #[error("{what} must be 43 to 128 characters long (RFC 7636 §4.1), got {len}")]
    Length { what: &'static str, len: usize },
    #[error("{what} may only contain A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)")]
    Charset { what: &'static str },
}

fn check(what: &'static str, value: &str) -> Result<(), PkceError> {
    let len = value.len();
    if !(43..=128).contains(&len) {
        return Err(PkceError::Length { what, len });
    }
    if !value.bytes().all(is_unreserved) {
        return Err(PkceError::Charset { what });
    }
    Ok(())
}

/// The client's secret. `Debug` is redacted; not `Clone`.
#[derive(Serialize, Deserialize)]
#[serde(transparent)]
pub struct CodeVerifier(String);

impl CodeVerifier {
    /// 256 random bits, base64url: 43 characters (RFC 7636 §4.1 recommends
    /// exactly this).
    pub fn generate() -> Self {
        Self(random_token())
    }

    /// Accepts a verifier received from a client, checking RFC 7636 §4.1.
    pub fn parse(value: &str) -> Result<Self, PkceError> {
        check("code_verifier", value)?;
        Ok(Self(value.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// RFC 7636 §4.2: `code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))`.
    pub fn challenge(&self) -> CodeChallenge {
        CodeChallenge(b64url(&Sha256::digest(self.0.as_bytes())))
    }
}

impl std::fmt::Debug for CodeVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeVerifier([redacted])")
    }
}

/// The hashed verifier sent in the authorization request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CodeChallenge(String);

impl CodeChallenge {
    /// An S256 challenge is base64url of 32 bytes: 43 characters of the
    /// verifier alphabet, so the same §4.1 rules apply.
    pub fn parse(value: &str) -> Result<Self, PkceError> {
        check("code_challenge", value)?;
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// RFC 7636 §4.6: the server recomputes the challenge from the verifier
    /// and compares. Constant-time, so the comparison leaks nothing.
    pub fn is_satisfied_by(&self, verifier: &CodeVerifier) -> bool {
        constant_time_eq(verifier.challenge().0.as_bytes(), self.0.as_bytes())
    }
}

/// The transformation applied to the verifier. Only `S256` exists here:
/// RFC 9700 §2.1.1 says clients SHOULD use S256, and a server that also
/// accepted `plain` would let a downgraded request through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodeChallengeMethod {
    S256,
}

impl CodeChallengeMethod {
    pub fn as_str(self) -> &'static str {
        "S256"
    }

    /// The method named `value`; `None` for `plain` and anything else.
    pub fn parse(value: &str) -> Option<Self> {
        (value == "S256").then_some(Self::S256)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 Appendix B's worked example.
    #[test]
    fn appendix_b_example() {
        let verifier = CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        let challenge = verifier.challenge();
        assert_eq!(challenge.as_str(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert!(challenge.is_satisfied_by(&verifier));
    }

    #[test]
    fn wrong_verifier_does_not_satisfy() {
        let challenge = CodeVerifier::generate().challenge();
        assert!(!challenge.is_satisfied_by(&CodeVerifier::generate()));
    }

    #[test]
    fn length_and_charset_are_enforced() {
        assert!(matches!(CodeVerifier::parse(&"a".repeat(42)), Err(PkceError::Length { len: 42, .. })));
        assert!(matches!(CodeVerifier::parse(&"a".repeat(129)), Err(PkceError::Length { .. })));
        assert!(CodeVerifier::parse(&"a".repeat(128)).is_ok());
        assert!(matches!(CodeVerifier::parse(&format!("{}+", "a".repeat(43))), Err(PkceError::Charset { .. })));
    }
}
