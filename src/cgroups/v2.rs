//! cgroupfs on a v2 (unified) hierarchy: as root under `<root>/berth/<id>`; rootless inside
//! the subtree delegated to the user (the cgroup berth itself runs in, e.g. a systemd user
//! service with `Delegate=yes`), under `<own cgroup>/berth/<id>`.
//!
//! v2's "no internal processes" rule: a cgroup that hands controllers to its children (through
//! `cgroup.subtree_control`) may not hold processes itself. When the delegated cgroup still
//! holds berth's (and the user's) processes, they move into a leaf `berth-processes` beside
//! berth's parent first, as crun and podman do.

use std::fs;
use std::path::{Path, PathBuf};

use super::{
    io_ctx, relative_path, rmdir_wait, Cgroup, CgroupError, Kind, Resources, Result, Stats,
};

/// The controllers berth hands down to container cgroups, when the parent has them.
const CONTROLLERS: &[&str] = &["cpu", "cpuset", "io", "memory", "pids"];
/// The controllers without which a delegated subtree is not worth using.
const NEEDED: &[&str] = &["memory", "pids"];
const LEAF: &str = "berth-processes";

fn write(dir: &Path, file: &str, value: impl ToString) -> Result<()> {
    let value = value.to_string();
    fs::write(dir.join(file), &value).map_err(|e| {
        let what = format!("writing {value:?} to {}", dir.join(file).display());
        if e.kind() == std::io::ErrorKind::NotFound {
            CgroupError::Unavailable(format!(
                "{what}: the controller is not enabled for this cgroup (is it delegated?)"
            ))
        } else {
            io_ctx(what)(e)
        }
    })
}

fn controllers(dir: &Path) -> Vec<String> {
    fs::read_to_string(dir.join("cgroup.controllers"))
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

fn writable(p: &Path) -> bool {
    rustix::fs::access(p, rustix::fs::Access::WRITE_OK).is_ok()
}

/// The delegated cgroup a rootless user may create children in: the process's own cgroup
/// (`own`, from /proc/self/cgroup), when it is writable and has the memory and pids
/// controllers. The error says what is missing.
pub fn delegated_base(root: &Path, own: Option<&str>) -> std::result::Result<PathBuf, String> {
    let own = own.ok_or("this process is in no cgroup v2 (no 0:: line in /proc/self/cgroup)")?;
    let mut dir = root.join(own.trim_start_matches('/'));
    // berth's own processes may already sit in the leaf it made on an earlier run.
    if dir.ends_with(LEAF) {
        dir.pop();
    }
    for f in ["", "cgroup.procs", "cgroup.subtree_control"] {
        let p = if f.is_empty() {
            dir.clone()
        } else {
            dir.join(f)
        };
        if !writable(&p) {
            return Err(format!(
                "the cgroup berth runs in ({}) is not delegated to this user",
                dir.display()
            ));
        }
    }
    let have = controllers(&dir);
    if let Some(missing) = NEEDED.iter().find(|c| !have.iter().any(|h| h == *c)) {
        return Err(format!(
            "the {missing} controller is not delegated to this user's cgroup ({})",
            dir.display()
        ));
    }
    Ok(dir)
}

/// Enable `wanted` controllers (those `dir` has) for `dir`'s children; when `dir` holds
/// processes and the kernel refuses (EBUSY), move them into a leaf first (`may_move`).
fn enable_subtree(dir: &Path, may_move: bool) -> Result<()> {
    let have = controllers(dir);
    let on = fs::read_to_string(dir.join("cgroup.subtree_control")).unwrap_or_default();
    // The processes leave before any controller is enabled: enabling a threaded controller
    // (cpu, cpuset, pids) in a cgroup that holds processes succeeds but makes it a thread root,
    // after which the domain ones (memory, io) and moving the processes out both fail with
    // EOPNOTSUPP instead of the EBUSY handled below (seen in the tests/vm guest).
    let missing = CONTROLLERS
        .iter()
        .any(|c| have.iter().any(|h| h == c) && !on.split_whitespace().any(|o| o == *c));
    if may_move && missing && has_processes(dir) {
        move_processes_to_leaf(dir)?;
    }
    for c in CONTROLLERS {
        if !have.iter().any(|h| h == c) || on.split_whitespace().any(|o| o == *c) {
            continue;
        }
        let file = dir.join("cgroup.subtree_control");
        match fs::write(&file, format!("+{c}")) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EBUSY) && may_move => {
                move_processes_to_leaf(dir)?;
                fs::write(&file, format!("+{c}"))
                    .map_err(io_ctx(format!("enabling {c} in {}", file.display())))?;
            }
            // Not every controller can be handed down (cpuset on some hosts): the limits that
            // need it fail with their own message.
            Err(_) => {}
        }
    }
    Ok(())
}

fn has_processes(dir: &Path) -> bool {
    fs::read_to_string(dir.join("cgroup.procs")).is_ok_and(|p| !p.trim().is_empty())
}

