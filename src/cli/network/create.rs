//! `berth network create`

use clap::Args;

use crate::engine::network::NetworkOptions;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Network name (default: berthN)
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
    /// Driver to manage the network (only bridge)
    #[arg(short, long, value_name = "DRIVER")]
    pub driver: Option<String>,
    /// Subnet in CIDR format (default: the first free 10.89.N.0/24)
    #[arg(long, value_name = "CIDR")]
    pub subnet: Option<String>,
    /// Gateway address for the subnet (default: its first host address)
    #[arg(long, value_name = "IP")]
    pub gateway: Option<String>,
    /// Allocate container addresses from this range (CIDR inside the subnet)
    #[arg(long, value_name = "CIDR")]
    pub ip_range: Option<String>,
    /// Restrict external access from the network
    #[arg(long)]
    pub internal: bool,
    /// Enable IPv6 networking (recorded; containers get IPv4 addresses)
    #[arg(long)]
    pub ipv6: bool,
    /// Set metadata on the network
    #[arg(long, value_name = "KEY[=VALUE]")]
    pub label: Vec<String>,
    /// Set driver-specific options
    #[arg(short, long, value_name = "KEY=VALUE")]
    pub opt: Vec<String>,
}

pub fn run(args: &CreateArgs, engine: &Engine) -> anyhow::Result<()> {
    let rec = engine.create_network(&NetworkOptions {
        name: args.name.clone(),
        driver: args.driver.clone(),
        subnet: args.subnet.clone(),
        gateway: args.gateway.clone(),
        ip_range: args.ip_range.clone(),
        internal: args.internal,
        ipv6: args.ipv6,
        labels: args.label.clone(),
        opts: args.opt.clone(),
    })?;
    outln!("{}", rec.name);
    Ok(())
}
