//! `berth system prune`

use clap::Args;

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
    crate::cli::output::deleted(
        &mut text,
        "Containers",
        report.containers.iter().map(|c| &c.id),
    );
    crate::cli::output::deleted(&mut text, "Networks", &report.networks);
    crate::cli::output::deleted(&mut text, "Volumes", &report.volumes);
    crate::cli::image::prune::deleted_images(&mut text, &report.images.removals);
    crate::cli::output::reclaimed(&mut text, report.reclaimed);
    out!("{text}");
    Ok(())
}
