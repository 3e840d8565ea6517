//! X.509 times as `chrono` times (the crate's injected clock is a `DateTime<Utc>`).

use chrono::{DateTime, Utc};
use x509_cert::time::Time;

/// An X.509 `Time` in UTC. Every representable X.509 time (years 1950–9999) fits.
pub(crate) fn to_utc(time: Time) -> DateTime<Utc> {
    let seconds = i64::try_from(time.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    DateTime::from_timestamp(seconds, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}
