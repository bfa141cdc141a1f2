//! `berth container …` and the top-level container verbs.

pub mod attach;
pub mod commit;
pub mod cp;
pub mod diff;
pub mod exec;
pub mod exists;
pub mod export;
pub mod healthcheck;
pub mod inspect;
pub mod kill;
pub mod limits;
pub mod logs;
pub mod mount;
pub mod pause;
pub mod port;
pub mod prune;
pub mod ps;
pub mod rename;
pub mod restart;
pub mod rm;
pub mod run;
pub mod start;
pub mod stats;
pub mod stop;
pub mod top;
pub mod unmount;
pub mod update;
pub mod wait;

use clap::Subcommand;

use crate::engine::container::Container;
use crate::engine::Engine;

#[derive(Debug, Subcommand)]
pub enum ContainerCommand {
    /// Run a command in a new container
    Run(run::RunArgs),
    /// Create a new container
    Create(run::CreateArgs),
    /// Start one or more containers
    Start(start::StartArgs),
    /// Stop one or more running containers
    Stop(stop::StopArgs),
    /// Kill one or more running containers with a signal
    Kill(kill::KillArgs),
    /// Remove one or more containers
    Rm(rm::RmArgs),
    /// List containers
    #[command(visible_aliases = ["ls", "list"])]
    Ps(ps::PsArgs),
    /// Fetch the logs of a container
    Logs(logs::LogsArgs),
    /// Block until one or more containers stop, then print their exit codes
    Wait(wait::WaitArgs),
    /// Run a command in a running container
    Exec(exec::ExecArgs),
    /// Display detailed information on one or more containers
    Inspect(inspect::InspectArgs),
    /// Remove all stopped containers
    Prune(prune::PruneArgs),
    /// Check if a container exists in local storage
    Exists(exists::ExistsArgs),
    /// Attach to a running container's input and output
    Attach(attach::AttachArgs),
    /// Restart one or more containers
    Restart(restart::RestartArgs),
    /// Pause all processes within one or more containers
    Pause(pause::PauseArgs),
    /// Unpause all processes within one or more containers
    Unpause(pause::PauseArgs),
    /// Display the running processes of a container
    Top(top::TopArgs),
    /// Rename a container
    Rename(rename::RenameArgs),
    /// Inspect changes to files or directories on a container's filesystem
    Diff(diff::DiffArgs),
    /// Create a new image from a container's changes
    Commit(commit::CommitArgs),
    /// Export a container's filesystem as a tar archive
    Export(export::ExportArgs),
    /// Copy files between a container and the host
    Cp(cp::CpArgs),
    /// List port mappings or a specific mapping for the container
    Port(port::PortArgs),
    /// Display a live stream of container(s) resource usage statistics
    Stats(stats::StatsArgs),
    /// Update the resource limits or restart policy of one or more containers
    Update(update::UpdateArgs),
}

/// The containers a multi-container verb acts on: those named, or with `--all` every one that
/// `pick` accepts (by ID).
pub fn targets(
    engine: &Engine,
    named: &[String],
    all: bool,
    pick: impl Fn(&Container) -> bool,
) -> anyhow::Result<Vec<String>> {
    if !all {
        return Ok(named.to_vec());
    }
    Ok(engine
        .list_containers()?
        .into_iter()
        .filter(|c| pick(c))
        .map(|c| c.record.id)
        .collect())
}

/// Run `act` on each named container: print the name on success (docker's output), the error
/// on failure, and carry on with the next; fail at the end if any failed.
pub fn for_each(
    names: impl IntoIterator<Item = String>,
    mut act: impl FnMut(&str) -> crate::engine::Result<()>,
) -> anyhow::Result<()> {
    let mut failed = false;
    for name in names {
        match act(&name) {
            Ok(()) => outln!("{name}"),
            Err(e) => {
                eprintln!("Error: {e}");
                failed = true;
            }
        }
    }
    if failed {
        return Err(crate::cli::Reported.into());
    }
    Ok(())
}
