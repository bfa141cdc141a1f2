//! `berth save`

use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use crate::engine::archive::ArchiveFormat;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct SaveArgs {
    /// Images to save (names or IDs)
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
    /// Write to this file instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Archive format: docker-archive or oci-archive
    #[arg(long, value_name = "FORMAT", default_value = "docker-archive")]
    pub format: String,
    /// Suppress progress output
    #[arg(short, long)]
    pub quiet: bool,
    /// Allow several images in one docker-archive (always allowed, as with docker)
    #[arg(short = 'm', long = "multi-image-archive")]
    pub multi_image_archive: bool,
}

pub fn run(args: &SaveArgs, engine: &Engine) -> anyhow::Result<()> {
    let format = ArchiveFormat::parse(&args.format).ok_or_else(|| {
        anyhow::anyhow!(
            "unknown --format {:?}: use docker-archive or oci-archive",
            args.format
        )
    })?;
    match &args.output {
        Some(path) => save_to_file(engine, &args.images, format, path),
        None => {
            let stdout = std::io::stdout();
            if stdout.is_terminal() {
                anyhow::bail!("cowardly refusing to write to a terminal; use -o or redirect");
            }
            let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
            engine.save(&args.images, format, &mut out)?;
            out.flush()
                .context("writing the archive to standard output")?;
            Ok(())
        }
    }
}

fn save_to_file(
    engine: &Engine,
    images: &[String],
    format: ArchiveFormat,
    path: &Path,
) -> anyhow::Result<()> {
    super::super::outfile::write_replacing(path, |file| {
        let mut out = BufWriter::with_capacity(1 << 20, file);
        engine.save(images, format, &mut out)?;
        out.flush()
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    })
}
