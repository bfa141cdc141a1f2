//! `berth image prune`

use clap::Args;

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

pub fn run(args: &PruneArgs, engine: &Engine) -> anyhow::Result<()> {
    // Bad filters fail before the question is asked.
    let now = chrono::Utc::now();
    let filters = args
        .filter
        .iter()
        .map(|f| PruneFilter::parse(f, now))
        .collect::<Result<Vec<_>, _>>()?;
    if !args.force
        && !crate::cli::output::confirm(if args.all {
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
    deleted_images(&mut text, &report.removals);
    crate::cli::output::reclaimed(&mut text, report.reclaimed);
    out!("{text}");
    Ok(())
}

/// docker's "Deleted Images:" section (nothing when nothing was removed).
pub(crate) fn deleted_images(text: &mut String, removals: &[Removal]) {
    if removals.is_empty() {
        return;
    }
    text.push_str("Deleted Images:\n");
    for r in removals {
        match r {
            Removal::Untagged(n) => text.push_str(&format!("untagged: {n}\n")),
            Removal::Deleted(id) => text.push_str(&format!("deleted: {id}\n")),
        }
    }
    text.push('\n');
}
