//! cgroupfs on v1 (legacy or hybrid) hierarchies, as root: one directory per controller,
//! `<root>/<controller>/berth/<id>` (or under `--cgroup-parent`). berth writes only in
//! directories it created: the parent `berth` directories it makes (removed again when empty)
//! and the container's own.

use std::fs;
use std::path::{Path, PathBuf};

use super::{
    io_ctx, relative_path, rmdir_wait, Cgroup, CgroupError, Kind, Resources, Result, Stats,
};

/// The controllers every container joins (those the host mounts): limits, statistics and the
/// freezer. cpuset joins only when a cpuset is asked for (an unset cpuset has no CPUs).
const CONTROLLERS: &[&str] = &["memory", "cpu", "cpuacct", "pids", "blkio", "freezer"];

/// The v1 hierarchies a container sees at /sys/fs/cgroup (those it may be placed in).
pub const CONTROLLERS_MOUNTED: &[&str] = &[
    "memory", "cpu", "cpuacct", "pids", "blkio", "freezer", "cpuset",
];

/// Beyond this the v1 memory limit means "unlimited" (the kernel's PAGE_COUNTER_MAX in bytes).
const UNLIMITED: u64 = 0x7FFF_FFFF_FFFF_F000;

fn write(dir: &Path, file: &str, value: impl ToString) -> Result<()> {
    let value = value.to_string();
    fs::write(dir.join(file), &value).map_err(io_ctx(format!(
        "writing {value:?} to {}",
        dir.join(file).display()
    )))
}

