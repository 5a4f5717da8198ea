//! Article dates: whatever a source writes ("2025-06-24", RFC 3339, RFC 2822 as feeds use,
//! "24 June 2025") → one ISO 8601 form, stored as text so every door shows the same thing.
//!
//! A date alone stays a date (`2025-06-24`); a moment becomes UTC seconds
//! (`2025-06-24T10:00:00Z`). Both sort and compare through [`timestamp`].

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};

/// Years outside this range are typos or placeholders ("0001-01-01"), not publication dates.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// The ISO 8601 form of a date as a source writes it, or `None` when it is not one.
pub fn normalize(text: &str) -> Option<String> {
    let s = text.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    if let Some(t) = moment(s) {
        return YEARS
            .contains(&chrono::Datelike::year(&t))
            .then(|| t.to_rfc3339_opts(SecondsFormat::Secs, true));
    }
    let d = day(s)?;
    YEARS
        .contains(&chrono::Datelike::year(&d))
        .then(|| d.format("%Y-%m-%d").to_string())
}

/// The same date in the form [`normalize`] gives, from a parsed moment (feeds).
pub fn from_utc(t: DateTime<Utc>) -> Option<String> {
    normalize(&t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

fn moment(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(t.with_timezone(&Utc));
    }
    // Offset-less date-times are taken as UTC: a guess, but the day is what is shown.
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc());
        }
    }
    for f in ["%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S%z"] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Some(t.with_timezone(&Utc));
        }
    }
    None
}

fn day(s: &str) -> Option<NaiveDate> {
    let s = s.trim_end_matches('.');
    [
        "%Y-%m-%d",
        "%Y/%m/%d",
        "%d %B %Y",
        "%d %b %Y",
        "%B %d, %Y",
        "%b %d, %Y",
        "%B %d %Y",
    ]
    .iter()
    .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
}

/// Seconds since the Unix epoch of a normalised date (a day counts from its midnight UTC),
/// for ordering by recency.
pub fn timestamp(iso: &str) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(iso) {
        return Some(t.timestamp());
    }
    NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp())
}

/// How a door shows a normalised date: the day, and the UTC time when there is one.
pub fn shown(iso: &str) -> String {
    match DateTime::parse_from_rfc3339(iso) {
        Ok(t) => t
            .with_timezone(&Utc)
            .format("%Y-%m-%d %H:%M UTC")
            .to_string(),
        Err(_) => iso.to_string(),
    }
}

/// The `YYYY-MM-DD` day of a normalised date, for file names.
pub fn day_of(iso: &str) -> &str {
    iso.get(..10).unwrap_or(iso)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_sources_write_become_one() {
        assert_eq!(normalize("2025-06-24").as_deref(), Some("2025-06-24"));
        assert_eq!(
            normalize("2025-06-24T12:30:00+02:00").as_deref(),
            Some("2025-06-24T10:30:00Z")
        );
        assert_eq!(
            normalize("Tue, 24 Jun 2025 10:30:00 GMT").as_deref(),
            Some("2025-06-24T10:30:00Z")
        );
        assert_eq!(
            normalize("2025-06-24 10:30").as_deref(),
            Some("2025-06-24T10:30:00Z")
        );
        assert_eq!(normalize("24 June 2025").as_deref(), Some("2025-06-24"));
        assert_eq!(normalize("June 24, 2025").as_deref(), Some("2025-06-24"));
        for bad in ["", "yesterday", "2025-13-01", "0001-01-01", "12"] {
            assert_eq!(normalize(bad), None, "{bad}");
        }
    }

    #[test]
    fn days_and_moments_order_and_show() {
        assert!(timestamp("2025-06-25").unwrap() > timestamp("2025-06-24T23:00:00Z").unwrap());
        assert_eq!(shown("2025-06-24T10:30:00Z"), "2025-06-24 10:30 UTC");
        assert_eq!(shown("2025-06-24"), "2025-06-24");
        assert_eq!(day_of("2025-06-24T10:30:00Z"), "2025-06-24");
    }
}
