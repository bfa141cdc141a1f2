//! `berth exec`

use std::path::PathBuf;

use clap::Args;

use super::run::ExitStatus;
use crate::engine::container::exec::{ExecOptions, ExecOutcome};
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Run the command in the background
    #[arg(short, long)]
    pub detach: bool,
    /// Override the key sequence for detaching from the command (with -t)
    #[arg(long, value_name = "KEYS", default_value = "ctrl-p,ctrl-q")]
    pub detach_keys: String,
    /// Set environment variables (KEY=VALUE, or KEY to pass the current value)
    #[arg(short, long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Read environment variables from a file
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_file: Vec<PathBuf>,
    /// Keep STDIN open
    #[arg(short, long)]
    pub interactive: bool,
    /// Give the command extended privileges (all capabilities, no seccomp filter)
    #[arg(long)]
    pub privileged: bool,
    /// Allocate a pseudo-TTY
    #[arg(short, long)]
    pub tty: bool,
    /// Username or UID, optionally with a group (USER[:GROUP])
    #[arg(short, long, value_name = "USER[:GROUP]")]
    pub user: Option<String>,
    /// Working directory inside the container
    #[arg(short, long = "workdir", value_name = "DIR")]
    pub workdir: Option<String>,
    /// The running container
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    /// The command and its arguments
    #[arg(
        value_name = "COMMAND",
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub command: Vec<String>,
}

pub fn run(args: &ExecArgs, engine: &Engine) -> anyhow::Result<()> {
    let detach_keys = crate::monitor::parse_detach_keys(&args.detach_keys)
        .map_err(|e| anyhow::anyhow!("invalid --detach-keys: {e}"))?;
    let c = engine.find_container(&args.container)?;
    let opts = ExecOptions {
        command: args.command.clone(),
        env: args.env.clone(),
        env_files: args.env_file.clone(),
        user: args.user.clone(),
        workdir: args.workdir.clone(),
        interactive: args.interactive,
        tty: args.tty,
        detach: args.detach,
        privileged: args.privileged,
        detach_keys,
    };
    match engine.exec_in_container(&c, &opts)? {
        ExecOutcome::Detached | ExecOutcome::Exited(0) => Ok(()),
        ExecOutcome::Exited(code) => Err(ExitStatus(code).into()),
    }
}
