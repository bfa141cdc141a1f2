//! Named volumes: create, list with filters, inspect, remove (refusing volumes a container
//! record uses) and prune.

use std::collections::BTreeMap;

use rand::RngCore;
use serde_json::{json, Value};

use super::{Engine, EngineError, Result};
use crate::store::volumes::VolumeRecord;
use crate::store::StoreError;

/// What `volume create` asks for.
#[derive(Debug, Default, Clone)]
pub struct VolumeOptions {
    pub name: Option<String>,
    pub driver: Option<String>,
    /// `--opt KEY=VALUE`, unparsed.
    pub opts: Vec<String>,
    /// `--label KEY[=VALUE]`, unparsed.
    pub labels: Vec<String>,
}

/// One `--filter` of `volume ls` / `volume prune`.
#[derive(Debug, Clone, PartialEq)]
pub enum VolumeFilter {
    Name(String),
    Label {
        key: String,
        value: Option<String>,
        negate: bool,
    },
    Dangling(bool),
    Driver(String),
}

impl VolumeFilter {
    pub fn parse(s: &str) -> Result<VolumeFilter> {
        let bad = || {
            EngineError::InvalidFilter {
            filter: s.to_string(),
            hint: "use name=NAME, label=KEY[=VALUE], label!=KEY[=VALUE], dangling=true|false or driver=local".into(),
        }
        };
        let (key, value) = s.split_once('=').ok_or_else(bad)?;
        Ok(match key {
            "name" => VolumeFilter::Name(value.to_string()),
            "driver" => VolumeFilter::Driver(value.to_string()),
            "dangling" => match value {
                "true" | "1" => VolumeFilter::Dangling(true),
                "false" | "0" => VolumeFilter::Dangling(false),
                _ => return Err(bad()),
            },
            "label" | "label!" => {
                let (k, v) = match value.split_once('=') {
                    Some((k, v)) => (k, Some(v.to_string())),
                    None => (value, None),
                };
                if k.is_empty() {
                    return Err(bad());
                }
                VolumeFilter::Label {
                    key: k.to_string(),
                    value: v,
                    negate: key == "label!",
                }
            }
            _ => return Err(bad()),
        })
    }

    fn matches(&self, v: &VolumeRecord, in_use: bool) -> bool {
        match self {
            // docker matches names by substring.
            VolumeFilter::Name(n) => v.name.contains(n.as_str()),
            VolumeFilter::Driver(d) => &v.driver == d,
            VolumeFilter::Dangling(d) => *d != in_use,
            VolumeFilter::Label { key, value, negate } => {
                let hit = match (v.labels.get(key), value) {
                    (Some(have), Some(want)) => have == want,
                    (Some(_), None) => true,
                    (None, _) => false,
                };
                hit != *negate
            }
        }
    }
}

/// Docker's rule for volume names: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
pub fn valid_volume_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && name.len() >= 2
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn random_name() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Check the local driver's options: `type`, `device`, `o` (and `size`/`uid`/`gid` in `o`).
fn parse_opts(opts: &[String]) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for o in opts {
        let (k, v) = o.split_once('=').ok_or_else(|| {
            EngineError::Invalid(format!(
                "invalid volume option {o:?}: use --opt KEY=VALUE (type, device or o)"
            ))
        })?;
        if !matches!(k, "type" | "device" | "o") {
            return Err(EngineError::Invalid(format!(
                "invalid volume option {k:?} for the local driver: use type, device or o"
            )));
        }
        out.insert(k.to_string(), v.to_string());
    }
    let ty = out.get("type").map(String::as_str);
    let bind = out
        .get("o")
        .is_some_and(|o| o.split(',').any(|w| w == "bind" || w == "rbind"));
    if bind || ty == Some("none") {
        let dev = out.get("device").ok_or_else(|| {
            EngineError::Invalid(
                "a bind volume needs --opt device=PATH (an existing absolute path)".into(),
            )
        })?;
        if !std::path::Path::new(dev).is_absolute() {
            return Err(EngineError::Invalid(format!(
                "volume device {dev:?} is not an absolute path: give --opt device=/full/path"
            )));
        }
        if !std::path::Path::new(dev).is_dir() {
            return Err(EngineError::Invalid(format!(
                "volume device {dev}: no such directory: create it first"
            )));
        }
    }
    if let Some(t) = ty {
        if !matches!(t, "tmpfs" | "none" | "bind") {
            return Err(EngineError::Invalid(format!(
                "volume type {t:?} is not supported rootless: use type=tmpfs or o=bind,device=PATH"
            )));
        }
    }
    Ok(out)
}

