//! `berth restart`

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct RestartArgs {
    /// Seconds to wait for the stop signal before killing the container
    #[arg(
        short = 't',
        long = "time",
        visible_alias = "timeout",
        value_name = "SECONDS"
    )]
    pub time: Option<u32>,
    /// Restart every container
    #[arg(short, long)]
    pub all: bool,
    /// The containers to restart
    #[arg(value_name = "CONTAINER", required_unless_present = "all")]
    pub containers: Vec<String>,
}

pub fn run(args: &RestartArgs, engine: &Engine) -> anyhow::Result<()> {
    let names = super::targets(engine, &args.containers, args.all, |_| true)?;
    super::for_each(names, |name| {
        engine
            .find_container(name)
            .and_then(|c| engine.restart_container(&c, args.time))
    })
}
