//! The systemd backend: each container is a transient scope `berth-<id>.scope` in
//! `berth.slice` (or the `--cgroup-parent` slice) of the user's systemd — the system's as root —
//! created over D-Bus with `StartTransientUnit`, `Delegate=yes`, the container's pid and its
//! limits as unit properties, as podman's systemd cgroup manager does. systemd moves the
//! process and writes the cgroup files; berth reads statistics, freezes and finds OOM kills in
//! the scope's cgroup directory like any v2 cgroup.
//!
//! D-Bus runs in a short-lived forked child: zbus starts threads, and the monitor that calls
//! this must stay single-threaded (it clones the container's process again on restart).

use std::fs;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{io_ctx, Cgroup, CgroupError, Kind, Resources, Result};

const DEST: &str = "org.freedesktop.systemd1";
const OBJECT: &str = "/org/freedesktop/systemd1";
const MANAGER: &str = "org.freedesktop.systemd1.Manager";
const SYSTEM_BUS: &str = "/run/dbus/system_bus_socket";

/// The address of the bus whose systemd manages our cgroups, if one answers: the user's
/// session bus when rootless, the system bus as root.
pub fn bus_address(rootless: bool) -> Option<String> {
    let candidates: Vec<String> = if rootless {
        let mut v = Vec::new();
        if let Ok(a) = std::env::var("DBUS_SESSION_BUS_ADDRESS") {
            v.push(a);
        }
        // The user's systemd listens in the session runtime dir (berth's one rule:
        // $XDG_RUNTIME_DIR when it is ours, else /run/user/UID).
        let bus = crate::hostpaths::runtime_dir(crate::hostpaths::host_uid())
            .ok()
            .and_then(|rd| rd.user_bus());
        if let Some(bus) = bus {
            v.push(format!("unix:path={}", bus.display()));
        }
        v
    } else if Path::new("/run/systemd/system").exists() {
        vec![format!("unix:path={SYSTEM_BUS}")]
    } else {
        Vec::new()
    };
    candidates.into_iter().find(|a| reachable(a))
}

/// A `unix:path=` address answers a connect; other address kinds are taken on trust.
fn reachable(address: &str) -> bool {
    let Some(path) = address
        .split(';')
        .next()
        .and_then(|a| a.strip_prefix("unix:"))
        .and_then(|a| a.split(',').find_map(|kv| kv.strip_prefix("path=")))
    else {
        return !address.is_empty();
    };
    std::os::unix::net::UnixStream::connect(path).is_ok()
}

/// The scope unit of container `id`.
pub fn unit_name(id: &str) -> String {
    format!("berth-{id}.scope")
}

/// The slice a scope goes in: `--cgroup-parent` when it names a slice, else `berth.slice`.
pub fn slice_name(parent: &str) -> Result<String> {
    let p = parent.trim_matches('/');
    if p.is_empty() {
        return Ok("berth.slice".into());
    }
    if p.ends_with(".slice") && !p.contains('/') {
        return Ok(p.to_string());
    }
    Err(CgroupError::Invalid(format!(
        "invalid --cgroup-parent {parent:?}: with the systemd cgroup manager it must be a slice, e.g. mine.slice"
    )))
}

/// A unit property's value, independent of the D-Bus library (so the mapping is testable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prop {
    Bool(bool),
    Str(String),
    U64(u64),
    Pids(Vec<u32>),
    /// A CPU or memory-node bitmask (`AllowedCPUs`), lowest CPU in the first byte's low bit.
    Mask(Vec<u8>),
    /// (device path, rate) pairs (`IOReadBandwidthMax`...).
    Devices(Vec<(String, u64)>),
}

/// systemd's infinity for limits.
const INFINITY: u64 = u64::MAX;

/// `--cpu-shares` (2..262144, default 1024) on cgroup v2's weight scale (1..10000, default
/// 100), as crun converts it.
pub fn shares_to_weight(shares: u64) -> u64 {
    1 + (shares.saturating_sub(2) * 9999) / 262_142
}

/// `--blkio-weight` (10..1000) on v2's io.weight scale (1..10000).
pub fn blkio_to_io_weight(w: u16) -> u64 {
    1 + (u64::from(w).saturating_sub(10) * 9999) / 990
}

/// A cpuset list as systemd's byte mask.
pub fn mask(list: &str) -> Result<Vec<u8>> {
    let cpus = super::parse_cpu_list(list).map_err(CgroupError::Invalid)?;
    let mut bytes = vec![0u8; cpus.last().map_or(0, |m| *m as usize / 8 + 1)];
    for c in cpus {
        bytes[c as usize / 8] |= 1 << (c % 8);
    }
    Ok(bytes)
}

