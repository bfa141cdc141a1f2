//! `berth rename`

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct RenameArgs {
    /// The container to rename
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    /// Its new name
    #[arg(value_name = "NEW_NAME")]
    pub new_name: String,
}

pub fn run(args: &RenameArgs, engine: &Engine) -> anyhow::Result<()> {
    engine.rename_container(&args.container, &args.new_name)?;
    Ok(())
}
