//! docker's `container inspect` document, and the sizes `ps -s` and `inspect -s` report.
//!
//! The document keeps docker's keys and their order (serde_json preserves insertion order), so
//! `--format '{{.State.Pid}}'`, `{{.HostConfig.NetworkMode}}` or `{{json .Config}}` written for
//! docker work unchanged. Keys berth has nothing for carry docker's zero values.

use std::collections::HashSet;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

use super::super::{Engine, Result};
use super::Container;
use crate::runtime::rootfs::{masked_paths, READONLY_PATHS};
use crate::store::containers::Status;
use crate::store::Driver;

/// The writable layer's size and, with the image under it, the size of the whole root
/// filesystem (docker's SizeRw and SizeRootFs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ContainerSize {
    pub rw: u64,
    pub root_fs: u64,
}

/// Go's RFC3339Nano: trailing zeros of the fraction dropped, "Z" for UTC. A time that was
/// never set prints as Go's zero time, as docker shows FinishedAt of a running container.
pub fn go_time(t: Option<DateTime<Utc>>) -> String {
    let Some(t) = t else {
        return "0001-01-01T00:00:00Z".to_string();
    };
    let s = t.to_rfc3339_opts(SecondsFormat::Nanos, true);
    match s.split_once('.') {
        Some((secs, frac)) => {
            let digits = frac.trim_end_matches('Z').trim_end_matches('0');
            if digits.is_empty() {
                format!("{secs}Z")
            } else {
                format!("{secs}.{digits}Z")
            }
        }
        None => s,
    }
}

/// The state name docker uses. berth's transient "stopping" is still running to docker.
pub fn docker_status(status: Status) -> &'static str {
    match status {
        Status::Created => "created",
        Status::Running | Status::Stopping => "running",
        Status::Paused => "paused",
        Status::Restarting => "restarting",
        Status::Exited => "exited",
    }
}

/// Bytes used by the files under `dir` (st_size, hard links counted once), like docker's
/// `directory.Size`. Directories we cannot read are skipped: in a rootless writable layer
/// they belong to a container user other than root and hold files of that user, which the
/// host side cannot list.
pub fn tree_size(dir: &Path) -> u64 {
    let mut seen = HashSet::new();
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(meta) = entry.path().symlink_metadata() else {
                continue;
            };
            if meta.is_dir() {
                stack.push(entry.path());
            } else if meta.nlink() <= 1 || seen.insert((meta.dev(), meta.ino())) {
                total += meta.len();
            }
        }
    }
    total
}

fn or_null<T: serde::Serialize>(v: &[T]) -> Value {
    if v.is_empty() {
        Value::Null
    } else {
        json!(v)
    }
}

impl Engine {
    /// The size of the container's writable layer (the whole rootfs copy with vfs) and of its
    /// root filesystem including the image.
    pub fn container_size(&self, c: &Container) -> ContainerSize {
        let dir = self.store.container_dir(&c.record.id);
        let rw = match self.store.driver() {
            Driver::Vfs => tree_size(&dir.join("rootfs")),
            Driver::Overlay | Driver::FuseOverlayfs => tree_size(&dir.join("upper")),
        };
        let image = self
            .find_image(&c.record.image_id)
            .map(|i| i.size)
            .unwrap_or(0);
        let root_fs = match self.store.driver() {
            Driver::Vfs => rw,
            Driver::Overlay | Driver::FuseOverlayfs => rw + image,
        };
        ContainerSize { rw, root_fs }
    }

    /// Where the container's output is logged (k8s-file format).
    pub fn container_log_path(&self, id: &str) -> std::path::PathBuf {
        self.store.container_dir(id).join("ctr.log")
    }

