//! The scopes this provider knows, with the plain-language sentence the
//! consent screen shows for each (ASVS 10.7.2: the user must understand what
//! they allow).

/// One scope and what it lets a client do.
pub struct ScopeInfo {
    pub name: &'static str,
    pub description: &'static str,
}

pub const KNOWN_SCOPES: &[ScopeInfo] = &[
    ScopeInfo { name: "openid", description: "Sign you in and learn your user identifier" },
    ScopeInfo { name: "profile", description: "See your name and username" },
    ScopeInfo { name: "email", description: "See your email address" },
    ScopeInfo {
        name: "offline_access",
        description: "Stay connected when you are not using it (a refresh token, valid up to 30 days)",
    },
    ScopeInfo { name: "todos:read", description: "Read your todo list" },
    ScopeInfo { name: "todos:write", description: "Add, change and delete your todos" },
];

/// The sentence for a scope.
pub fn describe(scope: &str) -> &'static str {
    KNOWN_SCOPES.iter().find(|s| s.name == scope).map(|s| s.description).unwrap_or("An unknown permission")
}

/// Scopes that make the todo API the access token's audience.
pub fn is_todo_scope(scope: &str) -> bool {
    scope.starts_with("todos:")
}
