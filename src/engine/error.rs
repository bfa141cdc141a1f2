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
    #[error(transparent)]
    Cgroup(#[from] crate::cgroups::CgroupError),
    #[error("{0}")]
    Invalid(String),
    #[error("no container with name or ID {0:?} found: see `berth ps -a`")]
    NoSuchContainer(String),
    #[error("{name} matches several containers ({candidates}): use a longer ID or the name")]
    AmbiguousContainer { name: String, candidates: String },
    #[error("the container name {name:?} is already in use by {id}: remove that container (`berth rm {name}`) or choose another name")]
    NameInUse { name: String, id: String },
    #[error("cannot remove container {name}: it is running; stop it first or use `berth rm -f`")]
    ContainerRunning { name: String },
    #[error("container {name} is not running")]
    ContainerNotRunning { name: String },
    #[error("image {image} is in use by container {container}: remove the container first or use `berth rmi -f`")]
    ImageInUse { image: String, container: String },
    /// The container's command could not be run (126/127) or setup failed (125).
    #[error("{message}")]
    Start { code: i32, message: String },
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
}

impl EngineError {
    /// The exit code docker uses for this error: the command's 126/127 for a start failure,
    /// 125 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            EngineError::Start { code, .. } => *code,
            _ => 125,
        }
    }

    /// Unwrap an engine error carried out of a store update closure.
    pub(crate) fn unwrap_store(e: StoreError) -> EngineError {
        match e {
            StoreError::Aborted(inner) => match inner.downcast::<EngineError>() {
                Ok(engine) => *engine,
                Err(other) => EngineError::Invalid(other.to_string()),
            },
            other => EngineError::Store(other),
        }
    }
}
