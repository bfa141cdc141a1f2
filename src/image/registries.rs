//! containers-registries.conf(5), version 2 (and the old v1 tables): the files podman users
//! already have, read the way containers/image reads them so a system behaves the same under
//! berth and podman.
//!
//! Where berth departs from podman, on purpose:
//! - with no `unqualified-search-registries` anywhere, short names go to docker.io (docker's
//!   behaviour) instead of failing;
//! - with no `short-name-mode` anywhere the mode is "enforcing", not podman's "permissive": a
//!   script that pulls an ambiguous short name gets an error instead of whichever registry
//!   answers first, which is how short-name spoofing works.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;
use toml::Spanned;

use super::reference::{split_input, Reference, ReferenceError, DEFAULT_REGISTRY, DEFAULT_TAG};

/// The host that serves docker.io's registry API.
pub const DOCKER_HUB_API_HOST: &str = "registry-1.docker.io";
pub const SYSTEM_REGISTRIES_CONF: &str = "/etc/containers/registries.conf";
pub const SYSTEM_REGISTRIES_CONF_D: &str = "/etc/containers/registries.conf.d";
/// Where podman records the aliases a user picked at its prompt when running as root.
pub const ROOT_SHORT_NAME_ALIASES: &str = "/var/cache/containers/short-name-aliases.conf";

#[derive(Debug, Error)]
pub enum RegistriesError {
    #[error("cannot read registries configuration {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("registries configuration {path} does not exist (it was named by CONTAINERS_REGISTRIES_CONF; create it or unset the variable)")]
    Missing { path: PathBuf },
    #[error("{path}:{line}: {reason} (see containers-registries.conf(5))")]
    Parse {
        path: PathBuf,
        line: usize,
        reason: String,
    },
    #[error("short name {name:?} is ambiguous: it could be {}; use a fully-qualified name, or add an alias in registries.conf ([aliases] \"{alias_key}\" = \"REGISTRY/REPOSITORY\"), or set short-name-mode = \"permissive\" to try them in order", .candidates.join(", "))]
    AmbiguousShortName {
        name: String,
        alias_key: String,
        candidates: Vec<String>,
    },
    #[error("registry {registry} is blocked, so {reference} cannot be pulled (remove `blocked = true` from its [[registry]] entry in {})", .file.as_deref().map(|p| p.display().to_string()).unwrap_or_else(|| "registries.conf".into()))]
    Blocked {
        registry: String,
        reference: String,
        file: Option<PathBuf>,
    },
    #[error("short name {name:?} did not resolve to an alias and {}; use a fully-qualified name or add registries to unqualified-search-registries", match .origin { Some(p) => format!("unqualified-search-registries is empty in {}", p.display()), None => "no search registry is configured".to_string() })]
    NoSearchRegistries {
        name: String,
        origin: Option<PathBuf>,
    },
    #[error("[[registry]] prefix {prefix:?} rewrites {reference} to {rewritten:?}, which is not a valid image name: {reason}; fix its location in {}", .file.display())]
    Rewrite {
        reference: String,
        prefix: String,
        rewritten: String,
        reason: String,
        file: PathBuf,
    },
    #[error(transparent)]
    Reference(#[from] ReferenceError),
}

/// How short names with several candidate registries are handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShortNameMode {
    /// Ask when a terminal is there, refuse otherwise.
    Enforcing,
    /// Ask when a terminal is there, try every candidate in order otherwise.
    Permissive,
    /// Never ask: try every candidate in order.
    Disabled,
}

impl ShortNameMode {
    fn parse(s: &str) -> Option<ShortNameMode> {
        match s {
            "enforcing" => Some(ShortNameMode::Enforcing),
            "permissive" => Some(ShortNameMode::Permissive),
            "disabled" => Some(ShortNameMode::Disabled),
            _ => None,
        }
    }
}

impl fmt::Display for ShortNameMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ShortNameMode::Enforcing => "enforcing",
            ShortNameMode::Permissive => "permissive",
            ShortNameMode::Disabled => "disabled",
        })
    }
}

/// Which pulls a mirror serves (`pull-from-mirror`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MirrorPulls {
    #[default]
    All,
    /// Only pulls by digest: a tag on a stale mirror may name a different image.
    DigestOnly,
    TagOnly,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mirror {
    pub location: String,
    pub insecure: bool,
    pub pull_from: MirrorPulls,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryConfig {
    /// What image names this entry applies to: `host[/path]` or `*.domain`.
    pub prefix: String,
    /// Where those names are pulled from; empty only for wildcard prefixes (pull as named).
    pub location: String,
    pub insecure: bool,
    pub blocked: bool,
    /// Use the mirrors only for pulls by digest.
    pub mirror_by_digest_only: bool,
    pub mirrors: Vec<Mirror>,
    /// The file that defined this entry, for messages that say what to edit.
    pub source: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Alias(Reference),
    Candidates(Vec<Reference>),
    Qualified(Reference),
}

/// Where to pull from: the host to talk to and the repository path there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub repository: String,
    pub insecure: bool,
}

/// The files to read, in order. `ConfPaths::from_env` gives podman's choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfPaths {
    /// The main file; it may use the v1 format.
    pub main: PathBuf,
    /// Whether a missing main file is an error (it was named explicitly).
    pub main_required: bool,
    /// Drop-in directories, in order; each one's `*.conf` files are read sorted by name and
    /// must use the v2 format.
    pub drop_in_dirs: Vec<PathBuf>,
    /// short-name-aliases.conf files (only `[aliases]`); their aliases win over registries.conf.
    pub alias_files: Vec<PathBuf>,
}