fn parse_labels(labels: &[String]) -> BTreeMap<String, String> {
    labels
        .iter()
        .map(|l| match l.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

impl Engine {
    /// Create a volume (or return the existing one of that name).
    pub fn create_volume(&self, opts: &VolumeOptions) -> Result<VolumeRecord> {
        let driver = opts.driver.clone().unwrap_or_else(|| "local".into());
        if driver != "local" {
            return Err(EngineError::Invalid(format!(
                "volume driver {driver:?} is not available: use --driver local"
            )));
        }
        let name = match &opts.name {
            Some(n) if !valid_volume_name(n) => {
                return Err(EngineError::Invalid(format!(
                    "{n:?} is not a valid volume name: use letters, digits, '_', '.' and '-', starting with a letter or digit"
                )))
            }
            Some(n) => n.clone(),
            None => random_name(),
        };
        let rec = VolumeRecord {
            anonymous: opts.name.is_none(),
            name,
            driver,
            labels: parse_labels(&opts.labels),
            options: parse_opts(&opts.opts)?,
            created: Some(chrono::Utc::now()),
            needs_copy_up: true,
        };
        Ok(self.store.create_volume(&rec)?.0)
    }

    pub fn find_volume(&self, name: &str) -> Result<VolumeRecord> {
        self.store
            .volume(name)?
            .filter(|_| valid_volume_name(name))
            .ok_or_else(|| {
                EngineError::Invalid(format!("no such volume {name:?}: see `berth volume ls`"))
            })
    }

    /// Names of the containers whose records mount the volume.
    pub fn volume_users(&self, name: &str) -> Result<Vec<String>> {
        Ok(self
            .store
            .containers()?
            .into_iter()
            .filter(|c| {
                c.config
                    .mounts
                    .iter()
                    .any(|m| m.kind == "volume" && m.source == name)
            })
            .map(|c| c.name)
            .collect())
    }

    /// Volumes matching every filter.
    pub fn list_volumes(&self, filters: &[VolumeFilter]) -> Result<Vec<VolumeRecord>> {
        let containers = self.store.containers()?;
        let used = |n: &str| {
            containers.iter().any(|c| {
                c.config
                    .mounts
                    .iter()
                    .any(|m| m.kind == "volume" && m.source == n)
            })
        };
        Ok(self
            .store
            .volumes()?
            .into_iter()
            .filter(|v| filters.iter().all(|f| f.matches(v, used(&v.name))))
            .collect())
    }

    /// docker's inspect object for a volume.
    pub fn inspect_volume(&self, v: &VolumeRecord) -> Value {
        json!({
            "CreatedAt": v.created.map(|c| c.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).unwrap_or_default(),
            "Driver": v.driver,
            "Labels": v.labels,
            "Mountpoint": self.store.volume_data(&v.name).to_string_lossy(),
            "Name": v.name,
            "Options": v.options,
            "Scope": "local",
            "Anonymous": v.anonymous,
        })
    }

    /// Remove a volume; unless `force`, refuse one that a container record mounts.
    pub fn remove_volume(&self, name: &str, force: bool) -> Result<()> {
        let users = self.volume_users(name)?;
        let removed = self
            .store
            .remove_volume(name, |_| match users.first() {
                Some(c) if !force => Err(StoreError::Aborted(Box::new(EngineError::Invalid(format!(
                    "volume {name} is being used by container {c}: remove the container first (`berth rm {c}`) or use `berth volume rm -f`"
                ))))),
                _ => Ok(()),
            })
            .map_err(EngineError::unwrap_store)?;
        if !removed {
            return Err(EngineError::Invalid(format!(
                "no such volume {name:?}: see `berth volume ls`"
            )));
        }
        Ok(())
    }

    /// Remove every volume no container uses that matches the filters; returns the names
    /// removed and the bytes reclaimed.
    pub fn prune_volumes(&self, filters: &[VolumeFilter]) -> Result<(Vec<String>, u64)> {
        let mut f = filters.to_vec();
        f.push(VolumeFilter::Dangling(true));
        let mut removed = Vec::new();
        let mut bytes = 0;
        for v in self.list_volumes(&f)? {
            let size = dir_size(&self.store.volume_data(&v.name));
            match self.remove_volume(&v.name, false) {
                Ok(()) => {
                    bytes += size;
                    removed.push(v.name);
                }
                // A container took it between the listing and now: keep it.
                Err(EngineError::Invalid(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok((removed, bytes))
    }
}

fn dir_size(path: &std::path::Path) -> u64 {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return 0;
    };
    if !meta.is_dir() {
        return meta.len();
    }
    std::fs::read_dir(path)
        .map(|rd| rd.flatten().map(|e| dir_size(&e.path())).sum())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_names_follow_dockers_rule() {
        assert!(valid_volume_name("my_volume"));
        assert!(valid_volume_name("a.b-c"));
        assert!(!valid_volume_name("a"));
        assert!(!valid_volume_name("_x"));
        assert!(!valid_volume_name("a/b"));
        assert!(!valid_volume_name("../x"));
    }

    #[test]
    fn volume_filters_parse_and_reject_unknown_keys() {
        assert_eq!(
            VolumeFilter::parse("dangling=true").unwrap(),
            VolumeFilter::Dangling(true)
        );
        assert!(matches!(
            VolumeFilter::parse("label!=a=b").unwrap(),
            VolumeFilter::Label { negate: true, .. }
        ));
        assert!(VolumeFilter::parse("color=red").is_err());
        assert!(VolumeFilter::parse("dangling=maybe").is_err());
    }

    #[test]
    fn unknown_local_driver_options_are_refused() {
        assert!(parse_opts(&[
            "type=tmpfs".into(),
            "device=tmpfs".into(),
            "o=size=1m".into()
        ])
        .is_ok());
        assert!(parse_opts(&["colour=blue".into()]).is_err());
        assert!(parse_opts(&["o=bind".into(), "device=relative".into()]).is_err());
    }
}
