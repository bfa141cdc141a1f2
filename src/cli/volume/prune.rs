//! `berth volume prune`

use clap::Args;

use crate::engine::volume::VolumeFilter;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Only remove volumes that match (name=, label=KEY[=VALUE], label!=KEY[=VALUE])
    #[arg(long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
}

const WARNING: &str =
    "WARNING! This will remove all local volumes not used by at least one container.";

pub fn run(args: &PruneArgs, engine: &Engine) -> anyhow::Result<()> {
    // Bad filters fail before the question is asked.
    let filters = args
        .filter
        .iter()
        .map(|f| VolumeFilter::parse(f))
        .collect::<Result<Vec<_>, _>>()?;
    if !args.force && !crate::cli::output::confirm(WARNING) {
        return Ok(());
    }
    let (removed, bytes) = engine.prune_volumes(&filters)?;
    let mut text = String::new();
    crate::cli::output::deleted(&mut text, "Volumes", &removed);
    crate::cli::output::reclaimed(&mut text, bytes);
    out!("{text}");
    Ok(())
}
