//! `berth load` — placeholder until its helper lands it.

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Arguments
    #[arg(value_name = "ARG")]
    pub args: Vec<String>,
}

pub fn run(_args: &LoadArgs, _engine: &Engine) -> anyhow::Result<()> {
    anyhow::bail!("berth load is not available yet")
}
