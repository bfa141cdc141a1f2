//! `berth healthcheck run` (podman's): run a container's healthcheck now.

use clap::{Args, Subcommand};

use super::run::ExitStatus;
use crate::engine::Engine;

#[derive(Debug, Subcommand)]
pub enum HealthcheckCommand {
    /// Run the container's healthcheck now and record the result
    Run(HealthcheckRunArgs),
}

#[derive(Debug, Args)]
pub struct HealthcheckRunArgs {
    /// The container to check
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

/// Prints nothing when healthy (exit 0); "unhealthy" and exit 1 otherwise, as podman does.
pub fn run(cmd: &HealthcheckCommand, engine: &Engine) -> anyhow::Result<()> {
    let HealthcheckCommand::Run(args) = cmd;
    let c = engine.find_container(&args.container)?;
    let result = engine.run_healthcheck(&c)?;
    if result.exit_code == 0 {
        return Ok(());
    }
    outln!("unhealthy");
    Err(ExitStatus(1).into())
}
