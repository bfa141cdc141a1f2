//! `export`: the container's whole filesystem (image layers and writable layer merged) as a
//! tar stream. The merge is a read-only overlay mounted in a forked child's private mount
//! namespace, so nothing stays mounted and a running container's own mount is not touched.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::path::Path;

use crate::engine::{Engine, EngineError, Result};
use crate::store::Driver;

/// Tar the tree at `root` (not following symlinks) to `out`.
pub fn tar_tree<W: Write>(root: &Path, out: W) -> std::io::Result<()> {
    let mut b = tar::Builder::new(out);
    b.follow_symlinks(false);
    b.append_dir_all(".", root)?;
    b.into_inner()?.flush()
}

pub(crate) fn mount_overlay(
    layers_dir: &Path,
    lowers: &[std::path::PathBuf],
    target: &Path,
    userxattr: bool,
    upper_work: Option<(&Path, &Path)>,
) -> std::io::Result<()> {
    // Relative lowerdirs (against our cwd) keep the mount data short with many layers.
    std::env::set_current_dir(layers_dir)?;
    let lower = lowers
        .iter()
        .map(|l| {
            l.strip_prefix(layers_dir)
                .unwrap_or(l)
                .display()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join(":");
    let mut data = format!("lowerdir={lower}");
    let mut flags = rustix::mount::MountFlags::RDONLY;
    if let Some((upper, work)) = upper_work {
        data.push_str(&format!(
            ",upperdir={},workdir={}",
            upper.display(),
            work.display()
        ));
        flags = rustix::mount::MountFlags::empty();
    }
    if userxattr {
        data.push_str(",userxattr");
    }
    rustix::mount::mount("overlay", target, "overlay", flags, data.as_str())
        .map_err(|e| std::io::Error::other(format!("mounting the container's filesystem: {e}")))
}

/// Run `f` in a forked child with its own private mount namespace; its error comes back as text.
pub(crate) fn in_private_mounts(
    f: impl FnOnce() -> std::result::Result<(), String>,
) -> std::result::Result<(), String> {
    let mut fds = [0; 2];
    // SAFETY: a pipe for the child's error message.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error().to_string());
    }
    // SAFETY: both fds were just created and are owned here.
    let (mut r, mut w) = unsafe { (File::from_raw_fd(fds[0]), File::from_raw_fd(fds[1])) };
    // SAFETY: berth is single-threaded here; the child only mounts, walks files and writes.
    let child = unsafe { libc::fork() };
    if child < 0 {
        return Err(std::io::Error::last_os_error().to_string());
    }
    if child == 0 {
        drop(r);
        let result = rustix::thread::unshare(rustix::thread::UnshareFlags::NEWNS)
            .map_err(|e| format!("creating a private mount namespace: {e}"))
            .and_then(|()| {
                rustix::mount::mount_change(
                    "/",
                    rustix::mount::MountPropagationFlags::PRIVATE
                        | rustix::mount::MountPropagationFlags::REC,
                )
                .map_err(|e| format!("making mounts private: {e}"))
            })
            .and_then(|()| f());
        if let Err(msg) = result {
            let _ = w.write_all(msg.as_bytes());
        }
        drop(w);
        // SAFETY: leave without running the parent's destructors.
        unsafe { libc::_exit(0) };
    }
    drop(w);
    let mut message = String::new();
    let _ = r.read_to_string(&mut message);
    let mut status = 0;
    // SAFETY: waiting for our own child.
    unsafe { libc::waitpid(child, &mut status, 0) };
    if !message.is_empty() {
        return Err(message);
    }
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return Err(format!("the export helper failed (status {status})"));
    }
    Ok(())
}

impl Engine {
    /// `export`: write the container's filesystem as a tar to `out` (a file or standard output).
    pub fn export_container(&self, name: &str, out: &File) -> Result<()> {
        let c = self.find_container(name)?;
        let failed = |reason: String| {
            EngineError::Invalid(format!("exporting container {}: {reason}", c.record.name))
        };
        let fd = out.as_raw_fd();
        let write_to_out = move |root: &Path| -> std::result::Result<(), String> {
            // SAFETY: the caller's file stays open for the whole call; ManuallyDrop keeps us
            // from closing it.
            let f = std::mem::ManuallyDrop::new(unsafe { File::from_raw_fd(fd) });
            tar_tree(root, std::io::BufWriter::with_capacity(1 << 20, &*f))
                .map_err(|e| format!("writing the tar: {e}"))
        };
        if self.store.driver() == Driver::Vfs {
            let root = self.store.container_dir(&c.record.id).join("rootfs");
            return write_to_out(&root).map_err(failed);
        }
        let (upper, lowers) = self.writable_layer(&c)?;
        let mut all = vec![upper];
        all.extend(lowers);
        let work = self.store.temp_dir("export")?;
        let mnt = work.path().to_path_buf();
        let layers_dir = self.store.root().join("layers");
        let userxattr = self.ident.rootless;
        in_private_mounts(|| {
            mount_overlay(&layers_dir, &all, &mnt, userxattr, None).map_err(|e| e.to_string())?;
            write_to_out(&mnt)
        })
        .map_err(failed)?;
        drop(work);
        Ok(())
    }
}
