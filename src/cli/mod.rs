//! Command-line definitions (clap) and output. One file per verb; each parses its flags, calls
//! exactly one engine operation and prints the result.

/// `println!` for command output: never panics on a closed stdout (see `stdout`).
macro_rules! outln {
    () => {
        $crate::cli::stdout::write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::stdout::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` for command output: never panics on a closed stdout (see `stdout`).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::stdout::write(format_args!($($arg)*))
    };
}

pub mod container;
pub mod docs;
pub mod image;
pub mod network;
pub mod outfile;
pub mod output;
pub mod progress;
pub mod stdout;
pub mod system;
pub mod unshare;
pub mod volume;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Options every command accepts, as podman spells them.
#[derive(Debug, Clone, clap::Args)]
pub struct GlobalOptions {
    /// Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)
    #[arg(long, global = true, value_name = "PATH", env = "BERTH_ROOT")]
    pub root: Option<PathBuf>,
    /// Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)
    #[arg(long, global = true, value_name = "PATH")]
    pub runroot: Option<PathBuf>,
    /// Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)
    #[arg(long, global = true, value_name = "DRIVER", env = "STORAGE_DRIVER")]
    pub storage_driver: Option<String>,
}

/// The program's name, as clap shows it.
const NAME: &str = "berth";
/// `run`'s one-line help, shared by the full command tree and `run`'s own (see [`parse`]).
const RUN_ABOUT: &str = "Run a command in a new container";

#[derive(Debug, Parser)]
#[command(
    name = NAME,
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
    #[command(about = RUN_ABOUT)]
    Run(container::run::RunArgs),
    /// Create a new container
    Create(container::run::CreateArgs),
    /// Start one or more containers
    Start(container::start::StartArgs),
    /// Stop one or more running containers
    Stop(container::stop::StopArgs),
    /// Kill one or more running containers with a signal
    Kill(container::kill::KillArgs),
    /// Remove one or more containers
    Rm(container::rm::RmArgs),
    /// List containers
    Ps(container::ps::PsArgs),
    /// Fetch the logs of a container
    Logs(container::logs::LogsArgs),
    /// Block until one or more containers stop, then print their exit codes
    Wait(container::wait::WaitArgs),
    /// Attach to a running container's input and output
    Attach(container::attach::AttachArgs),
    /// Restart one or more containers
    Restart(container::restart::RestartArgs),
    /// Pause all processes within one or more containers
    Pause(container::pause::PauseArgs),
    /// Unpause all processes within one or more containers
    Unpause(container::pause::PauseArgs),
    /// Run a command in a running container
    Exec(container::exec::ExecArgs),
    /// Run a container's healthcheck
    Healthcheck {
        #[command(subcommand)]
        command: container::healthcheck::HealthcheckCommand,
    },
    /// Display the running processes of a container
    Top(container::top::TopArgs),
    /// Rename a container
    Rename(container::rename::RenameArgs),
    /// Inspect changes to files or directories on a container's filesystem
    Diff(container::diff::DiffArgs),
    /// Create a new image from a container's changes
    Commit(container::commit::CommitArgs),
    /// Export a container's filesystem as a tar archive
    Export(container::export::ExportArgs),
    /// Copy files between a container and the host
    Cp(container::cp::CpArgs),
    /// Mount a container's filesystem and print where (rootless: inside `berth unshare`)
    Mount(container::mount::MountArgs),
    /// Unmount a container's filesystem mounted with `berth mount`
    #[command(visible_alias = "umount")]
    Unmount(container::unmount::UnmountArgs),
    /// Run a command (default: a shell) in berth's user namespace with its own mount namespace
    Unshare(unshare::UnshareArgs),
    /// List port mappings or a specific mapping for the container
    Port(container::port::PortArgs),
    /// Display a live stream of container(s) resource usage statistics
    Stats(container::stats::StatsArgs),
    /// Update the resource limits or restart policy of one or more containers
    Update(container::update::UpdateArgs),
    /// Manage containers
    Container {
        #[command(subcommand)]
        command: container::ContainerCommand,
    },
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
    /// Manage volumes
    Volume {
        #[command(subcommand)]
        command: volume::VolumeCommand,
    },
    /// Manage networks
    Network {
        #[command(subcommand)]
        command: network::NetworkCommand,
    },
    /// Show events from the store's journal (containers, images), then follow new ones
    Events(system::events::EventsArgs),
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
    /// Container commands run on the host side, outside any user namespace: the monitor must
    /// create each container's own user namespace from the host, and signalling or joining a
    /// container needs the host's view. What they do to files owned by the container's ids they
    /// do in a forked child that enters the namespace.
    pub fn host_side(&self) -> bool {
        matches!(
            self,
            Command::Run(_)
                | Command::Attach(_)
                | Command::Pause(_)
                | Command::Restart(_)
                | Command::Unpause(_)
                | Command::Healthcheck { .. }
                | Command::Create(_)
                | Command::Start(_)
                | Command::Stop(_)
                | Command::Kill(_)
                | Command::Rm(_)
                | Command::Ps(_)
                | Command::Logs(_)
                | Command::Wait(_)
                | Command::Exec(_)
                | Command::Container { .. }
                | Command::Inspect(_)
                | Command::Top(_)
                | Command::Rename(_)
                | Command::Port(_)
                | Command::Stats(_)
                | Command::Update(_)
                | Command::Events(_)
                | Command::Network { .. }
                | Command::Cp(_)
                | Command::System {
                    command: system::SystemCommand::Events(_)
                        | system::SystemCommand::Reset(_)
                        | system::SystemCommand::Migrate(_)
                }
        ) && !self.reads_container_files()
    }

    /// Container commands that only read or write the store's files (a writable layer, a new
    /// image) run inside the user namespace like the image commands.
    fn reads_container_files(&self) -> bool {
        use container::ContainerCommand as C;
        matches!(
            self,
            Command::Diff(_)
                | Command::Commit(_)
                | Command::Export(_)
                | Command::Container {
                    command: C::Diff(_) | C::Commit(_) | C::Export(_)
                }
        )
    }

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

/// Parse the command line. `run` — the verb whose latency matters — is parsed with a command
/// tree holding only itself: building clap's tree for every verb costs about a millisecond,
/// a tenth of a container start. The result, help and errors are the same.
pub fn parse() -> Result<Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if verb(&args) != Some("run") {
        let m = negative_values(Cli::command()).try_get_matches_from(args)?;
        return Cli::from_arg_matches(&m);
    }
    let m = negative_values(run_tree()).try_get_matches_from(args)?;
    let global = GlobalOptions::from_arg_matches(&m)?;
    let (_, sub) = m.subcommand().expect("subcommand_required");
    let run = container::run::RunArgs::from_arg_matches(sub)?;
    Ok(Cli {
        global,
        command: Command::Run(run),
    })
}

/// berth's command tree with `run` as its only verb.
fn run_tree() -> clap::Command {
    use clap::Args;
    GlobalOptions::augment_args(
        clap::Command::new(NAME)
            .version(env!("CARGO_PKG_VERSION"))
            .disable_help_subcommand(true)
            .subcommand_required(true),
    )
    .subcommand(container::run::RunArgs::augment_args(clap::Command::new("run")).about(RUN_ABOUT))
}

/// Let every option that takes a value take a negative number (`--cpus -1`, `--oom-score-adj
/// -500`, `-t -1`), as docker's flag parser does: the value's own check then says what is wrong
/// with it or accepts it, instead of clap calling it an unexpected argument.
fn negative_values(cmd: clap::Command) -> clap::Command {
    cmd.mut_args(|a| {
        if a.get_action().takes_values() {
            a.allow_negative_numbers(true)
        } else {
            a
        }
    })
    .mut_subcommands(negative_values)
}

/// The verb: the first argument that is neither a global option nor its value.
fn verb(args: &[std::ffi::OsString]) -> Option<&str> {
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        let a = a.to_str()?;
        if matches!(a, "--root" | "--runroot" | "--storage-driver") {
            it.next();
        } else if !a.starts_with('-') {
            return Some(a);
        }
    }
    None
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
    use container::ContainerCommand as C;
    match &cli.command {
        Command::Run(a) | Command::Container { command: C::Run(a) } => {
            container::run::run(a, &engine)
        }
        Command::Create(a)
        | Command::Container {
            command: C::Create(a),
        } => container::run::create(a, &engine),
        Command::Start(a)
        | Command::Container {
            command: C::Start(a),
        } => container::start::run(a, &engine),
        Command::Stop(a)
        | Command::Container {
            command: C::Stop(a),
        } => container::stop::run(a, &engine),
        Command::Kill(a)
        | Command::Container {
            command: C::Kill(a),
        } => container::kill::run(a, &engine),
        Command::Rm(a) | Command::Container { command: C::Rm(a) } => container::rm::run(a, &engine),
        Command::Ps(a) | Command::Container { command: C::Ps(a) } => container::ps::run(a, &engine),
        Command::Logs(a)
        | Command::Container {
            command: C::Logs(a),
        } => container::logs::run(a, &engine),
        Command::Wait(a)
        | Command::Container {
            command: C::Wait(a),
        } => container::wait::run(a, &engine),
        Command::Exec(a)
        | Command::Container {
            command: C::Exec(a),
        } => container::exec::run(a, &engine),
        Command::Container {
            command: C::Inspect(a),
        } => container::inspect::run(a, &engine),
        Command::Container {
            command: C::Prune(a),
        } => container::prune::run(a, &engine),
        Command::Container {
            command: C::Exists(a),
        } => container::exists::run(a, &engine),
        Command::Healthcheck { command } => container::healthcheck::run(command, &engine),
        Command::Restart(a)
        | Command::Container {
            command: C::Restart(a),
        } => container::restart::run(a, &engine),
        Command::Pause(a)
        | Command::Container {
            command: C::Pause(a),
        } => container::pause::pause(a, &engine),
        Command::Unpause(a)
        | Command::Container {
            command: C::Unpause(a),
        } => container::pause::unpause(a, &engine),
        Command::Attach(a)
        | Command::Container {
            command: C::Attach(a),
        } => container::attach::run(a, &engine),
        Command::Top(a) | Command::Container { command: C::Top(a) } => {
            container::top::run(a, &engine)
        }
        Command::Rename(a)
        | Command::Container {
            command: C::Rename(a),
        } => container::rename::run(a, &engine),
        Command::Diff(a)
        | Command::Container {
            command: C::Diff(a),
        } => container::diff::run(a, &engine),
        Command::Commit(a)
        | Command::Container {
            command: C::Commit(a),
        } => container::commit::run(a, &engine),
        Command::Export(a)
        | Command::Container {
            command: C::Export(a),
        } => container::export::run(a, &engine),
        Command::Cp(a) | Command::Container { command: C::Cp(a) } => container::cp::run(a, &engine),
        Command::Mount(a) => container::mount::run(a, &engine),
        Command::Unmount(a) => container::unmount::run(a, &engine),
        Command::Unshare(a) => unshare::run(a, &engine),
        Command::Port(a)
        | Command::Container {
            command: C::Port(a),
        } => container::port::run(a, &engine),
        Command::Stats(a)
        | Command::Container {
            command: C::Stats(a),
        } => container::stats::run(a, &engine),
        Command::Update(a)
        | Command::Container {
            command: C::Update(a),
        } => container::update::run(a, &engine),
        Command::Events(a)
        | Command::System {
            command: system::SystemCommand::Events(a),
        } => system::events::run(a, &engine),
        Command::Pull(a)
        | Command::Image {
            command: I::Pull(a),
        } => image::pull::run(a, &engine),
        Command::Images(a) | Command::Image { command: I::Ls(a) } => image::list::run(a, &engine),
        Command::Inspect(a) => image::inspect::run(a, &engine),
        Command::Image {
            command: I::Inspect(a),
        } => image::inspect::run_image(a, &engine),
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
        Command::Volume { command } => volume::run(command, &engine),
        Command::Network { command } => network::run(command, &engine),
        Command::System {
            command: system::SystemCommand::Prune(a),
        } => system::prune::run(a, &engine),
        Command::System {
            command: system::SystemCommand::Reset(a),
        } => system::reset::run(a, &engine),
        Command::System {
            command: system::SystemCommand::Migrate(a),
        } => system::migrate::run(a, &engine),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_alone_parses_and_helps_as_in_the_full_command_tree() {
        use clap::CommandFactory;
        let mut fast = run_tree();
        let mut full = Cli::command();
        let help = |c: &mut clap::Command| {
            c.find_subcommand_mut("run")
                .expect("run")
                .render_long_help()
                .to_string()
        };
        assert_eq!(help(&mut fast), help(&mut full));
        let argv = [
            "berth", "--root", "/x", "run", "--rm", "-e", "A=1", "img", "true",
        ];
        let a = fast.try_get_matches_from(argv).expect("fast tree parses");
        let b = full.try_get_matches_from(argv).expect("full tree parses");
        let global = |m: &clap::ArgMatches| m.get_one::<PathBuf>("root").cloned();
        assert_eq!(global(&a), global(&b));
        let env = |m: &clap::ArgMatches| {
            let (_, sub) = m.subcommand().expect("run");
            sub.get_many::<String>("env")
                .map(|v| v.cloned().collect::<Vec<_>>())
        };
        assert_eq!(env(&a), env(&b));
    }
}