/// The limit properties of `r` (for both `StartTransientUnit` and `SetUnitProperties`).
pub fn resource_properties(r: &Resources) -> Result<Vec<(&'static str, Prop)>> {
    let mut p = Vec::new();
    if let Some(m) = r.memory {
        p.push(("MemoryMax", Prop::U64(m as u64)));
        match r.memory_and_swap() {
            Some(-1) => p.push(("MemorySwapMax", Prop::U64(INFINITY))),
            Some(total) => p.push(("MemorySwapMax", Prop::U64((total - m).max(0) as u64))),
            None => {}
        }
    }
    if let Some(low) = r.memory_reservation {
        p.push(("MemoryLow", Prop::U64(low as u64)));
    }
    if let Some((quota, period)) = r.cpu_max() {
        let per_sec = if quota < 0 {
            INFINITY
        } else {
            quota as u64 * 1_000_000 / period
        };
        p.push(("CPUQuotaPerSecUSec", Prop::U64(per_sec)));
        p.push(("CPUQuotaPeriodUSec", Prop::U64(period)));
    }
    if let Some(s) = r.cpu_shares {
        p.push(("CPUWeight", Prop::U64(shares_to_weight(s))));
    }
    if let Some(c) = &r.cpuset_cpus {
        p.push(("AllowedCPUs", Prop::Mask(mask(c)?)));
    }
    if let Some(m) = &r.cpuset_mems {
        p.push(("AllowedMemoryNodes", Prop::Mask(mask(m)?)));
    }
    if let Some(n) = r.pids_limit {
        p.push((
            "TasksMax",
            Prop::U64(if n < 0 { INFINITY } else { n as u64 }),
        ));
    }
    if let Some(w) = r.blkio_weight {
        p.push(("IOWeight", Prop::U64(blkio_to_io_weight(w))));
    }
    for (name, list) in [
        ("IOReadBandwidthMax", &r.device_read_bps),
        ("IOWriteBandwidthMax", &r.device_write_bps),
        ("IOReadIOPSMax", &r.device_read_iops),
        ("IOWriteIOPSMax", &r.device_write_iops),
    ] {
        if !list.is_empty() {
            p.push((
                name,
                Prop::Devices(list.iter().map(|d| (d.path.clone(), d.rate)).collect()),
            ));
        }
    }
    Ok(p)
}

/// Everything `StartTransientUnit` gets for container `id` with the processes `pids` (the
/// container's first process, and its monitor).
pub fn scope_properties(
    id: &str,
    slice: &str,
    pids: &[i32],
    r: &Resources,
) -> Result<Vec<(&'static str, Prop)>> {
    let mut p = vec![
        ("Description", Prop::Str(format!("berth container {id}"))),
        ("Slice", Prop::Str(slice.to_string())),
        ("Delegate", Prop::Bool(true)),
        ("DefaultDependencies", Prop::Bool(false)),
        // No CollectMode: a scope that ends normally is collected at once, one that failed
        // stays loaded until berth resets it. The monitor is in the scope too, so that it is
        // not collected (and its memory.events lost: systemd 252 has no OOMPolicy for scopes
        // and ends them with Result=success) before the monitor has read why the container
        // ended; the scope ends when the monitor exits.
        (
            "PIDs",
            Prop::Pids(pids.iter().filter(|p| **p > 0).map(|p| *p as u32).collect()),
        ),
    ];
    // Accounting on, so the scope's cgroup gets the controllers stats read.
    for acct in [
        "MemoryAccounting",
        "CPUAccounting",
        "TasksAccounting",
        "IOAccounting",
    ] {
        p.push((acct, Prop::Bool(true)));
    }
    p.extend(resource_properties(r)?);
    Ok(p)
}

fn to_value(p: &Prop) -> zbus::zvariant::Value<'static> {
    use zbus::zvariant::Value;
    match p {
        Prop::Bool(b) => Value::from(*b),
        Prop::Str(s) => Value::from(s.clone()),
        Prop::U64(n) => Value::from(*n),
        Prop::Pids(v) => Value::from(v.clone()),
        Prop::Mask(v) => Value::from(v.clone()),
        Prop::Devices(v) => Value::from(v.clone()),
    }
}

