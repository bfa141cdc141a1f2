//! Reading a container's log for `logs`: the time window (`--since`/`--until`), the last N
//! entries (`--tail`) and following a running container until it exits (`-f`). Entries go to a
//! callback; printing them is the CLI's business.

use std::collections::VecDeque;
use std::io;
use std::time::Duration;

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};

use super::super::{Engine, EngineError, Result};
use super::Container;
use crate::monitor::log::{Entry, LogReader};

/// How often `logs -f` looks for new output and at the container's state.
const FOLLOW_POLL: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, Default)]
pub struct LogOptions {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Only the last N entries (docker reads the tail first, then applies --since/--until).
    pub tail: Option<usize>,
    pub follow: bool,
}

pub use crate::engine::image::parse_go_duration;

/// A point in time as docker's `--since`/`--until` and prune's `until=` take it: RFC 3339
/// (with or without a zone; without one it is local time), a date, a unix timestamp with
/// optional fraction, or a duration meaning that long before `now`.
pub fn parse_time_arg(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let bad = || {
        EngineError::Invalid(format!(
            "invalid time {s:?}: use an RFC 3339 time (2024-05-01T10:00:00Z), a date (2024-05-01), a unix timestamp (1714557600) or a duration before now (10m, 1h30m)"
        ))
    };
    let s = s.trim();
    // "0" is the unix epoch, not a zero duration (docker's rule too): `--since 0` means all.
    if let Some(d) = parse_go_duration(s).filter(|_| s != "0") {
        return Ok(now - d);
    }
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let (secs, frac) = s.split_once('.').unwrap_or((s, ""));
        let secs: i64 = secs.parse().map_err(|_| bad())?;
        let nanos: u32 = if frac.is_empty() {
            0
        } else {
            let digits: String = frac.chars().chain(std::iter::repeat('0')).take(9).collect();
            digits.parse().map_err(|_| bad())?
        };
        return DateTime::from_timestamp(secs, nanos).ok_or_else(bad);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let local = |naive: NaiveDateTime| {
        Local
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    };
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return local(n).ok_or_else(bad);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return local(d.and_hms_opt(0, 0, 0).expect("midnight exists")).ok_or_else(bad);
    }
    Err(bad())
}

fn in_window(e: &Entry, opts: &LogOptions) -> bool {
    opts.since.is_none_or(|t| e.time >= t) && opts.until.is_none_or(|t| e.time <= t)
}

fn emit_error(e: io::Error) -> EngineError {
    EngineError::Io {
        context: "writing the container's logs".into(),
        source: e,
    }
}

impl Engine {
    /// Pass the container's log entries to `emit`, oldest first. With `follow`, keep reading
    /// while the container runs and return once it has stopped (or was removed) and everything
    /// it wrote was passed on, or `stop` says the follower should end (its reader is gone).
    pub fn container_logs(
        &self,
        c: &Container,
        opts: &LogOptions,
        stop: &dyn Fn() -> bool,
        mut emit: impl FnMut(&Entry) -> io::Result<()>,
    ) -> Result<()> {
        let path = self.container_log_path(&c.record.id);
        let mut reader = match LogReader::open(&path) {
            Ok(r) => Some(r),
            // Never started: nothing logged yet.
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(EngineError::Io {
                    context: format!("reading {}", path.display()),
                    source: e,
                })
            }
        };
        let read_err = |e: io::Error| EngineError::Io {
            context: format!("reading {}", path.display()),
            source: e,
        };
        let mut running = opts.follow && c.is_running();
        let mut first = true;
        loop {
            // The state is looked at before reading: whatever the container wrote before it
            // was seen stopped is then in this read.
            if opts.follow && !first {
                running = match self.find_container(&c.record.id) {
                    Ok(now) => now.is_running(),
                    Err(EngineError::NoSuchContainer(_)) => false,
                    Err(e) => return Err(e),
                };
            }
            if reader.is_none() && opts.follow {
                reader = LogReader::open(&path).ok();
            }
            let entries = match reader.as_mut() {
                Some(r) => r.read_available(!running).map_err(read_err)?,
                None => Vec::new(),
            };
            let entries: Vec<Entry> = if first {
                match opts.tail {
                    Some(n) => {
                        let mut last = VecDeque::with_capacity(n.min(entries.len()));
                        for e in entries {
                            if n == 0 {
                                break;
                            }
                            if last.len() == n {
                                last.pop_front();
                            }
                            last.push_back(e);
                        }
                        last.into()
                    }
                    None => entries,
                }
            } else {
                entries
            };
            first = false;
            for e in entries.iter().filter(|e| in_window(e, opts)) {
                emit(e).map_err(emit_error)?;
            }
            if !running || opts.until.is_some_and(|t| Utc::now() > t) || stop() {
                return Ok(());
            }
            std::thread::sleep(FOLLOW_POLL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn go_durations_parse_with_units_and_fractions() {
        assert_eq!(parse_go_duration("10m"), Some(TimeDelta::minutes(10)));
        assert_eq!(parse_go_duration("1h30m"), Some(TimeDelta::minutes(90)));
        assert_eq!(
            parse_go_duration("1.5s"),
            Some(TimeDelta::milliseconds(1500))
        );
        assert_eq!(parse_go_duration("0"), Some(TimeDelta::zero()));
        assert_eq!(parse_go_duration("10"), None);
        assert_eq!(parse_go_duration("m"), None);
        assert_eq!(parse_go_duration("5 days"), None);
        assert_eq!(parse_go_duration(""), None);
    }

    #[test]
    fn time_arguments_accept_rfc3339_unix_and_durations() {
        let now = DateTime::parse_from_rfc3339("2024-05-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            parse_time_arg("10m", now).unwrap(),
            now - TimeDelta::minutes(10)
        );
        assert_eq!(
            parse_time_arg("2024-05-01T09:00:00+01:00", now).unwrap(),
            now - TimeDelta::hours(2)
        );
        assert_eq!(
            parse_time_arg("0", now).unwrap(),
            DateTime::from_timestamp(0, 0).unwrap(),
            "0 is the epoch, as docker reads it"
        );
        assert_eq!(
            parse_time_arg("1714557600", now).unwrap(),
            DateTime::from_timestamp(1_714_557_600, 0).unwrap()
        );
        assert_eq!(
            parse_time_arg("1714557600.5", now).unwrap(),
            DateTime::from_timestamp(1_714_557_600, 500_000_000).unwrap()
        );
        let err = parse_time_arg("yesterday", now).unwrap_err().to_string();
        assert!(err.contains("invalid time \"yesterday\""), "{err}");
    }
}
