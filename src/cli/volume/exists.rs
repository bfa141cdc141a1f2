//! `berth volume exists` — podman's: exit 0 when the volume exists, 1 when it does not.

use clap::Args;

use crate::cli::container::run::ExitStatus;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct ExistsArgs {
    /// Volume name
    #[arg(value_name = "VOLUME")]
    pub volume: String,
}

pub fn run(args: &ExistsArgs, engine: &Engine) -> anyhow::Result<()> {
    if engine.find_volume(&args.volume).is_ok() {
        Ok(())
    } else {
        Err(ExitStatus(1).into())
    }
}
