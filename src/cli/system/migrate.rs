//! `berth system migrate`: after a change to /etc/subuid or /etc/subgid (podman's command of
//! the same name), stop the per-user namespace holder so that the next container gets one with
//! the new ranges. Running containers keep the namespace they have.

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct MigrateArgs {}

pub fn run(_args: &MigrateArgs, engine: &Engine) -> anyhow::Result<()> {
    crate::runtime::holder::stop(&engine.paths.run_root);
    Ok(())
}
