//! `berth save`

use std::fs::{self, OpenOptions};
use std::io::{BufWriter, IsTerminal, Write};
use std::os::unix::fs::OpenOptionsExt;
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

/// Write next to `path` and rename into place, so a failed save leaves no half archive.
fn save_to_file(
    engine: &Engine,
    images: &[String],
    format: ArchiveFormat,
    path: &Path,
) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| anyhow::anyhow!("-o {}: name a file", path.display()))?
        .to_string_lossy();
    let tmp = dir.join(format!(".{name}.berth-{:08x}", rand::random::<u32>()));
    let result = (|| -> anyhow::Result<()> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .open(&tmp)
            .with_context(|| format!("creating {}", path.display()))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        engine.save(images, format, &mut out)?;
        let file = out
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("writing {}", path.display()))?;
        file.sync_all()
            .with_context(|| format!("writing {}", path.display()))?;
        fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}
