//! `berth push`

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::cli::progress;
use crate::engine::push::{self, ManifestFormat, PushOptions, PushReporter};
use crate::engine::Engine;
use crate::image::manifest::LayerCompression;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// OCI image manifest
    Oci,
    /// Docker image manifest, schema 2
    V2s2,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CompressionArg {
    Gzip,
    Zstd,
}

#[derive(Debug, Args)]
pub struct PushArgs {
    /// The stored image to push
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// Where to push it: REGISTRY/NAME[:TAG] or docker://REGISTRY/NAME[:TAG] (default: IMAGE's name)
    #[arg(value_name = "DESTINATION")]
    pub destination: Option<String>,
    /// Manifest format to push (default: the stored image's)
    #[arg(short, long, value_enum, value_name = "FORMAT")]
    pub format: Option<FormatArg>,
    /// Recompress layers that are not in this format (default: keep every layer as stored)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub compression_format: Option<CompressionArg>,
    /// Recompress layers even when they already are in --compression-format
    #[arg(long, requires = "compression_format")]
    pub force_compression: bool,
    /// Path of the authentication file (default: containers/auth.json in the runtime dir: $XDG_RUNTIME_DIR, else /run/user/UID, else ${TMPDIR:-/tmp}/berth-run-UID)
    #[arg(long, value_name = "PATH", env = "REGISTRY_AUTH_FILE")]
    pub authfile: Option<PathBuf>,
    /// Require HTTPS and verify certificates (--tls-verify=false allows plain HTTP)
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub tls_verify: Option<bool>,
    /// Print no progress
    #[arg(short, long)]
    pub quiet: bool,
    /// Write the digest of the pushed manifest to this file
    #[arg(long, value_name = "FILE")]
    pub digestfile: Option<PathBuf>,
}

pub fn run(args: &PushArgs, engine: &Engine) -> anyhow::Result<()> {
    let dest = push::destination(&args.image, args.destination.as_deref())?;
    let opts = PushOptions {
        format: args.format.map(|f| match f {
            FormatArg::Oci => ManifestFormat::Oci,
            FormatArg::V2s2 => ManifestFormat::V2s2,
        }),
        compression: args.compression_format.map(|c| match c {
            CompressionArg::Gzip => LayerCompression::Gzip,
            CompressionArg::Zstd => LayerCompression::Zstd,
        }),
        force_compression: args.force_compression,
        tls_verify: args.tls_verify,
        authfile: args.authfile.clone(),
    };
    let reporter: Box<dyn PushReporter> = if args.quiet {
        Box::new(progress::Quiet)
    } else if std::io::stderr().is_terminal() {
        Box::new(progress::Bars::new())
    } else {
        Box::new(progress::Lines)
    };
    let runtime = super::super::runtime()?;
    let pushed = runtime.block_on(engine.push(&args.image, &dest, &opts, reporter.as_ref()))?;
    if let Some(file) = &args.digestfile {
        std::fs::write(file, &pushed.digest).map_err(|e| {
            anyhow::anyhow!(
                "pushed {} as {}, but cannot write --digestfile {}: {e}",
                pushed.destination,
                pushed.digest,
                file.display()
            )
        })?;
    }
    Ok(())
}
