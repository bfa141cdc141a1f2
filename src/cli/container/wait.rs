//! `berth container wait` — placeholder until its helper lands it.

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct WaitArgs {
    /// Arguments
    #[arg(value_name = "ARG")]
    pub args: Vec<String>,
}

pub fn run(_args: &WaitArgs, _engine: &Engine) -> anyhow::Result<()> {
    anyhow::bail!("berth container wait is not available yet")
}
