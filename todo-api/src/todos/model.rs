//! The todo resource as the API shows it, and the rules its input follows.

use serde::{Deserialize, Serialize};

use crate::clock::rfc3339;
use crate::error::AppError;

/// A todo on the wire: `{"id", "title", "done", "created_at"}`.
#[derive(Clone, Debug, Serialize)]
pub struct Todo {
    pub id: i64,
    pub title: String,
    pub done: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl Todo {
    pub fn new(id: TodoId, title: String, done: bool, created_at_unix: i64) -> Self {
        Self { id: id.0, title, done, created_at: rfc3339(created_at_unix) }
    }
}

/// A todo's id, as found in `/todos/{id}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TodoId(pub i64);

impl TodoId {
    /// An id that is not a number cannot name a todo: 404, like any other
    /// id that names nothing of the caller's.
    pub fn parse(raw: &str) -> Result<TodoId, AppError> {
        raw.parse().map(TodoId).map_err(|_| {
            let shown: String = raw.chars().take(40).collect();
            AppError::TodoNotFound(format!("{shown:?}"))
        })
    }
}

/// A title: 1 to 200 characters once surrounding whitespace is trimmed, and
/// no control characters. Stored exactly as given otherwise (no escaping).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Title, AppError> {
        let trimmed = raw.trim();
        let chars = trimmed.chars().count();
        if chars == 0 || chars > Self::MAX_CHARS {
            return Err(AppError::InvalidInput(format!(
                "title must be 1 to {} characters after trimming whitespace; this one has {chars}",
                Self::MAX_CHARS
            )));
        }
        // A title is one line of text. Control characters would also break
        // storage: PostgreSQL refuses NUL in TEXT, which must be a 400 here
        // rather than a database error later.
        if let Some(c) = trimmed.chars().find(|c| c.is_control()) {
            return Err(AppError::InvalidInput(format!(
                "title must not contain control characters such as newlines or NUL; found U+{:04X}",
                u32::from(c)
            )));
        }
        Ok(Title(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `POST /todos` body. Unknown fields are refused: a typo such as `"titel"`
/// should be an error, not a silently ignored field.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTodo {
    pub title: String,
}

/// `PATCH /todos/{id}` body: any of the fields, absent ones unchanged.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TodoPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub done: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_counted_in_characters() {
        assert_eq!(Title::parse("  milk ").unwrap().as_str(), "milk");
        assert!(Title::parse("   ").is_err());
        assert!(Title::parse(&"é".repeat(200)).is_ok());
        assert!(Title::parse(&"é".repeat(201)).is_err());
        assert!(Title::parse("a\u{0}b").is_err());
        assert!(Title::parse("two\nlines").is_err());
    }

    #[test]
    fn ids_are_numbers() {
        assert_eq!(TodoId::parse("42").unwrap(), TodoId(42));
        assert!(TodoId::parse("abc").is_err());
        assert!(TodoId::parse("1 OR 1=1").is_err());
    }
}
