//! `berth unshare`: a command (a shell by default) in berth's user namespace, with its own
//! mount namespace, as `podman unshare`: the store's files are owned by the right ids there,
//! and `berth mount` works.

use std::os::unix::process::CommandExt;

use clap::Args;

use crate::engine::Engine;
use crate::runtime::userns::{UNSHARE_GID_ENV, UNSHARE_UID_ENV};

#[derive(Debug, Args)]
pub struct UnshareArgs {
    /// The command and its arguments (default: $SHELL, else /bin/sh)
    #[arg(
        value_name = "COMMAND",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub command: Vec<String>,
}

pub fn run(args: &UnshareArgs, engine: &Engine) -> anyhow::Result<()> {
    if !engine.ident.rootless {
        anyhow::bail!(
            "berth unshare is for rootless use: as root, berth already works in the host's namespaces; run the command directly"
        );
    }
    let command = if args.command.is_empty() {
        vec![std::env::var("SHELL")
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "/bin/sh".into())]
    } else {
        args.command.clone()
    };
    // The namespace was entered before this runs (every store command enters it); exec keeps it.
    let err = std::process::Command::new(&command[0])
        .args(&command[1..])
        .env("BERTH_GRAPHROOT", engine.store_root())
        .env("BERTH_RUNROOT", &engine.paths.run_root)
        .env("CONTAINERS_GRAPHROOT", engine.store_root())
        .env("CONTAINERS_RUNROOT", &engine.paths.run_root)
        .env(UNSHARE_UID_ENV, engine.ident.host_uid.to_string())
        .env(UNSHARE_GID_ENV, engine.ident.host_gid.to_string())
        .exec();
    let code = if err.kind() == std::io::ErrorKind::NotFound {
        127
    } else {
        126
    };
    eprintln!("Error: running {}: {err}", command[0]);
    Err(crate::cli::container::run::ExitStatus(code).into())
}
