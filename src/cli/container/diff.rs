//! `berth diff`

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The container whose filesystem changes to list
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

pub fn run(args: &DiffArgs, engine: &Engine) -> anyhow::Result<()> {
    let changes = engine.container_diff(&args.container)?;
    let mut out = String::new();
    for c in changes {
        out.push_str(&format!("{} {}\n", c.kind.letter(), c.path));
    }
    out!("{out}");
    Ok(())
}
