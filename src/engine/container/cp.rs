//! `cp`: files between the host and a container's filesystem, running or not.
//!
//! The container's side is always handled in a forked child. For a running container the child
//! joins the container's user and mount namespaces and chroots into its root
//! ([`crate::runtime::enter`]), so it sees what the container's processes see (their tmpfs and
//! volume mounts included) and every path, even one the container swaps for a symlink while
//! we work, resolves inside the container (CVE-2018-15664). For a stopped one the child mounts
//! the container's filesystem in a private mount namespace (as for `export`). Paths are resolved
//! with openat2(RESOLVE_IN_ROOT), and files are written by the layer unpacker, which creates
//! every entry beneath its directory without following symlinks out of it. Only berth's own
//! code runs there: nothing from the container's filesystem is executed (CVE-2019-14271).
//! Host files and the tar streams travel as descriptors opened before the fork.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use rustix::fs::{FileType, Mode, OFlags, ResolveFlags};

use super::export::{in_private_mounts, mount_overlay};
use super::Container;
use crate::engine::{Engine, EngineError, Result};
use crate::layer::unpack::{self, UnpackOptions, WhiteoutFormat};
use crate::runtime::{enter, rootfs, userns};
use crate::store::Driver;

#[derive(Debug, Clone, Copy, Default)]
pub struct CpOptions {
    /// `-a`: keep the files' owners (mapped through the user namespace).
    pub archive: bool,
    /// `-L`: follow a symlink given as the source.
    pub follow_link: bool,
}

/// Open `path` inside the directory `root` as if `root` were `/`.
fn open_in_root(
    root: impl AsFd,
    path: &Path,
    follow: bool,
    flags: OFlags,
) -> std::io::Result<OwnedFd> {
    let rel = path.strip_prefix("/").unwrap_or(path);
    let rel = if rel.as_os_str().is_empty() {
        Path::new(".")
    } else {
        rel
    };
    let mut flags = flags | OFlags::CLOEXEC;
    if !follow {
        flags |= OFlags::NOFOLLOW;
    }
    rustix::fs::openat2(root, rel, flags, Mode::empty(), ResolveFlags::IN_ROOT)
        .map_err(std::io::Error::from)
}

/// `obj` opened again for reading by `reopen` when it is a regular file, checked to be the
/// same file (the path may have been swapped in between).
fn readable_copy(
    obj: &OwnedFd,
    reopen: impl FnOnce() -> std::io::Result<OwnedFd>,
) -> std::io::Result<Option<OwnedFd>> {
    let (kind, st) = kind_of(obj)?;
    if kind != FileType::RegularFile {
        return Ok(None);
    }
    let fd = reopen()?;
    let again = rustix::fs::fstat(&fd)?;
    if (again.st_dev, again.st_ino) != (st.st_dev, st.st_ino) {
        return Err(std::io::Error::other("it changed while it was read"));
    }
    Ok(Some(fd))
}

fn kind_of(fd: &OwnedFd) -> std::io::Result<(FileType, rustix::fs::Stat)> {
    let st = rustix::fs::fstat(fd)?;
    Ok((FileType::from_raw_mode(st.st_mode), st))
}

/// Tar the object `obj` (an O_PATH descriptor) under the name `name`. A directory is walked
/// from the descriptor (by making it our working directory), never through a path that
/// starts outside it; no symlink is followed. `readable` is the same object opened for
/// reading when it is a regular file (an O_PATH descriptor cannot be reopened without /proc,
/// which a chroot into the container does not have).
fn tar_object<W: Write>(
    obj: &OwnedFd,
    readable: Option<OwnedFd>,
    name: &Path,
    out: W,
) -> std::io::Result<W> {
    let mut b = tar::Builder::new(out);
    b.follow_symlinks(false);
    let (kind, st) = kind_of(obj)?;
    match kind {
        FileType::Directory => {
            rustix::process::fchdir(obj)?;
            b.append_dir_all(name, ".")?;
        }
        FileType::Symlink => {
            let target = rustix::fs::readlinkat(obj, "", Vec::new())?;
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(tar::EntryType::Symlink);
            h.set_size(0);
            h.set_mode(0o777);
            h.set_uid(u64::from(st.st_uid));
            h.set_gid(u64::from(st.st_gid));
            h.set_mtime(st.st_mtime);
            b.append_link(
                &mut h,
                name,
                std::ffi::OsStr::new(&*target.to_string_lossy()),
            )?;
        }
        FileType::RegularFile => {
            let fd =
                readable.ok_or_else(|| std::io::Error::other("it changed while it was read"))?;
            let mut f = File::from(fd);
            b.append_file(name, &mut f)?;
        }
        _ => {
            return Err(std::io::Error::other(
                "it is a device, socket or pipe; cp copies files, directories and symlinks",
            ))
        }
    }
    b.into_inner()
}