impl ConfPaths {
    /// podman's choice of files, given the environment and whether we run as root:
    /// `$CONTAINERS_REGISTRIES_CONF` replaces the main file; otherwise the user's
    /// `$XDG_CONFIG_HOME/containers/registries.conf` replaces the system one when it exists, and
    /// then (as containers/image does) the system drop-in directory is not read either.
    pub fn from_env(env: &dyn Fn(&str) -> Option<OsString>, root: bool) -> ConfPaths {
        let var = |k: &str| env(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        let home = var("HOME");
        let config_home =
            var("XDG_CONFIG_HOME").or_else(|| home.as_ref().map(|h| h.join(".config")));
        let cache_home = var("XDG_CACHE_HOME").or_else(|| home.as_ref().map(|h| h.join(".cache")));
        let user_file = config_home
            .as_ref()
            .map(|c| c.join("containers/registries.conf"));
        let user_dir = config_home
            .as_ref()
            .map(|c| c.join("containers/registries.conf.d"));

        let mut paths = match (var("CONTAINERS_REGISTRIES_CONF"), user_file) {
            (Some(explicit), _) => ConfPaths {
                main: explicit,
                main_required: true,
                drop_in_dirs: vec![PathBuf::from(SYSTEM_REGISTRIES_CONF_D)],
                alias_files: vec![],
            },
            (None, Some(user)) if user.is_file() => ConfPaths {
                main: user,
                main_required: false,
                drop_in_dirs: vec![],
                alias_files: vec![],
            },
            (None, _) => ConfPaths {
                main: PathBuf::from(SYSTEM_REGISTRIES_CONF),
                main_required: false,
                drop_in_dirs: vec![PathBuf::from(SYSTEM_REGISTRIES_CONF_D)],
                alias_files: vec![],
            },
        };
        paths.drop_in_dirs.extend(user_dir);
        if let Some(c) = &config_home {
            paths
                .alias_files
                .push(c.join("containers/short-name-aliases.conf"));
        }
        // The file podman writes when a user picks a candidate at its prompt; read last so
        // that choice wins, as it does in podman.
        if root {
            paths
                .alias_files
                .push(PathBuf::from(ROOT_SHORT_NAME_ALIASES));
        } else if let Some(c) = cache_home {
            paths
                .alias_files
                .push(c.join("containers/short-name-aliases.conf"));
        }
        paths
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Alias {
    /// None when a later file reset the alias with `""`.
    target: Option<Reference>,
    origin: PathBuf,
}

#[derive(Debug, Clone, Default)]
pub struct RegistriesConf {
    /// None when no file set it: docker's default (docker.io) applies.
    search: Option<(Vec<String>, PathBuf)>,
    mode: Option<ShortNameMode>,
    /// One entry per prefix; a later file's entry replaces an earlier one.
    registries: Vec<RegistryConfig>,
    aliases: BTreeMap<String, Alias>,
    /// Files that existed and were read, in order.
    files: Vec<PathBuf>,
}

// --- the file format -------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct FileMirror {
    location: Option<Spanned<String>>,
    #[serde(default)]
    insecure: bool,
    pull_from_mirror: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct FileRegistry {
    prefix: Option<Spanned<String>>,
    location: Option<Spanned<String>>,
    #[serde(default)]
    insecure: bool,
    #[serde(default)]
    blocked: bool,
    #[serde(default)]
    mirror_by_digest_only: bool,
    pull_from_mirror: Option<Spanned<String>>,
    #[serde(default)]
    mirror: Vec<FileMirror>,
}

#[derive(Debug, Default, Deserialize)]
struct V1List {
    #[serde(default)]
    registries: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
struct V1Tables {
    #[serde(default)]
    search: Option<V1List>,
    #[serde(default)]
    insecure: Option<V1List>,
    #[serde(default)]
    block: Option<V1List>,
}

/// Unknown keys (credential-helpers, additional-layer-store-auth-helper, ...) are ignored, as
/// containers/image ignores them.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct ConfFile {
    unqualified_search_registries: Option<Vec<Spanned<String>>>,
    short_name_mode: Option<Spanned<String>>,
    #[serde(default)]
    registry: Vec<Spanned<FileRegistry>>,
    #[serde(default)]
    aliases: BTreeMap<String, Spanned<String>>,
    /// The v1 format: `[registries.search]`, `[registries.insecure]`, `[registries.block]`.
    registries: Option<V1Tables>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Main,
    DropIn,
    Aliases,
}

/// A file being merged: its path and text, to turn byte offsets into line numbers.
struct Source<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Source<'_> {
    fn error(&self, span: Option<Range<usize>>, reason: impl Into<String>) -> RegistriesError {
        let line = span
            .map(|s| {
                self.text[..s.start.min(self.text.len())]
                    .matches('\n')
                    .count()
                    + 1
            })
            .unwrap_or(1);
        RegistriesError::Parse {
            path: self.path.to_path_buf(),
            line,
            reason: reason.into(),
        }
    }
}

/// containers/image's `parseLocation`: trailing slashes go, URL schemes are refused.
fn clean_location(
    src: &Source,
    s: &Spanned<String>,
    what: &str,
) -> Result<String, RegistriesError> {
    let v = s.get_ref().trim_end_matches('/');
    if v.starts_with("http://") || v.starts_with("https://") {
        return Err(src.error(
            Some(s.span()),
            format!(
                "{what} {:?} must not have a URL scheme; write host[:port][/path]",
                s.get_ref()
            ),
        ));
    }
    Ok(v.to_string())
}

/// A `host[:port]` the way distribution's domain grammar accepts it.
/// A name without '.', ':' or "localhost" is refused: glued onto a short name it would read as
/// a docker.io repository, not as a registry.
fn valid_search_registry(s: &str) -> bool {
    !s.contains('/')
        && !Reference::is_short_name(&format!("{s}/x"))
        && Reference::parse(&format!("{s}/x")).is_ok()
}

fn conf_d(dir: &Path) -> Result<Vec<PathBuf>, RegistriesError> {
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => {
            return Err(RegistriesError::Read {
                path: dir.to_path_buf(),
                source: e,
            })
        }
    };
    let mut v: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "conf") && !p.is_dir())
        .collect();
    v.sort();
    Ok(v)
}

impl RegistriesConf {
    /// The files podman would read for this user, see [`ConfPaths::from_env`].
    pub fn load_default() -> Result<Self, RegistriesError> {
        let root = rustix::process::geteuid().is_root();
        Self::load(&ConfPaths::from_env(&|k| std::env::var_os(k), root))
    }

