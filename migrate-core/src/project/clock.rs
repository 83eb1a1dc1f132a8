//! The calendar behind revision ids (`YYYYMMDDHHMMSS`, UTC) and the creation time in a module's
//! header, through chrono.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};

/// The layout of a revision id.
const REVISION_FORMAT: &str = "%Y%m%d%H%M%S";

/// A revision id for `now`, a second after the newest of `existing` when `now` is not ahead of
/// it (two migrations in one second, or a clock behind), so ids keep increasing and sorting.
pub fn next_revision(existing: &[String], now: DateTime<Utc>) -> String {
    let now = now.naive_utc();
    let newest = existing
        .iter()
        .filter_map(|r| NaiveDateTime::parse_from_str(r, REVISION_FORMAT).ok())
        .max();
    let at = match newest {
        Some(newest) if newest >= now.with_nanosecond_zero() => newest + TimeDelta::seconds(1),
        _ => now,
    };
    at.format(REVISION_FORMAT).to_string()
}

/// The creation time a module's header shows: `2026-11-25 10:45:00 UTC`.
pub fn header_time(now: DateTime<Utc>) -> String {
    now.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// A time for a backup's file name: `20261125104500`.
pub fn file_stamp(now: DateTime<Utc>) -> String {
    now.format(REVISION_FORMAT).to_string()
}

trait WholeSeconds {
    fn with_nanosecond_zero(self) -> Self;
}

impl WholeSeconds for NaiveDateTime {
    fn with_nanosecond_zero(self) -> Self {
        chrono::Timelike::with_nanosecond(&self, 0).unwrap_or(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    #[test]
    fn revisions_are_increasing_and_sortable() {
        assert_eq!(next_revision(&[], at(1_795_603_500)), "20261125104500");
        assert_eq!(
            next_revision(&["29991231235959".to_string()], at(1_795_603_500)),
            "30000101000000"
        );
        assert_eq!(
            next_revision(&["20261125104500".to_string()], at(1_795_603_500)),
            "20261125104501",
            "two in one second"
        );
        assert_eq!(
            next_revision(
                &["20000101000000".to_string(), "x".into()],
                at(1_795_603_500)
            ),
            "20261125104500"
        );
        assert_eq!(header_time(at(1_795_603_500)), "2026-11-25 10:45:00 UTC");
        assert_eq!(file_stamp(at(0)), "19700101000000");
    }
}
