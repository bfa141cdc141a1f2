//! From a container record to what the runtime needs: the files berth writes for the container
//! (hosts, hostname, resolv.conf), the OCI runtime config.json that describes it, and the
//! runtime's own spec.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::super::{Engine, EngineError, Result};
use crate::image::manifest::ImageConfig;
use crate::runtime::rootfs::{
    masked_paths, BindMount, Propagation, RootfsSource, RootfsSpec, TmpfsMount, READONLY_PATHS,
};
use crate::store::containers::ContainerRecord;
use crate::store::{Driver, ImageRecord};

/// The OCI runtime spec version of berth's config.json (podman's State.OciVersion).
pub const OCI_VERSION: &str = "1.0.2";

const SIGNALS: &[(&str, i32)] = &[
    ("HUP", libc::SIGHUP),
    ("INT", libc::SIGINT),
    ("QUIT", libc::SIGQUIT),
    ("ILL", libc::SIGILL),
    ("TRAP", libc::SIGTRAP),
    ("ABRT", libc::SIGABRT),
    ("IOT", libc::SIGIOT),
    ("BUS", libc::SIGBUS),
    ("FPE", libc::SIGFPE),
    ("KILL", libc::SIGKILL),
    ("USR1", libc::SIGUSR1),
    ("SEGV", libc::SIGSEGV),
    ("USR2", libc::SIGUSR2),
    ("PIPE", libc::SIGPIPE),
    ("ALRM", libc::SIGALRM),
    ("TERM", libc::SIGTERM),
    ("STKFLT", libc::SIGSTKFLT),
    ("CHLD", libc::SIGCHLD),
    ("CONT", libc::SIGCONT),
    ("STOP", libc::SIGSTOP),
    ("TSTP", libc::SIGTSTP),
    ("TTIN", libc::SIGTTIN),
    ("TTOU", libc::SIGTTOU),
    ("URG", libc::SIGURG),
    ("XCPU", libc::SIGXCPU),
    ("XFSZ", libc::SIGXFSZ),
    ("VTALRM", libc::SIGVTALRM),
    ("PROF", libc::SIGPROF),
    ("WINCH", libc::SIGWINCH),
    ("IO", libc::SIGIO),
    ("PWR", libc::SIGPWR),
    ("SYS", libc::SIGSYS),
];

/// "SIGTERM", "term", "15", "RTMIN+3" → the number.
pub fn parse_signal(s: &str) -> Result<i32> {
    let bad = || {
        EngineError::Invalid(format!(
            "invalid signal {s:?}: use a name such as SIGTERM or KILL, or a number"
        ))
    };
    if let Ok(n) = s.parse::<i32>() {
        return if (1..=64).contains(&n) {
            Ok(n)
        } else {
            Err(bad())
        };
    }
    let up = s.to_ascii_uppercase();
    let name = up.strip_prefix("SIG").unwrap_or(&up);
    if let Some((_, n)) = SIGNALS.iter().find(|(k, _)| *k == name) {
        return Ok(*n);
    }
    let rt = |base: i32, off: &str| -> Result<i32> {
        let off: i32 = if off.is_empty() {
            0
        } else {
            off.parse().map_err(|_| bad())?
        };
        let n = base + off;
        if (libc::SIGRTMIN()..=libc::SIGRTMAX()).contains(&n) {
            Ok(n)
        } else {
            Err(bad())
        }
    };
    if let Some(off) = name.strip_prefix("RTMIN") {
        return rt(libc::SIGRTMIN(), off.trim_start_matches('+'));
    }
    if let Some(off) = name.strip_prefix("RTMAX") {
        let off = off.trim_start_matches('-');
        let n: i32 = if off.is_empty() {
            0
        } else {
            off.parse().map_err(|_| bad())?
        };
        return rt(libc::SIGRTMAX() - n, "");
    }
    Err(bad())
}

