//! The rootless user namespace.
//!
//! A rootless berth command that touches the store first moves itself into a new user and mount
//! namespace where it is uid 0 and the user's subordinate ids are mapped (podman's layout:
//! container 0 = the user, container 1.. = the subuid range). Only then can it chown unpacked
//! files to image owners and mount overlays. `unshare(CLONE_NEWUSER)` is refused to a
//! multi-threaded process, so this runs first thing in `main`, before any thread exists.
//!
//! The mapping is written by the setuid helpers newuidmap/newgidmap, which must run *outside*
//! the new namespace (a setuid binary gains nothing inside a namespace that does not map its
//! owner), so a helper process is forked before the unshare and told when to write the maps.

use std::ffi::CString;
use std::fs;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::process::Command;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum UsernsError {
    #[error("cannot create a user namespace: {0} (check that user.max_user_namespaces is not 0)")]
    Unshare(std::io::Error),
    #[error("{tool} failed to write the id map for uid {uid}: {message} (check /etc/subuid and /etc/subgid, and that the uidmap package is installed)")]
    MapHelper {
        tool: &'static str,
        uid: u32,
        message: String,
    },
    #[error("{tool} is not installed: install the uidmap package (apt-get install uidmap)")]
    HelperMissing { tool: &'static str },
    #[error("cannot write {what}: {source}")]
    WriteMap {
        what: &'static str,
        source: std::io::Error,
    },
    #[error("cannot set up the rootless namespace: {0}")]
    Sys(std::io::Error),
}

/// One line of a uid or gid map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct IdMap {
    pub container_id: u32,
    pub host_id: u32,
    pub size: u32,
}

/// Who berth runs as and which ids it can hand out.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Identity {
    /// The user berth was started by (before any namespace).
    pub host_uid: u32,
    pub host_gid: u32,
    pub user_name: String,
    pub rootless: bool,
    pub uid_map: Vec<IdMap>,
    pub gid_map: Vec<IdMap>,
    /// True when the user has no subordinate range and only their own id is mapped.
    pub single_id: bool,
}

/// A range from /etc/subuid or /etc/subgid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubIdRange {
    pub start: u32,
    pub count: u32,
}

/// Parse the ranges that belong to `user` (by name or numeric id) in a subuid/subgid file.
pub fn parse_subid_ranges(contents: &str, user: &str, id: u32) -> Vec<SubIdRange> {
    let id_text = id.to_string();
    contents
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.split(':');
            let owner = parts.next()?;
            let start = parts.next()?.trim().parse().ok()?;
            let count: u32 = parts.next()?.trim().parse().ok()?;
            (count > 0 && (owner == user || owner == id_text))
                .then_some(SubIdRange { start, count })
        })
        .collect()
}

/// The map podman writes: container 0 is the user, container 1.. are the subordinate ranges in order.
pub fn build_map(own_id: u32, ranges: &[SubIdRange]) -> Vec<IdMap> {
    let mut map = vec![IdMap {
        container_id: 0,
        host_id: own_id,
        size: 1,
    }];
    let mut next = 1u32;
    for r in ranges {
        map.push(IdMap {
            container_id: next,
            host_id: r.start,
            size: r.count,
        });
        next = next.saturating_add(r.count);
    }
    map
}

fn user_name(uid: u32) -> String {
    // SAFETY: getpwuid returns a pointer into static storage or NULL; we copy the name out
    // immediately and nothing else runs concurrently (single-threaded start-up).
    unsafe {
        let pw = libc::getpwuid(uid);
        if !pw.is_null() && !(*pw).pw_name.is_null() {
            return std::ffi::CStr::from_ptr((*pw).pw_name)
                .to_string_lossy()
                .into_owned();
        }
    }
    std::env::var("USER").unwrap_or_else(|_| uid.to_string())
}

/// Set by `berth unshare` for the command it runs: the host ids of the user whose namespace
/// the command is in, so that a berth started there works on that user's store.
pub const UNSHARE_UID_ENV: &str = "_BERTH_ROOTLESS_UID";
pub const UNSHARE_GID_ENV: &str = "_BERTH_ROOTLESS_GID";

/// Whether this process runs inside the user namespace a `berth unshare` created (uid 0 in a
/// namespace that does not map every id, with the ids `berth unshare` recorded).
pub fn inside_unshare() -> Option<(u32, u32)> {
    let uid = std::env::var(UNSHARE_UID_ENV).ok()?.parse().ok()?;
    let gid = std::env::var(UNSHARE_GID_ENV).ok()?.parse().ok()?;
    let map = fs::read_to_string("/proc/self/uid_map").ok()?;
    let full = map
        .split_whitespace()
        .collect::<Vec<_>>()
        .starts_with(&["0", "0", "4294967295"]);
    (rustix::process::geteuid().is_root() && !full).then_some((uid, gid))
}

