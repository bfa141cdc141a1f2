//! Sizes and ages as docker prints them (github.com/docker/go-units).

use chrono::{DateTime, TimeDelta, Utc};

use super::gofmt;

/// go-units HumanSizeWithPrecision(size, 3), what `docker images` prints: decimal units and
/// Go's `%.3g`, so three significant digits without trailing zeros ("4.26MB", "1.2GB",
/// "512B", "0B"), and Go's exponent form where %g picks it (999.5 kB prints "1e+03kB").
pub fn human_size(bytes: u64) -> String {
    human_size_with_precision(bytes, 3)
}

/// go-units HumanSize (precision 4), which docker uses for `system df` totals and prune's
/// reclaimed space: "12.35MB", "512B", "0B".
pub fn human_size_4(bytes: u64) -> String {
    human_size_with_precision(bytes, 4)
}

/// go-units BytesSize: binary units and `%.4g` ("1.5MiB", "100MiB", "1.953GiB"), what
/// `docker stats` prints for memory.
pub fn human_size_binary(bytes: u64) -> String {
    const UNITS: [&str; 9] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1024.0 && unit < UNITS.len() - 1 {
        size /= 1024.0;
        unit += 1;
    }
    format!("{}{}", gofmt::format_float(size, 'g', Some(4)), UNITS[unit])
}

fn human_size_with_precision(bytes: u64, digits: usize) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1000.0 && unit < UNITS.len() - 1 {
        size /= 1000.0;
        unit += 1;
    }
    format!(
        "{}{}",
        gofmt::format_float(size, 'g', Some(digits)),
        UNITS[unit]
    )
}

/// go-units HumanDuration: "Less than a second", "1 second", "45 seconds", "About a minute",
/// "35 minutes", "About an hour", "3 hours", "2 days", "3 weeks", "5 months", "2 years".
/// Negative durations (clock skew) read as "Less than a second".
pub fn human_duration(d: TimeDelta) -> String {
    let seconds = d.num_seconds();
    if seconds < 1 {
        return "Less than a second".into();
    }
    if seconds == 1 {
        return "1 second".into();
    }
    if seconds < 60 {
        return format!("{seconds} seconds");
    }
    let minutes = d.num_minutes();
    if minutes == 1 {
        return "About a minute".into();
    }
    if minutes < 60 {
        return format!("{minutes} minutes");
    }
    // Go rounds to the nearest hour here (time.Duration.Round), halves away from zero.
    let hours = (d.num_milliseconds() + 1_800_000) / 3_600_000;
    if hours == 1 {
        return "About an hour".into();
    }
    if hours < 48 {
        return format!("{hours} hours");
    }
    if hours < 24 * 7 * 2 {
        return format!("{} days", hours / 24);
    }
    if hours < 24 * 30 * 2 {
        return format!("{} weeks", hours / 24 / 7);
    }
    if hours < 24 * 365 * 2 {
        return format!("{} months", hours / 24 / 30);
    }
    format!("{} years", d.num_hours() / 24 / 365)
}

/// How long ago `ts` was, as docker's CREATED column says it: human_duration + " ago".
pub fn human_duration_since(ts: DateTime<Utc>) -> String {
    format!("{} ago", human_duration(Utc::now() - ts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_match_go_units_human_size() {
        assert_eq!(human_size_4(0), "0B");
        assert_eq!(human_size_4(512), "512B");
        assert_eq!(human_size_4(1000), "1kB");
        assert_eq!(human_size_4(12_345_678), "12.35MB");
        assert_eq!(human_size_4(4_264_999), "4.265MB");
        assert_eq!(human_size_4(999_950), "1000kB");
        assert_eq!(human_size_4(1_200_000_000), "1.2GB");
    }

    #[test]
    fn sizes_match_go_units_with_precision_three() {
        assert_eq!(human_size(0), "0B");
        assert_eq!(human_size(512), "512B");
        assert_eq!(human_size(999), "999B");
        assert_eq!(human_size(1000), "1kB");
        assert_eq!(human_size(1024), "1.02kB");
        assert_eq!(human_size(4_260_000), "4.26MB");
        assert_eq!(human_size(4_264_999), "4.26MB");
        assert_eq!(human_size(1_200_000_000), "1.2GB");
        assert_eq!(human_size(123_456_789), "123MB");
        assert_eq!(human_size(999_500), "1e+03kB");
        assert_eq!(human_size(5_372_000_000_000), "5.37TB");
        assert_eq!(human_size(u64::MAX), "18.4EB");
    }

    #[test]
    fn durations_match_go_units() {
        let s = TimeDelta::seconds;
        let m = TimeDelta::minutes;
        let h = TimeDelta::hours;
        let day = TimeDelta::days(1);
        let cases: &[(TimeDelta, &str)] = &[
            (TimeDelta::milliseconds(450), "Less than a second"),
            (s(-5), "Less than a second"),
            (s(1), "1 second"),
            (s(47), "47 seconds"),
            (s(60), "About a minute"),
            (m(35) + s(40), "35 minutes"),
            (m(59), "59 minutes"),
            (h(1), "About an hour"),
            (h(1) + m(29), "About an hour"),
            (h(1) + m(31), "2 hours"),
            (h(3) + m(59), "4 hours"),
            (h(24), "24 hours"),
            (day + h(12), "36 hours"),
            (day * 2, "2 days"),
            (day * 13 + h(5), "13 days"),
            (day * 14, "2 weeks"),
            (day * 30, "4 weeks"),
            (day * 45, "6 weeks"),
            (day * 60, "2 months"),
            (day * 30 * 24, "24 months"),
            (day * 30 * 24 + day * 14, "2 years"),
            (day * 365 * 3 + day * 60, "3 years"),
        ];
        for (d, want) in cases {
            assert_eq!(human_duration(*d), *want, "{d}");
        }
    }

    #[test]
    fn duration_since_appends_ago() {
        let now = Utc::now();
        assert_eq!(
            human_duration_since(now - TimeDelta::seconds(90)),
            "About a minute ago"
        );
        assert_eq!(
            human_duration_since(now - TimeDelta::hours(3)),
            "3 hours ago"
        );
        assert_eq!(
            human_duration_since(now + TimeDelta::hours(1)),
            "Less than a second ago"
        );
    }
}
