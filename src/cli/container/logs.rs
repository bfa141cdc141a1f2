//! `berth logs`

use std::io::{self, Write};

use chrono::{SecondsFormat, Utc};
use clap::Args;

use crate::engine::container::logs::{parse_time_arg, LogOptions};
use crate::engine::{Engine, EngineError};
use crate::monitor::log::Stream;

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Follow log output until the container exits
    #[arg(short, long)]
    pub follow: bool,
    /// Show logs since a time: RFC 3339 (2024-05-01T10:00:00Z), a unix timestamp, or a duration
    /// before now (10m)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Show logs until a time (same forms as --since)
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Number of lines to show from the end of the logs ("all" for every line)
    #[arg(long, short = 'n', value_name = "N", default_value = "all")]
    pub tail: String,
    /// Show timestamps
    #[arg(short, long)]
    pub timestamps: bool,
    /// The container whose output to show
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

fn parse_tail(s: &str) -> anyhow::Result<Option<usize>> {
    match s {
        "all" | "-1" | "" => Ok(None),
        n => Ok(Some(n.parse().map_err(|_| {
            EngineError::Invalid(format!(
                "invalid --tail {n:?}: use a number of lines or \"all\""
            ))
        })?)),
    }
}

pub fn run(args: &LogsArgs, engine: &Engine) -> anyhow::Result<()> {
    let now = Utc::now();
    let opts = LogOptions {
        since: args
            .since
            .as_deref()
            .map(|s| parse_time_arg(s, now))
            .transpose()?,
        until: args
            .until
            .as_deref()
            .map(|s| parse_time_arg(s, now))
            .transpose()?,
        tail: parse_tail(&args.tail)?,
        follow: args.follow,
    };
    let container = engine.find_container(&args.container)?;
    let mut stdout = io::stdout().lock();
    let mut stderr = io::stderr();
    // A follower whose reader went away ends even while the container is quiet.
    let reader_gone = || crate::cli::stdout::is_broken(1);
    let result = engine.container_logs(&container, &opts, &reader_gone, |entry| {
        let out: &mut dyn Write = match entry.stream {
            Stream::Stdout => &mut stdout,
            Stream::Stderr => &mut stderr,
        };
        if args.timestamps {
            write!(
                out,
                "{} ",
                entry.time.to_rfc3339_opts(SecondsFormat::Nanos, true)
            )?;
        }
        out.write_all(&entry.data)?;
        // Following: show each line as it comes, not when a buffer fills.
        if args.follow {
            out.flush()?;
        }
        Ok(())
    });
    // A write that found the reader gone (`berth logs c | head`) comes back as BrokenPipe, which
    // main turns into the quiet SIGPIPE exit, as for every command.
    result?;
    if reader_gone() {
        crate::cli::stdout::failed(io::ErrorKind::BrokenPipe.into());
        return Ok(());
    }
    stdout.flush()?;
    Ok(())
}
