//! containers-registries.conf(5), version 2: the files podman users already have.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use super::reference::{Reference, ReferenceError, DEFAULT_REGISTRY};

#[derive(Debug, Error)]
pub enum RegistriesError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid registries.conf: {reason}")]
    Parse { path: PathBuf, reason: String },
    #[error("short name {name:?} is ambiguous: it could be {candidates}; use a fully-qualified name or add an alias in registries.conf ([aliases] \"{name}\" = \"REGISTRY/REPO\")")]
    AmbiguousShortName { name: String, candidates: String },
    #[error("registry {registry} is blocked in registries.conf (remove `blocked = true` from its [[registry]] entry to pull {reference})")]
    Blocked { registry: String, reference: String },
    #[error("short name {name:?} cannot be resolved: short-name-mode is \"disabled\" and no search registry is configured; use a fully-qualified name")]
    NoSearchRegistries { name: String },
    #[error(transparent)]
    Reference(#[from] ReferenceError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mirror {
    pub location: String,
    pub insecure: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryConfig {
    pub prefix: String,
    pub location: String,
    pub insecure: bool,
    pub blocked: bool,
    pub mirrors: Vec<Mirror>,
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

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct FileMirror {
    location: String,
    #[serde(default)]
    insecure: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct FileRegistry {
    #[serde(default)]
    prefix: Option<String>,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    insecure: bool,
    #[serde(default)]
    blocked: bool,
    #[serde(default)]
    mirror: Vec<FileMirror>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct ConfFile {
    #[serde(default)]
    unqualified_search_registries: Option<Vec<String>>,
    #[serde(default)]
    short_name_mode: Option<String>,
    #[serde(default)]
    registry: Vec<FileRegistry>,
    #[serde(default)]
    aliases: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default)]
pub struct RegistriesConf {
    /// None when no file set it: docker's default (docker.io) applies.
    search: Option<Vec<String>>,
    mode: Option<String>,
    registries: Vec<RegistryConfig>,
    aliases: BTreeMap<String, String>,
}

fn conf_d(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "conf"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

impl RegistriesConf {
    /// podman's search order: $CONTAINERS_REGISTRIES_CONF, else the user's file replacing the
    /// system one; then the drop-in directories; then the user's short-name-aliases.conf.
    pub fn load_default() -> Result<Self, RegistriesError> {
        let config_home = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
        let mut paths = Vec::new();
        if let Some(p) = std::env::var_os("CONTAINERS_REGISTRIES_CONF") {
            paths.push(PathBuf::from(p));
        } else {
            let user = config_home
                .as_ref()
                .map(|c| c.join("containers/registries.conf"));
            match user.filter(|u| u.is_file()) {
                Some(u) => paths.push(u),
                None => paths.push(PathBuf::from("/etc/containers/registries.conf")),
            }
            paths.extend(conf_d(Path::new("/etc/containers/registries.conf.d")));
            if let Some(c) = &config_home {
                paths.extend(conf_d(&c.join("containers/registries.conf.d")));
            }
        }
        if let Some(c) = &config_home {
            paths.push(c.join("containers/short-name-aliases.conf"));
        }
        Self::load_from(&paths)
    }

    /// Load `paths` in order (missing files are skipped); later files override earlier ones.
    pub fn load_from(paths: &[PathBuf]) -> Result<Self, RegistriesError> {
        let mut conf = RegistriesConf::default();
        for path in paths {
            let text = match fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(RegistriesError::Read {
                        path: path.clone(),
                        source: e,
                    })
                }
            };
            conf.merge_text(&text, path)?;
        }
        Ok(conf)
    }

    fn merge_text(&mut self, text: &str, path: &Path) -> Result<(), RegistriesError> {
        let file: ConfFile = toml::from_str(text).map_err(|e| RegistriesError::Parse {
            path: path.into(),
            reason: e.to_string().replace('\n', " "),
        })?;
        if let Some(s) = file.unqualified_search_registries {
            self.search = Some(s);
        }
        if let Some(m) = file.short_name_mode {
            if !matches!(m.as_str(), "enforcing" | "permissive" | "disabled") {
                return Err(RegistriesError::Parse {
                    path: path.into(),
                    reason: format!(
                        "short-name-mode {m:?} must be enforcing, permissive or disabled"
                    ),
                });
            }
            self.mode = Some(m);
        }
        for r in file.registry {
            let prefix = r
                .prefix
                .clone()
                .or_else(|| r.location.clone())
                .ok_or_else(|| RegistriesError::Parse {
                    path: path.into(),
                    reason: "a [[registry]] needs a prefix or a location".into(),
                })?;
            let entry = RegistryConfig {
                location: r.location.unwrap_or_else(|| prefix.clone()),
                prefix: prefix.clone(),
                insecure: r.insecure,
                blocked: r.blocked,
                mirrors: r
                    .mirror
                    .into_iter()
                    .map(|m| Mirror {
                        location: m.location,
                        insecure: m.insecure,
                    })
                    .collect(),
            };
            self.registries.retain(|e| e.prefix != prefix);
            self.registries.push(entry);
        }
        self.aliases.extend(file.aliases);
        Ok(())
    }

    fn search_registries(&self) -> Vec<String> {
        self.search
            .clone()
            .unwrap_or_else(|| vec![DEFAULT_REGISTRY.to_string()])
    }

    pub fn resolve(&self, name: &str, interactive: bool) -> Result<Resolution, RegistriesError> {
        if !Reference::is_short_name(name) {
            return Ok(Resolution::Qualified(Reference::parse(name)?));
        }
        // Validate the short name itself first.
        let parsed = Reference::parse(name)?;
        let bare = name.split('@').next().unwrap_or(name);
        let slash = bare.rfind('/').map(|i| i + 1).unwrap_or(0);
        let repo_only = match bare[slash..].rfind(':') {
            Some(i) => &bare[..slash + i],
            None => bare,
        };
        let alias_key = repo_only.to_string();
        let alias = self.aliases.get(&alias_key).or_else(|| {
            alias_key
                .strip_prefix("library/")
                .and_then(|k| self.aliases.get(k))
        });
        if let Some(target) = alias {
            let mut r = Reference::parse(target)?;
            if parsed.digest.is_some() {
                r.digest = parsed.digest.clone();
                r.tag = None;
            } else if name[slash..].contains(':') {
                r.tag = parsed.tag.clone();
            }
            return Ok(Resolution::Alias(r));
        }
        let search = self.search_registries();
        if search.is_empty() {
            return Err(RegistriesError::NoSearchRegistries { name: name.into() });
        }
        let candidates = search
            .iter()
            .map(|reg| Reference::with_registry(name, reg))
            .collect::<Result<Vec<_>, _>>()?;
        let mode = self.mode.as_deref().unwrap_or("enforcing");
        if candidates.len() > 1 && mode == "enforcing" && !interactive {
            return Err(RegistriesError::AmbiguousShortName {
                name: name.into(),
                candidates: candidates
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        Ok(Resolution::Candidates(candidates))
    }

    pub fn lookup(&self, r: &Reference) -> Option<RegistryConfig> {
        let full = r.name();
        self.registries
            .iter()
            .filter(|e| prefix_matches(&e.prefix, &full))
            .max_by_key(|e| {
                if e.prefix.starts_with("*.") {
                    0
                } else {
                    e.prefix.len() + 1
                }
            })
            .cloned()
    }

    pub fn pull_endpoints(&self, r: &Reference) -> Result<Vec<Endpoint>, RegistriesError> {
        let full = r.name();
        let Some(entry) = self.lookup(r) else {
            return Ok(vec![endpoint_for(&full, false)]);
        };
        if entry.blocked {
            return Err(RegistriesError::Blocked {
                registry: entry.prefix.clone(),
                reference: r.to_string(),
            });
        }
        let rest = if entry.prefix.starts_with("*.") {
            String::new()
        } else {
            full[entry.prefix.len()..].to_string()
        };
        let rewrite = |location: &str| {
            if entry.prefix.starts_with("*.") {
                full.clone()
            } else {
                format!("{location}{rest}")
            }
        };
        let mut out: Vec<Endpoint> = entry
            .mirrors
            .iter()
            .map(|m| endpoint_for(&rewrite(&m.location), m.insecure))
            .collect();
        out.push(endpoint_for(&rewrite(&entry.location), entry.insecure));
        Ok(out)
    }
}

fn prefix_matches(prefix: &str, full: &str) -> bool {
    if let Some(domain) = prefix.strip_prefix("*.") {
        let host = full.split('/').next().unwrap_or(full);
        return host.ends_with(&format!(".{domain}"));
    }
    full == prefix || (full.starts_with(prefix) && full[prefix.len()..].starts_with('/'))
}

fn endpoint_for(full: &str, insecure: bool) -> Endpoint {
    let (host, repository) = full.split_once('/').unwrap_or((full, ""));
    let host = if host == DEFAULT_REGISTRY {
        "registry-1.docker.io"
    } else {
        host
    };
    Endpoint {
        host: host.into(),
        repository: repository.into(),
        insecure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(text: &str) -> RegistriesConf {
        let mut c = RegistriesConf::default();
        c.merge_text(text, Path::new("test.conf")).unwrap();
        c
    }

    #[test]
    fn without_any_file_short_names_go_to_docker_hub() {
        let c =
            RegistriesConf::load_from(&[PathBuf::from("/nonexistent/registries.conf")]).unwrap();
        match c.resolve("busybox", false).unwrap() {
            Resolution::Candidates(v) => {
                assert_eq!(v[0].to_string(), "docker.io/library/busybox:latest")
            }
            other => panic!("{other:?}"),
        }
        let ep = c
            .pull_endpoints(&Reference::parse("busybox").unwrap())
            .unwrap();
        assert_eq!(
            ep,
            vec![Endpoint {
                host: "registry-1.docker.io".into(),
                repository: "library/busybox".into(),
                insecure: false
            }]
        );
    }

    #[test]
    fn two_search_registries_without_a_terminal_are_ambiguous() {
        let c = conf(r#"unqualified-search-registries = ["a.io", "b.io"]"#);
        let e = c.resolve("x:1", false).unwrap_err().to_string();
        assert!(
            e.contains("a.io/x:1") && e.contains("b.io/x:1") && e.contains("alias"),
            "{e}"
        );
        let p = conf("unqualified-search-registries = [\"a.io\", \"b.io\"]\nshort-name-mode = \"permissive\"");
        assert!(
            matches!(p.resolve("x", false).unwrap(), Resolution::Candidates(v) if v.len() == 2)
        );
    }

    #[test]
    fn alias_wins_and_keeps_the_typed_tag() {
        let c = conf("unqualified-search-registries = [\"a.io\", \"b.io\"]\n[aliases]\n\"app\" = \"c.io/team/app\"");
        match c.resolve("app:2", false).unwrap() {
            Resolution::Alias(r) => assert_eq!(r.to_string(), "c.io/team/app:2"),
            other => panic!("{other:?}"),
        }
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
location = "mirror.local/m"
"#,
        );
        let eps = c
            .pull_endpoints(&Reference::parse("example.com/foo/app:1").unwrap())
            .unwrap();
        assert_eq!(
            eps[0],
            Endpoint {
                host: "mirror.local".into(),
                repository: "m/app".into(),
                insecure: false
            }
        );
        assert_eq!(
            eps[1],
            Endpoint {
                host: "127.0.0.1:5000".into(),
                repository: "bar/app".into(),
                insecure: true
            }
        );
        assert!(
            c.lookup(&Reference::parse("example.com/foobar/x").unwrap())
                .is_none(),
            "prefix matches on / boundaries"
        );
    }

    #[test]
    fn blocked_registry_is_refused_naming_it() {
        let c = conf("[[registry]]\nlocation = \"bad.io\"\nblocked = true");
        let e = c
            .pull_endpoints(&Reference::parse("bad.io/x").unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains("bad.io") && e.contains("blocked"), "{e}");
    }

    #[test]
    fn wildcard_prefix_matches_subdomains() {
        let c =
            conf("[[registry]]\nprefix = \"*.corp.io\"\nlocation = \"*.corp.io\"\ninsecure = true");
        let eps = c
            .pull_endpoints(&Reference::parse("r1.corp.io/x").unwrap())
            .unwrap();
        assert_eq!(
            eps,
            vec![Endpoint {
                host: "r1.corp.io".into(),
                repository: "x".into(),
                insecure: true
            }]
        );
    }

    #[test]
    fn bad_file_is_reported_with_its_path() {
        let mut c = RegistriesConf::default();
        let e = c
            .merge_text(
                "unqualified-search-registries = 3",
                Path::new("/etc/x.conf"),
            )
            .unwrap_err()
            .to_string();
        assert!(e.contains("/etc/x.conf"), "{e}");
    }
}
