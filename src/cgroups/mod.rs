//! cgroups: resource limits, statistics and the freezer for a container, through one of four
//! backends chosen per container at create time:
//!
//! - `systemd` — a transient scope `berth-<id>.scope` in `berth.slice` of the user's (or, as
//!   root, the system's) systemd, over D-Bus, with `Delegate=yes` and the limits as unit
//!   properties, as podman's systemd cgroup manager does (cgroup v2 with a reachable bus);
//! - `cgroupfs` on v2 — child cgroups in a subtree the user may write (root's whole tree, or a
//!   delegated one such as a systemd user service's);
//! - `cgroupfs` on v1 — as root on v1/hybrid hosts, `<controller>/berth/<id>` per controller;
//! - `none` — rootless with nothing usable: no limits, and the user is told why (or, strict,
//!   the container is refused).
//!
//! Everything here takes the cgroupfs root as a path, so the backends are tested against fake
//! trees in a temporary directory.

pub mod freezer;
pub mod none;
pub mod systemd;
pub mod v1;
pub mod v2;

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum CgroupError {
    /// Bad input from the user: the message names the value and the fix.
    #[error("{0}")]
    Invalid(String),
    /// The backend cannot be used (why, and what to do).
    #[error("{0}")]
    Unavailable(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
    #[error("systemd: {0}")]
    Systemd(String),
}

pub type Result<T> = std::result::Result<T, CgroupError>;

pub(crate) fn io_ctx(context: impl Into<String>) -> impl FnOnce(io::Error) -> CgroupError {
    let context = context.into();
    move |source| CgroupError::Io { context, source }
}

/// The kernel's smallest memory limit berth accepts (docker's rule).
pub const MIN_MEMORY: i64 = 6 * 1024 * 1024;
/// The CFS period docker uses for `--cpus`.
pub const DEFAULT_CPU_PERIOD: u64 = 100_000;

/// One `--device-{read,write}-{bps,iops}` entry: the device's numbers and the rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct DeviceRate {
    pub path: String,
    pub major: u64,
    pub minor: u64,
    pub rate: u64,
}

/// The limits of a container, resolved from the flags (docker's HostConfig fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Resources {
    /// Bytes; `--memory`.
    pub memory: Option<i64>,
    /// Memory plus swap in bytes, -1 for unlimited; `--memory-swap`.
    pub memory_swap: Option<i64>,
    pub memory_reservation: Option<i64>,
    pub oom_kill_disable: bool,
    /// `--cpus` in billionths of a CPU.
    pub nano_cpus: Option<u64>,
    pub cpu_shares: Option<u64>,
    pub cpu_period: Option<u64>,
    pub cpu_quota: Option<i64>,
    pub cpuset_cpus: Option<String>,
    pub cpuset_mems: Option<String>,
    /// `--pids-limit`; -1 is an explicit "unlimited" (what `update --pids-limit -1` asks for).
    pub pids_limit: Option<i64>,
    pub blkio_weight: Option<u16>,
    pub device_read_bps: Vec<DeviceRate>,
    pub device_write_bps: Vec<DeviceRate>,
    pub device_read_iops: Vec<DeviceRate>,
    pub device_write_iops: Vec<DeviceRate>,
}

impl Resources {
    /// Whether any limit was asked for (a container without limits needs no warning).
    pub fn is_empty(&self) -> bool {
        *self == Resources::default()
    }

    /// The CFS quota and period in microseconds: from `--cpus`, or `--cpu-quota`/`--cpu-period`.
    pub fn cpu_max(&self) -> Option<(i64, u64)> {
        if let Some(n) = self.nano_cpus {
            let period = DEFAULT_CPU_PERIOD;
            let quota = (n as u128 * period as u128 / 1_000_000_000) as i64;
            return Some((quota.max(1000), period));
        }
        match (self.cpu_quota, self.cpu_period) {
            (None, None) => None,
            (q, p) => Some((q.unwrap_or(-1), p.unwrap_or(DEFAULT_CPU_PERIOD))),
        }
    }

    /// Memory plus swap in bytes as docker defines it: `--memory-swap`, or twice `--memory`
    /// when only that is given; -1 for unlimited.
    pub fn memory_and_swap(&self) -> Option<i64> {
        match (self.memory_swap, self.memory) {
            (Some(s), _) => Some(s),
            (None, Some(m)) => Some(m * 2),
            (None, None) => None,
        }
    }

    /// Apply the limits `update` gave over the current ones.
    pub fn merge(&mut self, new: &Resources) {
        macro_rules! take {
            ($($f:ident),*) => { $( if new.$f.is_some() { self.$f = new.$f.clone(); } )* };
        }
        take!(
            memory,
            memory_swap,
            memory_reservation,
            cpu_shares,
            cpu_period,
            cpu_quota,
            cpuset_cpus,
            cpuset_mems,
            pids_limit,
            blkio_weight
        );
        if new.nano_cpus.is_some() {
            self.nano_cpus = new.nano_cpus;
            self.cpu_quota = None;
            self.cpu_period = None;
        } else if new.cpu_quota.is_some() || new.cpu_period.is_some() {
            self.nano_cpus = None;
        }
        // Raising --memory past a swap limit derived from the old memory: docker recomputes it.
        if new.memory.is_some() && new.memory_swap.is_none() {
            if let (Some(m), Some(s)) = (self.memory, self.memory_swap) {
                if s != -1 && s < m {
                    self.memory_swap = Some(m * 2);
                }
            }
        }
    }
}

