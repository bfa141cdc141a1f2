//! `berth rm`

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct RmArgs {
    /// Force the removal of a running container (uses SIGKILL)
    #[arg(short, long)]
    pub force: bool,
    /// Remove all containers
    #[arg(short, long)]
    pub all: bool,
    /// Remove anonymous volumes associated with the container
    #[arg(short, long)]
    pub volumes: bool,
    /// The containers to remove
    #[arg(value_name = "CONTAINER", required_unless_present = "all")]
    pub containers: Vec<String>,
}

pub fn run(args: &RmArgs, engine: &Engine) -> anyhow::Result<()> {
    let names = super::targets(engine, &args.containers, args.all, |_| true)?;
    super::for_each(names, |name| {
        engine.find_container(name).and_then(|c| {
            if args.force {
                engine.force_remove_container(&c)
            } else {
                engine.remove_container(&c)
            }?;
            if args.volumes {
                engine.remove_anonymous_volumes(&c.record.config.mounts)?;
            }
            Ok(())
        })
    })
}
