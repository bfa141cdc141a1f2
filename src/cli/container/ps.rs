//! `berth container ps` — placeholder until its helper lands it.

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct PsArgs {
    /// Arguments
    #[arg(value_name = "ARG")]
    pub args: Vec<String>,
}

pub fn run(_args: &PsArgs, _engine: &Engine) -> anyhow::Result<()> {
    anyhow::bail!("berth container ps is not available yet")
}
