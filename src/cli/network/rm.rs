//! `berth network rm`

use clap::Args;

use crate::cli::Reported;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct RmArgs {
    /// Networks to remove
    #[arg(value_name = "NETWORK", required = true)]
    pub networks: Vec<String>,
    /// Remove the containers that use the network first
    #[arg(short, long)]
    pub force: bool,
}

pub fn run(args: &RmArgs, engine: &Engine) -> anyhow::Result<()> {
    let mut failed = None;
    for n in &args.networks {
        match engine.remove_network(n, args.force) {
            Ok(name) => outln!("{name}"),
            Err(e) if args.networks.len() == 1 => return Err(e.into()),
            Err(e) => {
                eprintln!("Error: {e}");
                failed = Some(Reported);
            }
        }
    }
    match failed {
        Some(r) => Err(r.into()),
        None => Ok(()),
    }
}