/// Work out the identity of this process without changing anything.
pub fn identity() -> Identity {
    let (uid, gid) = inside_unshare().unwrap_or_else(|| {
        (
            rustix::process::geteuid().as_raw(),
            rustix::process::getegid().as_raw(),
        )
    });
    let name = user_name(uid);
    if uid == 0 {
        let all = vec![IdMap {
            container_id: 0,
            host_id: 0,
            size: u32::MAX,
        }];
        return Identity {
            host_uid: 0,
            host_gid: gid,
            user_name: name,
            rootless: false,
            uid_map: all.clone(),
            gid_map: all,
            single_id: false,
        };
    }
    let subuid = parse_subid_ranges(
        &fs::read_to_string("/etc/subuid").unwrap_or_default(),
        &name,
        uid,
    );
    let subgid = parse_subid_ranges(
        &fs::read_to_string("/etc/subgid").unwrap_or_default(),
        &name,
        uid,
    );
    let single_id = subuid.is_empty() || subgid.is_empty();
    let (uid_map, gid_map) = if single_id {
        (build_map(uid, &[]), build_map(gid, &[]))
    } else {
        (build_map(uid, &subuid), build_map(gid, &subgid))
    };
    Identity {
        host_uid: uid,
        host_gid: gid,
        user_name: name,
        rootless: true,
        uid_map,
        gid_map,
        single_id,
    }
}

fn map_args(pid: i32, map: &[IdMap]) -> Vec<String> {
    let mut args = vec![pid.to_string()];
    for m in map {
        args.extend([
            m.container_id.to_string(),
            m.host_id.to_string(),
            m.size.to_string(),
        ]);
    }
    args
}

fn pipe() -> Result<(OwnedFd, OwnedFd), UsernsError> {
    let (r, w) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)
        .map_err(|e| UsernsError::Sys(e.into()))?;
    Ok((r, w))
}

