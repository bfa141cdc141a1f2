//! `berth system migrate`: after a change to /etc/subuid or /etc/subgid (podman's command of
//! the same name), stop the per-user namespace holder and the rootless network namespace (its
//! holder, pasta and DNS responders) so that the next container gets them with the new ranges.
//! Running containers keep the user namespace they have; those on bridge networks lose their
//! network (restart them).

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct MigrateArgs {}

pub fn run(_args: &MigrateArgs, engine: &Engine) -> anyhow::Result<()> {
    crate::runtime::holder::stop(&engine.paths.run_root);
    if engine.ident.rootless {
        crate::network::bridge::stop_rootless_namespace(&engine.paths.run_root);
    }
    Ok(())
}
