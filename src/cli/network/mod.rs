//! `berth network …`

pub mod connect;
pub mod create;
pub mod disconnect;
pub mod exists;
pub mod inspect;
pub mod ls;
pub mod prune;
pub mod rm;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum NetworkCommand {
    /// Create a network
    Create(create::CreateArgs),
    /// List networks
    #[command(visible_alias = "list")]
    Ls(ls::LsArgs),
    /// Display detailed information on one or more networks
    Inspect(inspect::InspectArgs),
    /// Remove one or more networks
    #[command(visible_alias = "remove")]
    Rm(rm::RmArgs),
    /// Remove all unused networks
    Prune(prune::PruneArgs),
    /// Connect a container to a network
    Connect(connect::ConnectArgs),
    /// Disconnect a container from a network
    Disconnect(disconnect::DisconnectArgs),
    /// Exit 0 if the network exists, 1 if it does not
    Exists(exists::ExistsArgs),
}

pub fn run(cmd: &NetworkCommand, engine: &crate::engine::Engine) -> anyhow::Result<()> {
    match cmd {
        NetworkCommand::Create(a) => create::run(a, engine),
        NetworkCommand::Ls(a) => ls::run(a, engine),
        NetworkCommand::Inspect(a) => inspect::run(a, engine),
        NetworkCommand::Rm(a) => rm::run(a, engine),
        NetworkCommand::Prune(a) => prune::run(a, engine),
        NetworkCommand::Connect(a) => connect::run(a, engine),
        NetworkCommand::Disconnect(a) => disconnect::run(a, engine),
        NetworkCommand::Exists(a) => exists::run(a, engine),
    }
}
