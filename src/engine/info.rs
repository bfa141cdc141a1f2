//! `info`: what berth runs as and on.

use serde::Serialize;

use super::{Engine, Result};
use crate::runtime::userns::IdMap;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Info {
    pub host: HostInfo,
    pub store: StoreInfo,
    pub version: VersionInfo,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HostInfo {
    pub arch: String,
    pub os: String,
    pub kernel: String,
    pub hostname: String,
    pub rootless: bool,
    pub cgroup_version: String,
    pub cgroup_manager: String,
    pub id_mappings: IdMappings,
    pub security: Security,
    /// The default network: a bridge; rootless "bridge via pasta" (or slirp4netns: the
    /// program that connects the rootless network namespace holding the bridge to the
    /// outside), "none" rootless when neither is installed.
    pub network_backend: String,
    /// podman's name for the same: the program that gives rootless containers their network.
    pub rootless_network_cmd: String,
    /// How a container on the default network reaches the host's loopback as
    /// host.containers.internal.
    pub host_containers_internal: HostContainersInternal,
}

#[derive(Debug, Serialize)]
pub struct HostContainersInternal {
    /// The address /etc/hosts gives the name (empty when it is not written).
    pub address: String,
    /// How that address reaches the host's loopback, or why the name is not written.
    pub method: String,
}

/// What the default network is, and rootless through what it reaches the outside.
fn network_backend(rootless: bool) -> String {
    match (rootless, crate::network::default_backend()) {
        (false, _) => "bridge".into(),
        (true, Some(b)) => format!("bridge via {b}"),
        (true, None) => "none".into(),
    }
}

/// host.containers.internal on the default network of this user.
fn host_containers_internal(rootless: bool) -> HostContainersInternal {
    let mode = match crate::network::default_mode(rootless) {
        Ok(m) => m,
        Err(e) => {
            return HostContainersInternal {
                address: String::new(),
                method: format!("not written: {e}"),
            }
        }
    };
    match mode.host_reach(rootless) {
        Some(r) => HostContainersInternal {
            address: r.address,
            method: r.method,
        },
        None => HostContainersInternal {
            address: String::new(),
            method: match mode {
                crate::network::NetworkMode::Pasta(_) => "not written: pasta cannot run on this host (no interface with an IPv4 address besides loopback)".into(),
                _ => format!("not written: containers on --network {mode} have no route to the host's loopback"),
            },
        },
    }
}

#[derive(Debug, Serialize)]
pub struct IdMappings {
    pub uidmap: Vec<IdMap>,
    pub gidmap: Vec<IdMap>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Security {
    pub rootless: bool,
    pub single_id_mapping: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreInfo {
    pub graph_root: String,
    pub run_root: String,
    pub config_dir: String,
    pub graph_driver_name: String,
    pub image_store: Count,
}

#[derive(Debug, Serialize)]
pub struct Count {
    pub number: usize,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VersionInfo {
    pub version: String,
    pub os_arch: String,
}

/// "v2" when /sys/fs/cgroup is a cgroup2 mount, else "v1" (legacy or hybrid).
pub fn cgroup_version() -> &'static str {
    match rustix::fs::statfs("/sys/fs/cgroup") {
        Ok(st) if st.f_type == 0x6367_7270 => "v2",
        _ => "v1",
    }
}

fn read_trim(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

impl Engine {
    pub fn info(&self) -> Result<Info> {
        let images = self.store.images().list()?.len();
        let uname = rustix::system::uname();
        let cgroup_version = cgroup_version();
        Ok(Info {
            host: HostInfo {
                arch: crate::image::manifest::Platform::host()
                    .architecture
                    .clone(),
                os: std::env::consts::OS.into(),
                kernel: uname.release().to_string_lossy().into_owned(),
                hostname: read_trim("/proc/sys/kernel/hostname"),
                rootless: self.ident.rootless,
                cgroup_version: cgroup_version.into(),
                cgroup_manager: self.default_cgroup_manager().into(),
                id_mappings: IdMappings {
                    uidmap: self.ident.uid_map.clone(),
                    gidmap: self.ident.gid_map.clone(),
                },
                security: Security {
                    rootless: self.ident.rootless,
                    single_id_mapping: self.ident.single_id,
                },
                network_backend: network_backend(self.ident.rootless),
                rootless_network_cmd: crate::network::default_backend().unwrap_or_default().into(),
                host_containers_internal: host_containers_internal(self.ident.rootless),
            },
            store: StoreInfo {
                graph_root: self.paths.store_root.display().to_string(),
                run_root: self.paths.run_root.display().to_string(),
                config_dir: self.paths.config_dir.display().to_string(),
                graph_driver_name: self.store.driver().name().into(),
                image_store: Count { number: images },
            },
            version: VersionInfo {
                version: env!("CARGO_PKG_VERSION").into(),
                os_arch: format!(
                    "{}/{}",
                    std::env::consts::OS,
                    crate::image::manifest::Platform::host().architecture
                ),
            },
        })
    }
}
