//! `berth save` — placeholder until its helper lands it.

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct SaveArgs {
    /// Arguments
    #[arg(value_name = "ARG")]
    pub args: Vec<String>,
}

pub fn run(_args: &SaveArgs, _engine: &Engine) -> anyhow::Result<()> {
    anyhow::bail!("berth save is not available yet")
}
