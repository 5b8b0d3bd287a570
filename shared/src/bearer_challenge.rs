//! The `WWW-Authenticate: Bearer …` challenge of a protected resource
//! (RFC 6750 §3), built one way for the todo API and the userinfo endpoint.
//!
//! ```text
//! Bearer realm="todo-api", error="insufficient_scope", error_description="…", scope="todos:write"
//! ```
//!
//! RFC 6750 §3.1: a request without any credentials gets the bare
//! challenge — no `error`, no description.

use crate::error::ErrorCode;

/// One challenge, built up and then written with [`Challenge::header_value`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    realm: &'static str,
    error: Option<(ErrorCode, String)>,
    scope: Option<String>,
}

impl Challenge {
    /// The bare challenge for `realm`.
    pub fn new(realm: &'static str) -> Self {
        Challenge { realm, error: None, scope: None }
    }

    /// Adds the RFC 6750 §3.1 error code and a description (made safe for
    /// the header with [`header_safe`]).
    pub fn error(mut self, code: ErrorCode, description: &str) -> Self {
        self.error = Some((code, header_safe(description)));
        self
    }

    /// Adds the scope needed (RFC 6750 §3: with `insufficient_scope`).
    pub fn scope(mut self, scope: &str) -> Self {
        self.scope = Some(header_safe(scope));
        self
    }

    /// The header's value: visible ASCII only, so always a valid header.
    pub fn header_value(&self) -> String {
        let mut value = format!("Bearer realm=\"{}\"", self.realm);
        if let Some((code, description)) = &self.error {
            value.push_str(&format!(", error=\"{code}\", error_description=\"{description}\""));
        }
        if let Some(scope) = &self.scope {
            value.push_str(&format!(", scope=\"{scope}\""));
        }
        value
    }
}

/// RFC 6750 §3: "Values for the `error_description` attribute MUST NOT
/// include characters outside the set %x20-21 / %x23-5B / %x5D-7E." That
/// excludes `"` and `\`, which would end or escape the quoted string, and
/// anything that is not printable ASCII. Descriptions quote values taken
/// from the token (an attacker's `iss` may contain anything), so each is
/// made safe here and kept short; `§` is spelled out.
pub fn header_safe(description: &str) -> String {
    const MAX_CHARS: usize = 300;
    description
        .replace('§', "section ")
        .chars()
        .take(MAX_CHARS)
        .map(|c| match c {
            '"' => '\'',
            '\\' => '/',
            ' '..='~' => c,
            _ => '?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_without_credentials_gets_the_bare_challenge() {
        assert_eq!(Challenge::new("todo-api").header_value(), "Bearer realm=\"todo-api\"");
    }

    #[test]
    fn errors_carry_their_code_description_and_scope() {
        let challenge = Challenge::new("userinfo")
            .error(ErrorCode::InsufficientScope, "needs the openid scope (OIDC Core §5.3)")
            .scope("openid");
        assert_eq!(
            challenge.header_value(),
            "Bearer realm=\"userinfo\", error=\"insufficient_scope\", \
             error_description=\"needs the openid scope (OIDC Core section 5.3)\", scope=\"openid\""
        );
    }

    #[test]
    fn descriptions_lose_quotes_backslashes_and_non_ascii() {
        assert_eq!(header_safe("iss \"a\\b\" caf\u{e9}\n"), "iss 'a/b' caf??");
        assert_eq!(header_safe(&"x".repeat(1000)).len(), 300);
    }
}
