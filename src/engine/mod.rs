//! What a command means. The CLI calls only this layer; it owns the store, the identity berth runs
//! under and the configuration files, and turns lower-level errors into user-facing ones.

pub mod archive;
pub mod container;
pub mod error;
pub mod events;
pub mod gc;
pub mod image;
pub mod import;
pub mod info;
pub mod ingest;
pub mod login;
pub mod mount;
pub mod network;
pub mod pull;
pub mod push;
pub mod system;
pub mod usage;
pub mod volume;

use std::path::{Path, PathBuf};

pub use error::EngineError;

use crate::runtime::userns::Identity;
use crate::store::{Driver, Store};

pub type Result<T> = std::result::Result<T, EngineError>;

/// Where things live, decided once per command.
#[derive(Debug, Clone)]
pub struct Paths {
    pub store_root: PathBuf,
    pub run_root: PathBuf,
    pub config_dir: PathBuf,
}

#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    pub root: Option<PathBuf>,
    pub runroot: Option<PathBuf>,
    pub storage_driver: Option<String>,
}

impl Paths {
    /// podman's locations, with berth's name: XDG dirs for a user, /var/lib and /run for root;
    /// the run root from the one runtime-dir rule ([`crate::hostpaths::runtime_dir`]).
    pub fn resolve(ident: &Identity, opts: &EngineOptions) -> Result<Paths> {
        let config_dir = crate::hostpaths::config_dir(ident.rootless).ok_or(EngineError::NoHome)?;
        let store_root = if ident.rootless {
            let base = directories::BaseDirs::new();
            base.as_ref()
                .ok_or(EngineError::NoHome)?
                .data_dir()
                .join("berth")
        } else {
            PathBuf::from("/var/lib/berth")
        };
        crate::hostpaths::init_helper_dirs(&config_dir);
        let run_root = match &opts.runroot {
            Some(p) => p.clone(),
            None if ident.rootless => crate::hostpaths::runtime_dir(ident.host_uid)
                .map_err(|e| EngineError::RunRoot {
                    path: e.path,
                    reason: e.reason,
                })?
                .run_root(),
            None => PathBuf::from("/run/berth"),
        };
        Ok(Paths {
            store_root: opts.root.clone().unwrap_or(store_root),
            run_root,
            config_dir,
        })
    }
}

/// The engine for one command.
pub struct Engine {
    pub ident: Identity,
    pub paths: Paths,
    pub store: Store,
}

impl Engine {
    /// Open the store (creating it and detecting the storage driver on first use).
    pub fn open(ident: Identity, opts: &EngineOptions) -> Result<Engine> {
        let paths = Paths::resolve(&ident, opts)?;
        let forced = match &opts.storage_driver {
            Some(name) => {
                Some(Driver::parse(name).ok_or_else(|| EngineError::BadDriver(name.clone()))?)
            }
            None => None,
        };
        let store = Store::open(&paths.store_root, crate::mount::detect_driver, forced)?;
        Ok(Engine {
            ident,
            paths,
            store,
        })
    }

    /// Open the store for a command that stays on the host side (container commands). A store
    /// that does not exist yet is first created from inside the user namespace, where the
    /// storage driver probe must run.
    pub fn open_host(ident: Identity, opts: &EngineOptions) -> Result<Engine> {
        let paths = Paths::resolve(&ident, opts)?;
        if ident.rootless && !paths.store_root.join("driver").exists() {
            let (id2, o2) = (ident.clone(), opts.clone());
            crate::runtime::userns::in_namespace(&ident, move || {
                Engine::open(id2, &o2)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })
            .map_err(EngineError::Invalid)?;
        }
        if let Some(hint) = crate::runtime::userns::mapping_hint(&ident) {
            eprintln!("{hint}");
        }
        Engine::open(ident, opts)
    }

    pub fn store_root(&self) -> &Path {
        self.store.root()
    }
}
