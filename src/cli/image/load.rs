//! `berth load`

use std::fs::File;
use std::io::{BufReader, IsTerminal, Read};
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::engine::Engine;
use crate::image::reference::Reference;

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Read the archive from this file instead of standard input
    #[arg(short, long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Suppress progress output
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(args: &LoadArgs, engine: &Engine) -> anyhow::Result<()> {
    let (what, input): (String, Box<dyn Read + Send>) = match &args.input {
        Some(p) if p.as_os_str() != "-" => {
            let f = File::open(p).with_context(|| format!("loading {}", p.display()))?;
            (
                p.display().to_string(),
                Box::new(BufReader::with_capacity(1 << 20, f)),
            )
        }
        _ => {
            if std::io::stdin().is_terminal() {
                anyhow::bail!(
                    "requested load from stdin, but stdin is empty; use -i FILE or redirect"
                );
            }
            ("standard input".into(), Box::new(std::io::stdin()))
        }
    };
    let loaded = engine
        .load(input)
        .with_context(|| format!("loading {what}"))?;
    for image in loaded {
        if image.names.is_empty() {
            outln!("Loaded image ID: sha256:{}", image.id);
        }
        for name in &image.names {
            let shown = Reference::parse(name)
                .map(|r| r.familiar())
                .unwrap_or_else(|_| name.clone());
            outln!("Loaded image: {shown}");
        }
    }
    Ok(())
}
