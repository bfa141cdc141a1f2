//! `cp`: files between the host and a container's filesystem. The container's filesystem is
//! mounted in a forked child's private mount namespace (as for `export`) and every path inside
//! it is resolved with openat2(RESOLVE_IN_ROOT), so a symlink in the container can never lead
//! out of it (CVE-2018-15664). Nothing from the container's filesystem is executed.

use std::fs::File;
use std::io::Write;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};

use rustix::fs::{Mode, OFlags, ResolveFlags};

use super::export::{in_private_mounts, mount_overlay};
use crate::engine::{Engine, EngineError, Result};

#[derive(Debug, Clone, Copy, Default)]
pub struct CpOptions {
    /// `-a`: keep the files' owners (mapped through the user namespace).
    pub archive: bool,
    /// `-L`: follow a symlink given as the source.
    pub follow_link: bool,
}

/// Open `path` inside the directory `root` as if `root` were `/`.
fn open_in_root(root: &OwnedFd, path: &Path, follow: bool) -> std::io::Result<OwnedFd> {
    let rel = path.strip_prefix("/").unwrap_or(path);
    let rel = if rel.as_os_str().is_empty() {
        Path::new(".")
    } else {
        rel
    };
    let mut flags = OFlags::PATH | OFlags::CLOEXEC;
    if !follow {
        flags |= OFlags::NOFOLLOW;
    }
    rustix::fs::openat2(root, rel, flags, Mode::empty(), ResolveFlags::IN_ROOT)
        .map_err(|e| std::io::Error::from_raw_os_error(e.raw_os_error()))
}

fn fd_path(fd: &OwnedFd) -> PathBuf {
    PathBuf::from(format!("/proc/self/fd/{}", fd.as_raw_fd()))
}

/// Tar the object at `src` (an O_PATH fd) under the name `name`.
fn tar_object<W: Write>(src: &OwnedFd, name: &Path, out: W) -> std::io::Result<W> {
    let mut b = tar::Builder::new(out);
    b.follow_symlinks(false);
    let st = rustix::fs::fstat(src).map_err(std::io::Error::from)?;
    let kind = rustix::fs::FileType::from_raw_mode(st.st_mode);
    let p = fd_path(src);
    match kind {
        rustix::fs::FileType::Directory => b.append_dir_all(name, p.join("."))?,
        rustix::fs::FileType::Symlink => {
            let target =
                rustix::fs::readlinkat(src, "", Vec::new()).map_err(std::io::Error::from)?;
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(tar::EntryType::Symlink);
            h.set_size(0);
            h.set_mode(0o777);
            h.set_uid(u64::from(st.st_uid));
            h.set_gid(u64::from(st.st_gid));
            h.set_mtime(st.st_mtime as u64);
            b.append_link(
                &mut h,
                name,
                std::ffi::OsStr::new(&*target.to_string_lossy()),
            )?;
        }
        _ => {
            let mut f = File::open(&p)?;
            b.append_file(name, &mut f)?;
        }
    }
    b.into_inner()
}

