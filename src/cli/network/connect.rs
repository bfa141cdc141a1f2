//! `berth network connect`

use clap::Args;

use crate::engine::network::AttachOptions;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// Network to connect to
    #[arg(value_name = "NETWORK")]
    pub network: String,
    /// Container to connect
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    /// Add a network-scoped alias for the container
    #[arg(long, value_name = "NAME")]
    pub alias: Vec<String>,
    /// IPv4 address for the container on this network
    #[arg(long, value_name = "IP")]
    pub ip: Option<String>,
}

pub fn run(args: &ConnectArgs, engine: &Engine) -> anyhow::Result<()> {
    engine.connect_network(
        &args.network,
        &args.container,
        &AttachOptions {
            aliases: args.alias.clone(),
            ip: args.ip.clone(),
            mac: None,
        },
    )?;
    Ok(())
}