/// Run `f` in a forked child and return what it returned. The child may start threads; we
/// stay single-threaded.
fn in_child(f: impl FnOnce() -> std::result::Result<String, String>) -> Result<String> {
    let mut fds = [0; 2];
    // SAFETY: a pipe for the child's answer.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io_ctx("creating a pipe for the D-Bus helper")(
            std::io::Error::last_os_error(),
        ));
    }
    // SAFETY: we own both ends from here.
    let (r, w) = unsafe { (fs::File::from_raw_fd(fds[0]), fs::File::from_raw_fd(fds[1])) };
    // SAFETY: the caller is single-threaded; the child leaves through _exit.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(io_ctx("forking the D-Bus helper")(
            std::io::Error::last_os_error(),
        ));
    }
    if pid == 0 {
        drop(r);
        let mut w = w;
        let msg = match f() {
            Ok(s) => format!("+{s}"),
            Err(e) => format!("-{e}"),
        };
        let _ = w.write_all(msg.as_bytes());
        // SAFETY: leave without running the parent's destructors.
        unsafe { libc::_exit(0) }
    }
    drop(w);
    let mut out = String::new();
    let mut r = r;
    let _ = r.read_to_string(&mut out);
    let mut st = 0;
    // SAFETY: reaping our own child.
    unsafe { libc::waitpid(pid, &mut st, 0) };
    let _ = r.as_raw_fd();
    match out.split_at_checked(1) {
        Some(("+", rest)) => Ok(rest.to_string()),
        Some(("-", rest)) => Err(CgroupError::Systemd(rest.to_string())),
        _ => Err(CgroupError::Systemd(
            "the D-Bus helper process died without answering".into(),
        )),
    }
}

fn connect(address: &str) -> std::result::Result<zbus::blocking::Connection, String> {
    let uid = rustix::process::geteuid().as_raw();
    zbus::blocking::connection::Builder::address(address)
        .map_err(|e| format!("bad bus address {address:?}: {e}"))?
        .user_id(uid)
        .method_timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("connecting to {address}: {e}"))
}

type PropList = Vec<(&'static str, zbus::zvariant::Value<'static>)>;

