//! `berth pull`

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use crate::cli::progress;
use crate::engine::pull::{PullOptions, PullReporter};
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct PullArgs {
    /// Image to pull: NAME[:TAG], NAME@DIGEST, or REGISTRY/NAME[:TAG]
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// Pull the image for this platform (os/arch[/variant]) instead of the host's
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
    /// Print only the image ID
    #[arg(short, long)]
    pub quiet: bool,
    /// Require HTTPS and verify certificates (--tls-verify=false allows plain HTTP)
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub tls_verify: Option<bool>,
    /// Path of the authentication file (default: containers/auth.json in the runtime dir: $XDG_RUNTIME_DIR, else /run/user/UID, else ${TMPDIR:-/tmp}/berth-run-UID)
    #[arg(long, value_name = "PATH", env = "REGISTRY_AUTH_FILE")]
    pub authfile: Option<PathBuf>,
    /// Pull every tagged image in the repository (not supported by berth yet; refused)
    #[arg(short = 'a', long = "all-tags", hide = true)]
    pub all_tags: bool,
}

pub fn run(args: &PullArgs, engine: &Engine) -> anyhow::Result<()> {
    if args.all_tags {
        anyhow::bail!("--all-tags is not supported: pull each tag by name");
    }
    let opts = PullOptions {
        platform: args.platform.clone(),
        tls_verify: args.tls_verify,
        authfile: args.authfile.clone(),
        interactive: std::io::stdin().is_terminal(),
    };
    let reporter: Box<dyn PullReporter> = if args.quiet {
        Box::new(progress::Quiet)
    } else if std::io::stderr().is_terminal() {
        Box::new(progress::Bars::new())
    } else {
        Box::new(progress::Lines)
    };
    let runtime = super::super::runtime()?;
    let record = runtime.block_on(engine.pull(&args.image, &opts, reporter.as_ref()))?;
    outln!("{}", record.id);
    Ok(())
}
