//! `berth volume create`

use clap::Args;

use crate::engine::volume::VolumeOptions;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Volume name (a random one when omitted)
    #[arg(value_name = "VOLUME")]
    pub name: Option<String>,
    /// Volume driver (only local)
    #[arg(short, long, value_name = "DRIVER", default_value = "local")]
    pub driver: String,
    /// Driver option: type=tmpfs, device=PATH, o=OPTIONS (e.g. o=bind, o=size=64m)
    #[arg(short, long = "opt", value_name = "KEY=VALUE")]
    pub opt: Vec<String>,
    /// Set metadata on the volume
    #[arg(short, long, value_name = "KEY[=VALUE]")]
    pub label: Vec<String>,
}

pub fn run(args: &CreateArgs, engine: &Engine) -> anyhow::Result<()> {
    let rec = engine.create_volume(&VolumeOptions {
        name: args.name.clone(),
        driver: Some(args.driver.clone()),
        opts: args.opt.clone(),
        labels: args.label.clone(),
    })?;
    outln!("{}", rec.name);
    Ok(())
}
