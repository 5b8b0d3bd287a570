//! The closed vocabularies of RFC 6749, RFC 7591 §2 and OAuth 2.0 Multiple
//! Response Type Encoding Practices: each is an enum with one wire spelling.

use serde::{Deserialize, Serialize};

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $wire)] $variant),+
        }

        impl $name {
            /// Every value, in the order the RFC lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The spelling on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// Parses the wire spelling; `None` for anything else.
            pub fn parse(value: &str) -> Option<Self> {
                match value { $($wire => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum! {
    /// `grant_type` at the token endpoint. The implicit and password grants
    /// are absent on purpose (RFC 9700 §2.1.2, §2.4).
    GrantType {
        /// RFC 6749 §4.1.3
        AuthorizationCode = "authorization_code",
        /// RFC 6749 §6
        RefreshToken = "refresh_token",
        /// RFC 6749 §4.4
        ClientCredentials = "client_credentials",
    }
}

wire_enum! {
    /// `response_type` at the authorization endpoint: only the code flow.
    ResponseType {
        /// RFC 6749 §4.1.1
        Code = "code",
    }
}

wire_enum! {
    /// How the authorization response travels back to the client.
    ResponseMode {
        /// Parameters in the redirect URI's query (RFC 6749 §4.1.2).
        Query = "query",
        /// Parameters in the fragment (OAuth 2.0 Multiple Response Types §2.1).
        Fragment = "fragment",
        /// An auto-submitting HTML form POSTed to the redirect URI
        /// (OAuth 2.0 Form Post Response Mode).
        FormPost = "form_post",
    }
}

wire_enum! {
    /// How a client authenticates at the token endpoint (RFC 7591 §2).
    ClientAuthMethod {
        /// HTTP Basic with the URL-encoded id and secret (RFC 6749 §2.3.1).
        ClientSecretBasic = "client_secret_basic",
        /// `client_id` and `client_secret` in the request body (RFC 6749 §2.3.1).
        ClientSecretPost = "client_secret_post",
        /// A public client: no secret, PKCE instead (RFC 7636).
        None = "none",
    }
}
