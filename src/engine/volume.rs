//! Named volumes: create, list with filters, inspect, remove (refusing volumes a container
//! record uses) and prune.

use std::collections::BTreeMap;

use rand::RngCore;
use serde_json::{json, Value};

use super::{Engine, EngineError, Result};
use crate::runtime::mountpolicy::{self, MountKind};
use crate::runtime::rootfs::Propagation;
use crate::store::containers::MountSpec;
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
    Label(crate::engine::container::prune::LabelFilter),
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
            "label" | "label!" => VolumeFilter::Label(
                crate::engine::container::prune::LabelFilter::parse(value, key == "label!")
                    .ok_or_else(bad)?,
            ),
            _ => return Err(bad()),
        })
    }

    fn matches(&self, v: &VolumeRecord, in_use: bool) -> bool {
        match self {
            // docker matches names by substring.
            VolumeFilter::Name(n) => v.name.contains(n.as_str()),
            VolumeFilter::Driver(d) => &v.driver == d,
            VolumeFilter::Dangling(d) => *d != in_use,
            VolumeFilter::Label(l) => l.matches(&v.labels),
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
            damaged: None,
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
            let size = super::container::inspect::tree_size(&self.store.volume_data(&v.name));
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
            VolumeFilter::Label(l) if l.negate && l.key == "a" && l.value.as_deref() == Some("b")
        ));
        assert!(VolumeFilter::parse("label==x").is_err());
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

/// A mount as parsed from the command line, before volumes are created.
#[derive(Debug, Clone, PartialEq)]
struct ParsedMount {
    spec: MountSpec,
    /// `-v /path` with no source: a new anonymous volume.
    anonymous: bool,
}

fn is_propagation(word: &str) -> bool {
    Propagation::parse(word).is_some()
}

fn invalid(msg: String) -> EngineError {
    EngineError::Invalid(msg)
}

/// A destination in the form the duplicate check compares (`/data/` and `//data` are `/data`).
fn normalize(target: &str) -> String {
    mountpolicy::normalize(target).display().to_string()
}

/// Refuse a mount onto /proc, /sys or /dev/pts (see `runtime::mountpolicy`). A bind of a
/// regular file is the one kind the lxcfs files under /proc take.
fn check_special_destination(
    spec: &MountSpec,
    privileged: bool,
) -> std::result::Result<(), mountpolicy::Refusal> {
    let kind = match spec.kind.as_str() {
        "tmpfs" => MountKind::Tmpfs,
        "bind" if std::fs::metadata(&spec.source).is_ok_and(|m| !m.is_dir()) => MountKind::FileBind,
        _ => MountKind::DirBind,
    };
    mountpolicy::check_destination(&spec.target, kind, privileged)
}

fn check_target(target: &str, given: &str) -> Result<()> {
    if !target.starts_with('/') {
        return Err(invalid(format!(
            "invalid mount {given:?}: the container path {target:?} is not absolute; give a path starting with /"
        )));
    }
    if target.split('/').any(|c| c == "..") {
        // `/proc/../proc/self` is refused for what it names, not only for its spelling.
        if let Err(refusal) = mountpolicy::check_destination(target, MountKind::Tmpfs, true) {
            return Err(invalid(format!("invalid mount {given:?}: {refusal}")));
        }
        return Err(invalid(format!(
            "invalid mount {given:?}: the container path must not contain \"..\""
        )));
    }
    Ok(())
}

