//! `berth info`, `berth version`, `berth system …`.

pub mod df;
pub mod events;
pub mod info;
pub mod migrate;
pub mod prune;
pub mod reset;
pub mod version;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum SystemCommand {
    /// Display system-wide information
    Info(info::InfoArgs),
    /// Show disk usage
    Df(df::DfArgs),
    /// Show events from the store's journal (containers, images), then follow new ones
    Events(events::EventsArgs),
    /// Remove stopped containers, unused images and (with --volumes) unused volumes
    Prune(prune::PruneArgs),
    /// Remove every container, image and volume: an empty store
    Reset(reset::ResetArgs),
    /// Pick up changed subordinate id ranges: stop the user namespace holder and the rootless
    /// network namespace (its holder, pasta and DNS responders)
    Migrate(migrate::MigrateArgs),
    /// Regenerate the man pages and shell completions shipped in man/ and completions/
    #[command(hide = true)]
    Docs(super::docs::DocsArgs),
}
