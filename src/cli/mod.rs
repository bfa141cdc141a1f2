//! Command-line definitions (clap) and output. One file per verb; each parses its flags, calls
//! exactly one engine operation and prints the result.

pub mod docs;
pub mod image;
pub mod output;
pub mod progress;
pub mod system;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Options every command accepts, as podman spells them.
#[derive(Debug, Clone, clap::Args)]
pub struct GlobalOptions {
    /// Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)
    #[arg(long, global = true, value_name = "PATH", env = "BERTH_ROOT")]
    pub root: Option<PathBuf>,
    /// Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)
    #[arg(long, global = true, value_name = "PATH")]
    pub runroot: Option<PathBuf>,
    /// Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)
    #[arg(long, global = true, value_name = "DRIVER", env = "STORAGE_DRIVER")]
    pub storage_driver: Option<String>,
}

#[derive(Debug, Parser)]
#[command(
    name = "berth",
    version,
    about = "Rootless, daemonless containers",
    long_about = "berth runs OCI containers without a daemon and without root.\n\
                  Its commands, flags, exit codes and --format templates follow docker and podman.",
    disable_help_subcommand = true,
    propagate_version = false
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOptions,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Pull an image from a registry
    Pull(image::pull::PullArgs),
    /// List images in local storage
    Images(image::list::ListArgs),
    /// Manage images
    Image {
        #[command(subcommand)]
        command: image::ImageCommand,
    },
    /// Display low-level information on images
    Inspect(image::inspect::InspectArgs),
    /// Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE
    Tag(image::tag::TagArgs),
    /// Remove one or more images
    Rmi(image::rm::RmArgs),
    /// Push an image to a registry
    Push(image::push::PushArgs),
    /// Log in to a registry
    Login(image::login::LoginArgs),
    /// Log out of a registry
    Logout(image::logout::LogoutArgs),
    /// Save images to an archive (docker-archive or oci-archive)
    Save(image::save::SaveArgs),
    /// Load images from an archive
    Load(image::load::LoadArgs),
    /// Import a tarball as a filesystem image
    Import(image::import::ImportArgs),
    /// Show the history of an image
    History(image::history::HistoryArgs),
    /// Display system-wide information
    Info(system::info::InfoArgs),
    /// Show the berth version information
    Version(system::version::VersionArgs),
    /// Manage berth itself
    System {
        #[command(subcommand)]
        command: system::SystemCommand,
    },
}

impl Command {
    /// Whether the command works on the store (and so needs the rootless user namespace).
    pub fn uses_store(&self) -> bool {
        !matches!(
            self,
            Command::Version(_)
                | Command::System {
                    command: system::SystemCommand::Docs(_)
                }
        )
    }
}

/// An error that was already printed (e.g. one per failed image in `rmi`); exit 125 quietly.
#[derive(Debug, thiserror::Error)]
#[error("errors were reported above")]
pub struct Reported;

/// A tokio runtime for the commands that talk to registries.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// Run a parsed command. Commands that touch the store get an engine (the caller has already
/// entered the rootless user namespace).
pub fn dispatch(
    cli: &Cli,
    open: impl FnOnce() -> anyhow::Result<crate::engine::Engine>,
) -> anyhow::Result<()> {
    use image::ImageCommand as I;
    match &cli.command {
        Command::Version(a) => return system::version::run(a),
        Command::System {
            command: system::SystemCommand::Docs(a),
        } => return docs::run(a),
        _ => {}
    }
    let engine = open()?;
    match &cli.command {
        Command::Pull(a)
        | Command::Image {
            command: I::Pull(a),
        } => image::pull::run(a, &engine),
        Command::Images(a) | Command::Image { command: I::Ls(a) } => image::list::run(a, &engine),
        Command::Inspect(a)
        | Command::Image {
            command: I::Inspect(a),
        } => image::inspect::run(a, &engine),
        Command::Tag(a) | Command::Image { command: I::Tag(a) } => image::tag::run(a, &engine),
        Command::Rmi(a) | Command::Image { command: I::Rm(a) } => image::rm::run(a, &engine),
        Command::Push(a)
        | Command::Image {
            command: I::Push(a),
        } => image::push::run(a, &engine),
        Command::Login(a) => image::login::run(a, &engine),
        Command::Logout(a) => image::logout::run(a, &engine),
        Command::Save(a)
        | Command::Image {
            command: I::Save(a),
        } => image::save::run(a, &engine),
        Command::Load(a)
        | Command::Image {
            command: I::Load(a),
        } => image::load::run(a, &engine),
        Command::Import(a)
        | Command::Image {
            command: I::Import(a),
        } => image::import::run(a, &engine),
        Command::History(a)
        | Command::Image {
            command: I::History(a),
        } => image::history::run(a, &engine),
        Command::Image {
            command: I::Prune(a),
        } => image::prune::run(a, &engine),
        Command::System {
            command: system::SystemCommand::Df(a),
        } => system::df::run(a, &engine),
        Command::Info(a)
        | Command::System {
            command: system::SystemCommand::Info(a),
        } => system::info::run(a, &engine),
        Command::Version(_)
        | Command::System {
            command: system::SystemCommand::Docs(_),
        } => unreachable!("handled above"),
    }
}
