//! `berth unmount` / `berth umount`

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct UnmountArgs {
    /// Containers to unmount
    #[arg(value_name = "CONTAINER", required_unless_present = "all")]
    pub containers: Vec<String>,
    /// Unmount every mounted container
    #[arg(short, long, conflicts_with = "containers")]
    pub all: bool,
    /// Unmount even if other mounts of the container are outstanding
    #[arg(short, long)]
    pub force: bool,
}

pub fn run(args: &UnmountArgs, engine: &Engine) -> anyhow::Result<()> {
    super::mount::require_unshare(engine, "unmount")?;
    let names: Vec<String> = if args.all {
        engine
            .mounted_containers()?
            .into_iter()
            .map(|(c, _)| c.record.id)
            .collect()
    } else {
        args.containers.clone()
    };
    for name in &names {
        engine.unmount_container(name, args.force || args.all)?;
        outln!("{name}");
    }
    Ok(())
}