fn userdata(engine: &Engine, id: &str) -> PathBuf {
    engine.store.container_dir(id).join("userdata")
}

/// The container's directory is new and nothing reads it before the container starts: a plain
/// write is enough (a killed create leaves a container that `rm` removes).
fn write_file(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text.as_bytes()).map_err(|e| EngineError::Io {
        context: format!("writing {}", path.display()),
        source: e,
    })
}

/// The container's network mode as recorded (the recorded string always parses: create
/// checked it).
fn network_mode(record: &ContainerRecord) -> crate::network::NetworkMode {
    crate::network::NetworkMode::parse(&record.config.network)
        .unwrap_or(crate::network::NetworkMode::None)
}

fn hosts_file(record: &ContainerRecord, rootless: bool) -> Result<String> {
    let host = fs::read_to_string("/etc/hosts").unwrap_or_default();
    crate::network::hosts::hosts_file(&record.config, &network_mode(record), rootless, &host)
        .map_err(|e| EngineError::Invalid(e.to_string()))
}

fn resolv_conf(record: &ContainerRecord) -> String {
    let host = fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
    crate::network::hosts::resolv_conf(&record.config, &network_mode(record), &host)
}

/// Write hosts, hostname, resolv.conf and the OCI config.json for a new container; for vfs,
/// also the container's private copy of the image.
pub fn write_userdata(
    engine: &Engine,
    record: &ContainerRecord,
    image: &ImageRecord,
    _config: &ImageConfig,
) -> Result<()> {
    let dir = userdata(engine, &record.id);
    write_file(
        &dir.join("hostname"),
        &format!("{}\n", record.config.hostname),
    )?;
    write_file(
        &dir.join("hosts"),
        &hosts_file(record, engine.ident.rootless)?,
    )?;
    write_file(&dir.join("resolv.conf"), &resolv_conf(record))?;
    if engine.store.driver() == Driver::Vfs {
        let top = image
            .layers
            .last()
            .map(|l| engine.store.layer_diff(&l.chain_id));
        let dst = engine.store.container_dir(&record.id).join("rootfs");
        let ident = engine.ident.clone();
        crate::runtime::userns::in_namespace(&ident, move || match top {
            Some(src) => crate::layer::unpack::copy_tree(&src, &dst).map_err(|e| e.to_string()),
            None => fs::create_dir(&dst).map_err(|e| e.to_string()),
        })
        .map_err(|e| EngineError::Invalid(format!("copying the image for the container: {e}")))?;
    }
    let oci = oci_config(engine, record, image);
    let bytes = serde_json::to_vec_pretty(&oci).expect("config serializes");
    fs::write(dir.join("config.json"), &bytes).map_err(|e| EngineError::Io {
        context: "writing config.json".into(),
        source: e,
    })
}

/// Lower layers, top-most first, relative to the store's layers/ directory.
fn lowers(image: &ImageRecord) -> Vec<PathBuf> {
    image
        .layers
        .iter()
        .rev()
        .map(|l| PathBuf::from(l.chain_id.trim_start_matches("sha256:")).join("diff"))
        .collect()
}