fn move_processes_to_leaf(dir: &Path) -> Result<()> {
    let leaf = dir.join(LEAF);
    fs::create_dir_all(&leaf).map_err(io_ctx(format!("creating {}", leaf.display())))?;
    let procs = fs::read_to_string(dir.join("cgroup.procs")).unwrap_or_default();
    for pid in procs.split_whitespace() {
        // A process that exited meanwhile is fine.
        let _ = fs::write(leaf.join("cgroup.procs"), pid);
    }
    Ok(())
}

/// Create the container's cgroup (`root` is where cgroup2 is mounted; `own` this process's v2
/// path; `rootless` picks the delegated subtree instead of the root), write the limits and
/// move `pid` in. On failure nothing berth created is left.
pub fn create(
    root: &Path,
    own: Option<&str>,
    rootless: bool,
    id: &str,
    parent: &str,
    r: &Resources,
    pid: i32,
) -> Result<Cgroup> {
    let base = if rootless {
        delegated_base(root, own).map_err(|why| {
            CgroupError::Unavailable(format!(
                "{why}: run berth inside a delegated cgroup (a systemd user session), or as root"
            ))
        })?
    } else {
        root.to_path_buf()
    };
    let rel = relative_path(id, parent)?;
    let target = base.join(&rel);
    let mut cg = Cgroup {
        kind: Kind::V2,
        paths: [(String::new(), target.clone())].into_iter().collect(),
        ..Default::default()
    };
    cg.created_parents = super::missing_parents(&base, &rel);
    if parent.trim_matches('/').is_empty() && !cg.created_parents.contains(&base.join("berth")) {
        cg.created_parents.insert(0, base.join("berth"));
    }
    // Hand the controllers down level by level: base, then each parent below it.
    let mut cur = base.clone();
    let built = (|| {
        enable_subtree(&cur, rootless)?;
        for comp in rel.parent().into_iter().flat_map(Path::components) {
            cur = cur.join(comp);
            fs::create_dir_all(&cur).map_err(io_ctx(format!("creating {}", cur.display())))?;
            enable_subtree(&cur, false)?;
        }
        fs::create_dir(&target).map_err(io_ctx(format!("creating {}", target.display())))?;
        apply(&target, r)?;
        cg.enter(pid)
    })();
    if let Err(e) = built {
        let _ = remove(&cg);
        return Err(e);
    }
    Ok(cg)
}

/// Write the limits into the cgroup `dir` (at creation and by `update`).
pub fn apply(dir: &Path, r: &Resources) -> Result<()> {
    if let Some(m) = r.memory {
        write(dir, "memory.max", m)?;
        match r.memory_and_swap() {
            Some(-1) => write(dir, "memory.swap.max", "max")?,
            Some(total) => write(dir, "memory.swap.max", (total - m).max(0))?,
            None => {}
        }
    }
    if let Some(low) = r.memory_reservation {
        write(dir, "memory.low", low)?;
    }
    if let Some((quota, period)) = r.cpu_max() {
        let q = if quota < 0 {
            "max".to_string()
        } else {
            quota.to_string()
        };
        write(dir, "cpu.max", format!("{q} {period}"))?;
    }
    if let Some(s) = r.cpu_shares {
        write(dir, "cpu.weight", super::systemd::shares_to_weight(s))?;
    }
    if let Some(m) = &r.cpuset_mems {
        write(dir, "cpuset.mems", m)?;
    }
    if let Some(c) = &r.cpuset_cpus {
        write(dir, "cpuset.cpus", c)?;
    }
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
    if let Some(w) = r.blkio_weight {
        write(
            dir,
            "io.weight",
            format!("default {}", super::systemd::blkio_to_io_weight(w)),
        )?;
    }
    for (key, list) in [
        ("rbps", &r.device_read_bps),
        ("wbps", &r.device_write_bps),
        ("riops", &r.device_read_iops),
        ("wiops", &r.device_write_iops),
    ] {
        for d in list {
            write(
                dir,
                "io.max",
                format!("{}:{} {key}={}", d.major, d.minor, d.rate),
            )?;
        }
    }
    Ok(())
}

pub fn stats(dir: &Path) -> Stats {
    let keyed = super::v1::keyed;
    let num =
        |f: &str| -> Option<u64> { fs::read_to_string(dir.join(f)).ok()?.trim().parse().ok() };
    let mut s = Stats {
        cpu_ns: keyed(&dir.join("cpu.stat"), "usage_usec").map(|u| u * 1000),
        mem_usage: num("memory.current").map(|u| {
            u.saturating_sub(keyed(&dir.join("memory.stat"), "inactive_file").unwrap_or(0))
        }),
        mem_limit: num("memory.max"),
        pids: num("pids.current"),
        ..Default::default()
    };
    if let Ok(text) = fs::read_to_string(dir.join("io.stat")) {
        let (mut rd, mut wr) = (0, 0);
        for l in text.lines() {
            for kv in l.split_whitespace().skip(1) {
                match kv.split_once('=') {
                    Some(("rbytes", n)) => rd += n.parse::<u64>().unwrap_or(0),
                    Some(("wbytes", n)) => wr += n.parse::<u64>().unwrap_or(0),
                    _ => {}
                }
            }
        }
        s.blk_read = Some(rd);
        s.blk_write = Some(wr);
    }
    s
}