    /// docker's `container inspect` document for one container.
    pub fn inspect_container(&self, c: &Container, with_size: bool) -> Result<Value> {
        let r = &c.record;
        let cfg = &r.config;
        let s = &c.state;
        let dir = self.store.container_dir(&r.id);
        let userdata = dir.join("userdata");
        let running = c.is_running();
        let path_of = |p: &Path| p.display().to_string();

        let graph_data = match self.store.driver() {
            Driver::Overlay | Driver::FuseOverlayfs => {
                let lowers = match self.find_image(&r.image_id) {
                    Ok(image) => image
                        .layers
                        .iter()
                        .rev()
                        .map(|l| path_of(&self.store.layer_diff(&l.chain_id)))
                        .collect::<Vec<_>>()
                        .join(":"),
                    Err(_) => String::new(),
                };
                json!({
                    "LowerDir": lowers,
                    "UpperDir": path_of(&dir.join("upper")),
                    "WorkDir": path_of(&dir.join("work")),
                    "MergedDir": path_of(&dir.join("merged")),
                })
            }
            Driver::Vfs => json!({ "Dir": path_of(&dir.join("rootfs")) }),
        };

        let network_mode = if cfg.network.is_empty() {
            "none"
        } else {
            cfg.network.as_str()
        };
        // The container has its own network namespace unless it shares the host's; while it
        // runs, that namespace is reachable through its init.
        let sandbox_key = if running && network_mode != "host" && s.pid > 0 {
            format!("/proc/{}/ns/net", s.pid)
        } else {
            String::new()
        };

        // podman's keys: the bounding set every process of the container gets (and below, the
        // effective set of its command).
        let bounding = self.container_caps(cfg)?.names();
        // `--tmpfs` and `--mount type=tmpfs` as docker's HostConfig.Tmpfs shows them.
        let tmpfs: serde_json::Map<String, Value> = cfg
            .mounts
            .iter()
            .filter(|m| m.kind == "tmpfs")
            .map(|m| {
                let mut opts = m.options.clone();
                if m.readonly {
                    opts.insert(0, "ro".into());
                }
                (m.target.clone(), json!(opts.join(",")))
            })
            .collect();
        let mut host_config = json!({
            "Binds": Value::Null,
            "ContainerIDFile": "",
            "LogConfig": { "Type": cfg.log_driver, "Config": {} },
            "NetworkMode": network_mode,
            "PortBindings": super::port::ports_json(&cfg.ports),
            "RestartPolicy": {
                "Name": if c.record.config.restart_policy.is_empty() { "no" } else { c.record.config.restart_policy.as_str() },
                "MaximumRetryCount": c.record.config.restart_max,
            },
            "AutoRemove": cfg.auto_remove,
            "VolumeDriver": "",
            "VolumesFrom": or_null(&cfg.volumes_from),
            "ConsoleSize": [0, 0],
            "CapAdd": or_null(&cfg.cap_add),
            "CapDrop": or_null(&dropped_from_docker(&cfg.cap_drop, &bounding)),
            "CgroupnsMode": if cfg.cgroupns.is_empty() { "private" } else { cfg.cgroupns.as_str() },
            "CgroupMode": if cfg.cgroupns.is_empty() { "private" } else { cfg.cgroupns.as_str() },
            "Cgroups": "enabled",
            "CgroupConf": Value::Null,
            "Tmpfs": tmpfs,
            "DiskQuota": 0,
            "KernelMemory": 0,
            "Dns": cfg.dns,
            "DnsOptions": cfg.dns_option,
            "DnsSearch": cfg.dns_search,
            "ExtraHosts": or_null(&cfg.add_host),
            "GroupAdd": Value::Null,
            "IpcMode": "private",
            "Cgroup": "",
            "Links": Value::Null,
            "OomScoreAdj": cfg.oom_score_adj.unwrap_or(0),
            "PidMode": "private",
            "Privileged": cfg.privileged,
            "PublishAllPorts": false,
            "ReadonlyRootfs": cfg.read_only,
            "SecurityOpt": or_null(&cfg.security_opt),
            "UTSMode": "private",
            "UsernsMode": if cfg.userns_host { "host" } else { "" },
            "ShmSize": 65536000,
            "Runtime": cfg.runtime.clone().unwrap_or_else(|| "berth".to_string()),
            "Isolation": "",
        });
        // Resource limits as docker shows them (0 / null where unset).
        let res = &cfg.resources;
        let devs = |l: &[crate::cgroups::DeviceRate]| -> Value {
            if l.is_empty() {
                Value::Null
            } else {
                json!(l
                    .iter()
                    .map(|d| json!({"Path": d.path, "Rate": d.rate}))
                    .collect::<Vec<_>>())
            }
        };
        let limits = json!({
            "CpuShares": res.cpu_shares.unwrap_or(0),
            "Memory": res.memory.unwrap_or(0),
            "NanoCpus": res.nano_cpus.unwrap_or(0),
            "CgroupParent": cfg.cgroup_parent,
            "CgroupManager": cfg.cgroup_manager.manager_name(),
            "BlkioWeight": res.blkio_weight.unwrap_or(0),
            "BlkioWeightDevice": Value::Null,
            "BlkioDeviceReadBps": devs(&res.device_read_bps),
            "BlkioDeviceWriteBps": devs(&res.device_write_bps),
            "BlkioDeviceReadIOps": devs(&res.device_read_iops),
            "BlkioDeviceWriteIOps": devs(&res.device_write_iops),
            "CpuPeriod": res.cpu_period.unwrap_or(0),
            "CpuQuota": res.cpu_quota.unwrap_or(0),
            "CpuRealtimePeriod": 0,
            "CpuRealtimeRuntime": 0,
            "CpusetCpus": res.cpuset_cpus.clone().unwrap_or_default(),
            "CpusetMems": res.cpuset_mems.clone().unwrap_or_default(),
            "Devices": Value::Null,
            "DeviceCgroupRules": Value::Null,
            "DeviceRequests": Value::Null,
            "MemoryReservation": res.memory_reservation.unwrap_or(0),
            "MemorySwap": if res.memory.is_some() { res.memory_and_swap().unwrap_or(0) } else { 0 },
            "MemorySwappiness": Value::Null,
            "OomKillDisable": res.oom_kill_disable,
            "PidsLimit": res.pids_limit.map_or(Value::Null, |p| json!(p)),
            "Ulimits": or_null(&cfg.ulimits),
            "CpuCount": 0,
            "CpuPercent": 0,
            "IOMaximumIOps": 0,
            "IOMaximumBandwidth": 0,
            "Init": cfg.init,
            "MaskedPaths": if cfg.privileged { Value::Null } else { json!(masked_paths(Path::new(super::spec::SYS_CPU))) },
            "ReadonlyPaths": if cfg.privileged { Value::Null } else { json!(READONLY_PATHS) },
        });
        if let (Some(h), Value::Object(l)) = (host_config.as_object_mut(), limits) {
            h.extend(l);
        }
        // podman's keys: the bounding set every process of the container gets, and the
        // effective set of its command (empty for a non-root user, as with docker: capabilities
        // are not raised across the switch to another user).
        let (user, _) = cfg.user.split_once(':').unwrap_or((cfg.user.as_str(), ""));
        let effective = if matches!(user, "" | "root" | "0") {
            bounding.clone()
        } else {
            Vec::new()
        };
        let image = self.find_image(&r.image_id).ok();
        let mut doc = json!({
            "Id": r.id,
            "Created": go_time(Some(r.created)),
            "Path": cfg.args.first().cloned().unwrap_or_default(),
            "Args": cfg.args.iter().skip(1).collect::<Vec<_>>(),
            "State": {
                "Status": docker_status(s.status),
                "Running": running,
                "Paused": s.status == Status::Paused,
                "Restarting": s.status == Status::Restarting,
                "OOMKilled": s.oom_killed,
                "Dead": false,
                "Pid": if running { s.pid } else { 0 },
                "ExitCode": s.exit_code,
                "Error": s.error,
                "StartedAt": go_time(s.started_at),
                "FinishedAt": go_time(s.finished_at),
                "OciVersion": super::spec::OCI_VERSION,
                "CheckpointedAt": go_time(None),
                "RestoredAt": go_time(None),
                "Health": s.health.as_ref().map(|h| json!({
                    "Status": h.status,
                    "FailingStreak": h.failing_streak,
                    "Log": h.log.iter().map(|l| json!({
                        "Start": go_time(Some(l.start)),
                        "End": go_time(Some(l.end)),
                        "ExitCode": l.exit_code,
                        "Output": l.output,
                    })).collect::<Vec<_>>(),
                })),
            },
            "Image": format!("sha256:{}", r.image_id),
            "ImageDigest": image.as_ref().map(|i| i.manifest_digest.clone()).unwrap_or_default(),
            "ImageName": r.image_name,
            "Rootfs": "",
            "Pod": "",
            "ResolvConfPath": path_of(&userdata.join("resolv.conf")),
            "HostnamePath": path_of(&userdata.join("hostname")),
            "HostsPath": path_of(&userdata.join("hosts")),
            "LogPath": path_of(&self.container_log_path(&r.id)),
            "Name": format!("/{}", r.name),
            "RestartCount": s.restart_count,
            "Driver": self.store.driver().name(),
            "OCIRuntime": cfg.runtime.clone().unwrap_or_else(|| "berth".to_string()),
            "StaticDir": path_of(&userdata),
            "ConmonPidFile": "",
            "PidFile": "",
            "Dependencies": [],
            "Namespace": "",
            "IsInfra": false,
            "IsService": false,
            "Platform": "linux",
            "MountLabel": "",
            "ProcessLabel": "",
            "AppArmorProfile": "",
            "EffectiveCaps": effective,
            "BoundingCaps": bounding,
            "ExecIDs": Value::Null,
            "HostConfig": host_config,
            "GraphDriver": {
                "Name": self.store.driver().name(),
                "Data": graph_data,
            },
        });
        if with_size {
            let size = self.container_size(c);
            doc["SizeRw"] = json!(size.rw);
            doc["SizeRootFs"] = json!(size.root_fs);
        }
        doc["Mounts"] = self.mounts_json(&cfg.mounts);
        doc["Config"] = json!({
            "Hostname": cfg.hostname,
            "Domainname": cfg.domainname,
            "User": cfg.user,
            "AttachStdin": cfg.open_stdin,
            "AttachStdout": false,
            "AttachStderr": false,
            "Tty": cfg.tty,
            "OpenStdin": cfg.open_stdin,
            "StdinOnce": false,
            "Env": cfg.env,
            "Cmd": or_null(&cfg.cmd),
            "Image": r.image_name,
            "Volumes": Value::Null,
            "WorkingDir": cfg.working_dir,
            "Entrypoint": or_null(&cfg.entrypoint),
            "OnBuild": Value::Null,
            "Labels": cfg.labels,
            "StopSignal": cfg.stop_signal,
            "StopTimeout": cfg.stop_timeout,
            "Annotations": {},
            "CreateCommand": Value::Null,
            "HealthcheckOnFailureAction": cfg.healthcheck.as_ref().map_or("none", |h| h.on_failure.as_str()),
            "Umask": "0022",
            "Timeout": 0,
            "Passwd": true,
            "sdNotifyMode": "container",
        });
        let (networks, primary) = self.networks_json(c, network_mode);
        let top = |k: &str, zero: Value| primary.get(k).cloned().unwrap_or(zero);
        doc["NetworkSettings"] = json!({
            "Bridge": "",
            "SandboxID": "",
            "SandboxKey": sandbox_key,
            "Ports": if c.is_running() { super::port::ports_json(&cfg.ports) } else { json!({}) },
            "HairpinMode": false,
            "LinkLocalIPv6Address": "",
            "LinkLocalIPv6PrefixLen": 0,
            "SecondaryIPAddresses": Value::Null,
            "SecondaryIPv6Addresses": Value::Null,
            "EndpointID": top("EndpointID", json!("")),
            "Gateway": top("Gateway", json!("")),
            "GlobalIPv6Address": "",
            "GlobalIPv6PrefixLen": 0,
            "IPAddress": top("IPAddress", json!("")),
            "IPPrefixLen": top("IPPrefixLen", json!(0)),
            "IPv6Gateway": "",
            "MacAddress": top("MacAddress", json!("")),
            "Networks": networks,
        });
        Ok(doc)
    }

