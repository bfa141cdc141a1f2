//! `berth pause` and `berth unpause`

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct PauseArgs {
    /// Pause (or unpause) every running (or paused) container
    #[arg(short, long)]
    pub all: bool,
    /// The containers
    #[arg(value_name = "CONTAINER", required_unless_present = "all")]
    pub containers: Vec<String>,
}

pub fn pause(args: &PauseArgs, engine: &Engine) -> anyhow::Result<()> {
    let names = super::targets(engine, &args.containers, args.all, |c| {
        c.state.status == crate::store::containers::Status::Running
    })?;
    super::for_each(names, |name| {
        engine
            .find_container(name)
            .and_then(|c| engine.pause_container(&c))
    })
}

pub fn unpause(args: &PauseArgs, engine: &Engine) -> anyhow::Result<()> {
    let names = super::targets(engine, &args.containers, args.all, |c| {
        c.state.status == crate::store::containers::Status::Paused
    })?;
    super::for_each(names, |name| {
        engine
            .find_container(name)
            .and_then(|c| engine.unpause_container(&c))
    })
}