/// docker's size syntax (`RAMInBytes`): a number, optionally fractional, and an optional unit
/// b, k, m, g, t, p (binary multiples; `kb`, `mib` spellings too), case-insensitive.
pub fn parse_bytes(s: &str) -> std::result::Result<i64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let value: f64 = num.parse().map_err(|_| {
        format!("invalid size {s:?}: use a number with an optional unit, e.g. 512m or 1g")
    })?;
    let unit = unit.trim().to_ascii_lowercase();
    let mult: f64 = match unit.as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" | "tib" => 1024f64.powi(4),
        "p" | "pb" | "pib" => 1024f64.powi(5),
        _ => {
            return Err(format!(
                "invalid size {s:?}: unknown unit {unit:?}; use b, k, m, g, t or p (e.g. 512m)"
            ))
        }
    };
    Ok((value * mult) as i64)
}

/// The CPUs (or memory nodes) of a cpuset list like `0-2,4`, in order.
pub fn parse_cpu_list(s: &str) -> std::result::Result<Vec<u32>, String> {
    let mut out = Vec::new();
    for part in s.trim().split(',') {
        let part = part.trim();
        let bad = || format!("invalid cpuset {s:?}: use numbers and ranges such as 0-2,4");
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?),
            None => {
                let n: u32 = part.parse().map_err(|_| bad())?;
                (n, n)
            }
        };
        if a > b {
            return Err(bad());
        }
        out.extend(a..=b);
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// What the host offers, for validating limits (read once per command).
#[derive(Debug, Clone)]
pub struct HostLimits {
    pub cpus: Vec<u32>,
    pub mems: Vec<u32>,
}

impl HostLimits {
    pub fn read() -> HostLimits {
        let list = |p: &str, fallback: &str| {
            fs::read_to_string(p)
                .ok()
                .and_then(|s| parse_cpu_list(&s).ok())
                .unwrap_or_else(|| parse_cpu_list(fallback).unwrap_or_default())
        };
        HostLimits {
            cpus: list("/sys/devices/system/cpu/online", "0"),
            mems: list("/sys/devices/system/node/online", "0"),
        }
    }
}

/// The flags as typed, before validation (create/run and update share them).
#[derive(Debug, Clone, Default)]
pub struct LimitArgs {
    pub memory: Option<String>,
    pub memory_swap: Option<String>,
    pub memory_reservation: Option<String>,
    pub oom_kill_disable: bool,
    pub cpus: Option<String>,
    pub cpu_shares: Option<u64>,
    pub cpu_period: Option<u64>,
    pub cpu_quota: Option<i64>,
    pub cpuset_cpus: Option<String>,
    pub cpuset_mems: Option<String>,
    pub pids_limit: Option<i64>,
    pub blkio_weight: Option<u16>,
    pub device_read_bps: Vec<String>,
    pub device_write_bps: Vec<String>,
    pub device_read_iops: Vec<String>,
    pub device_write_iops: Vec<String>,
}

fn invalid(msg: String) -> CgroupError {
    CgroupError::Invalid(msg)
}

/// A `PATH:RATE` device limit; the device's numbers come from `stat` of PATH.
pub fn parse_device_rate(flag: &str, s: &str, bytes: bool) -> Result<DeviceRate> {
    let (path, rate) = s.rsplit_once(':').ok_or_else(|| {
        invalid(format!(
            "invalid --{flag} {s:?}: use DEVICE:RATE, e.g. /dev/sda:{}",
            if bytes { "1mb" } else { "1000" }
        ))
    })?;
    let rate = if bytes {
        parse_bytes(rate).map_err(|e| invalid(format!("invalid --{flag} {s:?}: {e}")))?
    } else {
        rate.parse::<i64>().map_err(|_| {
            invalid(format!(
                "invalid --{flag} {s:?}: the rate must be a whole number of operations per second"
            ))
        })?
    };
    if rate < 0 {
        return Err(invalid(format!(
            "invalid --{flag} {s:?}: the rate must not be negative"
        )));
    }
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let meta = fs::metadata(path).map_err(|e| {
        invalid(format!(
            "invalid --{flag} {s:?}: cannot stat {path}: {e}; name a block device"
        ))
    })?;
    if !meta.file_type().is_block_device() {
        return Err(invalid(format!(
            "invalid --{flag} {s:?}: {path} is not a block device"
        )));
    }
    let rdev = meta.rdev();
    Ok(DeviceRate {
        path: path.to_string(),
        major: libc::major(rdev) as u64,
        minor: libc::minor(rdev) as u64,
        rate: rate as u64,
    })
}

