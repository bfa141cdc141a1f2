//! `berth logout`

use std::path::PathBuf;

use clap::Args;

use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Registry to log out of (default: the first unqualified-search registry)
    #[arg(value_name = "REGISTRY", conflicts_with = "all")]
    pub registry: Option<String>,
    /// Remove the credentials of every registry
    #[arg(short, long)]
    pub all: bool,
    /// Path of the authentication file (default: containers/auth.json in the runtime dir: $XDG_RUNTIME_DIR, else /run/user/UID, else ${TMPDIR:-/tmp}/berth-run-UID)
    #[arg(long, value_name = "PATH", env = "REGISTRY_AUTH_FILE")]
    pub authfile: Option<PathBuf>,
}

pub fn run(args: &LogoutArgs, engine: &Engine) -> anyhow::Result<()> {
    let authfile = args.authfile.as_deref();
    if args.all {
        engine.logout_all(authfile)?;
        outln!("Removed login credentials for all registries");
        return Ok(());
    }
    let registry = match &args.registry {
        Some(r) => r.clone(),
        None => engine.default_login_registry()?,
    };
    let key = engine.logout(&registry, authfile)?;
    outln!("Removed login credentials for {key}");
    Ok(())
}