/// `-v [SOURCE:]TARGET[:OPTIONS]`.
fn parse_volume_flag(v: &str) -> Result<ParsedMount> {
    let parts: Vec<&str> = v.split(':').collect();
    let (source, target, opts) = match parts.as_slice() {
        [t] => ("", *t, ""),
        [s, t] => (*s, *t, ""),
        [s, t, o] => (*s, *t, *o),
        _ => {
            return Err(invalid(format!(
                "invalid volume {v:?}: use [SOURCE:]TARGET[:OPTIONS]"
            )))
        }
    };
    if parts.len() > 1 && source.is_empty() {
        return Err(invalid(format!(
            "invalid volume {v:?}: nothing before the ':'; give a host path or a volume name, or only the target (-v {target}) for an anonymous volume"
        )));
    }
    check_target(target, v)?;
    let mut spec = MountSpec {
        kind: if source.starts_with('/') || source.starts_with('.') {
            "bind".into()
        } else {
            "volume".into()
        },
        source: source.to_string(),
        target: target.to_string(),
        ..Default::default()
    };
    for o in opts.split(',').filter(|o| !o.is_empty()) {
        match o {
            "ro" => spec.readonly = true,
            "rw" => spec.readonly = false,
            // SELinux relabelling has no meaning here; accepted like podman on non-SELinux hosts.
            "z" | "Z" => {}
            "U" | "nocopy" | "copy" | "bind" | "rbind" | "exec" | "noexec" | "suid" | "nosuid"
            | "dev" | "nodev" => spec.options.push(o.to_string()),
            p if is_propagation(p) => spec.options.push(p.to_string()),
            _ => {
                return Err(invalid(format!(
                    "invalid volume option {o:?} in {v:?}: use ro, rw, z, Z, U, nocopy or a propagation (rprivate, rshared, rslave, ...)"
                )))
            }
        }
    }
    if spec.kind == "bind" {
        if !source.starts_with('/') {
            return Err(invalid(format!(
                "invalid volume {v:?}: the host path {source:?} is relative; give an absolute path"
            )));
        }
    } else if !source.is_empty() && !valid_volume_name(source) {
        return Err(invalid(format!(
            "invalid volume {v:?}: {source:?} is neither an absolute host path nor a valid volume name"
        )));
    }
    Ok(ParsedMount {
        anonymous: source.is_empty(),
        spec,
    })
}

/// `--mount type=bind|volume|tmpfs,source=,target=,readonly,...`.
fn parse_mount_flag(m: &str) -> Result<ParsedMount> {
    let mut spec = MountSpec {
        kind: "volume".into(),
        ..Default::default()
    };
    let mut target = None;
    for field in m.split(',') {
        let (k, val) = match field.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (field, None),
        };
        let flag = |val: Option<&str>| -> Result<bool> {
            match val {
                None | Some("true") | Some("1") => Ok(true),
                Some("false") | Some("0") => Ok(false),
                Some(o) => Err(invalid(format!(
                    "invalid mount {m:?}: {k}={o} is not a boolean; use true or false"
                ))),
            }
        };
        match (k, val) {
            ("type", Some(t)) if matches!(t, "bind" | "volume" | "tmpfs") => spec.kind = t.into(),
            ("type", Some(t)) => {
                return Err(invalid(format!(
                    "invalid mount {m:?}: type {t:?} is not supported; use bind, volume or tmpfs"
                )))
            }
            ("source" | "src", Some(s)) => spec.source = s.to_string(),
            ("target" | "destination" | "dst", Some(t)) => target = Some(t.to_string()),
            ("readonly" | "ro", v) => spec.readonly = flag(v)?,
            ("bind-propagation", Some(p)) if is_propagation(p) => spec.options.push(p.to_string()),
            ("bind-propagation", p) => {
                return Err(invalid(format!(
                    "invalid mount {m:?}: unknown bind-propagation {:?}; use rprivate, private, rshared, shared, rslave or slave",
                    p.unwrap_or("")
                )))
            }
            // podman's chown of the source to the container's user (`-v …:U`).
            ("U" | "chown", v) => {
                if flag(v)? {
                    spec.options.push("U".into())
                }
            }
            ("volume-nocopy", v) => {
                if flag(v)? {
                    spec.options.push("nocopy".into())
                }
            }
            ("tmpfs-size", Some(s)) => spec.options.push(format!("size={s}")),
            ("tmpfs-mode", Some(s)) if u32::from_str_radix(s, 8).is_ok() => {
                spec.options.push(format!("mode={s}"))
            }
            ("consistency", Some(_)) => {}
            _ => {
                return Err(invalid(format!(
                    "invalid mount {m:?}: unknown or malformed field {field:?}; use type=, source=, target=, readonly, bind-propagation=, volume-nocopy, U, tmpfs-size=, tmpfs-mode="
                )))
            }
        }
    }
    let target = target.ok_or_else(|| invalid(format!("invalid mount {m:?}: give target=PATH")))?;
    check_target(&target, m)?;
    spec.target = target;
    match spec.kind.as_str() {
        "bind" => {
            if !spec.source.starts_with('/') {
                return Err(invalid(format!(
                    "invalid mount {m:?}: a bind mount needs source=ABSOLUTE_HOST_PATH"
                )));
            }
            if std::fs::symlink_metadata(&spec.source).is_err() {
                return Err(invalid(format!(
                    "invalid mount {m:?}: bind source path {} does not exist; create it first",
                    spec.source
                )));
            }
        }
        "volume" if !spec.source.is_empty() && !valid_volume_name(&spec.source) => {
            return Err(invalid(format!(
                "invalid mount {m:?}: {:?} is not a valid volume name",
                spec.source
            )))
        }
        "tmpfs" if !spec.source.is_empty() => {
            return Err(invalid(format!(
                "invalid mount {m:?}: a tmpfs mount takes no source"
            )))
        }
        _ => {}
    }
    Ok(ParsedMount {
        anonymous: spec.kind == "volume" && spec.source.is_empty(),
        spec,
    })
}