    pub fn load(paths: &ConfPaths) -> Result<Self, RegistriesError> {
        let mut conf = RegistriesConf::default();
        match fs::read_to_string(&paths.main) {
            Ok(text) => conf.merge_text(&text, &paths.main, FileKind::Main)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if paths.main_required {
                    return Err(RegistriesError::Missing {
                        path: paths.main.clone(),
                    });
                }
            }
            Err(e) => {
                return Err(RegistriesError::Read {
                    path: paths.main.clone(),
                    source: e,
                })
            }
        }
        for dir in &paths.drop_in_dirs {
            for file in conf_d(dir)? {
                conf.merge_file(&file, FileKind::DropIn)?;
            }
        }
        for file in &paths.alias_files {
            conf.merge_file(file, FileKind::Aliases)?;
        }
        Ok(conf)
    }

    /// Load `paths` in order, later files overriding earlier ones; the first is the main file
    /// (which may use the v1 format), the others are drop-ins. Missing files are skipped.
    pub fn load_from(paths: &[PathBuf]) -> Result<Self, RegistriesError> {
        let mut conf = RegistriesConf::default();
        for (i, path) in paths.iter().enumerate() {
            let kind = if i == 0 {
                FileKind::Main
            } else {
                FileKind::DropIn
            };
            conf.merge_file(path, kind)?;
        }
        Ok(conf)
    }

    /// Parse one file's text on top of what is loaded (`path` is for messages).
    pub fn merge_str(&mut self, text: &str, path: &Path) -> Result<(), RegistriesError> {
        let kind = if self.files.is_empty() {
            FileKind::Main
        } else {
            FileKind::DropIn
        };
        self.merge_text(text, path, kind)
    }

    fn merge_file(&mut self, path: &Path, kind: FileKind) -> Result<(), RegistriesError> {
        match fs::read_to_string(path) {
            Ok(text) => self.merge_text(&text, path, kind),
            // A drop-in removed between listing and reading is an expected race.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(RegistriesError::Read {
                path: path.to_path_buf(),
                source: e,
            }),
        }
    }

    fn merge_text(
        &mut self,
        text: &str,
        path: &Path,
        kind: FileKind,
    ) -> Result<(), RegistriesError> {
        let src = Source { path, text };
        let mut file: ConfFile = toml::from_str(text).map_err(|e| {
            let message: Vec<&str> = e
                .message()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            src.error(e.span(), message.join("; "))
        })?;
        self.files.push(path.to_path_buf());

        if kind == FileKind::Aliases {
            // podman writes only [aliases] here; anything else would be ignored by it too.
            return self.merge_aliases(&src, file.aliases);
        }

        if let Some(v1) = file.registries.take() {
            // Implicit tables like [registries.search] carry no span; point at their header.
            let span = text.find("[registries.").map(|s| s..s + 1);
            if kind == FileKind::DropIn {
                return Err(src.error(
                    span.clone(),
                    "drop-in files must use the v2 format; move [registries.*] to the main registries.conf or rewrite them as [[registry]] tables",
                ));
            }
            if file.unqualified_search_registries.is_some()
                || !file.registry.is_empty()
                || !file.aliases.is_empty()
                || file.short_name_mode.is_some()
            {
                return Err(src.error(
                    span,
                    "the v1 [registries.*] tables cannot be mixed with v2 settings in one file; convert them to unqualified-search-registries and [[registry]] tables",
                ));
            }
            return self.merge_v1(&src, v1);
        }

        if let Some(list) = file.unqualified_search_registries {
            let mut search = Vec::with_capacity(list.len());
            for s in list {
                let v = clean_location(&src, &s, "unqualified-search-registries entry")?;
                if !valid_search_registry(&v) {
                    return Err(src.error(
                        Some(s.span()),
                        format!("unqualified-search-registries entry {v:?} is not a host[:port]"),
                    ));
                }
                search.push(v);
            }
            self.search = Some((search, path.to_path_buf()));
        }
        if let Some(m) = file.short_name_mode {
            let mode = ShortNameMode::parse(m.get_ref()).ok_or_else(|| {
                src.error(
                    Some(m.span()),
                    format!("short-name-mode {:?} must be \"enforcing\", \"permissive\" or \"disabled\"", m.get_ref()),
                )
            })?;
            self.mode = Some(mode);
        }

        let mut entries = Vec::with_capacity(file.registry.len());
        for r in file.registry {
            entries.push(registry_entry(&src, r)?);
        }
        check_conflicts(&src, &entries)?;
        for entry in entries {
            self.put_registry(entry);
        }
        self.merge_aliases(&src, file.aliases)
    }

    fn merge_v1(&mut self, src: &Source, v1: V1Tables) -> Result<(), RegistriesError> {
        if let Some(search) = v1.search {
            let mut list = Vec::new();
            for s in search.registries {
                let v = clean_location(src, &s, "[registries.search] entry")?;
                if !valid_search_registry(&v) {
                    return Err(src.error(
                        Some(s.span()),
                        format!("[registries.search] entry {v:?} is not a host[:port]"),
                    ));
                }
                list.push(v);
            }
            self.search = Some((list, src.path.to_path_buf()));
        }
        let mut entries: Vec<RegistryConfig> = Vec::new();
        let mut mark = |list: Option<V1List>,
                        what: &str,
                        set: fn(&mut RegistryConfig)|
         -> Result<(), RegistriesError> {
            for s in list.map(|l| l.registries).unwrap_or_default() {
                let location = clean_location(src, &s, what)?;
                let idx = match entries.iter().position(|e| e.location == location) {
                    Some(i) => i,
                    None => {
                        entries.push(RegistryConfig {
                            prefix: location.clone(),
                            location,
                            insecure: false,
                            blocked: false,
                            mirror_by_digest_only: false,
                            mirrors: vec![],
                            source: src.path.to_path_buf(),
                        });
                        entries.len() - 1
                    }
                };
                set(&mut entries[idx]);
            }
            Ok(())
        };
        mark(v1.block, "[registries.block] entry", |e| e.blocked = true)?;
        mark(v1.insecure, "[registries.insecure] entry", |e| {
            e.insecure = true
        })?;
        for e in entries {
            self.put_registry(e);
        }
        Ok(())
    }

    fn merge_aliases(
        &mut self,
        src: &Source,
        aliases: BTreeMap<String, Spanned<String>>,
    ) -> Result<(), RegistriesError> {
        for (name, value) in aliases {
            let span = Some(value.span());
            let (bare, tag, digest) = split_input(&name);
            if !Reference::is_short_name(&name)
                || tag.is_some()
                || digest.is_some()
                || Reference::parse(bare).is_err()
            {
                return Err(src.error(
                    span,
                    format!(
                        "alias name {name:?} must be a short name without registry, tag or digest"
                    ),
                ));
            }
            // An empty value resets an alias an earlier file set (a drop-in can undo a bad one).
            let target = if value.get_ref().is_empty() {
                None
            } else {
                let v = value.get_ref();
                let (_, tag, digest) = split_input(v);
                let parsed = Reference::parse(v)
                    .ok()
                    .filter(|_| !Reference::is_short_name(v));
                match parsed {
                    Some(mut r) if tag.is_none() && digest.is_none() => {
                        r.tag = None;
                        Some(r)
                    }
                    _ => {
                        return Err(src.error(
                            span,
                            format!("alias {name:?} = {v:?}: the value must be REGISTRY/REPOSITORY, without tag or digest"),
                        ))
                    }
                }
            };
            self.aliases.insert(
                name,
                Alias {
                    target,
                    origin: src.path.to_path_buf(),
                },
            );
        }
        Ok(())
    }

    fn put_registry(&mut self, entry: RegistryConfig) {
        match self
            .registries
            .iter_mut()
            .find(|e| e.prefix == entry.prefix)
        {
            Some(existing) => *existing = entry,
            None => self.registries.push(entry),
        }
    }

    /// The registries tried, in order, for a short name without an alias.
    pub fn search_registries(&self) -> Vec<String> {
        match &self.search {
            Some((list, _)) => list.clone(),
            None => vec![DEFAULT_REGISTRY.to_string()],
        }
    }

    pub fn short_name_mode(&self) -> ShortNameMode {
        self.mode.unwrap_or(ShortNameMode::Enforcing)
    }

    /// The file that defined the alias `short_name` resolves through, for "Resolved as an
    /// alias (FILE)" messages.
    pub fn alias_origin(&self, short_name: &str) -> Option<&Path> {
        let (bare, _, _) = split_input(short_name);
        self.aliases
            .get(bare)
            .filter(|a| a.target.is_some())
            .map(|a| a.origin.as_path())
    }

    /// The files that were read, in order.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Resolve what the user typed. Qualified names are returned as is; a short name with an
    /// alias uses it (keeping the typed tag or digest); otherwise every search registry is a
    /// candidate. Several candidates without a terminal are an error in enforcing mode.
    pub fn resolve(&self, name: &str, interactive: bool) -> Result<Resolution, RegistriesError> {
        if !Reference::is_short_name(name) {
            return Ok(Resolution::Qualified(Reference::parse(name)?));
        }
        // Refuse malformed input before it is glued onto any registry.
        Reference::parse(name)?;
        let (bare, tag, digest) = split_input(name);
        if let Some(Alias {
            target: Some(target),
            ..
        }) = self.aliases.get(bare)
        {
            let mut r = target.clone();
            r.tag = tag.map(String::from);
            r.digest = digest.map(String::from);
            if r.tag.is_none() && r.digest.is_none() {
                r.tag = Some(DEFAULT_TAG.to_string());
            }
            return Ok(Resolution::Alias(r));
        }
        let search = self.search_registries();
        if search.is_empty() {
            return Err(RegistriesError::NoSearchRegistries {
                name: name.into(),
                origin: self.search.as_ref().map(|(_, p)| p.clone()),
            });
        }
        let candidates = search
            .iter()
            .map(|reg| Reference::with_registry(name, reg))
            .collect::<Result<Vec<_>, _>>()?;
        let mode = self.short_name_mode();
        if candidates.len() > 1 && mode == ShortNameMode::Enforcing && !interactive {
            return Err(RegistriesError::AmbiguousShortName {
                name: name.into(),
                alias_key: bare.into(),
                candidates: candidates.iter().map(|c| c.to_string()).collect(),
            });
        }
        Ok(Resolution::Candidates(candidates))
    }

    /// The [[registry]] entry that applies to `r`: the longest prefix matching its name.
    pub fn lookup(&self, r: &Reference) -> Option<RegistryConfig> {
        self.lookup_name(&r.name()).cloned()
    }

    fn lookup_name(&self, name: &str) -> Option<&RegistryConfig> {
        self.registries
            .iter()
            .filter(|e| prefix_match_len(&e.prefix, name).is_some())
            .max_by_key(|e| e.prefix.len())
    }

    /// Endpoints to try in order for pulling `r`: its mirrors (those serving this kind of pull),
    /// then the primary location, each with the repository rewritten from the entry's prefix
    /// to that location.
    pub fn pull_endpoints(&self, r: &Reference) -> Result<Vec<Endpoint>, RegistriesError> {
        let full = r.name();
        let Some(entry) = self.lookup_name(&full) else {
            return Ok(vec![self.endpoint(&r.registry, &r.repository, false)]);
        };
        if entry.blocked {
            return Err(RegistriesError::Blocked {
                registry: entry.prefix.clone(),
                reference: r.to_string(),
                file: Some(entry.source.clone()),
            });
        }
        let by_digest = r.digest.is_some();
        let mirrors = entry.mirrors.iter().filter(|m| {
            if entry.mirror_by_digest_only {
                return by_digest;
            }
            match m.pull_from {
                MirrorPulls::All => true,
                MirrorPulls::DigestOnly => by_digest,
                MirrorPulls::TagOnly => !by_digest,
            }
        });
        let mut out = Vec::new();
        for (location, insecure, is_mirror) in mirrors
            .map(|m| (m.location.as_str(), m.insecure, true))
            .chain(std::iter::once((
                entry.location.as_str(),
                entry.insecure,
                false,
            )))
        {
            let target = rewrite(entry, &full, location)?;
            // The rewritten host may have its own entry: its insecure flag applies, and a
            // blocked mirror is skipped rather than contacted.
            let own = self.lookup_name(&target.name());
            if is_mirror && own.is_some_and(|o| o.blocked) {
                continue;
            }
            let insecure = insecure || own.is_some_and(|o| o.insecure);
            out.push(self.endpoint(&target.registry, &target.repository, insecure));
        }
        Ok(out)
    }

    fn endpoint(&self, registry: &str, repository: &str, insecure: bool) -> Endpoint {
        let host = if registry == DEFAULT_REGISTRY {
            DOCKER_HUB_API_HOST
        } else {
            registry
        };
        Endpoint {
            host: host.into(),
            repository: repository.into(),
            insecure,
        }
    }
}

