//! Freezing a container's processes for `pause`/`unpause`: the cgroup v2 `cgroup.freeze` file,
//! or the v1 freezer controller. berth puts a container in a freezer cgroup of its own when it
//! may create one (root, on this v1/hybrid host or a v2 host); a rootless container on a host
//! without a delegated cgroup has none, and pause says so instead of pretending.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const V1_FREEZER: &str = "/sys/fs/cgroup/freezer";
const V2_ROOT: &str = "/sys/fs/cgroup";

/// Where the container's freezer cgroup goes, if berth may make one here.
pub fn cgroup_for(id: &str, rootless: bool) -> Option<PathBuf> {
    if rootless {
        return None;
    }
    if Path::new(V1_FREEZER).join("freezer.state").exists()
        || Path::new(V1_FREEZER).join("cgroup.procs").exists()
    {
        return Some(Path::new(V1_FREEZER).join("berth").join(id));
    }
    if Path::new(V2_ROOT).join("cgroup.controllers").exists() {
        return Some(Path::new(V2_ROOT).join("berth").join(id));
    }
    None
}

/// Create the cgroup and move `pid` (and so its future children) into it.
pub fn enter(cgroup: &Path, pid: i32) -> io::Result<()> {
    fs::create_dir_all(cgroup)?;
    fs::write(cgroup.join("cgroup.procs"), pid.to_string())
}

/// Remove the cgroup once its processes are gone.
pub fn remove(cgroup: &Path) {
    // Processes take a moment to leave a cgroup after they exit.
    let deadline = Instant::now() + Duration::from_secs(2);
    while fs::remove_dir(cgroup).is_err() && Instant::now() < deadline && cgroup.exists() {
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn is_v2(cgroup: &Path) -> bool {
    !cgroup.starts_with(V1_FREEZER)
}

/// Freeze (or thaw) every process of the cgroup and wait until the kernel says it is done.
pub fn set_frozen(cgroup: &Path, frozen: bool) -> io::Result<()> {
    let (file, value, done) = if is_v2(cgroup) {
        ("cgroup.freeze", if frozen { "1" } else { "0" }, None)
    } else {
        (
            "freezer.state",
            if frozen { "FROZEN" } else { "THAWED" },
            Some(if frozen { "FROZEN" } else { "THAWED" }),
        )
    };
    fs::write(cgroup.join(file), value)?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let settled = match done {
            Some(want) => fs::read_to_string(cgroup.join("freezer.state"))?.trim() == want,
            None => {
                let events = fs::read_to_string(cgroup.join("cgroup.events"))?;
                events
                    .lines()
                    .any(|l| l == if frozen { "frozen 1" } else { "frozen 0" })
            }
        };
        if settled {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(io::Error::other(
                "the kernel did not finish freezing the container's processes within 10 s",
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rootless_containers_get_no_freezer_cgroup() {
        assert_eq!(cgroup_for("abc", true), None);
    }

    #[test]
    fn freezer_cgroups_live_under_a_berth_parent_never_elsewhere() {
        if let Some(p) = cgroup_for("abc", false) {
            assert!(p.ends_with("berth/abc"), "{}", p.display());
        }
    }
}