    /// NetworkSettings.Networks: one entry per network the container is on, with its address
    /// there while it runs (from the network's endpoint records, which `network inspect` shows
    /// too); and the entry docker copies to NetworkSettings' top level (the default network's).
    fn networks_json(
        &self,
        c: &Container,
        network_mode: &str,
    ) -> (Value, serde_json::Map<String, Value>) {
        let names = match crate::network::NetworkMode::parse(network_mode) {
            Ok(crate::network::NetworkMode::Networks(n)) => n,
            _ => vec![network_mode.to_string()],
        };
        let running = c.is_running();
        let mut out = serde_json::Map::new();
        let mut primary = serde_json::Map::new();
        for name in names {
            let net = self.find_network(&name).ok();
            let endpoint = net
                .as_ref()
                .and_then(|n| n.endpoints.get(&c.record.id))
                .filter(|_| running);
            let prefix: u32 = net
                .as_ref()
                .and_then(|n| n.subnet.split_once('/'))
                .and_then(|(_, p)| p.parse().ok())
                .unwrap_or(0);
            let entry = json!({
                "IPAMConfig": Value::Null,
                "Links": Value::Null,
                "Aliases": endpoint.map_or(Value::Null, |e| or_null(&e.aliases)),
                "MacAddress": endpoint.map_or("", |e| e.mac.as_str()),
                "NetworkID": net.as_ref().map_or(name.as_str(), |n| n.id.as_str()),
                "EndpointID": endpoint.map_or("", |_| c.record.id.as_str()),
                "Gateway": match (endpoint, &net) {
                    (Some(_), Some(n)) => n.gateway.as_str(),
                    _ => "",
                },
                "IPAddress": endpoint.map_or("", |e| e.ip.as_str()),
                "IPPrefixLen": if endpoint.is_some() { prefix } else { 0 },
                "IPv6Gateway": "",
                "GlobalIPv6Address": "",
                "GlobalIPv6PrefixLen": 0,
                "DriverOpts": Value::Null,
                "DNSNames": endpoint.map_or(Value::Null, |e| {
                    let mut names = vec![c.record.name.clone(), c.record.id[..12].to_string()];
                    names.extend(e.aliases.iter().cloned());
                    json!(names)
                }),
            });
            if name == crate::network::DEFAULT_NETWORK {
                if let Value::Object(m) = &entry {
                    primary = m.clone();
                }
            }
            out.insert(name, entry);
        }
        (Value::Object(out), primary)
    }
}

