//! `berth container exists` — placeholder until its helper lands it.

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct ExistsArgs {
    /// Arguments
    #[arg(value_name = "ARG")]
    pub args: Vec<String>,
}

pub fn run(_args: &ExistsArgs, _engine: &Engine) -> anyhow::Result<()> {
    anyhow::bail!("berth container exists is not available yet")
}