fn base_name(path: &str) -> PathBuf {
    Path::new(path)
        .file_name()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

impl Engine {
    fn container_root_mount<T>(
        &self,
        name: &str,
        writable: bool,
        f: impl FnOnce(&OwnedFd) -> std::result::Result<T, String>,
    ) -> Result<()> {
        let c = self.find_container(name)?;
        if writable && c.is_running() {
            return Err(EngineError::Invalid(format!(
                "copying into running container {} is not supported yet: stop it first (`berth stop {}`)",
                c.record.name, c.record.name
            )));
        }
        let (upper, lowers) = self.writable_layer(&c)?;
        let dir = self.store.container_dir(&c.record.id);
        let work = self.store.temp_dir("cp")?;
        let mnt = work.path().to_path_buf();
        let layers_dir = self.store.root().join("layers");
        let userxattr = self.ident.rootless;
        let failed = |reason: String| {
            EngineError::Invalid(format!(
                "copying with container {}: {reason}",
                c.record.name
            ))
        };
        in_private_mounts(|| {
            let (all, uw) = if writable {
                (lowers, Some((upper.as_path(), dir.join("work"))))
            } else {
                let mut all = vec![upper.clone()];
                all.extend(lowers);
                (all, None)
            };
            let uw = uw.as_ref().map(|(u, w)| (*u, w.as_path()));
            mount_overlay(&layers_dir, &all, &mnt, userxattr, uw).map_err(|e| e.to_string())?;
            let root = rustix::fs::open(&mnt, OFlags::PATH | OFlags::DIRECTORY, Mode::empty())
                .map_err(|e| e.to_string())?;
            f(&root).map(|_| ())
        })
        .map_err(failed)?;
        drop(work);
        Ok(())
    }

    /// `cp CONTAINER:SRC DEST`: DEST a host path, or `-` for a tar stream to `out`.
    pub fn copy_from_container(
        &self,
        name: &str,
        src: &str,
        dest: &str,
        out: &File,
        opts: CpOptions,
    ) -> Result<()> {
        // Where it lands, decided on the host side as docker does: into DEST when it is a
        // directory, else as DEST.
        let (entry_name, extract_dir) = if dest == "-" {
            (base_name(src), None)
        } else {
            let d = Path::new(dest);
            if d.is_dir() {
                (base_name(src), Some(d.to_path_buf()))
            } else {
                let parent = d
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                if !parent.is_dir() {
                    return Err(EngineError::Invalid(format!(
                        "cannot copy to {dest}: its directory {} does not exist; create it first",
                        parent.display()
                    )));
                }
                (base_name(dest), Some(parent.to_path_buf()))
            }
        };
        let work = self.store.temp_dir("cp-out")?;
        let tar_path = work.path().join("out.tar");
        let src_path = PathBuf::from(src);
        self.container_root_mount(name, false, |root| {
            let obj = open_in_root(root, &src_path, opts.follow_link)
                .map_err(|e| format!("{src}: {e}"))?;
            let f = File::create(&tar_path).map_err(|e| e.to_string())?;
            tar_object(&obj, &entry_name, f).map_err(|e| format!("reading {src}: {e}"))?;
            Ok(())
        })?;
        let io = |context: String| {
            move |source| EngineError::Io {
                context: context.clone(),
                source,
            }
        };
        let mut tar_file =
            File::open(&tar_path).map_err(io(format!("reading {}", tar_path.display())))?;
        match extract_dir {
            None => {
                let mut w = out;
                std::io::copy(&mut tar_file, &mut w).map_err(io("writing the tar".into()))?;
            }
            Some(dir) => {
                let mut a = tar::Archive::new(tar_file);
                a.set_preserve_permissions(true);
                a.set_preserve_ownerships(opts.archive);
                a.set_overwrite(true);
                a.unpack(&dir)
                    .map_err(io(format!("copying to {}", dir.display())))?;
            }
        }
        Ok(())
    }

    /// `cp SRC CONTAINER:DEST`: SRC a host path, or `-` for a tar stream read from `input`.
    pub fn copy_to_container(
        &self,
        src: &str,
        input: Option<&File>,
        name: &str,
        dest: &str,
        opts: CpOptions,
    ) -> Result<()> {
        if src != "-" && std::fs::symlink_metadata(src).is_err() {
            return Err(EngineError::Invalid(format!(
                "cannot copy {src}: no such file or directory on the host"
            )));
        }
        let work = self.store.temp_dir("cp-in")?;
        let tar_path = work.path().join("in.tar");
        if let Some(input) = input {
            let mut f = File::create(&tar_path).map_err(|source| EngineError::Io {
                context: format!("creating {}", tar_path.display()),
                source,
            })?;
            let mut r = input;
            std::io::copy(&mut r, &mut f).map_err(|source| EngineError::Io {
                context: "reading the tar from standard input".into(),
                source,
            })?;
        }
        let dest_path = PathBuf::from(dest);
        let src = src.to_string();
        let from_stdin = input.is_some();
        self.container_root_mount(name, true, |root| {
            let (dir, entry_name) = match open_in_root(root, &dest_path, true) {
                Ok(fd) if rustix::fs::fstat(&fd).is_ok_and(|st| {
                    rustix::fs::FileType::from_raw_mode(st.st_mode)
                        == rustix::fs::FileType::Directory
                }) =>
                {
                    (fd, base_name(&src))
                }
                _ if from_stdin => {
                    return Err(format!(
                        "{dest} is not a directory in the container: a tar stream is extracted into a directory"
                    ))
                }
                _ => {
                    let parent = dest_path.parent().unwrap_or(Path::new("/"));
                    let fd = open_in_root(root, parent, true).map_err(|e| {
                        format!("{}: {e}; create it first", parent.display())
                    })?;
                    (fd, base_name(dest))
                }
            };
            if !from_stdin {
                let host = rustix::fs::open(
                    Path::new(&src),
                    OFlags::PATH | OFlags::CLOEXEC | if opts.follow_link { OFlags::empty() } else { OFlags::NOFOLLOW },
                    Mode::empty(),
                )
                .map_err(|e| format!("{src}: {e}"))?;
                let f = File::create(&tar_path).map_err(|e| e.to_string())?;
                tar_object(&host, &entry_name, f).map_err(|e| format!("reading {src}: {e}"))?;
            }
            let f = File::open(&tar_path).map_err(|e| e.to_string())?;
            let mut a = tar::Archive::new(f);
            a.set_preserve_permissions(true);
            a.set_preserve_ownerships(opts.archive);
            a.set_overwrite(true);
            // unpack refuses entries that would land outside the directory (through `..` or
            // a symlink), and the directory itself was resolved inside the container's root.
            a.unpack(fd_path(&dir))
                .map_err(|e| format!("copying into {dest}: {e}"))
        })
    }
}
