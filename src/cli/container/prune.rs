//! `berth container prune`

use clap::Args;

use crate::cli::output;
use crate::engine::container::prune::PruneFilters;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
    /// Only prune containers that match: until=TIME, label=KEY[=VALUE], label!=KEY[=VALUE]
    #[arg(long, value_name = "FILTER")]
    pub filter: Vec<String>,
}

pub fn run(args: &PruneArgs, engine: &Engine) -> anyhow::Result<()> {
    let filters = PruneFilters::parse(&args.filter)?;
    if !args.force && !output::confirm("WARNING! This will remove all stopped containers.") {
        return Ok(());
    }
    let pruned = engine.prune_containers(&filters)?;
    let mut text = String::new();
    output::deleted(&mut text, "Containers", pruned.iter().map(|p| &p.id));
    output::reclaimed(&mut text, pruned.iter().map(|p| p.size).sum());
    out!("{text}");
    Ok(())
}
