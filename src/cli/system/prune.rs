//! `berth system prune`

use clap::Args;

use crate::cli::output::human_size_4;
use crate::engine::image::Removal;
use crate::engine::system::{SystemPruneFilters, SystemPruneOptions};
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Remove all unused images, not just dangling ones
    #[arg(short, long)]
    pub all: bool,
    /// Also remove the volumes no container uses
    #[arg(long)]
    pub volumes: bool,
    /// Only remove what matches (until=TIMESTAMP|DURATION, label=KEY[=VALUE], label!=KEY[=VALUE])
    #[arg(long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
}

/// docker's warning, item by item.
fn warning(args: &PruneArgs) -> String {
    let mut items = vec![
        "all stopped containers",
        "all networks not used by at least one container",
    ];
    if args.volumes {
        items.push("all volumes not used by at least one container");
    }
    if args.all {
        items.push("all images without at least one container associated to them");
        items.push("all build cache");
    } else {
        items.push("all dangling images");
        items.push("unused build cache");
    }
    let mut text = String::from("WARNING! This will remove:\n");
    for i in items {
        text.push_str(&format!("  - {i}\n"));
    }
    text
}

pub fn run(args: &PruneArgs, engine: &Engine) -> anyhow::Result<()> {
    // Bad filters fail before the question is asked.
    let filters = SystemPruneFilters::parse(&args.filter)?;
    if !args.force && !crate::cli::output::confirm(&warning(args)) {
        return Ok(());
    }
    let report = engine.prune_system(
        &SystemPruneOptions {
            all: args.all,
            volumes: args.volumes,
        },
        &filters,
    )?;
    let mut text = String::new();
    if !report.containers.is_empty() {
        text.push_str("Deleted Containers:\n");
        for c in &report.containers {
            text.push_str(&format!("{}\n", c.id));
        }
        text.push('\n');
    }
    if !report.networks.is_empty() {
        text.push_str("Deleted Networks:\n");
        for n in &report.networks {
            text.push_str(&format!("{n}\n"));
        }
        text.push('\n');
    }
    if !report.volumes.is_empty() {
        text.push_str("Deleted Volumes:\n");
        for v in &report.volumes {
            text.push_str(&format!("{v}\n"));
        }
        text.push('\n');
    }
    if !report.images.removals.is_empty() {
        text.push_str("Deleted Images:\n");
        for r in &report.images.removals {
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
