//! `berth logout` — placeholder until its helper lands it.

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Arguments
    #[arg(value_name = "ARG")]
    pub args: Vec<String>,
}

pub fn run(_args: &LogoutArgs, _engine: &Engine) -> anyhow::Result<()> {
    anyhow::bail!("berth logout is not available yet")
}