fn registry_entry(
    src: &Source,
    r: Spanned<FileRegistry>,
) -> Result<RegistryConfig, RegistriesError> {
    let span = r.span();
    let r = r.into_inner();
    let location = match &r.location {
        Some(l) => clean_location(src, l, "location")?,
        None => String::new(),
    };
    let prefix = match &r.prefix {
        Some(p) => {
            let p_clean = clean_location(src, p, "prefix")?;
            if let Some(domain) = p_clean.strip_prefix("*.") {
                if domain.is_empty() || domain.contains(['/', '@', ':', '*']) {
                    return Err(src.error(
                        Some(p.span()),
                        format!("wildcard prefix {p_clean:?} must look like *.example.com (no path, port or further wildcards)"),
                    ));
                }
            } else if p_clean.contains('*') {
                return Err(src.error(
                    Some(p.span()),
                    format!("prefix {p_clean:?} may hold '*' only as a leading \"*.\" (like *.example.com)"),
                ));
            } else if location.is_empty() {
                return Err(src.error(
                    Some(span.clone()),
                    format!("[[registry]] with prefix {p_clean:?} needs a location (only *.example.com prefixes may omit it)"),
                ));
            }
            p_clean
        }
        None if !location.is_empty() => location.clone(),
        None => {
            return Err(src.error(Some(span), "a [[registry]] needs a prefix or a location"));
        }
    };
    if let Some(p) = &r.pull_from_mirror {
        return Err(src.error(
            Some(p.span()),
            format!("pull-from-mirror belongs in a [[registry.mirror]] table, not in the [[registry]] for {prefix:?}"),
        ));
    }
    let mut mirrors = Vec::with_capacity(r.mirror.len());
    for m in r.mirror {
        let Some(loc) = &m.location else {
            return Err(src.error(
                Some(span),
                format!("a [[registry.mirror]] of {prefix:?} has no location"),
            ));
        };
        let location = clean_location(src, loc, "mirror location")?;
        if location.is_empty() {
            return Err(src.error(Some(loc.span()), "a mirror location cannot be empty"));
        }
        let pull_from = match m
            .pull_from_mirror
            .as_ref()
            .map(|p| (p.get_ref().as_str(), p))
        {
            None | Some(("all", _)) | Some(("", _)) => MirrorPulls::All,
            Some(("digest-only", _)) => MirrorPulls::DigestOnly,
            Some(("tag-only", _)) => MirrorPulls::TagOnly,
            Some((other, p)) => {
                return Err(src.error(
                    Some(p.span()),
                    format!(
                    "pull-from-mirror {other:?} must be \"all\", \"digest-only\" or \"tag-only\""
                ),
                ))
            }
        };
        if r.mirror_by_digest_only && m.pull_from_mirror.is_some() {
            return Err(src.error(
                m.pull_from_mirror.as_ref().map(|p| p.span()),
                format!("{prefix:?} sets mirror-by-digest-only, so its mirror {location:?} cannot also set pull-from-mirror; keep one of them"),
            ));
        }
        mirrors.push(Mirror {
            location,
            insecure: m.insecure,
            pull_from,
        });
    }
    Ok(RegistryConfig {
        prefix,
        location,
        insecure: r.insecure,
        blocked: r.blocked,
        mirror_by_digest_only: r.mirror_by_digest_only,
        mirrors,
        source: src.path.to_path_buf(),
    })
}

