//! `berth info`, `berth version`, `berth system …`.

pub mod df;
pub mod info;
pub mod version;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum SystemCommand {
    /// Display system-wide information
    Info(info::InfoArgs),
    /// Show disk usage
    Df(df::DfArgs),
    /// Regenerate the man pages and shell completions shipped in man/ and completions/
    #[command(hide = true)]
    Docs(super::docs::DocsArgs),
}
