//! `berth import`

use std::fs::File;
use std::io::{BufReader, Read};

use anyhow::Context;
use clap::Args;

use crate::engine::import::ImportOptions;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Tarball of a filesystem (plain, gzip or zstd), or - for standard input
    #[arg(value_name = "FILE|-")]
    pub source: String,
    /// Name for the new image
    #[arg(value_name = "REFERENCE")]
    pub reference: Option<String>,
    /// Apply a Dockerfile instruction to the image config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL,
    /// STOPSIGNAL, USER, VOLUME, WORKDIR)
    #[arg(short, long = "change", value_name = "INSTRUCTION")]
    pub change: Vec<String>,
    /// Comment for the image's history
    #[arg(short, long, value_name = "MESSAGE")]
    pub message: Option<String>,
    /// Platform of the image (os/arch[/variant]; default: the host's)
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
    /// Operating system of the image
    #[arg(long, value_name = "OS")]
    pub os: Option<String>,
    /// Architecture of the image
    #[arg(long, value_name = "ARCH")]
    pub arch: Option<String>,
    /// Architecture variant of the image
    #[arg(long, value_name = "VARIANT")]
    pub variant: Option<String>,
    /// Print only the image ID (berth prints nothing else anyway)
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(args: &ImportArgs, engine: &Engine) -> anyhow::Result<()> {
    if args.source.contains("://") {
        anyhow::bail!(
            "importing {}: berth imports files, not URLs; download it first",
            args.source
        );
    }
    let input: Box<dyn Read + Send> = if args.source == "-" {
        Box::new(std::io::stdin())
    } else {
        let f = File::open(&args.source).with_context(|| format!("importing {}", args.source))?;
        Box::new(BufReader::with_capacity(1 << 20, f))
    };
    let opts = ImportOptions {
        source: args.source.clone(),
        reference: args.reference.clone(),
        changes: args.change.clone(),
        message: args.message.clone(),
        platform: args.platform.clone(),
        os: args.os.clone(),
        arch: args.arch.clone(),
        variant: args.variant.clone(),
    };
    let record = engine
        .import(input, &opts)
        .with_context(|| format!("importing {}", args.source))?;
    outln!("sha256:{}", record.id);
    Ok(())
}
