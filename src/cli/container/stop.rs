//! `berth stop`

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct StopArgs {
    /// Seconds to wait for the stop signal before killing the container
    #[arg(
        short = 't',
        long = "time",
        visible_alias = "timeout",
        value_name = "SECONDS"
    )]
    pub time: Option<u32>,
    /// Stop all running containers
    #[arg(short, long)]
    pub all: bool,
    /// The containers to stop
    #[arg(value_name = "CONTAINER", required_unless_present = "all")]
    pub containers: Vec<String>,
}

pub fn run(args: &StopArgs, engine: &Engine) -> anyhow::Result<()> {
    let names = super::targets(engine, &args.containers, args.all, |c| c.is_running())?;
    super::for_each(names, |name| {
        engine
            .find_container(name)
            .and_then(|c| engine.stop_container(&c, args.time))
    })
}
