//! `berth system df` — placeholder until its helper lands it.

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct DfArgs {
    /// Show detailed information on space usage
    #[arg(short, long)]
    pub verbose: bool,
}

pub fn run(_args: &DfArgs, _engine: &Engine) -> anyhow::Result<()> {
    anyhow::bail!("berth system df is not available yet")
}
