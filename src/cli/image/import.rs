//! `berth import` — placeholder until its helper lands it.

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Arguments
    #[arg(value_name = "ARG")]
    pub args: Vec<String>,
}

pub fn run(_args: &ImportArgs, _engine: &Engine) -> anyhow::Result<()> {
    anyhow::bail!("berth import is not available yet")
}