/// The runtime's view of the container's filesystem.
pub fn rootfs_spec(engine: &Engine, record: &ContainerRecord, image: &ImageRecord) -> RootfsSpec {
    let dir = engine.store.container_dir(&record.id);
    let layers_dir = engine.store.root().join("layers");
    let source = match engine.store.driver() {
        Driver::Overlay => RootfsSource::Overlay {
            layers_dir,
            lowers: lowers(image),
            upper: dir.join("upper"),
            work: dir.join("work"),
            userxattr: engine.ident.rootless,
        },
        Driver::FuseOverlayfs => RootfsSource::FuseOverlay {
            layers_dir,
            lowers: lowers(image),
            upper: dir.join("upper"),
            work: dir.join("work"),
        },
        Driver::Vfs => RootfsSource::Directory(dir.join("rootfs")),
    };
    let ud = dir.join("userdata");
    let binds = ["hosts", "hostname", "resolv.conf"]
        .iter()
        .filter(|f| !(record.config.no_hosts && **f == "hosts"))
        .map(|f| BindMount {
            source: ud.join(f),
            target: Path::new("/etc").join(f),
            readonly: false,
            copy_up: false,
            propagation: Propagation::default(),
        })
        .collect();
    let c = &record.config;
    let (user_binds, tmpfs) = user_mounts(engine, &c.mounts);
    RootfsSpec {
        source,
        mountpoint: dir.join("merged"),
        binds,
        user_binds,
        tmpfs,
        new_netns: c.network != "host",
        masked_paths: if c.privileged {
            Vec::new()
        } else {
            masked_paths(Path::new(SYS_CPU))
        },
        readonly_paths: if c.privileged {
            Vec::new()
        } else {
            READONLY_PATHS.iter().map(|s| s.to_string()).collect()
        },
        read_only: c.read_only,
        tty_gid_mapped: !engine.ident.single_id,
        privileged: c.privileged,
        allow_ping: has_own_netns(&c.network),
    }
}

/// Where the host lists its CPUs (podman masks each one's thermal_throttle).
pub const SYS_CPU: &str = "/sys/devices/system/cpu";

/// Whether a container with this `--network` makes a network namespace of its own (not the
/// host's, not another container's or a path's).
fn has_own_netns(network: &str) -> bool {
    use crate::network::NetworkMode;
    !matches!(
        NetworkMode::parse(network),
        Ok(NetworkMode::Host | NetworkMode::Container(_) | NetworkMode::Path(_))
    ) && network != "host"
}

/// The container's volumes and bind mounts as binds, its tmpfs mounts as tmpfs.
pub(crate) fn user_mounts(
    engine: &Engine,
    mounts: &[crate::store::containers::MountSpec],
) -> (Vec<BindMount>, Vec<TmpfsMount>) {
    let mut binds = Vec::new();
    let mut tmpfs = Vec::new();
    for m in mounts {
        match m.kind.as_str() {
            "tmpfs" => {
                let mut flags = libc::MS_NOSUID | libc::MS_NODEV;
                let mut data = Vec::new();
                for o in &m.options {
                    match o.as_str() {
                        "noexec" => flags |= libc::MS_NOEXEC,
                        "exec" | "nosuid" | "nodev" => {}
                        "suid" => flags &= !libc::MS_NOSUID,
                        "dev" => flags &= !libc::MS_NODEV,
                        other => data.push(other.to_string()),
                    }
                }
                if m.readonly {
                    flags |= libc::MS_RDONLY;
                }
                if !data.iter().any(|d| d.starts_with("mode=")) {
                    data.push("mode=1777".into());
                }
                tmpfs.push(TmpfsMount {
                    target: PathBuf::from(&m.target),
                    data: data.join(","),
                    flags,
                });
            }
            "volume" => {
                // A local volume made with --opt: type=tmpfs is a fresh tmpfs per container,
                // o=bind,device=PATH mounts that host path instead of the volume's _data.
                let volume = engine.store.volume(&m.source).ok().flatten();
                let opts = volume
                    .as_ref()
                    .map(|v| v.options.clone())
                    .unwrap_or_default();
                let o = opts.get("o").cloned().unwrap_or_default();
                if opts.get("type").map(String::as_str) == Some("tmpfs") {
                    let mut flags = libc::MS_NOSUID | libc::MS_NODEV;
                    if m.readonly {
                        flags |= libc::MS_RDONLY;
                    }
                    tmpfs.push(TmpfsMount {
                        target: PathBuf::from(&m.target),
                        data: o,
                        flags,
                    });
                } else if let (true, Some(dev)) = (
                    o.split(',').any(|w| w == "bind" || w == "rbind"),
                    opts.get("device"),
                ) {
                    binds.push(BindMount {
                        source: PathBuf::from(dev),
                        target: PathBuf::from(&m.target),
                        readonly: m.readonly || o.split(',').any(|w| w == "ro"),
                        copy_up: false,
                        propagation: mount_propagation(m),
                    });
                } else {
                    binds.push(BindMount {
                        source: engine.store.volume_data(&m.source),
                        target: PathBuf::from(&m.target),
                        readonly: m.readonly,
                        // docker fills a volume from the image only the first time it is used:
                        // one the user emptied later stays empty.
                        copy_up: !m.options.iter().any(|o| o == "nocopy")
                            && volume.as_ref().is_some_and(|v| v.needs_copy_up),
                        propagation: mount_propagation(m),
                    });
                }
            }
            _ => binds.push(BindMount {
                source: PathBuf::from(&m.source),
                target: PathBuf::from(&m.target),
                readonly: m.readonly,
                copy_up: false,
                propagation: mount_propagation(m),
            }),
        }
    }
    (binds, tmpfs)
}