/// `--tmpfs PATH[:OPTIONS]`.
fn parse_tmpfs_flag(t: &str) -> Result<ParsedMount> {
    let (target, opts) = t.split_once(':').unwrap_or((t, ""));
    check_target(target, t)?;
    let mut spec = MountSpec {
        kind: "tmpfs".into(),
        target: target.to_string(),
        ..Default::default()
    };
    for o in opts.split(',').filter(|o| !o.is_empty()) {
        match o.split_once('=').map_or(o, |(k, _)| k) {
            "ro" => spec.readonly = true,
            "rw" => spec.readonly = false,
            "size" | "mode" | "uid" | "gid" | "nr_inodes" | "exec" | "noexec" | "suid"
            | "nosuid" | "dev" | "nodev" => spec.options.push(o.to_string()),
            _ => {
                return Err(invalid(format!(
                    "invalid tmpfs option {o:?} in {t:?}: use size=, mode=, uid=, gid=, ro, rw, exec, noexec, ..."
                )))
            }
        }
    }
    Ok(ParsedMount {
        spec,
        anonymous: false,
    })
}

/// Check `-v`, `--mount` and `--tmpfs` as given, before anything (an image pull) happens.
pub fn check_mount_flags(opts: &crate::engine::container::CreateOptions) -> Result<()> {
    for v in &opts.volumes {
        parse_volume_flag(v)?;
    }
    for m in &opts.mounts {
        parse_mount_flag(m)?;
    }
    for t in &opts.tmpfs {
        parse_tmpfs_flag(t)?;
    }
    Ok(())
}

