//! `berth attach`

use clap::Args;

use super::run::ExitStatus;
use crate::engine::container::attach::{AttachOptions, AttachOutcome};
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct AttachArgs {
    /// Do not attach STDIN
    #[arg(long)]
    pub no_stdin: bool,
    /// Proxy received signals to the container (non-TTY mode)
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub sig_proxy: bool,
    /// Override the key sequence for detaching a container
    #[arg(long, value_name = "KEYS", default_value = "ctrl-p,ctrl-q")]
    pub detach_keys: String,
    /// The container to attach to
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

pub fn run(args: &AttachArgs, engine: &Engine) -> anyhow::Result<()> {
    let detach_keys = crate::monitor::parse_detach_keys(&args.detach_keys)
        .map_err(|e| anyhow::anyhow!("invalid --detach-keys: {e}"))?;
    let c = engine.find_container(&args.container)?;
    let opts = AttachOptions {
        stdin: !args.no_stdin,
        sig_proxy: args.sig_proxy,
        detach_keys,
    };
    match engine.attach_container(&c, &opts)? {
        AttachOutcome::Detached | AttachOutcome::Exited(0) => Ok(()),
        AttachOutcome::OutputClosed => {
            crate::cli::stdout::failed(std::io::ErrorKind::BrokenPipe.into());
            Ok(())
        }
        AttachOutcome::Exited(code) => Err(ExitStatus(code).into()),
    }
}
