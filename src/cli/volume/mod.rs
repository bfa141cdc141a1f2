//! `berth volume …`

pub mod create;
pub mod exists;
pub mod inspect;
pub mod ls;
pub mod prune;
pub mod rm;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum VolumeCommand {
    /// Create a volume
    Create(create::CreateArgs),
    /// List volumes
    #[command(visible_alias = "list")]
    Ls(ls::LsArgs),
    /// Display detailed information on one or more volumes
    Inspect(inspect::InspectArgs),
    /// Remove one or more volumes
    #[command(visible_alias = "remove")]
    Rm(rm::RmArgs),
    /// Remove all unused volumes
    Prune(prune::PruneArgs),
    /// Exit 0 if the volume exists, 1 if it does not
    Exists(exists::ExistsArgs),
}

pub fn run(cmd: &VolumeCommand, engine: &crate::engine::Engine) -> anyhow::Result<()> {
    match cmd {
        VolumeCommand::Create(a) => create::run(a, engine),
        VolumeCommand::Ls(a) => ls::run(a, engine),
        VolumeCommand::Inspect(a) => inspect::run(a, engine),
        VolumeCommand::Rm(a) => rm::run(a, engine),
        VolumeCommand::Prune(a) => prune::run(a, engine),
        VolumeCommand::Exists(a) => exists::run(a, engine),
    }
}

/// Say on stderr which of `volumes` are damaged records, with the file and the fix.
fn warn_damaged(volumes: &[crate::store::volumes::VolumeRecord]) {
    for v in volumes {
        if let Some(why) = &v.damaged {
            eprintln!("Warning: volume {}: {why}", v.name);
        }
    }
}
