//! `berth info`, `berth version`, `berth system …`.

pub mod info;
pub mod version;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum SystemCommand {
    /// Display system-wide information
    Info(info::InfoArgs),
    /// Regenerate the man pages and shell completions shipped in man/ and completions/
    #[command(hide = true)]
    Docs(super::docs::DocsArgs),
}
