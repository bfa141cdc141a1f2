//! `berth.conf`: the user's defaults, a small TOML file in berth's config directory
//! (`~/.config/berth/berth.conf` rootless, `/etc/berth/berth.conf` as root). A missing file is
//! an empty one. Keys berth does not know are left alone (they may belong to a newer berth);
//! a known key with a bad value is an error naming the file, the key and what to write.
//!
//! ```toml
//! cgroups = "strict"                            # or "enabled" / "disabled"
//! default_capabilities = ["CHOWN", "NET_RAW"]   # instead of podman's eleven
//! helper_binaries_dir = ["/opt/passt/bin"]      # searched first for nft, pasta, runc… (as in
//!                                               # containers.conf), then PATH and /usr/sbin…
//! ```

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::runtime::caps::{Cap, CapSet};

/// The file name inside the config directory.
pub const FILE_NAME: &str = "berth.conf";

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

/// `cgroups = ...`: whether a run without a usable cgroup is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CgroupsMode {
    #[default]
    Enabled,
    Disabled,
    Strict,
}

/// What berth.conf says (defaults for what it leaves out).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    pub cgroups: CgroupsMode,
    /// `default_capabilities`: the set a container starts from before `--cap-add/--cap-drop`
    /// (`None`: podman's default, [`CapSet::podman_default`]).
    pub default_capabilities: Option<CapSet>,
    /// `helper_binaries_dir`: directories searched first for the programs berth runs
    /// (see [`crate::hostpaths::helper`]).
    pub helper_binaries_dir: Vec<PathBuf>,
}

impl Config {
    /// The capability set containers start from.
    pub fn default_caps(&self) -> CapSet {
        self.default_capabilities
            .unwrap_or_else(CapSet::podman_default)
    }
}

/// Read `berth.conf` in `config_dir`.
pub fn load(config_dir: &Path) -> Result<Config, ConfigError> {
    let path = config_dir.join(FILE_NAME);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&text, &path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(source) => Err(ConfigError::Io { path, source }),
    }
}

/// Parse the text of a berth.conf; `path` is only for messages.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let invalid = |message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    // toml's messages span several lines (they quote the line): keep the first.
    let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        invalid(format!(
            "not valid TOML ({}): fix the file or remove it",
            e.message().lines().next().unwrap_or("syntax error")
        ))
    })?;
    let mut config = Config::default();
    match doc.get("cgroups") {
        None => {}
        Some(toml::Value::String(s)) if s == "strict" => config.cgroups = CgroupsMode::Strict,
        Some(toml::Value::String(s)) if s == "enabled" => config.cgroups = CgroupsMode::Enabled,
        Some(toml::Value::String(s)) if s == "disabled" => config.cgroups = CgroupsMode::Disabled,
        Some(v) => {
            return Err(invalid(format!(
                "cgroups = {v} is not understood: use \"strict\", \"enabled\" or \"disabled\""
            )))
        }
    }
    match doc.get("default_capabilities") {
        None => {}
        Some(toml::Value::Array(list)) => {
            let mut set = CapSet::EMPTY;
            for v in list {
                let name = v.as_str().ok_or_else(|| {
                    invalid(format!(
                        "default_capabilities holds {v}, not a capability name: write a list of names, e.g. [\"CHOWN\", \"NET_RAW\"]"
                    ))
                })?;
                let cap = Cap::parse(name)
                    .map_err(|e| invalid(format!("default_capabilities: {e}")))?;
                set.insert(cap);
            }
            config.default_capabilities = Some(set);
        }
        Some(v) => {
            return Err(invalid(format!(
                "default_capabilities = {v} is not a list: write a list of names, e.g. [\"CHOWN\", \"NET_RAW\"]"
            )))
        }
    }
    match doc.get("helper_binaries_dir") {
        None => {}
        Some(toml::Value::Array(list)) => {
            for v in list {
                let dir = v.as_str().filter(|d| d.starts_with('/')).ok_or_else(|| {
                    invalid(format!(
                        "helper_binaries_dir holds {v}, not an absolute directory: write a list of paths, e.g. [\"/usr/libexec/podman\"]"
                    ))
                })?;
                config.helper_binaries_dir.push(PathBuf::from(dir));
            }
        }
        Some(v) => {
            return Err(invalid(format!(
                "helper_binaries_dir = {v} is not a list: write a list of paths, e.g. [\"/usr/libexec/podman\"]"
            )))
        }
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Config, ConfigError> {
        parse(text, Path::new("/home/u/.config/berth/berth.conf"))
    }

    #[test]
    fn a_missing_file_is_the_defaults() {
        let d = tempfile::tempdir().unwrap();
        let c = load(d.path()).unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.default_caps(), CapSet::podman_default());
    }

    #[test]
    fn cgroups_modes_parse_and_a_bad_one_names_the_choices() {
        assert_eq!(
            p("cgroups = \"strict\"").unwrap().cgroups,
            CgroupsMode::Strict
        );
        assert_eq!(
            p("cgroups = \"disabled\"").unwrap().cgroups,
            CgroupsMode::Disabled
        );
        let e = p("cgroups = 3").unwrap_err().to_string();
        assert!(e.contains("berth.conf") && e.contains("\"strict\""), "{e}");
    }

    #[test]
    fn default_capabilities_accept_short_and_prefixed_names() {
        let c = p("default_capabilities = [\"chown\", \"CAP_NET_RAW\"]").unwrap();
        let set = c.default_caps();
        assert_eq!(set.names(), vec!["CAP_CHOWN", "CAP_NET_RAW"]);
        let empty = p("default_capabilities = []").unwrap();
        assert!(empty.default_caps().is_empty());
    }

    #[test]
    fn bad_default_capabilities_are_one_line_errors_naming_the_key() {
        for text in [
            "default_capabilities = [\"NOPE\"]",
            "default_capabilities = \"CHOWN\"",
            "default_capabilities = [1]",
        ] {
            let e = p(text).unwrap_err().to_string();
            assert!(e.contains("default_capabilities"), "{text}: {e}");
            assert!(!e.contains('\n'), "{text}: {e}");
        }
    }

    #[test]
    fn helper_binaries_dir_is_a_list_of_absolute_dirs() {
        let c = p("helper_binaries_dir = [\"/opt/a\", \"/usr/libexec/podman\"]").unwrap();
        assert_eq!(
            c.helper_binaries_dir,
            vec![
                PathBuf::from("/opt/a"),
                PathBuf::from("/usr/libexec/podman")
            ]
        );
        for text in [
            "helper_binaries_dir = \"/opt/a\"",
            "helper_binaries_dir = [\"relative\"]",
            "helper_binaries_dir = [1]",
        ] {
            let e = p(text).unwrap_err().to_string();
            assert!(
                e.contains("helper_binaries_dir") && !e.contains('\n'),
                "{text}: {e}"
            );
        }
    }

    #[test]
    fn invalid_toml_is_one_line_and_unknown_keys_are_ignored() {
        let e = p("cgroups = [").unwrap_err().to_string();
        assert!(e.contains("not valid TOML") && !e.contains('\n'), "{e}");
        assert_eq!(p("something_else = 1").unwrap(), Config::default());
    }
}