impl Engine {
    /// Turn `-v`, `--mount`, `--tmpfs`, `--volumes-from`, `--read-only` and the image's VOLUME
    /// entries into the container's mounts. Everything is checked before anything is created, so
    /// bad input leaves the store unchanged. `user` is the container's `--user` (or the image's),
    /// whose ids the `U` option gives the mount sources.
    pub fn resolve_mounts(
        &self,
        opts: &crate::engine::container::CreateOptions,
        image_volumes: &[String],
        user: &str,
        image: &crate::store::ImageRecord,
    ) -> Result<Vec<MountSpec>> {
        let mut parsed = Vec::new();
        for v in &opts.volumes {
            parsed.push(parse_volume_flag(v)?);
        }
        for m in &opts.mounts {
            parsed.push(parse_mount_flag(m)?);
        }
        for t in &opts.tmpfs {
            parsed.push(parse_tmpfs_flag(t)?);
        }
        let mut seen = std::collections::BTreeSet::new();
        for p in &parsed {
            check_special_destination(&p.spec, opts.privileged)
                .map_err(|e| invalid(e.to_string()))?;
            if !seen.insert(normalize(&p.spec.target)) {
                return Err(invalid(format!(
                    "duplicate mount destination {}: mount each container path once",
                    p.spec.target
                )));
            }
        }
        // The other containers' volumes and binds, where this one's own mounts do not take the
        // path. They stay the other container's: never anonymous here (so `rm -v` of this one
        // leaves them) and never chowned again.
        for from in &opts.volumes_from {
            for spec in self.volumes_from(from)? {
                if seen.insert(normalize(&spec.target)) {
                    // The other container may be privileged, or older than these checks.
                    check_special_destination(&spec, opts.privileged)
                        .map_err(|e| invalid(format!("--volumes-from {from}: {e}")))?;
                    parsed.push(ParsedMount {
                        spec,
                        anonymous: false,
                    });
                }
            }
        }
        let extra_tmpfs: &[&str] = if opts.read_only && opts.read_only_tmpfs.unwrap_or(true) {
            &["/tmp", "/var/tmp", "/run"]
        } else {
            &[]
        };
        for t in extra_tmpfs {
            if seen.insert(normalize(t)) {
                parsed.push(ParsedMount {
                    spec: MountSpec {
                        kind: "tmpfs".into(),
                        target: t.to_string(),
                        options: vec!["mode=1777".into()],
                        ..Default::default()
                    },
                    anonymous: false,
                });
            }
        }
        for t in image_volumes {
            if check_target(t, t).is_ok() && seen.insert(normalize(t)) {
                if let Err(refusal) =
                    mountpolicy::check_destination(t, MountKind::DirBind, opts.privileged)
                {
                    return Err(invalid(format!(
                        "the image declares VOLUME {t}, and {refusal}; berth never mounts a volume there: use an image without that VOLUME"
                    )));
                }
                parsed.push(ParsedMount {
                    spec: MountSpec {
                        kind: "volume".into(),
                        target: t.to_string(),
                        ..Default::default()
                    },
                    anonymous: true,
                });
            }
        }
        let owner = if parsed
            .iter()
            .any(|p| p.spec.options.iter().any(|o| o == "U"))
        {
            Some(self.container_ids(user, image)?)
        } else {
            None
        };
        let mut out = Vec::new();
        for mut p in parsed {
            match p.spec.kind.as_str() {
                "volume" => {
                    let rec = self.create_volume(&VolumeOptions {
                        name: (!p.anonymous).then(|| p.spec.source.clone()),
                        ..Default::default()
                    })?;
                    p.spec.source = rec.name;
                    if p.anonymous {
                        p.spec.options.push("anonymous".into());
                    }
                }
                "bind" => {
                    // `-v` creates a missing host directory, as docker does; `--mount` refused it above.
                    let path = std::path::Path::new(&p.spec.source);
                    if std::fs::symlink_metadata(path).is_err() {
                        std::fs::create_dir_all(path).map_err(|e| EngineError::Io {
                            context: format!("creating the bind mount source {}", path.display()),
                            source: e,
                        })?;
                    }
                }
                _ => {}
            }
            if let (Some((uid, gid)), true) = (owner, p.spec.options.iter().any(|o| o == "U")) {
                let source = match p.spec.kind.as_str() {
                    "volume" => self.store.volume_data(&p.spec.source),
                    _ => std::path::PathBuf::from(&p.spec.source),
                };
                self.chown_for_container(&source, uid, gid)?;
            }
            out.push(p.spec);
        }
        Ok(out)
    }

    /// `--volumes-from NAME[:ro|:rw]`: the volumes and binds of container NAME, read-only with
    /// `:ro`, read-write with `:rw`, as they are there otherwise.
    fn volumes_from(&self, from: &str) -> Result<Vec<MountSpec>> {
        let (name, mode) = match from.rsplit_once(':') {
            Some((n, m)) => (n, Some(m)),
            None => (from, None),
        };
        let readonly = match mode {
            None => None,
            Some("ro") => Some(true),
            Some("rw") => Some(false),
            Some(m) => {
                return Err(invalid(format!(
                "invalid --volumes-from {from:?}: unknown mode {m:?}; use NAME, NAME:ro or NAME:rw"
            )))
            }
        };
        let c = self.find_container(name).map_err(|e| match e {
            EngineError::NoSuchContainer(_) => invalid(format!(
                "invalid --volumes-from {from:?}: no such container {name:?}; see `berth ps -a`"
            )),
            e => e,
        })?;
        Ok(c.record
            .config
            .mounts
            .into_iter()
            .filter(|m| matches!(m.kind.as_str(), "volume" | "bind"))
            .map(|mut m| {
                m.options.retain(|o| o != "anonymous" && o != "U");
                if let Some(ro) = readonly {
                    m.readonly = ro;
                }
                m
            })
            .collect())
    }

