//! `berth tag`

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct TagArgs {
    /// The image to tag
    #[arg(value_name = "SOURCE_IMAGE")]
    pub source: String,
    /// The new names
    #[arg(value_name = "TARGET_IMAGE", required = true)]
    pub targets: Vec<String>,
}

pub fn run(args: &TagArgs, engine: &Engine) -> anyhow::Result<()> {
    for target in &args.targets {
        engine.tag_image(&args.source, target)?;
    }
    Ok(())
}
