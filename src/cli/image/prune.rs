//! `berth image prune`

use std::io::{BufRead, Write};

use clap::Args;

use crate::cli::output::human_size_4;
use crate::engine::image::{PruneFilter, PruneOptions, Removal};
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Remove all images no container uses, not just dangling ones
    #[arg(short, long)]
    pub all: bool,
    /// Only remove images that match (until=TIMESTAMP|DURATION, label=KEY[=VALUE], label!=KEY[=VALUE])
    #[arg(long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
}

const DANGLING_WARNING: &str = "WARNING! This will remove all dangling images.";
const ALL_WARNING: &str =
    "WARNING! This will remove all images without at least one container associated to them.";

/// docker's confirmation: the question on stdout, the answer one line from stdin (a terminal
/// or not); only "y" or "Y" goes ahead, anything else (an empty line, end of input) aborts.
fn confirm(warning: &str) -> bool {
    let mut out = std::io::stdout().lock();
    let _ = write!(out, "{warning}\nAre you sure you want to continue? [y/N] ");
    let _ = out.flush();
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return false;
    }
    matches!(line.trim(), "y" | "Y")
}

pub fn run(args: &PruneArgs, engine: &Engine) -> anyhow::Result<()> {
    // Bad filters fail before the question is asked.
    let now = chrono::Utc::now();
    let filters = args
        .filter
        .iter()
        .map(|f| PruneFilter::parse(f, now))
        .collect::<Result<Vec<_>, _>>()?;
    if !args.force
        && !confirm(if args.all {
            ALL_WARNING
        } else {
            DANGLING_WARNING
        })
    {
        return Ok(());
    }
    let report = engine.prune_images(&PruneOptions {
        all: args.all,
        filters,
    })?;
    let mut text = String::new();
    if !report.removals.is_empty() {
        text.push_str("Deleted Images:\n");
        for r in &report.removals {
            match r {
                Removal::Untagged(n) => text.push_str(&format!("untagged: {n}\n")),
                Removal::Deleted(id) => text.push_str(&format!("deleted: {id}\n")),
            }
        }
        text.push('\n');
    }
    text.push_str(&format!(
        "Total reclaimed space: {}\n",
        human_size_4(report.reclaimed)
    ));
    print!("{text}");
    Ok(())
}