impl LimitArgs {
    /// Validate the flags against docker's rules and the host, giving the limits.
    pub fn resolve(&self, host: &HostLimits) -> Result<Resources> {
        let size = |flag: &str, v: &Option<String>| -> Result<Option<i64>> {
            match v {
                None => Ok(None),
                Some(s) if flag == "memory-swap" && s.trim() == "-1" => Ok(Some(-1)),
                Some(s) => parse_bytes(s)
                    .map(Some)
                    .map_err(|e| invalid(format!("invalid --{flag}: {e}"))),
            }
        };
        let mut r = Resources {
            memory: size("memory", &self.memory)?,
            memory_swap: size("memory-swap", &self.memory_swap)?,
            memory_reservation: size("memory-reservation", &self.memory_reservation)?,
            oom_kill_disable: self.oom_kill_disable,
            cpu_shares: self.cpu_shares,
            cpu_period: self.cpu_period,
            cpu_quota: self.cpu_quota,
            cpuset_cpus: self.cpuset_cpus.clone(),
            cpuset_mems: self.cpuset_mems.clone(),
            pids_limit: self.pids_limit,
            blkio_weight: self.blkio_weight.filter(|w| *w != 0),
            ..Default::default()
        };
        if let Some(m) = r.memory {
            if m == 0 {
                r.memory = None;
            } else if m < MIN_MEMORY {
                return Err(invalid(format!(
                    "invalid --memory {:?}: minimum memory limit allowed is 6MB",
                    self.memory.as_deref().unwrap_or_default()
                )));
            }
        }
        if let Some(s) = r.memory_swap {
            match r.memory {
                _ if s == -1 => {}
                None => {
                    return Err(invalid(
                        "--memory-swap needs --memory: it is the total of memory and swap".into(),
                    ))
                }
                Some(m) if s < m => {
                    return Err(invalid(format!(
                        "invalid --memory-swap {:?}: it is memory plus swap, so it must be at least --memory ({m} bytes); use -1 for unlimited swap",
                        self.memory_swap.as_deref().unwrap_or_default()
                    )))
                }
                _ => {}
            }
        }
        if let (Some(res), Some(m)) = (r.memory_reservation, r.memory) {
            if res > m {
                return Err(invalid(
                    "--memory-reservation must be smaller than --memory: it is a soft limit below the hard one".into(),
                ));
            }
        }
        if let Some(c) = &self.cpus {
            let v: f64 = c.trim().parse().map_err(|_| {
                invalid(format!(
                    "invalid --cpus {c:?}: use a number of CPUs, e.g. 0.5 or 2"
                ))
            })?;
            let n = host.cpus.len();
            if v.is_nan() || v <= 0.0 || v > n as f64 {
                return Err(invalid(format!(
                    "invalid --cpus {c:?}: range of CPUs is from 0.01 to {n}.00, as there are only {n} CPUs available"
                )));
            }
            if self.cpu_period.is_some() || self.cpu_quota.is_some() {
                return Err(invalid(
                    "conflicting options: --cpus and --cpu-period/--cpu-quota cannot both be set; use one or the other".into(),
                ));
            }
            r.nano_cpus = Some((v * 1e9).round() as u64);
        }
        if let Some(s) = r.cpu_shares {
            if s == 0 {
                r.cpu_shares = None;
            } else if !(2..=262_144).contains(&s) {
                return Err(invalid(format!(
                    "invalid --cpu-shares {s}: use a value from 2 to 262144 (1024 is the default weight)"
                )));
            }
        }
        if let Some(p) = r.cpu_period {
            if !(1000..=1_000_000).contains(&p) {
                return Err(invalid(format!(
                    "invalid --cpu-period {p}: use 1000 to 1000000 microseconds"
                )));
            }
        }
        if let Some(q) = r.cpu_quota {
            if q != -1 && q < 1000 {
                return Err(invalid(format!(
                    "invalid --cpu-quota {q}: use at least 1000 microseconds, or -1 for none"
                )));
            }
        }
        for (flag, value, avail) in [
            ("cpuset-cpus", &r.cpuset_cpus, &host.cpus),
            ("cpuset-mems", &r.cpuset_mems, &host.mems),
        ] {
            if let Some(v) = value {
                let want =
                    parse_cpu_list(v).map_err(|e| invalid(format!("invalid --{flag}: {e}")))?;
                if let Some(missing) = want.iter().find(|c| !avail.contains(c)) {
                    return Err(invalid(format!(
                        "invalid --{flag} {v:?}: {missing} is not available on this host (it has {})",
                        format_list(avail)
                    )));
                }
            }
        }
        if let Some(p) = r.pids_limit {
            if p <= 0 {
                r.pids_limit = Some(-1);
            }
        }
        if let Some(w) = r.blkio_weight {
            if !(10..=1000).contains(&w) {
                return Err(invalid(format!(
                    "invalid --blkio-weight {w}: use 10 to 1000 (or 0 to leave it unset)"
                )));
            }
        }
        for (flag, list, out, bytes) in [
            (
                "device-read-bps",
                &self.device_read_bps,
                &mut r.device_read_bps,
                true,
            ),
            (
                "device-write-bps",
                &self.device_write_bps,
                &mut r.device_write_bps,
                true,
            ),
            (
                "device-read-iops",
                &self.device_read_iops,
                &mut r.device_read_iops,
                false,
            ),
            (
                "device-write-iops",
                &self.device_write_iops,
                &mut r.device_write_iops,
                false,
            ),
        ] {
            for s in list {
                out.push(parse_device_rate(flag, s, bytes)?);
            }
        }
        Ok(r)
    }
}

/// `0-1,3` from a sorted list.
pub fn format_list(v: &[u32]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let start = v[i];
        let mut end = start;
        while i + 1 < v.len() && v[i + 1] == end + 1 {
            i += 1;
            end = v[i];
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    parts.join(",")
}

/// Which backend a container uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Systemd,
    /// cgroupfs on a v2 (unified) hierarchy.
    V2,
    /// cgroupfs on v1 (legacy or hybrid) hierarchies.
    V1,
    /// No cgroup: rootless with nothing usable.
    #[default]
    None,
    /// `--cgroups disabled`.
    Disabled,
}

