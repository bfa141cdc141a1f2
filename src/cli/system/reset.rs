//! `berth system reset`

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct ResetArgs {
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
}

pub fn run(args: &ResetArgs, engine: &Engine) -> anyhow::Result<()> {
    if !args.force {
        let warning = format!(
            "WARNING! This will remove:\n  - all containers\n  - all images\n  - all volumes\n  - the store's root directory's contents: {:?}\n  - the run root directory's contents: {:?}",
            engine.store_root(),
            engine.paths.run_root
        );
        if !crate::cli::output::confirm(&warning) {
            return Ok(());
        }
    }
    engine.reset_system()?;
    Ok(())
}