/// newuidmap and newgidmap, found where berth finds every helper.
type MapHelpers = [(&'static str, std::path::PathBuf); 2];

fn map_helpers() -> Result<MapHelpers, UsernsError> {
    let find = |tool: &'static str| {
        crate::hostpaths::helper(tool)
            .map(|p| (tool, p))
            .map_err(|e| match e {
                crate::hostpaths::HelperError::Missing { .. } => {
                    UsernsError::HelperMissing { tool }
                }
                other => UsernsError::Sys(std::io::Error::other(other)),
            })
    };
    Ok([find("newuidmap")?, find("newgidmap")?])
}

/// Run newuidmap and newgidmap for `pid` (both at once: each is a setuid program whose start
/// costs about a millisecond); returns an error message on failure.
fn run_map_helpers(pid: i32, ident: &Identity, tools: &MapHelpers) -> Result<(), String> {
    let mut running = Vec::new();
    for ((tool, program), map) in tools.iter().zip([&ident.uid_map, &ident.gid_map]) {
        let tool = *tool;
        let child = Command::new(program)
            .args(map_args(pid, map))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn();
        match child {
            Ok(c) => running.push((tool, c)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(format!("{tool}\0missing"))
            }
            Err(e) => return Err(format!("{tool}\0{e}")),
        }
    }
    let mut failure = None;
    for (tool, child) in running {
        match child.wait_with_output() {
            Ok(out) if out.status.success() => {}
            Ok(out) => {
                failure.get_or_insert(format!(
                    "{tool}\0{}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            Err(e) => {
                failure.get_or_insert(format!("{tool}\0{e}"));
            }
        }
    }
    failure.map_or(Ok(()), Err)
}

/// A one-line hint when the user's id mapping will get in the way: no subordinate range at all,
/// or one smaller than the 65536 ids images commonly use.
pub fn mapping_hint(ident: &Identity) -> Option<String> {
    if !ident.rootless {
        return None;
    }
    let fix = format!(
        "usermod --add-subuids 100000-165535 --add-subgids 100000-165535 {}",
        ident.user_name
    );
    if ident.single_id {
        return Some(format!(
            "berth: no subordinate id range for {} in /etc/subuid and /etc/subgid: only your own id is mapped (files of other ids in images become yours); add one with `{fix}`",
            ident.user_name
        ));
    }
    let mapped: u64 = ident.uid_map.iter().map(|m| u64::from(m.size)).sum();
    (mapped < 65536).then(|| {
        format!(
            "berth: only {mapped} ids are mapped for {} (/etc/subuid, /etc/subgid): images with files or users above uid {} will fail; give the user 65536 ids with `{fix}`",
            ident.user_name,
            mapped.saturating_sub(1)
        )
    })
}

/// Write the id maps of `pid`'s new user namespace from its parent namespace: through
/// newuidmap/newgidmap for a subordinate range, or directly for the single-id mapping (allowed
/// for the namespace's owner once setgroups is denied).
pub fn write_maps(pid: i32, ident: &Identity) -> Result<(), UsernsError> {
    if ident.single_id {
        let write = |file: &str, text: String| {
            fs::write(format!("/proc/{pid}/{file}"), text).map_err(|source| UsernsError::WriteMap {
                what: "the container's id map",
                source,
            })
        };
        write("setgroups", "deny".into())?;
        write("uid_map", format!("0 {} 1\n", ident.host_uid))?;
        return write("gid_map", format!("0 {} 1\n", ident.host_gid));
    }
    let tools = map_helpers()?;
    run_map_helpers(pid, ident, &tools).map_err(|message| {
        let (tool, detail) = message
            .split_once('\0')
            .unwrap_or(("newuidmap", message.as_str()));
        let tool: &'static str = if tool == "newgidmap" {
            "newgidmap"
        } else {
            "newuidmap"
        };
        if detail == "missing" {
            UsernsError::HelperMissing { tool }
        } else {
            UsernsError::MapHelper {
                tool,
                uid: ident.host_uid,
                message: detail.to_string(),
            }
        }
    })
}

/// Move this (single-threaded) process into a new user + mount namespace with `ident`'s maps
/// and become uid/gid 0 there. Does nothing for root.
pub fn enter(ident: &Identity) -> Result<(), UsernsError> {
    // Inside `berth unshare` the namespace is entered already.
    if !ident.rootless || inside_unshare().is_some() {
        return Ok(());
    }
    if ident.single_id {
        return enter_single_id(ident);
    }
    let tools = map_helpers()?;
    let (go_r, go_w) = pipe()?;
    let (done_r, done_w) = pipe()?;
    let parent = rustix::process::getpid().as_raw_nonzero().get();
    // SAFETY: berth is single-threaded here (called before any runtime or thread starts), so the
    // child may allocate and run std::process::Command safely.
    let child = unsafe { libc::fork() };
    if child < 0 {
        return Err(UsernsError::Sys(std::io::Error::last_os_error()));
    }
    if child == 0 {
        drop(go_w);
        drop(done_r);
        let mut go = fs::File::from(go_r);
        let mut byte = [0u8; 1];
        let status = match go.read(&mut byte) {
            Ok(1) => run_map_helpers(parent, ident, &tools),
            _ => Err("berth\0parent went away".into()),
        };
        let mut done = fs::File::from(done_w);
        let _ = done.write_all(status.err().unwrap_or_default().as_bytes());
        // SAFETY: leave without running the parent's destructors or atexit handlers.
        unsafe { libc::_exit(0) };
    }
    drop(go_r);
    drop(done_w);
    let unshared = rustix::thread::unshare(
        rustix::thread::UnshareFlags::NEWUSER | rustix::thread::UnshareFlags::NEWNS,
    );
    let mut go = fs::File::from(go_w);
    if let Err(e) = unshared {
        drop(go);
        reap(child);
        return Err(UsernsError::Unshare(e.into()));
    }
    go.write_all(b"g").map_err(UsernsError::Sys)?;
    let mut message = String::new();
    fs::File::from(done_r)
        .read_to_string(&mut message)
        .map_err(UsernsError::Sys)?;
    reap(child);
    if !message.is_empty() {
        let (tool, detail) = message
            .split_once('\0')
            .unwrap_or(("newuidmap", message.as_str()));
        let tool: &'static str = if tool == "newgidmap" {
            "newgidmap"
        } else {
            "newuidmap"
        };
        if detail == "missing" {
            return Err(UsernsError::HelperMissing { tool });
        }
        return Err(UsernsError::MapHelper {
            tool,
            uid: ident.host_uid,
            message: detail.to_string(),
        });
    }
    become_root()
}

/// Run `f` in a forked child that has entered the rootless user namespace (for root: in a plain
/// forked child), and wait for it. For work on files owned by the container's ids while the
/// caller stays on the host side (it signals containers, or is a monitor). The caller must be
/// single-threaded.
pub fn in_namespace(
    ident: &Identity,
    f: impl FnOnce() -> Result<(), String>,
) -> Result<(), String> {
    let (r, w) = pipe().map_err(|e| e.to_string())?;
    // SAFETY: the caller is single-threaded, so the child may allocate and fork helpers.
    let child = unsafe { libc::fork() };
    if child < 0 {
        return Err(std::io::Error::last_os_error().to_string());
    }
    if child == 0 {
        drop(r);
        let result = enter(ident).map_err(|e| e.to_string()).and_then(|()| f());
        let mut w = fs::File::from(w);
        if let Err(msg) = result {
            let _ = w.write_all(msg.as_bytes());
        }
        drop(w);
        // SAFETY: leave without running the parent's destructors.
        unsafe { libc::_exit(0) };
    }
    drop(w);
    let mut message = String::new();
    let _ = fs::File::from(r).read_to_string(&mut message);
    let mut status = 0;
    // SAFETY: waiting for our own child.
    unsafe { libc::waitpid(child, &mut status, 0) };
    if !message.is_empty() {
        return Err(message);
    }
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return Err(format!("the helper process failed (status {status})"));
    }
    Ok(())
}

