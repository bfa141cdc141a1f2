//! `berth image …` and the top-level image verbs.

pub mod inspect;
pub mod list;
pub mod pull;
pub mod rm;
pub mod tag;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum ImageCommand {
    /// List images in local storage
    #[command(visible_alias = "list")]
    Ls(list::ListArgs),
    /// Pull an image from a registry
    Pull(pull::PullArgs),
    /// Display detailed information on one or more images
    Inspect(inspect::InspectArgs),
    /// Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE
    Tag(tag::TagArgs),
    /// Remove one or more images
    Rm(rm::RmArgs),
}
