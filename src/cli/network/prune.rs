//! `berth network prune`

use clap::Args;

use crate::engine::network::NetworkFilter;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
    /// Only prune networks matching the filter (name=, id=, driver=, until=, label=, label!=)
    #[arg(long, value_name = "FILTER")]
    pub filter: Vec<String>,
}

pub fn run(args: &PruneArgs, engine: &Engine) -> anyhow::Result<()> {
    let filters = args
        .filter
        .iter()
        .map(|f| NetworkFilter::parse(f))
        .collect::<Result<Vec<_>, _>>()?;
    if !args.force
        && !crate::cli::output::confirm(
            "WARNING! This will remove all networks not used by at least one container.",
        )
    {
        return Ok(());
    }
    for name in engine.prune_networks(&filters)? {
        outln!("{name}");
    }
    Ok(())
}