/// Copy a tar stream, making every entry owned by root (docker's `cp` without `-a`: the files
/// belong to the destination's root user).
fn chown_entries_to_root<R: Read, W: Write>(input: R, out: W) -> std::io::Result<W> {
    let mut a = tar::Archive::new(input);
    let mut b = tar::Builder::new(out);
    for entry in a.entries()? {
        let mut e = entry?;
        let path = e.path()?.into_owned();
        let link = e.link_name()?.map(|l| l.into_owned());
        let mut h = e.header().clone();
        h.set_uid(0);
        h.set_gid(0);
        let _ = h.set_username("");
        let _ = h.set_groupname("");
        match link {
            Some(target) => b.append_link(&mut h, &path, &target)?,
            None => b.append_data(&mut h, &path, &mut e)?,
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

fn io_ctx(context: String) -> impl FnOnce(std::io::Error) -> EngineError {
    move |source| EngineError::Io { context, source }
}

fn temp_file(path: &Path) -> Result<File> {
    File::options()
        .create_new(true)
        .read(true)
        .write(true)
        .open(path)
        .map_err(io_ctx(format!("creating {}", path.display())))
}

impl Engine {
    /// Run `f` in a child that sees the container's filesystem, with `root` a descriptor of
    /// its root directory. A running container's own namespaces are joined; a stopped one's
    /// filesystem is mounted (writable when `writable`) in a private mount namespace.
    fn in_container_root(
        &self,
        c: &Container,
        writable: bool,
        f: impl FnOnce(&OwnedFd) -> std::result::Result<(), String>,
    ) -> Result<()> {
        let failed = |reason: String| {
            EngineError::Invalid(format!(
                "copying with container {}: {reason}",
                c.record.name
            ))
        };
        let open_root = |dir: &Path| {
            rustix::fs::open(
                dir,
                OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map_err(|e| format!("opening the container's root: {e}"))
        };
        if c.is_running() && c.state.pid > 0 {
            return enter::in_container(c.state.pid, || f(&open_root(Path::new("/"))?))
                .map_err(failed);
        }
        // A stopped container's volumes and binds are mounted over its filesystem, as the
        // container would see them.
        let (binds, _) = super::spec::user_mounts(self, &c.record.config.mounts);
        let with_volumes = |dir: &Path| {
            let root = open_root(dir)?;
            rootfs::bind_user_mounts(&root, &binds, c.record.config.privileged)
                .map_err(|e| e.to_string())?;
            // Reopened: the first descriptor names the root underneath any mount made at `/`.
            f(&open_root(dir)?)
        };
        if self.store.driver() == Driver::Vfs {
            let root = self.store.container_dir(&c.record.id).join("rootfs");
            return userns::in_namespace(&self.ident, || in_private_mounts(|| with_volumes(&root)))
                .map_err(failed);
        }
        let (upper, lowers) = self.writable_layer(c)?;
        let dir = self.store.container_dir(&c.record.id);
        let work = self.store.temp_dir("cp")?;
        let mnt = work.path().to_path_buf();
        let layers_dir = self.store.root().join("layers");
        let userxattr = self.ident.rootless;
        userns::in_namespace(&self.ident, || {
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
                with_volumes(&mnt)
            })
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
        let c = self.find_container(name)?;
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
        let mut tar_file = temp_file(&tar_path)?;
        let src_path = PathBuf::from(src);
        self.in_container_root(&c, false, |root| {
            let obj = open_in_root(root, &src_path, opts.follow_link, OFlags::PATH)
                .map_err(|e| format!("{src}: {e}"))?;
            let readable = readable_copy(&obj, || {
                open_in_root(
                    root,
                    &src_path,
                    opts.follow_link,
                    OFlags::RDONLY | OFlags::NONBLOCK,
                )
            })
            .map_err(|e| format!("reading {src}: {e}"))?;
            tar_object(&obj, readable, &entry_name, &tar_file)
                .map_err(|e| format!("reading {src}: {e}"))?;
            Ok(())
        })?;
        tar_file
            .seek(SeekFrom::Start(0))
            .map_err(io_ctx(format!("reading {}", tar_path.display())))?;
        match extract_dir {
            None => {
                let mut w = out;
                std::io::copy(&mut tar_file, &mut w).map_err(io_ctx("writing the tar".into()))?;
            }
            Some(dir) => {
                // In berth's user namespace, so that `-a` maps the container's owners back
                // to the same host ids and the invoking user's own files stay theirs.
                userns::in_namespace(&self.ident, || {
                    let mut a = tar::Archive::new(&tar_file);
                    a.set_preserve_permissions(true);
                    a.set_preserve_ownerships(opts.archive);
                    a.set_overwrite(true);
                    a.unpack(&dir)
                        .map_err(|e| format!("copying to {}: {e}", dir.display()))
                })
                .map_err(EngineError::Invalid)?;
            }
        }
        drop(work);
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
        let c = self.find_container(name)?;
        // The host source is opened here, on the host side, and reaches the child as a
        // descriptor: inside the container's root no host path means anything.
        let host_src = match input {
            Some(_) => None,
            None => {
                let follow = if opts.follow_link {
                    OFlags::empty()
                } else {
                    OFlags::NOFOLLOW
                };
                let open = |flags: OFlags| {
                    rustix::fs::open(
                        Path::new(src),
                        flags | follow | OFlags::CLOEXEC,
                        Mode::empty(),
                    )
                    .map_err(std::io::Error::from)
                };
                let cannot = |e: std::io::Error| {
                    EngineError::Invalid(format!(
                        "cannot copy {src}: {e}; give an existing host path"
                    ))
                };
                let obj = open(OFlags::PATH).map_err(cannot)?;
                let readable = readable_copy(&obj, || open(OFlags::RDONLY | OFlags::NONBLOCK))
                    .map_err(cannot)?;
                Some((obj, readable))
            }
        };
        let work = self.store.temp_dir("cp-in")?;
        let raw_path = work.path().join("raw.tar");
        let mut raw = temp_file(&raw_path)?;
        let owned_path = work.path().join("in.tar");
        let mut owned = temp_file(&owned_path)?;
        if let Some(input) = input {
            let mut r = input;
            std::io::copy(&mut r, &mut raw)
                .map_err(io_ctx("reading the tar from standard input".into()))?;
        }
        let dest_path = PathBuf::from(dest);
        let single_id = self.ident.single_id;
        self.in_container_root(&c, true, |root| {
            let is_dir = |fd: &OwnedFd| kind_of(fd).is_ok_and(|(k, _)| k == FileType::Directory);
            let (dir, entry_name) = match open_in_root(root, &dest_path, true, OFlags::PATH) {
                Ok(fd) if is_dir(&fd) => (fd, base_name(src)),
                Ok(_) if host_src.is_none() => {
                    return Err(format!(
                        "{dest} is not a directory in the container: a tar stream is extracted into a directory"
                    ))
                }
                Err(_) if host_src.is_none() => {
                    return Err(format!(
                        "{dest} does not exist in the container: a tar stream is extracted into an existing directory"
                    ))
                }
                _ => {
                    let parent = dest_path.parent().unwrap_or(Path::new("/"));
                    let fd = open_in_root(root, parent, true, OFlags::PATH | OFlags::DIRECTORY)
                        .map_err(|e| format!("{}: {e}; create it first", parent.display()))?;
                    (fd, base_name(dest))
                }
            };
            if let Some((host, readable)) = host_src {
                tar_object(&host, readable, &entry_name, &raw).map_err(|e| format!("reading {src}: {e}"))?;
            }
            raw.seek(SeekFrom::Start(0)).map_err(|e| e.to_string())?;
            let stream: &File = if opts.archive {
                &raw
            } else {
                chown_entries_to_root(&raw, &owned)
                    .map_err(|e| format!("reading the tar: {e}"))?;
                owned.seek(SeekFrom::Start(0)).map_err(|e| e.to_string())?;
                &owned
            };
            // The unpacker creates every entry beneath `dir` with openat2(RESOLVE_BENEATH):
            // a `..` or a symlink in the container pointing elsewhere is refused, not followed.
            rustix::process::fchdir(&dir).map_err(|e| e.to_string())?;
            let unpack_opts = UnpackOptions {
                whiteouts: WhiteoutFormat::Plain,
                allow_devices: false,
                ignore_chown_errors: single_id,
            };
            unpack::unpack(stream, Path::new("."), &unpack_opts)
                .map(|_| ())
                .map_err(|e| format!("copying into {dest}: {e}"))
        })?;
        drop(work);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cp_without_archive_makes_every_entry_root_owned() {
        let mut src = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_size(3);
        h.set_mode(0o640);
        h.set_uid(1234);
        h.set_gid(4321);
        src.append_data(&mut h, "dir/file", &b"abc"[..]).unwrap();
        let mut l = tar::Header::new_gnu();
        l.set_entry_type(tar::EntryType::Symlink);
        l.set_size(0);
        l.set_uid(7);
        src.append_link(&mut l, "link", "dir/file").unwrap();
        let bytes = src.into_inner().unwrap();
        let out = chown_entries_to_root(&bytes[..], Vec::new()).unwrap();
        let mut a = tar::Archive::new(&out[..]);
        let mut seen = Vec::new();
        for e in a.entries().unwrap() {
            let mut e = e.unwrap();
            assert_eq!(
                (e.header().uid().unwrap(), e.header().gid().unwrap()),
                (0, 0)
            );
            let mut body = String::new();
            e.read_to_string(&mut body).unwrap();
            seen.push((e.path().unwrap().display().to_string(), body));
        }
        assert_eq!(
            seen,
            vec![
                ("dir/file".to_string(), "abc".to_string()),
                ("link".to_string(), String::new())
            ]
        );
    }
}
