//! `berth login` — placeholder until its helper lands it.

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Arguments
    #[arg(value_name = "ARG")]
    pub args: Vec<String>,
}

pub fn run(_args: &LoginArgs, _engine: &Engine) -> anyhow::Result<()> {
    anyhow::bail!("berth login is not available yet")
}
