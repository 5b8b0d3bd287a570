//! Time as this API writes it: unix seconds in the database and in tokens,
//! RFC 3339 in JSON and in error messages.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Unix seconds as an RFC 3339 UTC timestamp, e.g. `2026-11-21T05:34:24Z`.
/// A value out of range (only a forged token could carry one) prints as the
/// raw number instead.
pub fn rfc3339(unix_seconds: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| format!("{unix_seconds} (unix seconds)"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn prints_utc() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
