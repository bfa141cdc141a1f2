//! Freezing a container's processes for `pause`/`unpause`: the cgroup v2 `cgroup.freeze` file
//! (cgroupfs v2 and systemd scopes), or the v1 freezer controller.

use std::fs;
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

/// Freeze (or thaw) every process of the cgroup `dir` and wait until the kernel says it is done.
pub fn set_frozen(dir: &Path, v1: bool, frozen: bool) -> io::Result<()> {
    let (file, value) = match (v1, frozen) {
        (true, true) => ("freezer.state", "FROZEN"),
        (true, false) => ("freezer.state", "THAWED"),
        (false, true) => ("cgroup.freeze", "1"),
        (false, false) => ("cgroup.freeze", "0"),
    };
    fs::write(dir.join(file), value)?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if settled(dir, v1, frozen)? {
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

/// Whether the kernel reports the cgroup as (un)frozen.
fn settled(dir: &Path, v1: bool, frozen: bool) -> io::Result<bool> {
    if v1 {
        let want = if frozen { "FROZEN" } else { "THAWED" };
        return Ok(fs::read_to_string(dir.join("freezer.state"))?.trim() == want);
    }
    let want = if frozen { "frozen 1" } else { "frozen 0" };
    Ok(fs::read_to_string(dir.join("cgroup.events"))?
        .lines()
        .any(|l| l == want))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_freeze_writes_freezer_state_and_waits_for_the_kernels_answer() {
        let d = tempfile::tempdir().unwrap();
        // A fake cgroup: the "kernel" already reports what we write.
        set_frozen(d.path(), true, true).unwrap();
        assert_eq!(
            fs::read_to_string(d.path().join("freezer.state")).unwrap(),
            "FROZEN"
        );
    }

    #[test]
    fn v2_freeze_waits_for_cgroup_events_to_say_frozen() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("cgroup.events"), "populated 1\nfrozen 1\n").unwrap();
        set_frozen(d.path(), false, true).unwrap();
        assert_eq!(
            fs::read_to_string(d.path().join("cgroup.freeze")).unwrap(),
            "1"
        );
    }
}
