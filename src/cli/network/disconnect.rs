//! `berth network disconnect`

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct DisconnectArgs {
    /// Network to disconnect from
    #[arg(value_name = "NETWORK")]
    pub network: String,
    /// Container to disconnect
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    /// Accepted for docker compatibility (a stopped container is always disconnected)
    #[arg(short, long)]
    pub force: bool,
}

pub fn run(args: &DisconnectArgs, engine: &Engine) -> anyhow::Result<()> {
    engine.disconnect_network(&args.network, &args.container)?;
    Ok(())
}
