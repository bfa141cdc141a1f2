//! `berth volume rm`

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct RmArgs {
    /// Volumes to remove
    #[arg(value_name = "VOLUME", required = true)]
    pub volumes: Vec<String>,
    /// Remove volumes even when containers use them
    #[arg(short, long)]
    pub force: bool,
}

pub fn run(args: &RmArgs, engine: &Engine) -> anyhow::Result<()> {
    let mut failed = false;
    for name in &args.volumes {
        match engine.remove_volume(name, args.force) {
            Ok(()) => outln!("{name}"),
            Err(e) => {
                eprintln!("Error: {e}");
                failed = true;
            }
        }
    }
    if failed {
        return Err(crate::cli::Reported.into());
    }
    Ok(())
}
