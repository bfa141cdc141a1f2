//! Errors a user sees. Each says what failed, on what, and what to do.

use std::path::PathBuf;

use thiserror::Error;

use crate::image::manifest::ManifestError;
use crate::image::reference::ReferenceError;
use crate::image::registries::RegistriesError;
use crate::layer::unpack::LayerError;
use crate::registry::auth::AuthError;
use crate::registry::client::RegistryError;
use crate::runtime::userns::UsernsError;
use crate::store::StoreError;

#[derive(Debug, Error)]
pub enum EngineError {
    #[error("cannot find your home directory: set HOME")]
    NoHome,
    #[error("cannot use {path} for runtime state: {reason}")]
    RunRoot { path: PathBuf, reason: String },
    #[error("unknown storage driver {0:?}: use overlay, fuse-overlayfs or vfs")]
    BadDriver(String),
    #[error("{0}: image not known")]
    ImageNotKnown(String),
    #[error("{name} matches several images ({candidates}): use a full name or ID")]
    AmbiguousImage { name: String, candidates: String },
    #[error("unable to delete image {id} (must force) - image is referenced in multiple repositories; use `berth rmi -f`")]
    ImageHasManyNames { id: String },
    #[error("pulling {image}: layer {digest}: {source}")]
    Layer {
        image: String,
        digest: String,
        source: LayerError,
    },
    #[error("pulling {image}: layer {digest}: its content hashes to {actual}, but the image config says {expected}; the image is corrupt")]
    DiffIdMismatch {
        image: String,
        digest: String,
        expected: String,
        actual: String,
    },
    #[error("pulling {image}: {reason}")]
    BadImage { image: String, reason: String },
    #[error("{0}")]
    PullFailed(String),
    #[error("invalid filter {0:?}: use reference=PATTERN, dangling=true|false, label=KEY[=VALUE], before=IMAGE or since=IMAGE")]
    BadFilter(String),
    #[error("invalid filter {filter:?}: {hint}")]
    InvalidFilter { filter: String, hint: String },
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    #[error(transparent)]
    Registries(#[from] RegistriesError),
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Userns(#[from] UsernsError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
}
