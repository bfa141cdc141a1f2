//! `berth login`

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::bail;
use clap::Args;

use crate::engine::login::{LoginError, LoginOptions};
use crate::engine::Engine;
use crate::registry::auth::Credentials;

#[derive(Args)]
pub struct LoginArgs {
    /// Registry to log in to: HOST[:PORT][/NAMESPACE] (default: the first unqualified-search registry)
    #[arg(value_name = "REGISTRY")]
    pub registry: Option<String>,
    /// Username for the registry
    #[arg(short, long, value_name = "NAME")]
    pub username: Option<String>,
    /// Password for the registry (visible to other users in the process list: prefer --password-stdin)
    #[arg(
        short,
        long,
        value_name = "PASSWORD",
        conflicts_with = "password_stdin"
    )]
    pub password: Option<String>,
    /// Read the password from stdin
    #[arg(long)]
    pub password_stdin: bool,
    /// Path of the authentication file (default: containers/auth.json in the runtime dir: $XDG_RUNTIME_DIR, else /run/user/UID, else ${TMPDIR:-/tmp}/berth-run-UID)
    #[arg(long, value_name = "PATH", env = "REGISTRY_AUTH_FILE")]
    pub authfile: Option<PathBuf>,
    /// Require HTTPS and verify certificates (--tls-verify=false allows plain HTTP)
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub tls_verify: Option<bool>,
    /// Print the username saved for the registry and exit
    #[arg(long, conflicts_with_all = ["username", "password", "password_stdin"])]
    pub get_login: bool,
}

impl std::fmt::Debug for LoginArgs {
    // By hand: a derived Debug would print --password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginArgs")
            .field("registry", &self.registry)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("password_stdin", &self.password_stdin)
            .field("authfile", &self.authfile)
            .field("tls_verify", &self.tls_verify)
            .field("get_login", &self.get_login)
            .finish()
    }
}

pub fn run(args: &LoginArgs, engine: &Engine) -> anyhow::Result<()> {
    let registry = match &args.registry {
        Some(r) => r.clone(),
        None => engine.default_login_registry()?,
    };
    let authfile = args.authfile.as_deref();
    if args.get_login {
        let creds = engine.stored_login(&registry, authfile)?;
        outln!("{}", creds.username);
        return Ok(());
    }
    let stdin_tty = std::io::stdin().is_terminal();
    let opts = LoginOptions {
        authfile: args.authfile.clone(),
        tls_verify: args.tls_verify,
    };
    let runtime = super::super::runtime()?;

    // podman's shortcut: nothing given and valid credentials already saved.
    if args.username.is_none() && args.password.is_none() && !args.password_stdin {
        match engine.stored_login(&registry, authfile) {
            Ok(saved) if !saved.is_identity_token() => {
                eprintln!("Authenticating with existing credentials for {registry}");
                if runtime
                    .block_on(engine.login(&registry, &saved, &opts))
                    .is_ok()
                {
                    outln!("Existing credentials are valid. Already logged in to {registry}");
                    return Ok(());
                }
                eprintln!(
                    "Existing credentials are invalid, please enter valid username and password"
                );
            }
            Ok(_) | Err(LoginError::NotLoggedIn(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }

    let username = match &args.username {
        Some(u) => u.clone(),
        None if stdin_tty && !args.password_stdin => prompt_line("Username: ")?,
        None => {
            bail!("cannot ask for a username: stdin is not a terminal; give it with --username")
        }
    };
    if username.is_empty() {
        bail!("the username is empty: give one with --username");
    }
    let password = match (&args.password, args.password_stdin) {
        (Some(p), _) => p.clone(),
        (None, true) => read_password_stdin()?,
        (None, false) if stdin_tty => prompt_password("Password: ")?,
        (None, false) => bail!(
            "cannot ask for a password: stdin is not a terminal; use --password-stdin (or --password)"
        ),
    };
    if password.is_empty() {
        bail!("the password is empty: give one with --password-stdin or --password");
    }
    let creds = Credentials { username, password };
    runtime.block_on(engine.login(&registry, &creds, &opts))?;
    outln!("Login Succeeded!");
    Ok(())
}

fn prompt_line(prompt: &str) -> anyhow::Result<String> {
    let mut err = std::io::stderr().lock();
    write!(err, "{prompt}")?;
    err.flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_string())
}

/// The whole of stdin, without the trailing newline `echo` or a here-string adds.
fn read_password_stdin() -> anyhow::Result<String> {
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)?;
    Ok(text.trim_end_matches(['\n', '\r']).to_string())
}

/// Ask with echo off; the terminal's mode is restored however reading ends.
fn prompt_password(prompt: &str) -> anyhow::Result<String> {
    struct Restore(libc::termios);
    impl Drop for Restore {
        fn drop(&mut self) {
            // SAFETY: fd 0 and a termios struct tcgetattr filled in.
            unsafe { libc::tcsetattr(0, libc::TCSANOW, &self.0) };
        }
    }
    // SAFETY: termios is plain data; tcgetattr fills it in or fails.
    let mut term: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(0, &mut term) } != 0 {
        bail!(
            "cannot switch off echo on the terminal: {}",
            std::io::Error::last_os_error()
        );
    }
    let restore = Restore(term);
    let mut quiet = term;
    quiet.c_lflag &= !libc::ECHO;
    quiet.c_lflag |= libc::ECHONL;
    // SAFETY: fd 0 with a termios derived from its current one.
    if unsafe { libc::tcsetattr(0, libc::TCSANOW, &quiet) } != 0 {
        bail!(
            "cannot switch off echo on the terminal: {}",
            std::io::Error::last_os_error()
        );
    }
    let mut err = std::io::stderr().lock();
    write!(err, "{prompt}")?;
    err.flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    drop(restore);
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_redacts_the_password() {
        let args = LoginArgs {
            registry: Some("r.io".into()),
            username: Some("me".into()),
            password: Some("hunter2".into()),
            password_stdin: false,
            authfile: None,
            tls_verify: None,
            get_login: false,
        };
        let text = format!("{args:?}");
        assert!(
            !text.contains("hunter2") && text.contains("redacted"),
            "{text}"
        );
    }
}
