//! `berth container prune` — placeholder until its helper lands it.

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Arguments
    #[arg(value_name = "ARG")]
    pub args: Vec<String>,
}

pub fn run(_args: &PruneArgs, _engine: &Engine) -> anyhow::Result<()> {
    anyhow::bail!("berth container prune is not available yet")
}
