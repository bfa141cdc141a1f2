//! `berth network inspect`

use clap::Args;

use crate::cli::output::render_inspect;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Networks to inspect
    #[arg(value_name = "NETWORK", required = true)]
    pub networks: Vec<String>,
    /// Format output using a Go template or `json`
    #[arg(short, long, value_name = "FORMAT")]
    pub format: Option<String>,
}

pub fn run(args: &InspectArgs, engine: &Engine) -> anyhow::Result<()> {
    let records = args
        .networks
        .iter()
        .map(|n| engine.find_network(n))
        .collect::<Result<Vec<_>, _>>()?;
    let objects: Vec<_> = records.iter().map(|n| engine.inspect_network(n)).collect();
    out!("{}", render_inspect(args.format.as_deref(), &objects)?);
    Ok(())
}
