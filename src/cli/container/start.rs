//! `berth start`

use clap::Args;

use super::run::ExitStatus;
use crate::engine::container::start::{Attach, StartOutcome};
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct StartArgs {
    /// Attach the container's output (and input with -i) and wait for it to exit
    #[arg(short, long)]
    pub attach: bool,
    /// Attach the container's STDIN
    #[arg(short, long)]
    pub interactive: bool,
    /// Override the key sequence for detaching a container
    #[arg(long, value_name = "KEYS", default_value = "ctrl-p,ctrl-q")]
    pub detach_keys: String,
    /// Proxy received signals to the container (with -a)
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub sig_proxy: bool,
    /// The containers to start
    #[arg(value_name = "CONTAINER", required = true)]
    pub containers: Vec<String>,
}

pub fn run(args: &StartArgs, engine: &Engine) -> anyhow::Result<()> {
    let keys = crate::monitor::parse_detach_keys(&args.detach_keys)
        .map_err(|e| anyhow::anyhow!("invalid --detach-keys: {e}"))?;
    if args.attach && args.containers.len() > 1 {
        anyhow::bail!("you cannot start and attach multiple containers at once");
    }
    let mut failed = false;
    for name in &args.containers {
        let c = match engine.find_container(name) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("Error: {e}");
                failed = true;
                continue;
            }
        };
        let attach = if args.attach || args.interactive {
            Attach::Foreground {
                stdin: args.interactive,
                sig_proxy: args.sig_proxy,
                detach_keys: keys.clone(),
            }
        } else {
            Attach::Detached
        };
        match engine.start_container(&c, attach) {
            Ok(StartOutcome::Running { .. }) => println!("{name}"),
            Ok(StartOutcome::Detached) | Ok(StartOutcome::Exited(0)) => {}
            Ok(StartOutcome::Exited(code)) => return Err(ExitStatus(code).into()),
            Err(e) => {
                eprintln!("Error: {e}");
                failed = true;
            }
        }
    }
    if failed {
        return Err(crate::cli::Reported.into());
    }
    Ok(())
}