    /// The uid and gid the container's process runs as, for `U`: numbers as given, names from
    /// the image's /etc/passwd and /etc/group (the top-most layer that has them).
    fn container_ids(&self, user: &str, image: &crate::store::ImageRecord) -> Result<(u32, u32)> {
        let numeric = |s: &str| s.is_empty() || s.parse::<u32>().is_ok();
        let (u, g) = user.split_once(':').unwrap_or((user, ""));
        let (passwd, group) = if numeric(u) && numeric(g) && !g.is_empty() {
            (String::new(), String::new())
        } else {
            let read = |file: &str| {
                image
                    .layers
                    .iter()
                    .rev()
                    .find_map(|l| {
                        let diff = self.store.layer_diff(&l.chain_id);
                        crate::runtime::rootfs::read_in_root(&diff, file).ok()
                    })
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default()
            };
            (read("/etc/passwd"), read("/etc/group"))
        };
        let ids = crate::runtime::user::resolve(user, &passwd, &group).map_err(|e| {
            invalid(format!(
                "cannot apply the U mount option for --user {user:?}: {e}; give numeric UID:GID"
            ))
        })?;
        Ok((ids.uid, ids.gid))
    }

    /// Give `path` and everything under it to the container's `uid`:`gid` as the container
    /// sees them: rootless, that is chown inside berth's user namespace, where those ids map to
    /// the same host ids as in the container.
    fn chown_for_container(&self, path: &std::path::Path, uid: u32, gid: u32) -> Result<()> {
        let target = path.to_path_buf();
        crate::runtime::userns::in_namespace(&self.ident, move || {
            chown_tree(&target, uid, gid).map_err(|e| e.to_string())
        })
        .map_err(|e| EngineError::Io {
            context: format!(
                "changing the owner of {} to {uid}:{gid} (the U mount option)",
                path.display()
            ),
            source: std::io::Error::other(e),
        })
    }

    /// After a container started: the volumes it was to fill from the image (docker's copy-up)
    /// are never filled again. Best effort: a failure only means a later refill of an empty
    /// volume.
    pub fn mark_volumes_copied_up(
        &self,
        binds: &[crate::runtime::rootfs::BindMount],
        mounts: &[MountSpec],
    ) {
        for m in mounts.iter().filter(|m| m.kind == "volume") {
            let data = self.store.volume_data(&m.source);
            if binds.iter().any(|b| b.copy_up && b.source == data) {
                let _ = self.store.mark_volume_copied_up(&m.source);
            }
        }
    }

