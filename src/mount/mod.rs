//! Which storage driver this host supports, found by trying it.
//!
//! Kernel overlayfs inside a user namespace needs a kernel that allows unprivileged overlay
//! mounts (5.11+) and a filesystem for the layers that supports `user.*` xattrs and whiteout
//! devices. We do not guess from the kernel version: a throw-away overlay with a whiteout and an
//! opaque directory is mounted in a child process's private mount namespace and inspected.

use std::ffi::CString;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::store::Driver;

/// Pick the best driver for layers stored under `store_root` (which must exist).
pub fn detect_driver(store_root: &Path) -> Driver {
    if kernel_overlay_works(&store_root.join("tmp")) {
        Driver::Overlay
    } else if fuse_overlayfs_usable() {
        Driver::FuseOverlayfs
    } else {
        Driver::Vfs
    }
}

/// fuse-overlayfs needs its binary and a /dev/fuse this user can open.
pub fn fuse_overlayfs_usable() -> bool {
    let has_binary = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join("fuse-overlayfs").is_file()))
        .unwrap_or(false);
    has_binary
        && fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/fuse")
            .is_ok()
}

fn cpath(p: &Path) -> CString {
    CString::new(p.as_os_str().as_bytes()).expect("store paths contain no NUL")
}

/// Build a two-layer overlay in `scratch` and check that it behaves: the whiteout hides a file
/// and the opaque directory hides its lower contents.
pub fn kernel_overlay_works(scratch: &Path) -> bool {
    let base = scratch.join(format!("probe-{:016x}", rand::random::<u64>()));
    let ok = probe_in(&base).unwrap_or(false);
    let _ = crate::store::remove_tree(&base);
    ok
}

fn probe_in(base: &Path) -> std::io::Result<bool> {
    let (l1, l2, up, work, merged) = (
        base.join("l1"),
        base.join("l2"),
        base.join("up"),
        base.join("work"),
        base.join("m"),
    );
    for d in [&l1, &l2, &up, &work, &merged, &l1.join("d"), &l2.join("d")] {
        fs::create_dir_all(d)?;
    }
    fs::write(l1.join("gone"), b"x")?;
    fs::write(l1.join("d/hidden"), b"x")?;
    fs::write(l2.join("d/kept"), b"x")?;
    rustix::fs::mknodat(
        rustix::fs::CWD,
        l2.join("gone"),
        rustix::fs::FileType::CharacterDevice,
        rustix::fs::Mode::empty(),
        0,
    )?;
    rustix::fs::setxattr(
        l2.join("d"),
        "user.overlay.opaque",
        b"y",
        rustix::fs::XattrFlags::empty(),
    )?;

    let options = format!(
        "userxattr,lowerdir={}:{},upperdir={},workdir={}",
        l2.display(),
        l1.display(),
        up.display(),
        work.display()
    );
    let options = CString::new(options).expect("no NUL");
    let target = cpath(&merged);
    let gone = cpath(&merged.join("gone"));
    let hidden = cpath(&merged.join("d/hidden"));
    let kept = cpath(&merged.join("d/kept"));
    let overlay = CString::new("overlay").expect("static");
    let root = CString::new("/").expect("static");

    // SAFETY: the child only makes raw syscalls on buffers prepared above, then _exits; this is
    // safe after fork even in a multi-threaded process.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(std::io::Error::last_os_error());
    }
    if pid == 0 {
        unsafe {
            let code = if libc::unshare(libc::CLONE_NEWNS) != 0
                || libc::mount(
                    std::ptr::null(),
                    root.as_ptr(),
                    std::ptr::null(),
                    libc::MS_REC | libc::MS_PRIVATE,
                    std::ptr::null(),
                ) != 0
                || libc::mount(
                    overlay.as_ptr(),
                    target.as_ptr(),
                    overlay.as_ptr(),
                    0,
                    options.as_ptr().cast(),
                ) != 0
            {
                2
            } else if libc::access(gone.as_ptr(), libc::F_OK) == 0
                || libc::access(hidden.as_ptr(), libc::F_OK) == 0
                || libc::access(kept.as_ptr(), libc::F_OK) != 0
            {
                3
            } else {
                0
            };
            libc::_exit(code);
        }
    }
    let mut status = 0;
    // SAFETY: waiting for the child forked above.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    Ok(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay_probe_succeeds_as_root_on_this_kernel() {
        // Tests run as root on a 6.x kernel with overlayfs: the probe must find it working.
        if !Path::new("/proc/filesystems").exists()
            || !fs::read_to_string("/proc/filesystems")
                .unwrap_or_default()
                .contains("overlay")
        {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        assert!(kernel_overlay_works(dir.path()));
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            0,
            "probe cleans up"
        );
    }
}