impl Kind {
    /// podman's HostConfig.CgroupManager / info's cgroupManager.
    pub fn manager_name(self) -> &'static str {
        match self {
            Kind::Systemd => "systemd",
            Kind::V2 | Kind::V1 => "cgroupfs",
            Kind::None => "none",
            Kind::Disabled => "disabled",
        }
    }
}

/// The host as the backend choice sees it (a struct so the choice is testable).
#[derive(Debug, Clone)]
pub struct HostView {
    /// Where the cgroup hierarchies are mounted (/sys/fs/cgroup).
    pub root: PathBuf,
    pub rootless: bool,
    /// /sys/fs/cgroup is a cgroup2 mount.
    pub unified: bool,
    /// The address of a reachable systemd bus (the user's when rootless).
    pub bus: Option<String>,
    /// This process's cgroup v2 path ("0::" line of /proc/self/cgroup).
    pub own_cgroup: Option<String>,
}

impl HostView {
    pub fn probe(rootless: bool) -> HostView {
        let root = PathBuf::from("/sys/fs/cgroup");
        let unified = root.join("cgroup.controllers").exists();
        HostView {
            unified,
            bus: if unified {
                systemd::bus_address(rootless)
            } else {
                None
            },
            own_cgroup: fs::read_to_string("/proc/self/cgroup")
                .ok()
                .and_then(|s| v2_path_of(&s)),
            root,
            rootless,
        }
    }
}

/// The cgroup v2 path in a /proc/PID/cgroup text.
pub fn v2_path_of(proc_cgroup: &str) -> Option<String> {
    proc_cgroup
        .lines()
        .find_map(|l| l.strip_prefix("0::"))
        .map(|p| p.trim().to_string())
}

/// The backend chosen for a container: its kind and, for `none`, why (and what to do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub kind: Kind,
    pub why_none: Option<String>,
}

/// Pick the backend: `--cgroups disabled` → none at all; `--cgroup-manager` narrows the
/// choice; otherwise systemd when a bus is reachable on v2, cgroupfs where berth may write
/// (root, or a delegated v2 subtree), and `none` with the reason.
pub fn choose(host: &HostView, disabled: bool, manager: Option<&str>) -> Result<Choice> {
    if disabled {
        return Ok(Choice {
            kind: Kind::Disabled,
            why_none: None,
        });
    }
    if let Some(m) = manager {
        if !matches!(m, "systemd" | "cgroupfs") {
            return Err(invalid(format!(
                "invalid --cgroup-manager {m:?}: use systemd or cgroupfs"
            )));
        }
    }
    let none = |why: String| {
        Ok(Choice {
            kind: Kind::None,
            why_none: Some(why),
        })
    };
    if !host.unified {
        if manager == Some("systemd") {
            return Err(CgroupError::Unavailable(
                "--cgroup-manager systemd needs cgroup v2 and systemd; this host has cgroup v1: use --cgroup-manager cgroupfs".into(),
            ));
        }
        if host.rootless {
            return none(
                "this host has cgroup v1, which only root may use: for limits boot with cgroup v2 and a systemd user session (systemd.unified_cgroup_hierarchy=1), or run berth as root".into(),
            );
        }
        return Ok(Choice {
            kind: Kind::V1,
            why_none: None,
        });
    }
    if manager != Some("cgroupfs") {
        if host.bus.is_some() {
            return Ok(Choice {
                kind: Kind::Systemd,
                why_none: None,
            });
        }
        if manager == Some("systemd") {
            return Err(CgroupError::Unavailable(
                "--cgroup-manager systemd: no systemd bus is reachable (no $DBUS_SESSION_BUS_ADDRESS, no $XDG_RUNTIME_DIR/bus): log in through a systemd user session (or loginctl enable-linger), or use --cgroup-manager cgroupfs".into(),
            ));
        }
    }
    if !host.rootless {
        return Ok(Choice {
            kind: Kind::V2,
            why_none: None,
        });
    }
    match v2::delegated_base(&host.root, host.own_cgroup.as_deref()) {
        Ok(_) => Ok(Choice {
            kind: Kind::V2,
            why_none: None,
        }),
        Err(why) => none(format!(
            "no systemd user bus is reachable and {why}: for limits log in through a systemd user session (cgroup v2 + systemd), or run berth as root"
        )),
    }
}

/// A container's cgroup as created: enough to enter, update, read, freeze and remove it later
/// (kept in the container's state).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Cgroup {
    pub kind: Kind,
    /// v1: one directory per controller (by controller name); v2 and systemd: "" → the cgroup.
    pub paths: BTreeMap<String, PathBuf>,
    /// systemd: the scope unit's name.
    pub unit: Option<String>,
    /// v2 cgroupfs: the directories berth created above the container's (removed when empty).
    pub created_parents: Vec<PathBuf>,
    /// systemd and v2: the monitor, which lives in the container's cgroup (so that the cgroup,
    /// and its memory.events, outlive the container's last process until the monitor has read
    /// them, and a restart reuses it); 0 when it is not in it (v1).
    pub monitor_pid: i32,
    /// v2 cgroupfs: the cgroup the monitor came from, where it goes back before the container's
    /// cgroup is removed.
    pub monitor_home: Option<PathBuf>,
    /// The OOM kills counted before the current run (a reused cgroup keeps its counter).
    pub oom_kills_before: u64,
}

