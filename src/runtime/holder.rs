//! The per-user namespace holder: one small process per user (as podman's pause process) that
//! sits in a user namespace mapped like the user's berth (the user's id as 0, the subordinate
//! range above it). Containers are cloned inside it instead of in a user namespace of their own,
//! which saves running the setuid newuidmap/newgidmap for every container start (two program
//! starts, ~2.5 ms here).
//!
//! It starts on first use, survives the command that started it, and is started again when it
//! has gone (a reboot, a kill). Its pid file names the process and its start time, and it is used
//! only while its maps are still the user's (after an edit of /etc/subuid, `berth system migrate`
//! replaces it; until then containers get their own namespace as before). `system migrate` and
//! `system reset` stop it. Only berth's own runtime uses it: `--runtime crun` and
//! `--userns=host` are as before.

use std::fs;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use super::userns::{IdMap, Identity};
use crate::network::netns;

/// Where the holder's pid file and lock live.
fn dir(run_root: &Path) -> PathBuf {
    run_root.join("userns")
}

fn pidfile(run_root: &Path) -> PathBuf {
    dir(run_root).join("holder.pid")
}

/// The holder's user namespace, opened: started first when no usable holder runs. `None` when
/// it cannot be had (the caller then makes a namespace of its own, as without a holder).
pub fn userns(run_root: &Path, ident: &Identity) -> Option<OwnedFd> {
    if !ident.rootless {
        return None;
    }
    if let Some(fd) = open_live(run_root, ident) {
        return Some(fd);
    }
    let d = dir(run_root);
    fs::create_dir_all(&d).ok()?;
    // One starter at a time; the loser of a race uses the winner's holder.
    let lock = crate::store::lock::FileLock::exclusive(&d.join("lock")).ok()?;
    if let Some(fd) = open_live(run_root, ident) {
        return Some(fd);
    }
    let started = start(run_root, ident);
    drop(lock);
    if let Err(e) = &started {
        crate::debug::note(&format!("namespace holder: {e}"));
    }
    started.ok()?;
    open_live(run_root, ident)
}

/// The running holder's namespace, if its maps are the user's.
fn open_live(run_root: &Path, ident: &Identity) -> Option<OwnedFd> {
    let pid = netns::read_pidfile(&pidfile(run_root))?;
    let f = fs::File::open(format!("/proc/{pid}/ns/user")).ok()?;
    // The pid may have been reused between the check and the open: look again, now that the
    // open descriptor pins whatever namespace it is.
    netns::read_pidfile(&pidfile(run_root)).filter(|p| *p == pid)?;
    let maps_ok = ["uid_map", "gid_map"]
        .iter()
        .zip([&ident.uid_map, &ident.gid_map])
        .all(|(file, want)| {
            fs::read_to_string(format!("/proc/{pid}/{file}"))
                .is_ok_and(|text| parse_map(&text) == want.as_slice())
        });
    maps_ok.then(|| OwnedFd::from(f))
}

/// /proc/PID/uid_map's lines.
fn parse_map(text: &str) -> Vec<IdMap> {
    text.lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace().map(|n| n.parse::<u32>().ok());
            Some(IdMap {
                container_id: w.next()??,
                host_id: w.next()??,
                size: w.next()??,
            })
        })
        .collect()
}

fn start(run_root: &Path, ident: &Identity) -> Result<(), String> {
    let pid = netns::spawn_mapped_daemon("berth-userns", ident, || {
        // It outlives the command that started it: that command's arguments and environment
        // are not kept in its memory (or shown by ps), nor is its directory kept busy.
        super::seal::scrub_caller_memory();
        let _ = std::env::set_current_dir("/");
        Ok(())
    })?;
    netns::write_pidfile(&pidfile(run_root), pid).map_err(|e| {
        // SAFETY: killing the holder we just started.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        e.to_string()
    })
}

/// Stop the holder (`system migrate`, `system reset`). Running containers keep their namespace:
/// it lives as long as a process is in it.
pub fn stop(run_root: &Path) {
    netns::kill_pidfile(&pidfile(run_root));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_id_maps_parse_into_ranges() {
        let text = "         0       1001          1\n         1     100000      65536\n";
        assert_eq!(
            parse_map(text),
            vec![
                IdMap {
                    container_id: 0,
                    host_id: 1001,
                    size: 1
                },
                IdMap {
                    container_id: 1,
                    host_id: 100000,
                    size: 65536
                }
            ]
        );
        assert!(parse_map("").is_empty());
    }
}
