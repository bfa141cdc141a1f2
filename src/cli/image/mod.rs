//! `berth image …` and the top-level image verbs.

pub mod history;
pub mod import;
pub mod inspect;
pub mod list;
pub mod load;
pub mod login;
pub mod logout;
pub mod prune;
pub mod pull;
pub mod push;
pub mod rm;
pub mod save;
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
    /// Push an image to a registry
    Push(push::PushArgs),
    /// Save images to an archive (docker-archive or oci-archive)
    Save(save::SaveArgs),
    /// Load images from an archive
    Load(load::LoadArgs),
    /// Import a tarball as a filesystem image
    Import(import::ImportArgs),
    /// Show the history of an image
    History(history::HistoryArgs),
    /// Remove unused images
    Prune(prune::PruneArgs),
}