/// What the container's cgroup says about its use of resources; None where it cannot tell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Total CPU time in nanoseconds.
    pub cpu_ns: Option<u64>,
    /// Memory in use, page cache that can be dropped excluded (docker's MEM USAGE).
    pub mem_usage: Option<u64>,
    /// The memory limit, None when unlimited.
    pub mem_limit: Option<u64>,
    pub pids: Option<u64>,
    pub blk_read: Option<u64>,
    pub blk_write: Option<u64>,
}

impl Cgroup {
    /// The directory of a v2-style cgroup (systemd or v2) or of one v1 controller.
    pub fn dir(&self, controller: &str) -> Option<&Path> {
        match self.kind {
            Kind::V1 => self.paths.get(controller).map(PathBuf::as_path),
            _ => self.paths.get("").map(PathBuf::as_path),
        }
    }

    /// Move `pid` (an exec'd process, the container's init) into the cgroup. On a systemd
    /// host a move berth may not make itself (out of a cgroup it does not own) is systemd's.
    pub fn enter(&self, pid: i32) -> Result<()> {
        for dir in self.paths.values() {
            let written = fs::write(dir.join("cgroup.procs"), pid.to_string());
            match written {
                Ok(()) => {}
                Err(_) if self.kind == Kind::Systemd => systemd::attach(self, &[pid])?,
                Err(e) => {
                    return Err(io_ctx(format!(
                        "moving process {pid} into cgroup {}",
                        dir.display()
                    ))(e))
                }
            }
        }
        Ok(())
    }

    /// Change the limits of the running container.
    pub fn update(&self, r: &Resources) -> Result<()> {
        match self.kind {
            Kind::V1 => v1::apply(self, r, true),
            Kind::V2 => v2::apply(self.dir("").expect("v2 cgroup has a path"), r),
            Kind::Systemd => systemd::update(self, r),
            Kind::None | Kind::Disabled => Err(none::no_limits()),
        }
    }

    pub fn stats(&self) -> Stats {
        match self.kind {
            Kind::V1 => v1::stats(self),
            Kind::V2 | Kind::Systemd => {
                let Some(dir) = self.dir("") else {
                    return Stats::default();
                };
                let mut s = v2::stats(dir);
                // The monitor is in the cgroup but is not one of the container's processes.
                if self.monitor_inside() {
                    s.pids = s.pids.map(|n| n.saturating_sub(1));
                }
                s
            }
            Kind::None | Kind::Disabled => Stats::default(),
        }
    }

    /// Put the monitor (`pid`, the calling process) into the container's cgroup, remembering
    /// where it was. v1 keeps the monitor outside: its cgroups are not removed behind berth's
    /// back, and freezing the container must not freeze the monitor there.
    pub fn adopt_monitor(&mut self, pid: i32) -> Result<()> {
        if !matches!(self.kind, Kind::V2 | Kind::Systemd) {
            return Ok(());
        }
        let Some(dir) = self.dir("").map(Path::to_path_buf) else {
            return Ok(());
        };
        if self.kind == Kind::V2 && self.monitor_home.is_none() {
            let own = fs::read_to_string(format!("/proc/{pid}/cgroup"))
                .ok()
                .and_then(|s| v2_path_of(&s))
                .ok_or_else(|| {
                    CgroupError::Unavailable(format!(
                        "process {pid} is in no cgroup v2 (no 0:: line in /proc/{pid}/cgroup)"
                    ))
                })?;
            self.monitor_home = Some(cgroup_root_of(&dir).join(own.trim_start_matches('/')));
        }
        if !process_in(pid, &dir) {
            let written = fs::write(dir.join("cgroup.procs"), pid.to_string());
            match written {
                Ok(()) => {}
                // Out of a cgroup berth does not own (a session scope, a system service):
                // systemd moves it, or the monitor stays where it is (the container runs; the
                // scope may end before the monitor has read an OOM kill from it).
                Err(e) if self.kind == Kind::Systemd => {
                    if let Err(why) = systemd::attach(self, &[pid]) {
                        crate::debug::note(&format!(
                            "the monitor stays outside {}: {e}; {why}",
                            dir.display()
                        ));
                    }
                }
                Err(e) => {
                    return Err(io_ctx(format!(
                        "moving the monitor (process {pid}) into cgroup {}",
                        dir.display()
                    ))(e))
                }
            }
        }
        self.monitor_pid = pid;
        Ok(())
    }

    /// Whether the recorded monitor is (still) in the container's cgroup.
    fn monitor_inside(&self) -> bool {
        self.monitor_pid > 0
            && self
                .dir("")
                .is_some_and(|d| process_in(self.monitor_pid, d))
    }

    /// The OOM kills of the current run; the next run counts from here.
    pub fn take_oom_kills(&mut self) -> u64 {
        let total = self.oom_kills();
        let new = total.saturating_sub(self.oom_kills_before);
        self.oom_kills_before = total;
        new
    }

