//! `login` and `logout`: check credentials against a registry, then keep them in (or take
//! them out of) the containers auth.json, where pull and push find them.

use std::path::{Path, PathBuf};

use thiserror::Error;

use super::pull::PullOptions;
use super::{Engine, EngineError};
use crate::image::reference::Reference;
use crate::image::registries::{Endpoint, RegistriesConf};
use crate::registry::auth::{self, AuthError, AuthFile, AuthStore, Credentials};
use crate::registry::client::RegistryError;

#[derive(Debug, Error)]
pub enum LoginError {
    #[error("no registry given and registries.conf lists no unqualified-search-registries: name the registry, e.g. `berth login quay.io`")]
    NoRegistry,
    #[error("not logged into {0}")]
    NotLoggedIn(String),
    #[error("logging in to {host}: {source}")]
    Check { host: String, source: RegistryError },
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

type Result<T> = std::result::Result<T, LoginError>;

#[derive(Debug, Clone, Default)]
pub struct LoginOptions {
    /// `--authfile` (the CLI folds `$REGISTRY_AUTH_FILE` into it).
    pub authfile: Option<PathBuf>,
    /// `Some(false)` = --tls-verify=false.
    pub tls_verify: Option<bool>,
}

/// Where `login` saved the credentials.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    pub key: String,
    pub file: PathBuf,
}

impl Engine {
    /// The registry `login`/`logout` mean when none is named: the first unqualified-search
    /// registry, as podman picks it.
    pub fn default_login_registry(&self) -> Result<String> {
        let conf = RegistriesConf::load_default().map_err(EngineError::from)?;
        conf.search_registries()
            .into_iter()
            .next()
            .ok_or(LoginError::NoRegistry)
    }

    /// Check `creds` against `registry` (a host, `host/namespace` or docker's URL form) and
    /// save them. Nothing is written unless the registry accepted them.
    pub async fn login(
        &self,
        registry: &str,
        creds: &Credentials,
        opts: &LoginOptions,
    ) -> Result<LoggedIn> {
        let (key, _) = auth::login_key(registry)?;
        let file = auth::login_file(opts.authfile.as_deref())?;
        let endpoint = login_endpoint(&key)?;
        let pull_opts = PullOptions {
            tls_verify: opts.tls_verify,
            ..PullOptions::default()
        };
        let client = self.registry_client(&endpoint, &pull_opts)?;
        client
            .check_login(&endpoint.host, creds)
            .await
            .map_err(|source| match source {
                // Its message already says "logging in to HOST".
                RegistryError::LoginRejected { .. } => LoginError::Engine(source.into()),
                source => LoginError::Check {
                    host: key.clone(),
                    source,
                },
            })?;
        AuthFile::new(file.clone()).store(&key, creds)?;
        Ok(LoggedIn { key, file })
    }

    /// The credentials berth would use for `registry`: the login file first, then the other
    /// files podman and docker read (`login --get-login`, and "already logged in" checks).
    pub fn stored_login(&self, registry: &str, authfile: Option<&Path>) -> Result<Credentials> {
        let (key, _) = auth::login_key(registry)?;
        let file = auth::login_file(authfile)?;
        let store = match authfile {
            Some(_) => AuthStore::from_paths(vec![file]),
            None => AuthStore::with_first(&file),
        };
        let (host, namespace) = key.split_once('/').unwrap_or((&key, ""));
        store
            .lookup(host, namespace)?
            .ok_or_else(|| LoginError::NotLoggedIn(key.clone()))
    }

    /// Remove the saved credentials of `registry`; returns the key they were saved under.
    pub fn logout(&self, registry: &str, authfile: Option<&Path>) -> Result<String> {
        let (key, _) = auth::login_key(registry)?;
        let file = AuthFile::new(auth::login_file(authfile)?);
        match file.remove(&key)? {
            true => Ok(key),
            false => Err(LoginError::NotLoggedIn(key)),
        }
    }

    /// Remove every saved credential from the login file.
    pub fn logout_all(&self, authfile: Option<&Path>) -> Result<()> {
        Ok(AuthFile::new(auth::login_file(authfile)?).remove_all()?)
    }
}

/// Where to check a login for `key`: its registries.conf entry decides the host (a `location`
/// rewrite, Docker Hub's API host), whether plain http is allowed, and whether it is blocked.
fn login_endpoint(key: &str) -> Result<Endpoint> {
    let conf = RegistriesConf::load_default().map_err(EngineError::from)?;
    // Any repository below the key finds the [[registry]] entry that applies to the key.
    let probe = Reference::parse(&format!("{key}/berth-login")).map_err(EngineError::from)?;
    let endpoints = conf.pull_endpoints(&probe).map_err(EngineError::from)?;
    let primary = endpoints
        .last()
        .expect("pull_endpoints always ends with the primary location");
    Ok(Endpoint {
        repository: String::new(),
        ..primary.clone()
    })
}
