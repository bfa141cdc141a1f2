//! `berth container logs` — placeholder until its helper lands it.

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Arguments
    #[arg(value_name = "ARG")]
    pub args: Vec<String>,
}

pub fn run(_args: &LogsArgs, _engine: &Engine) -> anyhow::Result<()> {
    anyhow::bail!("berth container logs is not available yet")
}
