//! `berth mount`

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct MountArgs {
    /// Containers to mount; none lists the mounted ones
    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

/// A rootless mount only lasts as long as the mount namespace it is made in; each berth
/// command gets a new one, except inside `berth unshare`.
pub(super) fn require_unshare(engine: &Engine, verb: &str) -> anyhow::Result<()> {
    if engine.ident.rootless && crate::runtime::userns::inside_unshare().is_none() {
        anyhow::bail!(
            "cannot run command \"berth {verb}\" in rootless mode, must execute `berth unshare` first"
        );
    }
    Ok(())
}

pub fn run(args: &MountArgs, engine: &Engine) -> anyhow::Result<()> {
    require_unshare(engine, "mount")?;
    if args.containers.is_empty() {
        for (c, path) in engine.mounted_containers()? {
            outln!(
                "{}  {}",
                &c.record.id[..12.min(c.record.id.len())],
                path.display()
            );
        }
        return Ok(());
    }
    for name in &args.containers {
        let path = engine.mount_container(name)?;
        outln!("{}", path.display());
    }
    Ok(())
}