    /// Freeze or thaw every process of the container.
    pub fn freeze(&self, frozen: bool) -> Result<()> {
        let dir = match self.kind {
            Kind::V1 => self.dir("freezer"),
            _ => self.dir(""),
        }
        .ok_or_else(|| {
            CgroupError::Unavailable(
                "the container's cgroup has no freezer (the freezer controller is not mounted)"
                    .into(),
            )
        })?;
        freezer::set_frozen(dir, self.kind == Kind::V1, frozen)
            .map_err(io_ctx(format!("freezing cgroup {}", dir.display())))
    }

    /// How many times the OOM killer killed a process of the container.
    pub fn oom_kills(&self) -> u64 {
        match self.kind {
            Kind::V1 => self.dir("memory").map(v1::oom_kills).unwrap_or(0),
            Kind::V2 => self.dir("").map(v2::oom_kills).unwrap_or(0),
            Kind::Systemd => match self.dir("") {
                Some(d) if d.join("memory.events").exists() => v2::oom_kills(d),
                // systemd removed the emptied scope's cgroup first: ask it why the scope ended.
                _ => u64::from(systemd::oom_killed(self)),
            },
            _ => 0,
        }
    }

    /// Remove the cgroup (the container's processes must be gone) and the empty parents berth
    /// made. The monitor may still be in it: called by the monitor itself (`--rm`), a v2
    /// monitor moves back to where it came from, and a systemd one leaves the scope to systemd,
    /// which collects it once the monitor has exited; called by another command, this waits
    /// for the monitor to exit first.
    pub fn remove(&self) -> Result<()> {
        if matches!(self.kind, Kind::V2 | Kind::Systemd) {
            if let Some(dir) = self.dir("") {
                // SAFETY: getpid has no preconditions.
                let me = unsafe { libc::getpid() };
                if process_in(me, dir) {
                    match (self.kind, &self.monitor_home) {
                        (Kind::V2, Some(home)) => {
                            fs::write(home.join("cgroup.procs"), me.to_string()).map_err(
                                io_ctx(format!(
                                    "moving the monitor back to cgroup {}",
                                    home.display()
                                )),
                            )?;
                        }
                        // The scope ends with this process.
                        _ => return Ok(()),
                    }
                } else {
                    wait_empty(dir);
                }
            }
        }
        match self.kind {
            Kind::Systemd => systemd::remove(self),
            Kind::V1 => v1::remove(self),
            Kind::V2 => v2::remove(self),
            _ => Ok(()),
        }
    }
}

/// Remove an empty cgroup directory, waiting a moment for exited processes to leave it; a
/// directory that is already gone is fine.
pub(crate) fn rmdir_wait(dir: &Path) -> io::Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        match fs::remove_dir(dir) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e)
                if e.raw_os_error() == Some(libc::EBUSY)
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Whether process `pid` is in the v2 cgroup `dir`.
pub(crate) fn process_in(pid: i32, dir: &Path) -> bool {
    fs::read_to_string(format!("/proc/{pid}/cgroup"))
        .ok()
        .and_then(|s| v2_path_of(&s))
        .is_some_and(|own| is_cgroup_dir(&own, dir))
}

/// Whether the v2 cgroup path `own` (from /proc/PID/cgroup) is the directory `dir` of the
/// cgroupfs: `dir` ends with it. The root cgroup is never a container's.
fn is_cgroup_dir(own: &str, dir: &Path) -> bool {
    let rel = own.trim_start_matches('/');
    !rel.is_empty() && dir.ends_with(rel)
}

/// The cgroup2 mount `dir` is under: its topmost ancestor that is a cgroup (has
/// cgroup.controllers).
fn cgroup_root_of(dir: &Path) -> PathBuf {
    dir.ancestors()
        .filter(|a| a.join("cgroup.controllers").exists())
        .last()
        .map_or_else(|| PathBuf::from("/sys/fs/cgroup"), Path::to_path_buf)
}

/// Wait (up to 10 s) until the cgroup `dir` holds no process: the monitor of an exited
/// container finishing its work. A cgroup already gone is empty.
pub(crate) fn wait_empty(dir: &Path) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        match fs::read_to_string(dir.join("cgroup.procs")) {
            Ok(p) if !p.trim().is_empty() => {
                std::thread::sleep(std::time::Duration::from_millis(10))
            }
            _ => return,
        }
    }
}

/// Where berth puts a container: `parent` (`--cgroup-parent`, relative to the backend's base)
/// or `berth`, then the ID.
pub fn relative_path(id: &str, parent: &str) -> Result<PathBuf> {
    let parent = parent.trim_matches('/');
    let parent = if parent.is_empty() { "berth" } else { parent };
    if parent.split('/').any(|c| c == ".." || c == ".") {
        return Err(invalid(format!(
            "invalid --cgroup-parent {parent:?}: use a path without . or .. components"
        )));
    }
    Ok(Path::new(parent).join(id))
}

/// The directories between `base` and `base/rel` (exclusive) that do not exist yet, outermost
/// first: what creating the container's cgroup adds besides its own directory.
pub(crate) fn missing_parents(base: &Path, rel: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut cur = base.to_path_buf();
    for comp in rel.parent().into_iter().flat_map(Path::components) {
        cur = cur.join(comp);
        if !cur.exists() {
            out.push(cur.clone());
        }
    }
    out
}

/// Remove the parents berth created (innermost first), those that are empty now.
pub(crate) fn remove_parents(parents: &[PathBuf]) {
    for p in parents.iter().rev() {
        // Fails, as it should, while other containers are in it.
        let _ = fs::remove_dir(p);
    }
}