/// One location listed twice in a file with different security settings is refused, as
/// containers/image refuses it: which one applies would depend on the image name.
fn check_conflicts(src: &Source, entries: &[RegistryConfig]) -> Result<(), RegistriesError> {
    for (i, a) in entries.iter().enumerate() {
        let key = |e: &RegistryConfig| {
            if e.location.is_empty() {
                e.prefix.clone()
            } else {
                e.location.clone()
            }
        };
        for b in &entries[i + 1..] {
            if key(a) != key(b) {
                continue;
            }
            let setting = if a.insecure != b.insecure {
                "insecure"
            } else if a.blocked != b.blocked {
                "blocked"
            } else {
                continue;
            };
            let needle = format!("\"{}\"", key(a));
            let at = src.text.find(&needle).map(|s| s..s + needle.len());
            return Err(src.error(
                at,
                format!("registry {:?} is defined more than once with different '{setting}' settings; make them agree", key(a)),
            ));
        }
    }
    Ok(())
}

/// How much of `name` (registry/repository) a prefix covers, if it applies: whole `/`
/// components for a plain prefix; for `*.example.com`, a host that is a subdomain of it.
fn prefix_match_len(prefix: &str, name: &str) -> Option<usize> {
    if prefix.starts_with("*.") {
        // ".example.com" must end the host (before an optional port); the whole host,
        // port included, is what a location replaces.
        let suffix = &prefix[1..];
        let host_end = name.find('/').unwrap_or(name.len());
        let host = &name[..host_end];
        let bare = host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host);
        return (bare.len() > suffix.len() && bare.ends_with(suffix)).then_some(host_end);
    }
    if name == prefix {
        return Some(prefix.len());
    }
    (name.starts_with(prefix) && name[prefix.len()..].starts_with('/')).then_some(prefix.len())
}