fn read_u64(path: &Path) -> Option<u64> {
    fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// The value of `key` in a flat keyed file (`memory.stat`, `memory.oom_control`).
pub(crate) fn keyed(path: &Path, key: &str) -> Option<u64> {
    fs::read_to_string(path).ok()?.lines().find_map(|l| {
        let (k, v) = l.split_once(' ')?;
        (k == key).then(|| v.trim().parse().ok()).flatten()
    })
}

/// Create the container's cgroups with the limits and move `pid` in; on failure nothing is left.
pub fn create(root: &Path, id: &str, parent: &str, r: &Resources, pid: i32) -> Result<Cgroup> {
    let rel = relative_path(id, parent)?;
    let mut wanted: Vec<&str> = CONTROLLERS.to_vec();
    if r.cpuset_cpus.is_some() || r.cpuset_mems.is_some() {
        wanted.push("cpuset");
    }
    let mut cg = Cgroup {
        kind: Kind::V1,
        ..Default::default()
    };
    let default_parent = parent.trim_matches('/').is_empty();
    for ctrl in wanted {
        let base = root.join(ctrl);
        if !base.is_dir() {
            if ctrl == "memory" && !r.is_empty() {
                return Err(CgroupError::Unavailable(format!(
                    "the memory cgroup controller is not mounted at {}: limits cannot be applied",
                    base.display()
                )));
            }
            continue;
        }
        let dir = base.join(&rel);
        // berth's own parent is removed when empty even if an earlier container made it.
        let mut made = super::missing_parents(&base, &rel);
        if default_parent && !made.contains(&base.join("berth")) {
            made.insert(0, base.join("berth"));
        }
        cg.created_parents.extend(made);
        if ctrl == "cpuset" {
            // A new cpuset starts empty, and a process cannot join an empty one: give berth's
            // parents the CPUs and nodes of their own parents.
            let mut cur = base.clone();
            for comp in rel.parent().into_iter().flat_map(Path::components) {
                let next = cur.join(comp);
                fs::create_dir_all(&next)
                    .map_err(io_ctx(format!("creating {}", next.display())))?;
                for f in ["cpuset.cpus", "cpuset.mems"] {
                    if fs::read_to_string(next.join(f)).map_or(true, |s| s.trim().is_empty()) {
                        let v = fs::read_to_string(cur.join(f)).unwrap_or_default();
                        write(&next, f, v.trim())?;
                    }
                }
                cur = next;
            }
        }
        let made = fs::create_dir_all(&dir).map_err(io_ctx(format!("creating {}", dir.display())));
        cg.paths.insert(ctrl.to_string(), dir);
        if let Err(e) = made {
            let _ = remove(&cg);
            return Err(e);
        }
    }
    let done = apply(&cg, r, false).and_then(|()| {
        if let Some(cpuset) = cg.paths.get("cpuset") {
            let parent = cpuset.parent().expect("cpuset dir has a parent");
            for f in ["cpuset.cpus", "cpuset.mems"] {
                if fs::read_to_string(cpuset.join(f)).map_or(true, |s| s.trim().is_empty()) {
                    let v = fs::read_to_string(parent.join(f)).unwrap_or_default();
                    write(cpuset, f, v.trim())?;
                }
            }
        }
        cg.enter(pid)
    });
    if let Err(e) = done {
        let _ = remove(&cg);
        return Err(e);
    }
    Ok(cg)
}

/// Write the limits into the container's cgroups (at creation and by `update`).
pub fn apply(cg: &Cgroup, r: &Resources, _update: bool) -> Result<()> {
    let root_of = |ctrl: &str, dir: &Path| -> PathBuf {
        // <root>/<ctrl>/<rel...>: the controller's mount point, for what the kernel offers.
        let mut p = dir.to_path_buf();
        while p.parent().is_some_and(|q| !q.ends_with(ctrl)) {
            p.pop();
        }
        p.parent().map(Path::to_path_buf).unwrap_or(p)
    };
    if let Some(dir) = cg.dir("memory") {
        let mroot = root_of("memory", dir);
        let swap_accounting = mroot.join("memory.memsw.limit_in_bytes").exists();
        if let Some(m) = r.memory {
            let total = r.memory_and_swap();
            let write_mem = || write(dir, "memory.limit_in_bytes", m);
            let write_sw = |t: i64| write(dir, "memory.memsw.limit_in_bytes", t);
            match total.filter(|_| swap_accounting) {
                // memory+swap must never be below memory: raise whichever limit goes first so
                // that holds at every step.
                Some(t) => {
                    if write_mem().is_err() {
                        write_sw(t)?;
                        write_mem()?;
                    } else {
                        write_sw(t)?;
                    }
                }
                None => write_mem()?,
            }
        }
        if let Some(low) = r.memory_reservation {
            write(dir, "memory.soft_limit_in_bytes", low)?;
        }
        if r.oom_kill_disable {
            write(dir, "memory.oom_control", 1)?;
        }
    }
    if let Some(dir) = cg.dir("cpu") {
        if let Some(s) = r.cpu_shares {
            write(dir, "cpu.shares", s)?;
        }
        if let Some((quota, period)) = r.cpu_max() {
            write(dir, "cpu.cfs_period_us", period)?;
            write(dir, "cpu.cfs_quota_us", quota)?;
        }
    }
    if let Some(dir) = cg.dir("cpuset") {
        if let Some(m) = &r.cpuset_mems {
            write(dir, "cpuset.mems", m)?;
        }
        if let Some(c) = &r.cpuset_cpus {
            write(dir, "cpuset.cpus", c)?;
        }
    }
    if let Some(dir) = cg.dir("pids") {
        if let Some(n) = r.pids_limit {
            write(
                dir,
                "pids.max",
                if n < 0 {
                    "max".to_string()
                } else {
                    n.to_string()
                },
            )?;
        }
    }
    let needs_blkio = r.blkio_weight.is_some()
        || !r.device_read_bps.is_empty()
        || !r.device_write_bps.is_empty()
        || !r.device_read_iops.is_empty()
        || !r.device_write_iops.is_empty();
    if needs_blkio {
        let dir = cg.dir("blkio").ok_or_else(|| {
            CgroupError::Unavailable(
                "the blkio cgroup controller is not mounted: --blkio-weight and --device-* limits cannot be applied".into(),
            )
        })?;
        let broot = root_of("blkio", dir);
        if let Some(w) = r.blkio_weight {
            let file = ["blkio.weight", "blkio.bfq.weight"]
                .into_iter()
                .find(|f| broot.join(f).exists())
                .ok_or_else(|| {
                    CgroupError::Unavailable(
                        "--blkio-weight: this kernel's blkio controller has no weight (it needs the BFQ I/O scheduler); leave out --blkio-weight".into(),
                    )
                })?;
            write(dir, file, w)?;
        }
        for (file, list) in [
            ("blkio.throttle.read_bps_device", &r.device_read_bps),
            ("blkio.throttle.write_bps_device", &r.device_write_bps),
            ("blkio.throttle.read_iops_device", &r.device_read_iops),
            ("blkio.throttle.write_iops_device", &r.device_write_iops),
        ] {
            for d in list {
                write(dir, file, format!("{}:{} {}", d.major, d.minor, d.rate))?;
            }
        }
    }
    Ok(())
}

pub fn stats(cg: &Cgroup) -> Stats {
    let mut s = Stats::default();
    if let Some(dir) = cg.dir("cpuacct") {
        s.cpu_ns = read_u64(&dir.join("cpuacct.usage"));
    }
    if let Some(dir) = cg.dir("memory") {
        let inactive = keyed(&dir.join("memory.stat"), "total_inactive_file").unwrap_or(0);
        s.mem_usage =
            read_u64(&dir.join("memory.usage_in_bytes")).map(|u| u.saturating_sub(inactive));
        s.mem_limit = read_u64(&dir.join("memory.limit_in_bytes")).filter(|l| *l < UNLIMITED);
    }
    if let Some(dir) = cg.dir("pids") {
        s.pids = read_u64(&dir.join("pids.current"));
    }
    if let Some(dir) = cg.dir("blkio") {
        if let Ok(text) = fs::read_to_string(dir.join("blkio.throttle.io_service_bytes_recursive"))
        {
            let (mut rd, mut wr) = (0, 0);
            for l in text.lines() {
                let f: Vec<&str> = l.split_whitespace().collect();
                if let [_, op, n] = f[..] {
                    let n: u64 = n.parse().unwrap_or(0);
                    match op {
                        "Read" => rd += n,
                        "Write" => wr += n,
                        _ => {}
                    }
                }
            }
            s.blk_read = Some(rd);
            s.blk_write = Some(wr);
        }
    }
    s
}

/// OOM kills in the memory cgroup `dir` (`oom_kill` of memory.oom_control).
pub fn oom_kills(dir: &Path) -> u64 {
    keyed(&dir.join("memory.oom_control"), "oom_kill").unwrap_or(0)
}

/// Remove the container's directories, then berth's parents if they are now empty.
pub fn remove(cg: &Cgroup) -> Result<()> {
    let mut first: Option<CgroupError> = None;
    for dir in cg.paths.values() {
        if let Err(e) = rmdir_wait(dir) {
            first.get_or_insert(io_ctx(format!("removing cgroup {}", dir.display()))(e));
        }
    }
    super::remove_parents(&cg.created_parents);
    first.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_root() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        for c in [
            "memory", "cpu", "cpuacct", "pids", "blkio", "freezer", "cpuset",
        ] {
            fs::create_dir(d.path().join(c)).unwrap();
        }
        fs::write(d.path().join("memory/memory.memsw.limit_in_bytes"), "").unwrap();
        fs::write(d.path().join("cpuset/cpuset.cpus"), "0-1\n").unwrap();
        fs::write(d.path().join("cpuset/cpuset.mems"), "0\n").unwrap();
        d
    }

    fn read(p: PathBuf) -> String {
        fs::read_to_string(p).unwrap()
    }

    #[test]
    fn limits_land_in_each_controllers_berth_directory_with_the_pid() {
        let root = fake_root();
        let r = Resources {
            memory: Some(100 << 20),
            nano_cpus: Some(200_000_000),
            cpu_shares: Some(256),
            pids_limit: Some(20),
            ..Default::default()
        };
        let cg = create(root.path(), "abc", "", &r, 4242).unwrap();
        let m = root.path().join("memory/berth/abc");
        assert_eq!(
            read(m.join("memory.limit_in_bytes")),
            (100u64 << 20).to_string()
        );
        assert_eq!(
            read(m.join("memory.memsw.limit_in_bytes")),
            (200u64 << 20).to_string()
        );
        let c = root.path().join("cpu/berth/abc");
        assert_eq!(read(c.join("cpu.cfs_quota_us")), "20000");
        assert_eq!(read(c.join("cpu.cfs_period_us")), "100000");
        assert_eq!(read(c.join("cpu.shares")), "256");
        assert_eq!(read(root.path().join("pids/berth/abc/pids.max")), "20");
        assert_eq!(
            read(root.path().join("freezer/berth/abc/cgroup.procs")),
            "4242"
        );
        // No cpuset asked for: the container does not join one.
        assert!(!root.path().join("cpuset/berth").exists());
        assert_eq!(cg.kind, Kind::V1);
    }

    #[test]
    fn a_cpuset_inherits_the_parents_nodes_when_only_cpus_are_given() {
        let root = fake_root();
        let r = Resources {
            cpuset_cpus: Some("1".into()),
            ..Default::default()
        };
        create(root.path(), "abc", "", &r, 1).unwrap();
        assert_eq!(read(root.path().join("cpuset/berth/cpuset.cpus")), "0-1");
        assert_eq!(read(root.path().join("cpuset/berth/abc/cpuset.cpus")), "1");
        assert_eq!(read(root.path().join("cpuset/berth/abc/cpuset.mems")), "0");
    }

    #[test]
    fn blkio_weight_without_kernel_support_is_an_error_and_leaves_nothing() {
        let root = fake_root();
        let r = Resources {
            blkio_weight: Some(300),
            ..Default::default()
        };
        let e = create(root.path(), "abc", "", &r, 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("blkio-weight"), "{e}");
        // The fake tree cannot refuse rmdir of a directory with files; the real one holds only
        // kernel files, which rmdir removes. Check no controller kept an empty container dir.
        for c in ["pids", "freezer"] {
            assert!(!root.path().join(c).join("berth/abc").exists(), "{c}");
        }
    }

    #[test]
    fn stats_read_usage_limit_pids_and_block_io() {
        let root = tempfile::tempdir().unwrap();
        let mut cg = Cgroup {
            kind: Kind::V1,
            ..Default::default()
        };
        for c in ["memory", "cpuacct", "pids", "blkio"] {
            let d = root.path().join(c).join("berth/x");
            fs::create_dir_all(&d).unwrap();
            cg.paths.insert(c.into(), d);
        }
        let p = |c: &str, f: &str| root.path().join(c).join("berth/x").join(f);
        fs::write(p("memory", "memory.usage_in_bytes"), "5000\n").unwrap();
        fs::write(
            p("memory", "memory.stat"),
            "cache 10\ntotal_inactive_file 1000\n",
        )
        .unwrap();
        fs::write(
            p("memory", "memory.limit_in_bytes"),
            "9223372036854771712\n",
        )
        .unwrap();
        fs::write(p("cpuacct", "cpuacct.usage"), "123456\n").unwrap();
        fs::write(p("pids", "pids.current"), "3\n").unwrap();
        fs::write(
            p("blkio", "blkio.throttle.io_service_bytes_recursive"),
            "8:0 Read 4096\n8:0 Write 8192\n8:0 Total 12288\nTotal 12288\n",
        )
        .unwrap();
        let s = stats(&cg);
        assert_eq!(s.mem_usage, Some(4000));
        assert_eq!(s.mem_limit, None);
        assert_eq!(s.cpu_ns, Some(123456));
        assert_eq!(s.pids, Some(3));
        assert_eq!((s.blk_read, s.blk_write), (Some(4096), Some(8192)));
    }

    #[test]
    fn oom_kills_come_from_memory_oom_control() {
        let d = tempfile::tempdir().unwrap();
        fs::write(
            d.path().join("memory.oom_control"),
            "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
        )
        .unwrap();
        assert_eq!(oom_kills(d.path()), 2);
    }

    #[test]
    fn a_custom_parent_berth_made_is_removed_with_the_container_one_that_existed_is_kept() {
        let root = fake_root();
        fs::create_dir(root.path().join("memory/kept")).unwrap();
        let a = create(root.path(), "a", "/kept/made", &Resources::default(), 1).unwrap();
        assert!(root.path().join("memory/kept/made/a").is_dir());
        for d in a.paths.values() {
            for e in fs::read_dir(d).unwrap() {
                fs::remove_file(e.unwrap().path()).unwrap();
            }
        }
        remove(&a).unwrap();
        assert!(!root.path().join("memory/kept/made").exists());
        assert!(root.path().join("memory/kept").is_dir());
    }

    #[test]
    fn removal_takes_the_berth_parent_only_when_empty() {
        let root = fake_root();
        let a = create(root.path(), "a", "", &Resources::default(), 1).unwrap();
        let b = create(root.path(), "b", "", &Resources::default(), 2).unwrap();
        // The fake directories hold regular files a real cgroup would not: clear them.
        for cg in [&a, &b] {
            for d in cg.paths.values() {
                for e in fs::read_dir(d).unwrap() {
                    fs::remove_file(e.unwrap().path()).unwrap();
                }
            }
        }
        remove(&a).unwrap();
        assert!(root.path().join("memory/berth").exists());
        remove(&b).unwrap();
        assert!(!root.path().join("memory/berth").exists());
    }
}
