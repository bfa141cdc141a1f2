//! `berth cp`

use std::fs::File;
use std::os::fd::AsFd;

use clap::Args;

use crate::engine::container::cp::CpOptions;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct CpArgs {
    /// CONTAINER:SRC_PATH, a host path, or - for a tar stream on standard input
    #[arg(value_name = "SRC")]
    pub src: String,
    /// CONTAINER:DEST_PATH, a host path, or - for a tar stream on standard output
    #[arg(value_name = "DEST")]
    pub dest: String,
    /// Archive mode: keep the files' owners (uid/gid)
    #[arg(short, long)]
    pub archive: bool,
    /// Follow a symbolic link given as SRC
    #[arg(short = 'L', long)]
    pub follow_link: bool,
    /// Print nothing (berth prints no progress anyway)
    #[arg(short, long)]
    pub quiet: bool,
}

/// `CONTAINER:PATH` → (container, path); a host path has no colon before its first slash.
fn split(arg: &str) -> Option<(&str, &str)> {
    if arg.starts_with('/') || arg.starts_with('.') {
        return None;
    }
    arg.split_once(':')
}

pub fn run(args: &CpArgs, engine: &Engine) -> anyhow::Result<()> {
    let opts = CpOptions {
        archive: args.archive,
        follow_link: args.follow_link,
    };
    match (split(&args.src), split(&args.dest)) {
        (Some((c, path)), None) => {
            check_absolute(path)?;
            let fd = std::io::stdout().as_fd().try_clone_to_owned()?;
            engine.copy_from_container(c, path, &args.dest, &File::from(fd), opts)?;
        }
        (None, Some((c, path))) => {
            check_absolute(path)?;
            let input = if args.src == "-" {
                Some(File::from(std::io::stdin().as_fd().try_clone_to_owned()?))
            } else {
                None
            };
            engine.copy_to_container(&args.src, input.as_ref(), c, path, opts)?;
        }
        (Some(_), Some(_)) => {
            anyhow::bail!("copying between containers is not supported: copy to the host first")
        }
        (None, None) => anyhow::bail!(
            "one of SRC and DEST must be CONTAINER:PATH (e.g. `berth cp mycontainer:/etc/hosts .`)"
        ),
    }
    Ok(())
}

fn check_absolute(path: &str) -> anyhow::Result<()> {
    if !path.starts_with('/') {
        anyhow::bail!("container path {path:?} is relative: give an absolute path such as /{path}");
    }
    Ok(())
}