/// `name` moved from `entry.prefix` to `location` (a wildcard entry with no location pulls as
/// named), with the tag or digest dropped: the caller asks for those separately.
fn rewrite(
    entry: &RegistryConfig,
    name: &str,
    location: &str,
) -> Result<Reference, RegistriesError> {
    let matched = prefix_match_len(&entry.prefix, name).unwrap_or(name.len());
    let rewritten = if location.is_empty() {
        name.to_string()
    } else {
        format!("{location}{}", &name[matched..])
    };
    let bad = |reason: String| RegistriesError::Rewrite {
        reference: name.to_string(),
        prefix: entry.prefix.clone(),
        rewritten: rewritten.clone(),
        reason,
        file: entry.source.clone(),
    };
    // The result must still name its registry; otherwise parsing would quietly send it to
    // docker.io.
    if Reference::is_short_name(&rewritten) {
        return Err(bad(
            "it has no registry host followed by a repository".into()
        ));
    }
    let (_, tag, digest) = split_input(&rewritten);
    if tag.is_some() || digest.is_some() {
        return Err(bad("a location cannot carry a tag or digest".into()));
    }
    Reference::parse(&rewritten).map_err(|e| bad(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn conf(text: &str) -> RegistriesConf {
        let mut c = RegistriesConf::default();
        c.merge_str(text, Path::new("/etc/containers/registries.conf"))
            .unwrap_or_else(|e| panic!("{e}"));
        c
    }

    fn conf_err(text: &str) -> String {
        let mut c = RegistriesConf::default();
        c.merge_str(text, Path::new("/etc/containers/registries.conf"))
            .unwrap_err()
            .to_string()
    }

    fn r(s: &str) -> Reference {
        Reference::parse(s).unwrap()
    }

    fn ep(host: &str, repository: &str, insecure: bool) -> Endpoint {
        Endpoint {
            host: host.into(),
            repository: repository.into(),
            insecure,
        }
    }

    fn candidates(c: &RegistriesConf, name: &str) -> Vec<String> {
        match c.resolve(name, false).unwrap() {
            Resolution::Candidates(v) => v.iter().map(|r| r.to_string()).collect(),
            other => panic!("{other:?}"),
        }
    }

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    #[test]
    fn without_any_file_short_names_go_to_docker_hub() {
        let c =
            RegistriesConf::load_from(&[PathBuf::from("/nonexistent/registries.conf")]).unwrap();
        assert_eq!(
            candidates(&c, "busybox"),
            ["docker.io/library/busybox:latest"]
        );
        assert_eq!(candidates(&c, "user/app:2"), ["docker.io/user/app:2"]);
        assert_eq!(
            c.pull_endpoints(&r("busybox")).unwrap(),
            [ep("registry-1.docker.io", "library/busybox", false)]
        );
    }

    #[test]
    fn qualified_names_are_returned_as_typed() {
        let c = conf("unqualified-search-registries = [\"a.io\", \"b.io\"]");
        assert_eq!(
            c.resolve("quay.io/x/y:1", false).unwrap(),
            Resolution::Qualified(r("quay.io/x/y:1"))
        );
    }

    #[test]
    fn two_search_registries_without_a_terminal_are_ambiguous_in_enforcing_mode() {
        let c = conf("unqualified-search-registries = [\"a.io\", \"b.io\"]");
        let e = c.resolve("x:1", false).unwrap_err().to_string();
        assert!(
            e.contains("a.io/x:1, b.io/x:1")
                && e.contains("fully-qualified")
                && e.contains("[aliases] \"x\""),
            "{e}"
        );
        // With a terminal the caller prompts, so it gets the list.
        assert!(matches!(c.resolve("x", true).unwrap(), Resolution::Candidates(v) if v.len() == 2));
    }

    #[test]
    fn permissive_and_disabled_modes_return_candidates_in_order() {
        for mode in ["permissive", "disabled"] {
            let c = conf(&format!(
                "unqualified-search-registries = [\"a.io\", \"docker.io\"]\nshort-name-mode = \"{mode}\""
            ));
            assert_eq!(
                candidates(&c, "x"),
                ["a.io/x:latest", "docker.io/library/x:latest"],
                "{mode}"
            );
        }
    }

    #[test]
    fn single_search_registry_is_not_ambiguous() {
        let c = conf("unqualified-search-registries = [\"localhost:5000\"]");
        assert_eq!(candidates(&c, "app"), ["localhost:5000/app:latest"]);
    }

    #[test]
    fn empty_search_list_is_an_error_naming_the_file() {
        let c = conf("unqualified-search-registries = []");
        let e = c.resolve("x", false).unwrap_err().to_string();
        assert!(
            e.contains("/etc/containers/registries.conf") && e.contains("fully-qualified"),
            "{e}"
        );
    }

    #[test]
    fn alias_wins_and_keeps_the_typed_tag_or_digest() {
        let c = conf(
            "unqualified-search-registries = [\"a.io\", \"b.io\"]\n[aliases]\n\"app\" = \"c.io/team/app\"\n\"hub\" = \"docker.io/hub\"",
        );
        let alias = |n: &str| match c.resolve(n, false).unwrap() {
            Resolution::Alias(r) => r.to_string(),
            other => panic!("{other:?}"),
        };
        assert_eq!(alias("app:2"), "c.io/team/app:2");
        assert_eq!(alias("app"), "c.io/team/app:latest");
        assert_eq!(alias(&format!("app@{D}")), format!("c.io/team/app@{D}"));
        assert_eq!(alias("hub"), "docker.io/library/hub:latest");
        assert_eq!(
            c.alias_origin("app:2"),
            Some(Path::new("/etc/containers/registries.conf"))
        );
    }

    #[test]
    fn empty_alias_in_a_later_file_resets_it() {
        let mut c = conf("[aliases]\n\"app\" = \"c.io/app\"");
        c.merge_str(
            "[aliases]\n\"app\" = \"\"",
            Path::new("/etc/containers/registries.conf.d/99.conf"),
        )
        .unwrap();
        assert_eq!(candidates(&c, "app"), ["docker.io/library/app:latest"]);
        assert_eq!(c.alias_origin("app"), None);
    }

    #[test]
    fn malformed_aliases_are_refused_with_their_line() {
        let e = conf_err("\n[aliases]\n\"app\" = \"app2\"\n");
        assert!(
            e.starts_with("/etc/containers/registries.conf:3:")
                && e.contains("REGISTRY/REPOSITORY"),
            "{e}"
        );
        assert!(conf_err("[aliases]\n\"app\" = \"c.io/app:1\"").contains("without tag"));
        assert!(conf_err("[aliases]\n\"quay.io/app\" = \"c.io/app\"").contains("short name"));
        assert!(conf_err("[aliases]\n\"app:1\" = \"c.io/app\"").contains("short name"));
    }

    #[test]
    fn registry_entry_rewrites_location_adds_mirrors_and_insecure() {
        let c = conf(
            r#"
[[registry]]
prefix = "example.com/foo"
location = "127.0.0.1:5000/bar"
insecure = true
[[registry.mirror]]
location = "mirror.local/m/"
"#,
        );
        assert_eq!(
            c.pull_endpoints(&r("example.com/foo/app:1")).unwrap(),
            [
                ep("mirror.local", "m/app", false),
                ep("127.0.0.1:5000", "bar/app", true)
            ]
        );
        assert_eq!(
            c.pull_endpoints(&r("example.com/foo")).unwrap()[1],
            ep("127.0.0.1:5000", "bar", true)
        );
    }

    #[test]
    fn prefix_matches_only_on_path_boundaries() {
        let c = conf("[[registry]]\nprefix = \"example.com/foo\"\nlocation = \"l.io/foo\"");
        assert!(c.lookup(&r("example.com/foobar/x")).is_none());
        assert!(c.lookup(&r("example.com/foo/x")).is_some());
        assert!(c.lookup(&r("example.com:5000/foo/x")).is_none());
    }

    #[test]
    fn longest_matching_prefix_wins() {
        let c = conf(
            "[[registry]]\nlocation = \"q.io\"\n[[registry]]\nprefix = \"q.io/team\"\nlocation = \"m.io/t\"\n[[registry]]\nprefix = \"*.q.io\"\nlocation = \"\"",
        );
        assert_eq!(c.lookup(&r("q.io/team/x")).unwrap().prefix, "q.io/team");
        assert_eq!(c.lookup(&r("q.io/other/x")).unwrap().prefix, "q.io");
        assert_eq!(c.lookup(&r("eu.q.io/x")).unwrap().prefix, "*.q.io");
    }

    #[test]
    fn docker_hub_mirror_rewrites_library_names() {
        let c = conf(
            "[[registry]]\nprefix = \"docker.io\"\nlocation = \"docker.io\"\n[[registry.mirror]]\nlocation = \"mirror.gcr.io\"",
        );
        assert_eq!(
            c.pull_endpoints(&r("busybox")).unwrap(),
            [
                ep("mirror.gcr.io", "library/busybox", false),
                ep("registry-1.docker.io", "library/busybox", false)
            ]
        );
    }

    #[test]
    fn rewrite_onto_docker_hub_gets_library_prefix() {
        let c = conf("[[registry]]\nprefix = \"corp.io/mirror\"\nlocation = \"docker.io\"");
        assert_eq!(
            c.pull_endpoints(&r("corp.io/mirror/alpine")).unwrap(),
            [ep("registry-1.docker.io", "library/alpine", false)]
        );
    }

    #[test]
    fn rewrite_that_loses_the_repository_is_an_error() {
        let c = conf("[[registry]]\nprefix = \"corp.io/app\"\nlocation = \"other.io\"");
        let e = c.pull_endpoints(&r("corp.io/app")).unwrap_err().to_string();
        assert!(
            e.contains("\"other.io\"") && e.contains("registries.conf"),
            "{e}"
        );
    }

    #[test]
    fn mirrors_are_filtered_by_pull_kind() {
        let c = conf(
            r#"
[[registry]]
location = "r.io"
[[registry.mirror]]
location = "digest.io"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "tag.io"
pull-from-mirror = "tag-only"
[[registry.mirror]]
location = "all.io"
"#,
        );
        let hosts = |s: &str| -> Vec<String> {
            c.pull_endpoints(&r(s))
                .unwrap()
                .into_iter()
                .map(|e| e.host)
                .collect()
        };
        assert_eq!(hosts("r.io/x:1"), ["tag.io", "all.io", "r.io"]);
        assert_eq!(
            hosts(&format!("r.io/x@{D}")),
            ["digest.io", "all.io", "r.io"]
        );

        let c = conf("[[registry]]\nlocation = \"r.io\"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = \"m.io\"");
        assert_eq!(c.pull_endpoints(&r("r.io/x")).unwrap().len(), 1);
        assert_eq!(
            c.pull_endpoints(&r(&format!("r.io/x@{D}"))).unwrap()[0].host,
            "m.io"
        );
    }

    #[test]
    fn mirror_host_marked_insecure_elsewhere_is_insecure() {
        let c = conf(
            "[[registry]]\nlocation = \"r.io\"\n[[registry.mirror]]\nlocation = \"m.local:5000\"\n[[registry]]\nlocation = \"m.local:5000\"\ninsecure = true",
        );
        assert_eq!(
            c.pull_endpoints(&r("r.io/x")).unwrap(),
            [ep("m.local:5000", "x", true), ep("r.io", "x", false)]
        );
    }

    #[test]
    fn blocked_registry_is_refused_naming_it_and_the_file() {
        let c = conf("[[registry]]\nlocation = \"bad.io\"\nblocked = true");
        let e = c.pull_endpoints(&r("bad.io/x")).unwrap_err().to_string();
        assert!(
            e.contains("bad.io")
                && e.contains("blocked")
                && e.contains("/etc/containers/registries.conf"),
            "{e}"
        );
        assert!(c.pull_endpoints(&r("good.io/x")).is_ok());
    }

    #[test]
    fn wildcard_prefix_matches_subdomains_only() {
        let c = conf("[[registry]]\nprefix = \"*.corp.io\"\ninsecure = true");
        assert_eq!(
            c.pull_endpoints(&r("r1.corp.io/x")).unwrap(),
            [ep("r1.corp.io", "x", true)]
        );
        assert_eq!(
            c.pull_endpoints(&r("a.b.corp.io:5000/x")).unwrap(),
            [ep("a.b.corp.io:5000", "x", true)]
        );
        assert!(c.lookup(&r("corp.io/x")).is_none());
        assert!(c.lookup(&r("evilcorp.io/x")).is_none());
        assert!(c.lookup(&r("x.io/r1.corp.io/y")).is_none());
    }

    #[test]
    fn wildcard_prefix_with_location_rewrites_the_host() {
        let c = conf("[[registry]]\nprefix = \"*.corp.io\"\nlocation = \"cache.local/corp\"");
        assert_eq!(
            c.pull_endpoints(&r("eu.corp.io/team/app")).unwrap(),
            [ep("cache.local", "corp/team/app", false)]
        );
    }

    #[test]
    fn malformed_registry_tables_are_refused_with_file_and_line() {
        let e = conf_err("unqualified-search-registries = [\"a.io\"]\n\n[[registry]]\nprefix = \"*.x.io/path\"\nlocation = \"y.io\"");
        assert!(
            e.starts_with("/etc/containers/registries.conf:4:") && e.contains("*.example.com"),
            "{e}"
        );
        assert!(conf_err("[[registry]]\ninsecure = true").contains("prefix or a location"));
        assert!(conf_err("[[registry]]\nprefix = \"a.io\"").contains("needs a location"));
        assert!(conf_err("[[registry]]\nlocation = \"https://a.io\"").contains("URL scheme"));
        assert!(conf_err("[[registry]]\nlocation = \"a.io\"\n[[registry.mirror]]\nlocation = \"m.io\"\npull-from-mirror = \"sometimes\"").contains("pull-from-mirror"));
        assert!(
            conf_err("[[registry]]\nlocation = \"a.io\"\npull-from-mirror = \"all\"")
                .contains("[[registry.mirror]]")
        );
        assert!(conf_err("[[registry]]\nlocation = \"a.io\"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = \"m.io\"\npull-from-mirror = \"all\"").contains("keep one"));
        assert!(conf_err("unqualified-search-registries = [\"a.io/path\"]").contains("host[:port]"));
        assert!(conf_err("short-name-mode = \"strict\"").contains("\"enforcing\""));
    }

    #[test]
    fn same_location_with_conflicting_settings_is_refused() {
        let e = conf_err("[[registry]]\nlocation = \"a.io\"\n[[registry]]\nprefix = \"b.io\"\nlocation = \"a.io\"\ninsecure = true");
        assert!(e.contains("\"a.io\"") && e.contains("insecure"), "{e}");
    }

    #[test]
    fn toml_syntax_errors_name_file_and_line() {
        let e =
            conf_err("unqualified-search-registries = [\"a.io\"]\n\nshort-name-mode = enforcing\n");
        assert!(e.starts_with("/etc/containers/registries.conf:3:"), "{e}");
        assert!(!e.contains('\n'), "one line: {e}");
        assert!(conf_err("unqualified-search-registries = 3").contains("registries.conf:1:"));
    }

    #[test]
    fn v1_format_is_converted() {
        let c = conf(
            "[registries.search]\nregistries = [\"a.io\"]\n[registries.insecure]\nregistries = [\"i.io\"]\n[registries.block]\nregistries = [\"b.io\"]",
        );
        assert_eq!(c.search_registries(), ["a.io"]);
        assert!(c.lookup(&r("i.io/x")).unwrap().insecure);
        assert!(c.pull_endpoints(&r("b.io/x")).is_err());
    }

    #[test]
    fn v1_is_refused_in_drop_ins_and_when_mixed_with_v2() {
        assert!(conf_err("unqualified-search-registries = [\"a.io\"]\n[registries.search]\nregistries = [\"b.io\"]").contains("mixed"));
        let mut c = conf("");
        let e = c
            .merge_str(
                "[registries.search]\nregistries = [\"b.io\"]",
                Path::new("/d/1.conf"),
            )
            .unwrap_err()
            .to_string();
        assert!(e.contains("/d/1.conf") && e.contains("v2"), "{e}");
    }

    #[test]
    fn drop_ins_are_read_sorted_and_override_by_prefix() {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("registries.conf");
        write(&main, "unqualified-search-registries = [\"a.io\"]\nshort-name-mode = \"permissive\"\n[[registry]]\nlocation = \"a.io\"\ninsecure = true");
        let d = dir.path().join("registries.conf.d");
        write(
            &d.join("20-b.conf"),
            "unqualified-search-registries = [\"c.io\", \"d.io\"]",
        );
        write(
            &d.join("10-a.conf"),
            "unqualified-search-registries = [\"b.io\"]\n[[registry]]\nlocation = \"a.io\"",
        );
        write(&d.join("ignored.txt"), "this is not toml [");
        let c = RegistriesConf::load(&ConfPaths {
            main: main.clone(),
            main_required: false,
            drop_in_dirs: vec![d.clone(), dir.path().join("missing.d")],
            alias_files: vec![],
        })
        .unwrap();
        assert_eq!(c.search_registries(), ["c.io", "d.io"]);
        assert_eq!(c.short_name_mode(), ShortNameMode::Permissive);
        assert!(
            !c.lookup(&r("a.io/x")).unwrap().insecure,
            "10-a.conf replaced the entry"
        );
        assert_eq!(c.files(), [main, d.join("10-a.conf"), d.join("20-b.conf")]);
    }

    #[test]
    fn alias_files_win_over_registries_conf() {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("registries.conf");
        write(
            &main,
            "[aliases]\n\"app\" = \"a.io/app\"\n\"keep\" = \"k.io/keep\"",
        );
        let cache = dir.path().join("short-name-aliases.conf");
        write(&cache, "[aliases]\n\"app\" = \"picked.io/app\"");
        let c = RegistriesConf::load(&ConfPaths {
            main,
            main_required: false,
            drop_in_dirs: vec![],
            alias_files: vec![cache.clone(), dir.path().join("absent.conf")],
        })
        .unwrap();
        assert_eq!(
            c.resolve("app", false).unwrap(),
            Resolution::Alias(r("picked.io/app"))
        );
        assert_eq!(
            c.resolve("keep", false).unwrap(),
            Resolution::Alias(r("k.io/keep"))
        );
        assert_eq!(c.alias_origin("app"), Some(cache.as_path()));
    }

    #[test]
    fn explicitly_named_main_file_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        let e = RegistriesConf::load(&ConfPaths {
            main: dir.path().join("nope.conf"),
            main_required: true,
            drop_in_dirs: vec![],
            alias_files: vec![],
        })
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("nope.conf") && e.contains("CONTAINERS_REGISTRIES_CONF"),
            "{e}"
        );
    }

    fn env_of(pairs: &[(&str, &Path)]) -> impl Fn(&str) -> Option<OsString> {
        let map: BTreeMap<String, OsString> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_os_str().to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn user_file_replaces_system_file_and_system_drop_ins() {
        let home = tempfile::tempdir().unwrap();
        let env = env_of(&[("HOME", home.path())]);
        let p = ConfPaths::from_env(&env, false);
        assert_eq!(p.main, Path::new(SYSTEM_REGISTRIES_CONF));
        assert_eq!(
            p.drop_in_dirs,
            [
                PathBuf::from(SYSTEM_REGISTRIES_CONF_D),
                home.path().join(".config/containers/registries.conf.d")
            ]
        );
        assert_eq!(
            p.alias_files.last().unwrap(),
            &home
                .path()
                .join(".cache/containers/short-name-aliases.conf")
        );

        let user = home.path().join(".config/containers/registries.conf");
        write(&user, "");
        let p = ConfPaths::from_env(&env, false);
        assert_eq!(p.main, user);
        assert!(!p.main_required);
        assert_eq!(
            p.drop_in_dirs,
            [home.path().join(".config/containers/registries.conf.d")]
        );
    }

    #[test]
    fn xdg_dirs_and_env_override_are_honoured() {
        let home = tempfile::tempdir().unwrap();
        let cfg = home.path().join("cfg");
        let explicit = home.path().join("explicit.conf");
        write(&cfg.join("containers/registries.conf"), "");
        let env = env_of(&[
            ("HOME", home.path()),
            ("XDG_CONFIG_HOME", &cfg),
            ("CONTAINERS_REGISTRIES_CONF", &explicit),
        ]);
        let p = ConfPaths::from_env(&env, true);
        assert_eq!(p.main, explicit);
        assert!(p.main_required);
        assert_eq!(
            p.drop_in_dirs,
            [
                PathBuf::from(SYSTEM_REGISTRIES_CONF_D),
                cfg.join("containers/registries.conf.d")
            ]
        );
        assert_eq!(
            p.alias_files,
            [
                cfg.join("containers/short-name-aliases.conf"),
                PathBuf::from(ROOT_SHORT_NAME_ALIASES)
            ]
        );
    }

    #[test]
    fn malformed_short_names_are_refused_before_resolution() {
        let c = conf("unqualified-search-registries = [\"a.io\"]");
        assert!(matches!(
            c.resolve("Bad", false).unwrap_err(),
            RegistriesError::Reference(_)
        ));
    }
}