/// The backends' creation step: make the container's cgroup with its limits and put `pid` in;
/// systemd also puts `monitor` (when not 0) into the scope in the same step (see
/// [`Cgroup::adopt_monitor`] for the others).
pub fn create(
    kind: Kind,
    root: &Path,
    id: &str,
    parent: &str,
    r: &Resources,
    pid: i32,
    monitor: i32,
) -> Result<Option<Cgroup>> {
    match kind {
        // No cgroup: `none` was warned about (or refused) when the container was created.
        Kind::Disabled | Kind::None => Ok(None),
        Kind::V1 => v1::create(root, id, parent, r, pid).map(Some),
        Kind::V2 => {
            let own = fs::read_to_string("/proc/self/cgroup")
                .ok()
                .and_then(|s| v2_path_of(&s));
            let rootless = rustix::process::geteuid().as_raw() != 0;
            v2::create(root, own.as_deref(), rootless, id, parent, r, pid).map(Some)
        }
        Kind::Systemd => systemd::create(root, id, parent, r, pid, monitor).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(cpus: &str) -> HostLimits {
        HostLimits {
            cpus: parse_cpu_list(cpus).unwrap(),
            mems: vec![0],
        }
    }

    #[test]
    fn docker_sizes_parse_with_binary_units_and_fractions() {
        assert_eq!(parse_bytes("100m").unwrap(), 100 << 20);
        assert_eq!(parse_bytes("1g").unwrap(), 1 << 30);
        assert_eq!(parse_bytes("1GB").unwrap(), 1 << 30);
        assert_eq!(parse_bytes("0.5g").unwrap(), 512 << 20);
        assert_eq!(parse_bytes("4096").unwrap(), 4096);
        assert_eq!(parse_bytes("2k").unwrap(), 2048);
    }

    #[test]
    fn unknown_size_units_are_refused_naming_the_unit() {
        let e = parse_bytes("10x").unwrap_err();
        assert!(e.contains("unknown unit \"x\""), "{e}");
        assert!(parse_bytes("m").is_err());
    }

    #[test]
    fn memory_below_six_megabytes_is_refused() {
        let a = LimitArgs {
            memory: Some("1k".into()),
            ..Default::default()
        };
        let e = a.resolve(&host("0-1")).unwrap_err().to_string();
        assert!(e.contains("minimum memory limit allowed is 6MB"), "{e}");
    }

    #[test]
    fn cpus_must_be_positive_and_at_most_the_hosts() {
        for bad in ["0", "3", "-1", "x"] {
            let a = LimitArgs {
                cpus: Some(bad.into()),
                ..Default::default()
            };
            assert!(a.resolve(&host("0-1")).is_err(), "{bad}");
        }
        let a = LimitArgs {
            cpus: Some(".5".into()),
            ..Default::default()
        };
        let r = a.resolve(&host("0-1")).unwrap();
        assert_eq!(r.nano_cpus, Some(500_000_000));
        assert_eq!(r.cpu_max(), Some((50_000, 100_000)));
    }

    #[test]
    fn cpusets_must_name_cpus_the_host_has() {
        let a = LimitArgs {
            cpuset_cpus: Some("99".into()),
            ..Default::default()
        };
        let e = a.resolve(&host("0-1")).unwrap_err().to_string();
        assert!(
            e.contains("99 is not available on this host (it has 0-1)"),
            "{e}"
        );
        let a = LimitArgs {
            cpuset_cpus: Some("0-1".into()),
            ..Default::default()
        };
        assert!(a.resolve(&host("0-1")).is_ok());
    }

    #[test]
    fn swap_defaults_to_twice_memory_and_must_cover_memory() {
        let a = LimitArgs {
            memory: Some("100m".into()),
            ..Default::default()
        };
        assert_eq!(
            a.resolve(&host("0")).unwrap().memory_and_swap(),
            Some(200 << 20)
        );
        let a = LimitArgs {
            memory: Some("100m".into()),
            memory_swap: Some("50m".into()),
            ..Default::default()
        };
        assert!(a.resolve(&host("0")).is_err());
        let a = LimitArgs {
            memory: Some("100m".into()),
            memory_swap: Some("-1".into()),
            ..Default::default()
        };
        assert_eq!(a.resolve(&host("0")).unwrap().memory_and_swap(), Some(-1));
    }

    #[test]
    fn cpus_conflicts_with_quota_and_period() {
        let a = LimitArgs {
            cpus: Some("1".into()),
            cpu_quota: Some(50_000),
            ..Default::default()
        };
        assert!(a.resolve(&host("0-1")).is_err());
    }

    #[test]
    fn cpu_lists_round_trip() {
        assert_eq!(parse_cpu_list("0-2,4").unwrap(), vec![0, 1, 2, 4]);
        assert_eq!(format_list(&[0, 1, 2, 4]), "0-2,4");
        assert!(parse_cpu_list("2-1").is_err());
        assert!(parse_cpu_list("a").is_err());
    }

    #[test]
    fn update_merges_over_current_limits_and_cpus_replaces_quota() {
        let mut cur = Resources {
            memory: Some(100 << 20),
            cpu_quota: Some(20_000),
            cpu_period: Some(100_000),
            ..Default::default()
        };
        cur.merge(&Resources {
            nano_cpus: Some(1_000_000_000),
            pids_limit: Some(10),
            ..Default::default()
        });
        assert_eq!(cur.memory, Some(100 << 20));
        assert_eq!(cur.cpu_quota, None);
        assert_eq!(cur.cpu_max(), Some((100_000, 100_000)));
        assert_eq!(cur.pids_limit, Some(10));
        cur.merge(&Resources {
            pids_limit: Some(-1),
            ..Default::default()
        });
        assert_eq!(cur.pids_limit, Some(-1));
    }

    fn view(unified: bool, rootless: bool, bus: bool) -> HostView {
        HostView {
            root: PathBuf::from("/nonexistent-cgroup-root"),
            rootless,
            unified,
            bus: bus.then(|| "unix:path=/run/user/1000/bus".into()),
            own_cgroup: None,
        }
    }

    #[test]
    fn root_on_v1_uses_cgroupfs_v1_and_rootless_on_v1_gets_none_with_a_reason() {
        assert_eq!(
            choose(&view(false, false, false), false, None)
                .unwrap()
                .kind,
            Kind::V1
        );
        let c = choose(&view(false, true, false), false, None).unwrap();
        assert_eq!(c.kind, Kind::None);
        assert!(c.why_none.unwrap().contains("cgroup v2"));
    }

    #[test]
    fn v2_with_a_bus_prefers_systemd_unless_cgroupfs_is_asked_for() {
        assert_eq!(
            choose(&view(true, true, true), false, None).unwrap().kind,
            Kind::Systemd
        );
        assert_eq!(
            choose(&view(true, false, true), false, Some("cgroupfs"))
                .unwrap()
                .kind,
            Kind::V2
        );
        assert!(choose(&view(true, true, false), false, Some("systemd")).is_err());
        assert!(choose(&view(true, true, true), false, Some("bogus")).is_err());
    }

    #[test]
    fn disabled_cgroups_need_no_backend() {
        assert_eq!(
            choose(&view(false, true, false), true, None).unwrap().kind,
            Kind::Disabled
        );
    }

    fn v2_cgroup(dir: &Path) -> Cgroup {
        Cgroup {
            kind: Kind::V2,
            paths: [(String::new(), dir.to_path_buf())].into_iter().collect(),
            ..Default::default()
        }
    }

    /// This process's cgroup v2 path, relative (every Linux test host has a 0:: line).
    fn own_path() -> String {
        let s = fs::read_to_string("/proc/self/cgroup").unwrap();
        v2_path_of(&s).unwrap().trim_start_matches('/').to_string()
    }

    #[test]
    fn a_reused_cgroup_counts_only_the_oom_kills_of_the_current_run() {
        let t = tempfile::tempdir().unwrap();
        let mut cg = v2_cgroup(t.path());
        fs::write(t.path().join("memory.events"), "oom 2\noom_kill 2\n").unwrap();
        assert_eq!(cg.take_oom_kills(), 2);
        assert_eq!(cg.take_oom_kills(), 0, "the next run starts from here");
        fs::write(t.path().join("memory.events"), "oom 3\noom_kill 3\n").unwrap();
        assert_eq!(cg.take_oom_kills(), 1);
    }

    #[test]
    fn adopting_the_monitor_moves_it_in_and_remembers_where_it_came_from() {
        let t = tempfile::tempdir().unwrap();
        fs::write(t.path().join("cgroup.controllers"), "memory pids\n").unwrap();
        let dir = t.path().join("berth/abc");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("cgroup.controllers"), "memory pids\n").unwrap();
        let mut cg = v2_cgroup(&dir);
        let me = std::process::id() as i32;
        cg.adopt_monitor(me).unwrap();
        assert_eq!(
            fs::read_to_string(dir.join("cgroup.procs")).unwrap(),
            me.to_string()
        );
        assert_eq!(cg.monitor_pid, me);
        assert_eq!(cg.monitor_home, Some(t.path().join(own_path())));
    }

    #[test]
    fn v1_cgroups_leave_the_monitor_outside() {
        let t = tempfile::tempdir().unwrap();
        let mut cg = Cgroup {
            kind: Kind::V1,
            paths: [("memory".to_string(), t.path().to_path_buf())]
                .into_iter()
                .collect(),
            ..Default::default()
        };
        cg.adopt_monitor(std::process::id() as i32).unwrap();
        assert_eq!(cg.monitor_pid, 0);
        assert!(!t.path().join("cgroup.procs").exists());
    }

    #[test]
    fn a_process_is_in_the_cgroup_directory_its_v2_path_names() {
        let dir = Path::new("/sys/fs/cgroup/user.slice/berth.slice/berth-abc.scope");
        assert!(is_cgroup_dir(
            "/user.slice/berth.slice/berth-abc.scope",
            dir
        ));
        assert!(!is_cgroup_dir("/user.slice/app.slice/run-1.service", dir));
        assert!(!is_cgroup_dir("/berth.slice/berth-ab", dir));
        assert!(!is_cgroup_dir("/", dir), "the root cgroup is nobody's");
    }

    #[test]
    fn cgroup_parents_may_not_climb_out() {
        assert_eq!(relative_path("abc", "").unwrap(), Path::new("berth/abc"));
        assert_eq!(
            relative_path("abc", "/my/group").unwrap(),
            Path::new("my/group/abc")
        );
        assert!(relative_path("abc", "../x").is_err());
    }
}