fn reap(pid: i32) {
    let mut status = 0;
    // SAFETY: waiting for our own child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
}

fn enter_single_id(ident: &Identity) -> Result<(), UsernsError> {
    rustix::thread::unshare(
        rustix::thread::UnshareFlags::NEWUSER | rustix::thread::UnshareFlags::NEWNS,
    )
    .map_err(|e| UsernsError::Unshare(e.into()))?;
    // A process may map just its own ids into its new namespace; setgroups must be denied first.
    let write = |path: &str, what: &'static str, text: String| {
        fs::write(path, text).map_err(|source| UsernsError::WriteMap { what, source })
    };
    write(
        "/proc/self/setgroups",
        "/proc/self/setgroups",
        "deny".into(),
    )?;
    write(
        "/proc/self/uid_map",
        "/proc/self/uid_map",
        format!("0 {} 1\n", ident.host_uid),
    )?;
    write(
        "/proc/self/gid_map",
        "/proc/self/gid_map",
        format!("0 {} 1\n", ident.host_gid),
    )?;
    become_root()
}

fn become_root() -> Result<(), UsernsError> {
    // SAFETY: plain syscalls changing our own credentials inside the namespace we own.
    let rc = unsafe { libc::setresgid(0, 0, 0) };
    if rc != 0 {
        return Err(UsernsError::Sys(std::io::Error::last_os_error()));
    }
    // SAFETY: as above.
    let rc = unsafe { libc::setresuid(0, 0, 0) };
    if rc != 0 {
        return Err(UsernsError::Sys(std::io::Error::last_os_error()));
    }
    // Our mounts (probes, later overlays) must never propagate back to the host.
    let root = CString::new("/").expect("static path");
    // SAFETY: mount(2) with NULL source/type/data only changes propagation.
    let rc = unsafe {
        libc::mount(
            std::ptr::null(),
            root.as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        )
    };
    if rc != 0 {
        return Err(UsernsError::Sys(std::io::Error::last_os_error()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subid_ranges_match_by_name_or_uid_and_skip_comments() {
        let text =
            "# c\nalice:100000:65536\nbob:200000:1000\n1001:300000:10\nalice:500000:5\nbad:line\n";
        assert_eq!(
            parse_subid_ranges(text, "alice", 1000),
            vec![
                SubIdRange {
                    start: 100000,
                    count: 65536
                },
                SubIdRange {
                    start: 500000,
                    count: 5
                }
            ]
        );
        assert_eq!(
            parse_subid_ranges(text, "carol", 1001),
            vec![SubIdRange {
                start: 300000,
                count: 10
            }]
        );
        assert!(parse_subid_ranges(text, "dave", 1002).is_empty());
    }

    fn ident(ranges: &[SubIdRange]) -> Identity {
        let map = build_map(1000, ranges);
        Identity {
            host_uid: 1000,
            host_gid: 1000,
            user_name: "alice".into(),
            rootless: true,
            uid_map: map.clone(),
            gid_map: map,
            single_id: ranges.is_empty(),
        }
    }

    #[test]
    fn a_missing_or_small_subordinate_range_gets_a_hint_with_the_fix() {
        let none = mapping_hint(&ident(&[])).unwrap();
        assert!(none.contains("no subordinate id range for alice"), "{none}");
        assert!(none.contains("usermod --add-subuids"), "{none}");
        let small = mapping_hint(&ident(&[SubIdRange {
            start: 100000,
            count: 1000,
        }]))
        .unwrap();
        assert!(small.contains("only 1001 ids are mapped"), "{small}");
        assert!(mapping_hint(&ident(&[SubIdRange {
            start: 100000,
            count: 65536
        }]))
        .is_none());
    }

    #[test]
    fn map_puts_the_user_at_zero_and_ranges_after_it() {
        let map = build_map(
            1000,
            &[
                SubIdRange {
                    start: 100000,
                    count: 65536,
                },
                SubIdRange {
                    start: 500000,
                    count: 5,
                },
            ],
        );
        assert_eq!(
            map,
            vec![
                IdMap {
                    container_id: 0,
                    host_id: 1000,
                    size: 1
                },
                IdMap {
                    container_id: 1,
                    host_id: 100000,
                    size: 65536
                },
                IdMap {
                    container_id: 65537,
                    host_id: 500000,
                    size: 5
                },
            ]
        );
        assert_eq!(map_args(42, &map[..1]), vec!["42", "0", "1000", "1"]);
    }
}
