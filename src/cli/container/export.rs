//! `berth export`

use std::fs::File;
use std::io::IsTerminal;
use std::os::fd::AsFd;

use anyhow::Context;
use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The container whose filesystem to export
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    /// Write to a file instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<String>,
}

pub fn run(args: &ExportArgs, engine: &Engine) -> anyhow::Result<()> {
    match &args.output {
        Some(path) => {
            crate::cli::outfile::write_replacing(std::path::Path::new(path), |f| {
                engine
                    .export_container(&args.container, f)
                    .with_context(|| format!("exporting to {path}"))
            })?;
        }
        None => {
            let stdout = std::io::stdout();
            if stdout.is_terminal() {
                anyhow::bail!(
                    "cowardly refusing to write a tar to a terminal: use -o FILE or redirect standard output"
                );
            }
            let fd = stdout.as_fd().try_clone_to_owned()?;
            engine.export_container(&args.container, &File::from(fd))?;
        }
    }
    Ok(())
}
