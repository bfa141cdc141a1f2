//! Working on a running container's files from a forked child that joins the container's user
//! and mount namespaces and chroots into its root, so that every path (and every symlink the
//! container may swap in while we work, CVE-2018-15664) resolves inside the container, and
//! the container's tmpfs and volume mounts are seen. Only berth's own code runs in the child:
//! nothing from the container's filesystem is executed or loaded (CVE-2019-14271).

use std::ffi::CString;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::MetadataExt;

/// The namespaces joined, user first: the mount namespace is owned by it.
const NAMESPACES: &[(&str, libc::c_int)] =
    &[("user", libc::CLONE_NEWUSER), ("mnt", libc::CLONE_NEWNS)];

fn differs(pid: i32, name: &str) -> io::Result<Option<File>> {
    let ours = std::fs::metadata(format!("/proc/self/ns/{name}"))?;
    let file = File::open(format!("/proc/{pid}/ns/{name}"))?;
    let theirs = file.metadata()?;
    Ok(((theirs.dev(), theirs.ino()) != (ours.dev(), ours.ino())).then_some(file))
}

fn join(joins: &[(libc::c_int, File)], root: &File) -> Result<(), String> {
    for (kind, fd) in joins {
        // SAFETY: setns on a namespace descriptor we hold.
        if unsafe { libc::setns(fd.as_raw_fd(), *kind) } != 0 {
            return Err(format!(
                "joining the container's namespace: {}",
                io::Error::last_os_error()
            ));
        }
        if *kind == libc::CLONE_NEWUSER {
            // Our host id is the container's root (rootless); become it so that new files
            // belong to the container's root and every id of the container can be set.
            // SAFETY: credential syscalls on ourselves.
            unsafe {
                if libc::setresgid(0, 0, 0) != 0 || libc::setresuid(0, 0, 0) != 0 {
                    return Err(format!(
                        "becoming root in the container: {}",
                        io::Error::last_os_error()
                    ));
                }
                libc::setgroups(0, std::ptr::null());
            }
        }
    }
    // SAFETY: fchdir on a directory we hold, then chroot to it: from here `/`, `..` and
    // absolute symlinks all stop at the container's root.
    unsafe {
        let dot = CString::new(".").expect("static");
        if libc::fchdir(root.as_raw_fd()) != 0 || libc::chroot(dot.as_ptr()) != 0 {
            return Err(format!(
                "entering the container's root: {}",
                io::Error::last_os_error()
            ));
        }
        libc::umask(0o022);
    }
    std::env::set_current_dir("/").map_err(|e| format!("entering the container's root: {e}"))
}

/// Run `f` in a forked child inside the running container whose PID 1 is `pid` (the host's
/// view): its user and mount namespaces joined, chrooted into its root, as the container's
/// root. Descriptors opened before the call stay usable in `f`. The caller must be
/// single-threaded and on the host side (outside berth's own user namespace, which cannot
/// join the container's).
pub fn in_container(pid: i32, f: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    let mut joins = Vec::new();
    for &(name, kind) in NAMESPACES {
        if let Some(file) = differs(pid, name)
            .map_err(|e| format!("opening the container's {name} namespace: {e}"))?
        {
            joins.push((kind, file));
        }
    }
    let root = File::open(format!("/proc/{pid}/root"))
        .map_err(|e| format!("opening the container's root directory: {e}"))?;
    let mut fds = [0; 2];
    // SAFETY: a pipe for the child's error message.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error().to_string());
    }
    // SAFETY: both fds were just created and are owned here.
    let (r, w) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    // SAFETY: the caller is single-threaded, so the child may allocate.
    let child = unsafe { libc::fork() };
    if child < 0 {
        return Err(io::Error::last_os_error().to_string());
    }
    if child == 0 {
        drop(r);
        // SAFETY: prctl on ourselves: do not outlive the caller.
        unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
        // Before joining: nothing in the container may read or attach to us, and no terminal
        // of the caller's goes in with us (seal.rs).
        super::seal::hide_from_container();
        super::seal::dev_null_onto(&[0, 1, 2]);
        let result = join(&joins, &root).and_then(|()| f());
        let mut w = File::from(w);
        if let Err(msg) = result {
            let _ = w.write_all(msg.as_bytes());
        }
        drop(w);
        // SAFETY: leave without running the parent's destructors.
        unsafe { libc::_exit(0) };
    }
    drop(w);
    drop(joins);
    drop(root);
    let mut message = String::new();
    let _ = File::from(r).read_to_string(&mut message);
    let mut status = 0;
    // SAFETY: waiting for our own child.
    unsafe { libc::waitpid(child, &mut status, 0) };
    if !message.is_empty() {
        return Err(message);
    }
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return Err(format!(
            "the helper in the container failed (status {status})"
        ));
    }
    Ok(())
}