    /// Remove the anonymous volumes of a removed container (`rm -v`, `--rm`).
    pub fn remove_anonymous_volumes(&self, mounts: &[MountSpec]) -> Result<()> {
        for m in mounts {
            if m.kind == "volume" && m.options.iter().any(|o| o == "anonymous") {
                match self.remove_volume(&m.source, false) {
                    Ok(()) | Err(EngineError::Invalid(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }
}

/// lchown `path` and, for a directory, everything below it; symlinks are changed, never
/// followed.
fn chown_tree(path: &std::path::Path, uid: u32, gid: u32) -> std::io::Result<()> {
    std::os::unix::fs::lchown(path, Some(uid), Some(gid))
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    if std::fs::symlink_metadata(path)?.is_dir() {
        for entry in std::fs::read_dir(path)? {
            chown_tree(&entry?.path(), uid, gid)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod mount_tests {
    use super::*;

    #[test]
    fn volume_flags_parse_named_bind_and_anonymous_forms() {
        let p = parse_volume_flag("my_volume:/data:ro,Z").unwrap();
        assert_eq!(
            (p.spec.kind.as_str(), p.spec.readonly, p.anonymous),
            ("volume", true, false)
        );
        let b = parse_volume_flag("/srv/x:/x:rshared").unwrap();
        assert_eq!(b.spec.kind, "bind");
        assert_eq!(b.spec.options, ["rshared"]);
        assert!(parse_volume_flag("/data").unwrap().anonymous);
        assert!(parse_volume_flag(":/data").is_err());
        assert!(parse_volume_flag(":/data:ro").is_err());
        assert!(parse_volume_flag("v1:").is_err());
        assert!(parse_volume_flag("v1:data").is_err());
        assert!(parse_volume_flag("v1:/data:bogus").is_err());
        assert!(parse_volume_flag("rel/path:/data").is_err());
    }

    #[test]
    fn mount_flags_require_a_target_and_an_existing_bind_source() {
        let t = parse_mount_flag("type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1770").unwrap();
        assert_eq!(t.spec.options, ["size=1m", "mode=1770"]);
        let v = parse_mount_flag("source=my_volume,target=/data,readonly").unwrap();
        assert!(v.spec.readonly);
        assert!(parse_mount_flag("type=bind,source=/no/such/dir/here,target=/x").is_err());
        assert!(parse_mount_flag("source=v1").is_err());
        assert!(parse_mount_flag("type=nfs,target=/x").is_err());
        assert!(parse_tmpfs_flag("/run:size=1m,mode=755").is_ok());
        assert!(parse_tmpfs_flag("/run:colour=red").is_err());
    }

    #[test]
    fn propagation_and_u_parse_in_both_flags_and_unknown_words_are_refused() {
        let v = parse_volume_flag("/srv/x:/x:rslave,U").unwrap();
        assert_eq!(v.spec.options, ["rslave", "U"]);
        let m = parse_mount_flag("type=bind,source=/,target=/x,bind-propagation=shared,U").unwrap();
        assert_eq!(m.spec.options, ["shared", "U"]);
        let off = parse_mount_flag("type=bind,source=/,target=/x,chown=false").unwrap();
        assert!(off.spec.options.is_empty());
        assert!(
            parse_mount_flag("type=bind,source=/,target=/x,bind-propagation=rsharedd").is_err()
        );
        assert!(parse_volume_flag("/srv/x:/x:slaves").is_err());
        assert!(Propagation::ALL
            .iter()
            .all(|p| Propagation::parse(p.as_str()) == Some(*p)));
    }

    #[test]
    fn chown_tree_changes_every_entry_without_following_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("t");
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("a/b/f"), b"x").unwrap();
        let outside = dir.path().join("outside");
        std::fs::write(&outside, b"x").unwrap();
        std::os::unix::fs::symlink(&outside, root.join("link")).unwrap();
        // As root, ids nobody has; otherwise our own (all an unprivileged chown may give).
        // SAFETY: getuid/getgid have no preconditions.
        let (uid, gid) = match unsafe { libc::getuid() } {
            0 => (54_321, 54_322),
            me => (me, unsafe { libc::getgid() }),
        };
        chown_tree(&root, uid, gid).unwrap();
        use std::os::unix::fs::MetadataExt;
        for p in ["", "a", "a/b", "a/b/f", "link"] {
            let m = std::fs::symlink_metadata(root.join(p)).unwrap();
            assert_eq!((m.uid(), m.gid()), (uid, gid), "{p}");
        }
        assert!(chown_tree(&dir.path().join("missing"), uid, gid).is_err());
    }
}

impl Engine {
    /// docker's `Mounts` array of container inspect.
    pub fn mounts_json(&self, mounts: &[MountSpec]) -> Value {
        Value::Array(
            mounts
                .iter()
                .map(|m| {
                    let propagation = m
                        .options
                        .iter()
                        .find(|o| is_propagation(o))
                        .cloned()
                        .unwrap_or_else(|| if m.kind == "bind" { "rprivate".into() } else { String::new() });
                    let mut o = json!({
                        "Type": m.kind,
                        "Source": match m.kind.as_str() {
                            "volume" => self.store.volume_data(&m.source).to_string_lossy().into_owned(),
                            _ => m.source.clone(),
                        },
                        "Destination": m.target,
                        "Mode": "",
                        "RW": !m.readonly,
                        "Propagation": propagation,
                        // podman's: the options given for the mount.
                        "Options": m.options.iter().filter(|o| !is_propagation(o)).collect::<Vec<_>>(),
                    });
                    if m.kind == "volume" {
                        o["Name"] = json!(m.source);
                        o["Driver"] = json!("local");
                    }
                    o
                })
                .collect(),
        )
    }
}
