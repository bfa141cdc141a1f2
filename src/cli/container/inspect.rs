//! `berth container inspect` — placeholder until its helper lands it.

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Arguments
    #[arg(value_name = "ARG")]
    pub args: Vec<String>,
}

pub fn run(_args: &InspectArgs, _engine: &Engine) -> anyhow::Result<()> {
    anyhow::bail!("berth container inspect is not available yet")
}