fn values(props: &[(&'static str, Prop)]) -> PropList {
    props.iter().map(|(k, v)| (*k, to_value(v))).collect()
}

fn bus() -> Result<String> {
    let rootless = rustix::process::geteuid().as_raw() != 0;
    bus_address(rootless).ok_or_else(|| {
        CgroupError::Unavailable(
            "the systemd bus is no longer reachable: start the container in a systemd user session (or use --cgroup-manager cgroupfs)".into(),
        )
    })
}

/// Create the scope with `pid` (and the monitor, when not 0) in it and wait until systemd has
/// moved the container's process.
pub fn create(
    root: &Path,
    id: &str,
    parent: &str,
    r: &Resources,
    pid: i32,
    monitor: i32,
) -> Result<Cgroup> {
    let slice = slice_name(parent)?;
    let unit = unit_name(id);
    let props = scope_properties(id, &slice, &[pid, monitor], r)?;
    let address = bus()?;
    let u = unit.clone();
    in_child(move || {
        let conn = connect(&address)?;
        let aux: Vec<(String, Vec<(String, zbus::zvariant::Value)>)> = Vec::new();
        let start = |conn: &zbus::blocking::Connection| {
            conn.call_method(
                Some(DEST),
                OBJECT,
                Some(MANAGER),
                "StartTransientUnit",
                &(u.as_str(), "fail", values(&props), &aux),
            )
        };
        match start(&conn) {
            Ok(_) => Ok(String::new()),
            // A scope of an earlier run of this container that systemd has not collected.
            Err(e) if e.to_string().contains("already exists") => {
                let _ = conn.call_method(
                    Some(DEST),
                    OBJECT,
                    Some(MANAGER),
                    "StopUnit",
                    &(u.as_str(), "fail"),
                );
                let _ = conn.call_method(
                    Some(DEST),
                    OBJECT,
                    Some(MANAGER),
                    "ResetFailedUnit",
                    &(u.as_str(),),
                );
                std::thread::sleep(Duration::from_millis(100));
                start(&conn)
                    .map(|_| String::new())
                    .map_err(|e| format!("StartTransientUnit {u}: {e}"))
            }
            Err(e) => Err(format!("StartTransientUnit {u}: {e}")),
        }
    })?;
    // The job moves the process; the scope's directory is where it then is.
    let deadline = Instant::now() + Duration::from_secs(10);
    let rel = loop {
        let now = fs::read_to_string(format!("/proc/{pid}/cgroup"))
            .ok()
            .and_then(|s| super::v2_path_of(&s));
        if let Some(p) = now.filter(|p| p.ends_with(&format!("/{unit}"))) {
            // The same job moves the monitor; give it a moment to land too (if it does not,
            // adopt_monitor asks systemd again).
            let moved = |p: i32| {
                fs::read_to_string(format!("/proc/{p}/cgroup"))
                    .is_ok_and(|s| s.contains(&format!("/{unit}\n")))
            };
            let until = Instant::now() + Duration::from_secs(1);
            while monitor > 0 && !moved(monitor) && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(2));
            }
            break p;
        }
        if Instant::now() >= deadline {
            return Err(CgroupError::Systemd(format!(
                "systemd did not move the container into {unit} within 10 s"
            )));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let dir: PathBuf = root.join(rel.trim_start_matches('/'));
    Ok(Cgroup {
        kind: Kind::Systemd,
        paths: [(String::new(), dir)].into_iter().collect(),
        unit: Some(unit),
        monitor_pid: monitor,
        ..Default::default()
    })
}

/// `update`: the new limits as unit properties of the running scope.
pub fn update(cg: &Cgroup, r: &Resources) -> Result<()> {
    let unit = cg.unit.clone().unwrap_or_default();
    let props = resource_properties(r)?;
    let address = bus()?;
    in_child(move || {
        let conn = connect(&address)?;
        conn.call_method(
            Some(DEST),
            OBJECT,
            Some(MANAGER),
            "SetUnitProperties",
            &(unit.as_str(), true, values(&props)),
        )
        .map(|_| String::new())
        .map_err(|e| format!("SetUnitProperties {unit}: {e}"))
    })
    .map(|_| ())
}

/// Have systemd move `pids` into the scope (`AttachProcessesToUnit`). A user's manager can move
/// processes berth cannot (one in a root-owned session scope, a cron job, a system service:
/// the common ancestor's `cgroup.procs` is not the user's), asking PID 1 when it must.
pub fn attach(cg: &Cgroup, pids: &[i32]) -> Result<()> {
    let unit = cg.unit.clone().unwrap_or_default();
    let pids: Vec<u32> = pids.iter().filter(|p| **p > 0).map(|p| *p as u32).collect();
    let address = bus()?;
    in_child(move || {
        let conn = connect(&address)?;
        conn.call_method(
            Some(DEST),
            OBJECT,
            Some(MANAGER),
            "AttachProcessesToUnit",
            &(unit.as_str(), "", pids),
        )
        .map(|_| String::new())
        .map_err(|e| format!("AttachProcessesToUnit {unit}: {e}"))
    })
    .map(|_| ())
}

/// Whether systemd says the OOM killer ended the scope (its Result): for when systemd has
/// already removed the scope's cgroup, and with it memory.events.
pub fn oom_killed(cg: &Cgroup) -> bool {
    let unit = cg.unit.clone().unwrap_or_default();
    let Ok(address) = bus() else {
        return false;
    };
    in_child(move || {
        let conn = connect(&address)?;
        let reply = conn
            .call_method(
                Some(DEST),
                OBJECT,
                Some(MANAGER),
                "GetUnit",
                &(unit.as_str(),),
            )
            .map_err(|e| e.to_string())?;
        let path: zbus::zvariant::OwnedObjectPath =
            reply.body().deserialize().map_err(|e| e.to_string())?;
        let reply = conn
            .call_method(
                Some(DEST),
                path.as_str(),
                Some("org.freedesktop.DBus.Properties"),
                "Get",
                &("org.freedesktop.systemd1.Scope", "Result"),
            )
            .map_err(|e| e.to_string())?;
        let v: zbus::zvariant::OwnedValue =
            reply.body().deserialize().map_err(|e| e.to_string())?;
        let result: String = v
            .try_into()
            .map_err(|e: zbus::zvariant::Error| e.to_string())?;
        Ok(result)
    })
    .is_ok_and(|r| r == "oom-kill")
}

/// Stop the scope (it also ends by itself once empty; a unit already gone is fine) and clear a
/// failed state, so that the name is free for the next run; then wait (up to 5 s) until systemd
/// has removed its cgroup.
pub fn remove(cg: &Cgroup) -> Result<()> {
    let unit = cg.unit.clone().unwrap_or_default();
    let Ok(address) = bus() else {
        return Ok(());
    };
    let dir = cg.dir("").map(Path::to_path_buf);
    let stopped = in_child(move || {
        let conn = connect(&address)?;
        match conn.call_method(
            Some(DEST),
            OBJECT,
            Some(MANAGER),
            "StopUnit",
            &(unit.as_str(), "fail"),
        ) {
            Ok(_) => Ok(String::new()),
            Err(e)
                if e.to_string().contains("NoSuchUnit") || e.to_string().contains("not loaded") =>
            {
                Ok(String::new())
            }
            Err(e) => Err(format!("StopUnit {unit}: {e}")),
        }
        .inspect(|_| {
            let _ = conn.call_method(
                Some(DEST),
                OBJECT,
                Some(MANAGER),
                "ResetFailedUnit",
                &(unit.as_str(),),
            );
        })
    })
    .map(|_| ());
    if let Some(dir) = dir {
        let deadline = Instant::now() + Duration::from_secs(5);
        while dir.exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    stopped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find<'a>(p: &'a [(&'static str, Prop)], k: &str) -> Option<&'a Prop> {
        p.iter().find(|(n, _)| *n == k).map(|(_, v)| v)
    }

    #[test]
    fn scope_is_delegated_in_the_berth_slice_with_the_pid() {
        let p = scope_properties("abc", "berth.slice", &[42, 7], &Resources::default()).unwrap();
        assert_eq!(find(&p, "Delegate"), Some(&Prop::Bool(true)));
        assert_eq!(find(&p, "Slice"), Some(&Prop::Str("berth.slice".into())));
        assert_eq!(find(&p, "PIDs"), Some(&Prop::Pids(vec![42, 7])));
        assert_eq!(find(&p, "MemoryMax"), None);
        assert_eq!(unit_name("abc"), "berth-abc.scope");
    }

    #[test]
    fn limits_become_systemd_properties() {
        let r = Resources {
            memory: Some(100 << 20),
            nano_cpus: Some(500_000_000),
            cpu_shares: Some(1024),
            pids_limit: Some(50),
            blkio_weight: Some(500),
            cpuset_cpus: Some("0,9".into()),
            ..Default::default()
        };
        let p = resource_properties(&r).unwrap();
        assert_eq!(find(&p, "MemoryMax"), Some(&Prop::U64(100 << 20)));
        // Twice memory in total: as much swap as memory.
        assert_eq!(find(&p, "MemorySwapMax"), Some(&Prop::U64(100 << 20)));
        assert_eq!(find(&p, "CPUQuotaPerSecUSec"), Some(&Prop::U64(500_000)));
        assert_eq!(find(&p, "CPUWeight"), Some(&Prop::U64(39)));
        assert_eq!(find(&p, "TasksMax"), Some(&Prop::U64(50)));
        assert_eq!(find(&p, "IOWeight"), Some(&Prop::U64(4950)));
        assert_eq!(find(&p, "AllowedCPUs"), Some(&Prop::Mask(vec![0b1, 0b10])));
    }

    #[test]
    fn unlimited_swap_is_systemds_infinity() {
        let r = Resources {
            memory: Some(100 << 20),
            memory_swap: Some(-1),
            ..Default::default()
        };
        let p = resource_properties(&r).unwrap();
        assert_eq!(find(&p, "MemorySwapMax"), Some(&Prop::U64(u64::MAX)));
    }

    #[test]
    fn cgroup_parent_must_be_a_slice() {
        assert_eq!(slice_name("").unwrap(), "berth.slice");
        assert_eq!(slice_name("mine.slice").unwrap(), "mine.slice");
        assert!(slice_name("/some/path").is_err());
    }

    #[test]
    fn weights_convert_like_crun() {
        assert_eq!(shares_to_weight(2), 1);
        assert_eq!(shares_to_weight(262_144), 10_000);
        assert_eq!(blkio_to_io_weight(10), 1);
        assert_eq!(blkio_to_io_weight(1000), 10_000);
    }

    #[test]
    fn properties_convert_to_dbus_values_of_systemds_signatures() {
        use zbus::zvariant::DynamicType;
        let sig = |p: Prop| to_value(&p).value_signature().to_string();
        assert_eq!(sig(Prop::U64(1)), "t");
        assert_eq!(sig(Prop::Pids(vec![1])), "au");
        assert_eq!(sig(Prop::Mask(vec![1])), "ay");
        assert_eq!(sig(Prop::Devices(vec![("/dev/sda".into(), 1)])), "a(st)");
        let _ = <u32 as DynamicType>::signature;
    }
}
