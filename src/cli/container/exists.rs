//! `berth container exists` — podman's: exit 0 when the container exists, 1 when it does not,
//! nothing printed.

use clap::Args;

use crate::cli::container::run::ExitStatus;
use crate::engine::{Engine, EngineError};

#[derive(Debug, Args)]
pub struct ExistsArgs {
    /// Container name or ID
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

pub fn run(args: &ExistsArgs, engine: &Engine) -> anyhow::Result<()> {
    match engine.find_container(&args.container) {
        Ok(_) => Ok(()),
        Err(EngineError::NoSuchContainer(_)) => Err(ExitStatus(1).into()),
        Err(e) => Err(e.into()),
    }
}
