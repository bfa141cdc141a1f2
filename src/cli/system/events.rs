//! `berth events` / `berth system events`

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, SecondsFormat, Utc};
use clap::Args;
use serde_json::Value;

use crate::cli::output::Template;
use crate::engine::container::logs::parse_time_arg;
use crate::engine::events::EventsOptions;
use crate::engine::{Engine, EngineError};
use crate::events::{Event, EventFilter};

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Show events since a time: RFC 3339 (2024-05-01T10:00:00Z), a unix timestamp, or a
    /// duration before now (10m)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Show events until a time (same forms as --since); without it, follow new events
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Filter events: type=, event=, container=, image=, label=KEY[=VALUE] (one key given
    /// twice matches either value; different keys must all match)
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Format events with a Go template, or "json" for one JSON object per line
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
}

/// Set by SIGINT/SIGTERM: following stops and the command exits 0, as docker's does.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_interrupt(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

fn catch_interrupts() {
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_interrupt as extern "C" fn(libc::c_int) as usize;
        libc::sigemptyset(&mut sa.sa_mask);
        for sig in [libc::SIGINT, libc::SIGTERM] {
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// docker's default line: `TIME TYPE ACTION ID (k=v, k=v)`.
pub fn default_line(e: &Event) -> String {
    let time = DateTime::<Utc>::from_timestamp(
        e.time_nano.div_euclid(1_000_000_000),
        e.time_nano.rem_euclid(1_000_000_000) as u32,
    )
    .unwrap_or_default()
    .to_rfc3339_opts(SecondsFormat::Nanos, true);
    let mut line = format!("{time} {} {} {}", e.kind.as_str(), e.action, e.actor.id);
    if !e.actor.attributes.is_empty() {
        let attrs: Vec<String> = e
            .actor
            .attributes
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        line.push_str(&format!(" ({})", attrs.join(", ")));
    }
    line
}

pub fn run(args: &EventsArgs, engine: &Engine) -> anyhow::Result<()> {
    let now = Utc::now();
    let parse = |s: &Option<String>| s.as_deref().map(|t| parse_time_arg(t, now)).transpose();
    let opts = EventsOptions {
        since: parse(&args.since)?,
        until: parse(&args.until)?,
        filter: EventFilter::parse(&args.filter)
            .map_err(|e| EngineError::Invalid(e.to_string()))?,
    };
    let template = match args.format.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("json") => Some(Template::parse("{{json .}}")?),
        Some(f) => Some(Template::parse(f)?),
    };
    catch_interrupts();
    let mut out = io::stdout().lock();
    let mut failure: Option<anyhow::Error> = None;
    // A reader that went away ends the wait for the next event too (`berth events | head -1`
    // when nothing more happens).
    let stop = || {
        let gone = crate::cli::stdout::is_broken(1);
        if gone {
            crate::cli::stdout::failed(io::ErrorKind::BrokenPipe.into());
        }
        INTERRUPTED.load(Ordering::SeqCst) || gone
    };
    engine.events(&opts, &stop, &mut |e| {
        let line = match &template {
            None => default_line(e),
            Some(t) => match serde_json::to_value(e)
                .map_err(anyhow::Error::from)
                .and_then(|v: Value| Ok(t.render(&v)?))
            {
                Ok(l) => l,
                Err(err) => {
                    failure = Some(err);
                    return false;
                }
            },
        };
        // A reader that went away (`berth events | head -1`) ends the command quietly.
        match writeln!(out, "{line}").and_then(|()| out.flush()) {
            Ok(()) => true,
            Err(e) => {
                crate::cli::stdout::failed(e);
                false
            }
        }
    })?;
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::EventType;

    #[test]
    fn default_line_is_dockers_time_type_action_id_and_sorted_attributes() {
        let mut e = Event::new(
            EventType::Container,
            "start",
            "0123abc",
            [("name", "web"), ("image", "busybox")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        e.time_nano = 1_795_428_000_123_456_789;
        e.time = 1_795_428_000;
        assert_eq!(
            default_line(&e),
            "2026-11-23T10:00:00.123456789Z container start 0123abc (image=busybox, name=web)"
        );
    }
}
