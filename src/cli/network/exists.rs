//! `berth network exists` — podman's: exit 0 when the network exists, 1 when it does not.

use clap::Args;

use crate::cli::container::run::ExitStatus;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct ExistsArgs {
    /// Network name or ID
    #[arg(value_name = "NETWORK")]
    pub network: String,
}

pub fn run(args: &ExistsArgs, engine: &Engine) -> anyhow::Result<()> {
    if engine.find_network(&args.network).is_ok() {
        Ok(())
    } else {
        Err(ExitStatus(1).into())
    }
}