/// The propagation a mount asked for (`-v …:rslave`, `bind-propagation=`), rprivate if none.
fn mount_propagation(m: &crate::store::containers::MountSpec) -> Propagation {
    m.options
        .iter()
        .find_map(|o| Propagation::parse(o))
        .unwrap_or_default()
}

/// An OCI runtime-spec config.json describing the container as berth runs it (and what
/// `--runtime` hands to crun or runc).
pub fn oci_config(engine: &Engine, record: &ContainerRecord, image: &ImageRecord) -> Value {
    let c = &record.config;
    let rootfs = rootfs_spec(engine, record, image);
    let mut namespaces = vec![
        json!({"type": "pid"}),
        json!({"type": "ipc"}),
        json!({"type": "uts"}),
        json!({"type": "mount"}),
        json!({"type": "cgroup"}),
    ];
    if c.network != "host" {
        namespaces.push(json!({"type": "network"}));
    }
    let maps = |m: &[crate::runtime::userns::IdMap]| -> Vec<Value> {
        m.iter()
            .map(|x| json!({"containerID": x.container_id, "hostID": x.host_id, "size": x.size}))
            .collect()
    };
    let mut linux = json!({
        "namespaces": namespaces,
        "maskedPaths": rootfs.masked_paths,
        "readonlyPaths": rootfs.readonly_paths,
    });
    // ping without CAP_NET_RAW, as berth's own runtime sets it (rootfs::allow_ping).
    if rootfs.allow_ping {
        let gid_map = if engine.ident.rootless {
            engine
                .ident
                .gid_map
                .iter()
                .map(|m| format!("{} {} {}\n", m.container_id, m.host_id, m.size))
                .collect::<String>()
        } else {
            "0 0 4294967295\n".to_string()
        };
        linux["sysctl"] = json!({
            "net.ipv4.ping_group_range": crate::runtime::rootfs::ping_group_range_for(&gid_map),
        });
    }
    if engine.ident.rootless {
        linux["namespaces"]
            .as_array_mut()
            .expect("array")
            .push(json!({"type": "user"}));
        linux["uidMappings"] = json!(maps(&engine.ident.uid_map));
        linux["gidMappings"] = json!(maps(&engine.ident.gid_map));
    }
    let mut mounts = vec![
        json!({"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]}),
        json!({"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]}),
        json!({"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]}),
        json!({"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]}),
        json!({"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]}),
    ];
    if c.network == "host" {
        mounts.push(json!({"destination": "/sys", "type": "bind", "source": "/sys", "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]}));
    } else {
        mounts.push(json!({"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}));
    }
    for b in rootfs.binds.iter().chain(&rootfs.user_binds) {
        mounts.push(json!({
            "destination": b.target, "type": "bind", "source": b.source,
            "options": ["rbind", if b.readonly { "ro" } else { "rw" }, b.propagation.as_str()],
        }));
    }
    for t in &rootfs.tmpfs {
        let mut options = vec![
            if t.flags & libc::MS_RDONLY != 0 {
                "ro"
            } else {
                "rw"
            }
            .to_string(),
            "nosuid".to_string(),
            "nodev".to_string(),
        ];
        options.extend(
            t.data
                .split(',')
                .filter(|d| !d.is_empty())
                .map(str::to_string),
        );
        mounts.push(json!({"destination": t.target, "type": "tmpfs", "source": "tmpfs", "options": options}));
    }
    json!({
        "ociVersion": OCI_VERSION,
        "process": {
            "terminal": c.tty,
            "user": {"uid": 0, "gid": 0},
            "args": c.args,
            "env": c.env,
            "cwd": c.working_dir,
            "noNewPrivileges": !c.privileged,
            "rlimits": super::limits::process_ulimits(c)
                .iter()
                .filter_map(|u| u.oci())
                .collect::<Vec<_>>(),
        },
        "root": {"path": rootfs.mountpoint, "readonly": c.read_only},
        "hostname": c.hostname,
        "domainname": c.domainname,
        "mounts": mounts,
        "annotations": {"io.berth.container.name": record.name, "io.berth.image.id": record.image_id},
        "linux": linux,
    })
}

/// The config.json handed to `--runtime`: the runtime runs inside berth's rootless user
/// namespace with the image already mounted, so it gets no user namespace of its own; the
/// user is filled in once the image's passwd can be read.
pub fn external_config(engine: &Engine, record: &ContainerRecord, image: &ImageRecord) -> Value {
    let mut config = oci_config(engine, record, image);
    let linux = &mut config["linux"];
    if let Some(ns) = linux["namespaces"].as_array_mut() {
        ns.retain(|n| n["type"] != "user");
    }
    if let Some(obj) = linux.as_object_mut() {
        obj.remove("uidMappings");
        obj.remove("gidMappings");
    }
    // The capability sets berth's own runtime would give (the recorded default and the flags).
    if let Ok(kept) = engine.container_caps(&record.config) {
        let names: Vec<String> = kept
            .names()
            .into_iter()
            .map(|n| {
                if n.starts_with("CAP_") {
                    n.to_string()
                } else {
                    format!("CAP_{n}")
                }
            })
            .collect();
        config["process"]["capabilities"] = json!({
            "bounding": names, "effective": names, "permitted": names,
        });
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_parse_by_name_with_or_without_sig_and_by_number() {
        assert_eq!(parse_signal("SIGTERM").unwrap(), libc::SIGTERM);
        assert_eq!(parse_signal("kill").unwrap(), libc::SIGKILL);
        assert_eq!(parse_signal("9").unwrap(), 9);
        assert_eq!(parse_signal("RTMIN+1").unwrap(), libc::SIGRTMIN() + 1);
        assert!(parse_signal("SIGNOPE").is_err());
        assert!(parse_signal("0").is_err());
    }

    fn record(network: &str, add_host: &[&str]) -> ContainerRecord {
        ContainerRecord::new(
            "a".repeat(64),
            "n".into(),
            "b".repeat(64),
            "i".into(),
            chrono::Utc::now(),
            crate::store::containers::ContainerConfig {
                hostname: "box".into(),
                network: network.into(),
                add_host: add_host.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            },
        )
    }

    #[test]
    fn hosts_follow_the_recorded_network_mode() {
        let h = hosts_file(&record("slirp4netns", &["db:10.0.0.5"]), true).unwrap();
        assert!(h.contains("10.0.0.5\tdb"), "{h}");
        assert!(h.contains("10.0.2.2\thost.containers.internal"), "{h}");
        let h = hosts_file(&record("none", &[]), true).unwrap();
        assert!(!h.contains("host.containers.internal"), "{h}");
        assert!(hosts_file(&record("none", &["db:nope"]), true).is_err());
    }
}
