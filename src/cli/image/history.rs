//! `berth history` — placeholder until its helper lands it.

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Arguments
    #[arg(value_name = "ARG")]
    pub args: Vec<String>,
}

pub fn run(_args: &HistoryArgs, _engine: &Engine) -> anyhow::Result<()> {
    anyhow::bail!("berth history is not available yet")
}
