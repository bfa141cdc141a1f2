//! `berth kill`

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct KillArgs {
    /// Signal to send to the container
    #[arg(short, long, value_name = "SIGNAL", default_value = "KILL")]
    pub signal: String,
    /// Signal all running containers
    #[arg(short, long)]
    pub all: bool,
    /// The containers to signal
    #[arg(value_name = "CONTAINER", required_unless_present = "all")]
    pub containers: Vec<String>,
}

pub fn run(args: &KillArgs, engine: &Engine) -> anyhow::Result<()> {
    crate::engine::container::spec::parse_signal(&args.signal)?;
    let names = super::targets(engine, &args.containers, args.all, |c| c.is_running())?;
    super::for_each(names, |name| {
        engine
            .find_container(name)
            .and_then(|c| engine.kill_container(&c, &args.signal))
    })
}
