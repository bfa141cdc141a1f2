//! `berth push` — placeholder until its helper lands it.

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct PushArgs {
    /// Arguments
    #[arg(value_name = "ARG")]
    pub args: Vec<String>,
}

pub fn run(_args: &PushArgs, _engine: &Engine) -> anyhow::Result<()> {
    anyhow::bail!("berth push is not available yet")
}