/// OOM kills in the cgroup (`oom_kill` of memory.events).
pub fn oom_kills(dir: &Path) -> u64 {
    super::v1::keyed(&dir.join("memory.events"), "oom_kill").unwrap_or(0)
}

/// Remove the container's cgroup, then berth's parent if it is now empty.
pub fn remove(cg: &Cgroup) -> Result<()> {
    if let Some(dir) = cg.dir("") {
        rmdir_wait(dir).map_err(io_ctx(format!("removing cgroup {}", dir.display())))?;
    }
    super::remove_parents(&cg.created_parents);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(p: PathBuf) -> String {
        fs::read_to_string(p).unwrap()
    }

    #[test]
    fn limits_are_written_in_v2_syntax() {
        let d = tempfile::tempdir().unwrap();
        let r = Resources {
            memory: Some(512 << 20),
            nano_cpus: Some(500_000_000),
            cpu_shares: Some(1024),
            pids_limit: Some(100),
            blkio_weight: Some(10),
            ..Default::default()
        };
        apply(d.path(), &r).unwrap();
        assert_eq!(
            read(d.path().join("memory.max")),
            (512u64 << 20).to_string()
        );
        assert_eq!(
            read(d.path().join("memory.swap.max")),
            (512u64 << 20).to_string()
        );
        assert_eq!(read(d.path().join("cpu.max")), "50000 100000");
        assert_eq!(read(d.path().join("cpu.weight")), "39");
        assert_eq!(read(d.path().join("pids.max")), "100");
        assert_eq!(read(d.path().join("io.weight")), "default 1");
    }

    /// A fake delegated tree: the user's cgroup with controllers and a process in it.
    fn fake_delegated() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        let own = d.path().join("user.slice/app.service");
        fs::create_dir_all(&own).unwrap();
        fs::write(own.join("cgroup.controllers"), "cpu io memory pids\n").unwrap();
        fs::write(own.join("cgroup.subtree_control"), "").unwrap();
        fs::write(own.join("cgroup.procs"), "100\n").unwrap();
        d
    }

    #[test]
    fn rootless_containers_go_under_the_delegated_cgroup_with_controllers_handed_down() {
        let d = fake_delegated();
        let r = Resources {
            memory: Some(64 << 20),
            ..Default::default()
        };
        let cg = create(
            d.path(),
            Some("/user.slice/app.service"),
            true,
            "abc",
            "",
            &r,
            7,
        )
        .unwrap();
        let own = d.path().join("user.slice/app.service");
        let target = own.join("berth/abc");
        assert_eq!(cg.dir(""), Some(target.as_path()));
        assert_eq!(read(target.join("memory.max")), (64u64 << 20).to_string());
        assert_eq!(read(target.join("cgroup.procs")), "7");
        // The fake file keeps only the last write: the last controller berth has.
        assert_eq!(read(own.join("cgroup.subtree_control")), "+pids");
        // The user's process left for the leaf before any controller was enabled.
        assert_eq!(read(own.join("berth-processes/cgroup.procs")), "100");
    }

    #[test]
    fn a_cgroup_without_memory_delegated_is_not_usable_and_says_so() {
        let d = fake_delegated();
        let own = d.path().join("user.slice/app.service");
        fs::write(own.join("cgroup.controllers"), "cpu\n").unwrap();
        let e = delegated_base(d.path(), Some("/user.slice/app.service")).unwrap_err();
        assert!(e.contains("memory controller is not delegated"), "{e}");
        assert!(delegated_base(d.path(), None).is_err());
    }

    #[test]
    fn stats_and_oom_kills_read_v2_files() {
        let d = tempfile::tempdir().unwrap();
        let w = |f: &str, v: &str| fs::write(d.path().join(f), v).unwrap();
        w("cpu.stat", "usage_usec 1500\nuser_usec 1000\n");
        w("memory.current", "10000\n");
        w("memory.stat", "anon 5000\ninactive_file 2000\n");
        w("memory.max", "max\n");
        w("pids.current", "4\n");
        w("io.stat", "8:0 rbytes=100 wbytes=200 rios=1 wios=2\n");
        w("memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
        let s = stats(d.path());
        assert_eq!(s.cpu_ns, Some(1_500_000));
        assert_eq!(s.mem_usage, Some(8000));
        assert_eq!(s.mem_limit, None);
        assert_eq!(s.pids, Some(4));
        assert_eq!((s.blk_read, s.blk_write), (Some(100), Some(200)));
        assert_eq!(oom_kills(d.path()), 1);
    }
}