/// podman's HostConfig.CapDrop: what the container lacks of docker's default set (and what
/// was dropped explicitly), so that a script comparing with docker's defaults sees the truth.
fn dropped_from_docker(explicit: &[String], effective: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = crate::runtime::caps::DOCKER_DEFAULT
        .iter()
        .filter(|c| !effective.contains(c))
        .map(|c| c.to_string())
        .collect();
    for c in explicit {
        let name = if c.starts_with("CAP_") {
            c.to_uppercase()
        } else {
            format!("CAP_{}", c.to_uppercase())
        };
        if !out.contains(&name) && name != "CAP_ALL" {
            out.push(name);
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn go_time_drops_trailing_zeros_like_rfc3339nano() {
        let t = Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap();
        assert_eq!(go_time(Some(t)), "2024-05-01T10:00:00Z");
        let t = t + chrono::TimeDelta::nanoseconds(120_000_000);
        assert_eq!(go_time(Some(t)), "2024-05-01T10:00:00.12Z");
        assert_eq!(go_time(None), "0001-01-01T00:00:00Z");
    }

    #[test]
    fn tree_size_counts_hard_links_once_and_skips_directories_themselves() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        fs::write(dir.path().join("a"), vec![0u8; 100]).unwrap();
        fs::write(dir.path().join("sub/b"), vec![0u8; 50]).unwrap();
        fs::hard_link(dir.path().join("a"), dir.path().join("sub/a2")).unwrap();
        assert_eq!(tree_size(dir.path()), 150);
        assert_eq!(tree_size(&dir.path().join("missing")), 0);
    }

    #[test]
    fn stopping_reads_as_running_to_docker() {
        assert_eq!(docker_status(Status::Stopping), "running");
        assert_eq!(docker_status(Status::Exited), "exited");
    }
}
