//! Unpack a layer tarball so that it can never write outside its directory.
//!
//! Every entry's parent is resolved with `openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)` from
//! a descriptor of the layer root, and the entry itself is created with an `*at` call on that
//! parent, never following its final component. A name that climbs out (`..`, an absolute path,
//! a symlink pointing outside) is refused by the kernel's resolution, not by string checks
//! (the class of bug behind CVE-2018-15664 and CVE-2019-14271).

use std::collections::HashSet;
use std::ffi::{CStr, CString, OsStr};
use std::fs::{self, File};
use std::io::{self, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum LayerError {
    #[error("layer entry {entry:?} is unsafe: {reason}")]
    UnsafeEntry { entry: String, reason: String },
    #[error("layer entry {entry:?} is a device node, which a rootless store cannot hold")]
    DeviceNotAllowed { entry: String },
    #[error("layer entry {entry:?}: {source}")]
    Io { entry: String, source: io::Error },
    #[error("the layer is corrupt: {reason}")]
    Corrupt { reason: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhiteoutFormat {
    /// Whiteouts become 0/0 character devices, opaque directories get overlay xattrs.
    Overlay,
    /// The root holds a copy of the parent layer; whiteouts are applied as deletions.
    Vfs,
}

#[derive(Debug, Clone)]
pub struct UnpackOptions {
    pub whiteouts: WhiteoutFormat,
    pub allow_devices: bool,
    pub ignore_chown_errors: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpackSummary {
    pub diff_id: String,
    pub size: u64,
}

const WH_PREFIX: &[u8] = b".wh.";
const WH_OPAQUE: &[u8] = b".wh..wh..opq";
pub const OPAQUE_XATTRS: &[&str] = &["user.overlay.opaque", "user.fuseoverlayfs.opaque"];

struct Hashing<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

fn cstr(b: &[u8]) -> io::Result<CString> {
    CString::new(b).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "name contains NUL"))
}

fn errno<T: Default + PartialOrd>(rc: T) -> io::Result<T> {
    if rc < T::default() {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

#[repr(C)]
struct OpenHow {
    flags: u64,
    mode: u64,
    resolve: u64,
}
const RESOLVE_NO_MAGICLINKS: u64 = 0x02;
const RESOLVE_BENEATH: u64 = 0x08;

/// openat2 beneath `dir`: the kernel refuses any resolution that leaves it.
fn open_beneath(dir: RawFd, path: &[u8], flags: i32) -> io::Result<OwnedFd> {
    let p = cstr(if path.is_empty() { b"." } else { path })?;
    let how = OpenHow {
        flags: (flags | libc::O_CLOEXEC) as u64,
        mode: 0,
        resolve: RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
    };
    // SAFETY: valid pointers for the duration of the call; the fd returned is ours.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            dir,
            p.as_ptr(),
            &how as *const OpenHow,
            std::mem::size_of::<OpenHow>(),
        )
    };
    let fd = errno(fd)? as RawFd;
    // SAFETY: the kernel just returned this descriptor.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn lstat_at(dir: RawFd, name: &CStr) -> io::Result<libc::stat> {
    // SAFETY: zeroed stat is a valid out-buffer.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointers.
    errno(unsafe { libc::fstatat(dir, name.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) })?;
    Ok(st)
}

fn proc_path(fd: RawFd, name: Option<&[u8]>) -> PathBuf {
    let mut p = PathBuf::from(format!("/proc/self/fd/{fd}"));
    if let Some(n) = name {
        p.push(OsStr::from_bytes(n));
    }
    p
}

/// Remove whatever is at `dir/name` (recursively for a directory); absent is fine.
fn remove_at(dir: RawFd, name: &CStr) -> io::Result<()> {
    let st = match lstat_at(dir, name) {
        Ok(st) => st,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if st.st_mode & libc::S_IFMT == libc::S_IFDIR {
        let sub = open_beneath(
            dir,
            name.to_bytes(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW,
        )?;
        let names: Vec<Vec<u8>> = fs::read_dir(proc_path(sub.as_raw_fd(), None))?
            .map(|e| e.map(|e| e.file_name().as_bytes().to_vec()))
            .collect::<io::Result<_>>()?;
        for n in names {
            remove_at(sub.as_raw_fd(), &cstr(&n)?)?;
        }
        // SAFETY: valid pointers.
        errno(unsafe { libc::unlinkat(dir, name.as_ptr(), libc::AT_REMOVEDIR) })?;
    } else {
        // SAFETY: valid pointers.
        errno(unsafe { libc::unlinkat(dir, name.as_ptr(), 0) })?;
    }
    Ok(())
}

/// Split an entry name into safe components; None for the root itself.
fn components(raw: &[u8]) -> Result<Vec<&[u8]>, String> {
    if raw.contains(&0) {
        return Err("it contains a NUL byte".into());
    }
    if raw.starts_with(b"/") {
        return Err("it is an absolute path".into());
    }
    let mut out = Vec::new();
    for c in raw.split(|b| *b == b'/') {
        match c {
            b"" | b"." => {}
            b".." => return Err("it climbs out of the layer root".into()),
            c => out.push(c),
        }
    }
    Ok(out)
}

struct Unpacker<'a> {
    root: OwnedFd,
    opts: &'a UnpackOptions,
    /// The last parent resolved. Removals only ever happen inside the current parent, so the
    /// cached directory itself is never removed while cached.
    cache: Option<(Vec<u8>, OwnedFd)>,
    created: HashSet<Vec<u8>>,
    dir_times: Vec<(Vec<u8>, i64)>,
}

impl Unpacker<'_> {
    /// A descriptor of the directory `parts`, created (0755, root-owned) where missing.
    fn parent(&mut self, parts: &[&[u8]], entry: &str) -> Result<RawFd, LayerError> {
        let key = parts.join(&b'/');
        if let Some((k, fd)) = &self.cache {
            if *k == key {
                return Ok(fd.as_raw_fd());
            }
        }
        let unsafe_entry = |reason: &str| LayerError::UnsafeEntry {
            entry: entry.to_string(),
            reason: reason.into(),
        };
        let io_err = |source| LayerError::Io {
            entry: entry.to_string(),
            source,
        };
        let fd = match open_beneath(
            self.root.as_raw_fd(),
            &key,
            libc::O_PATH | libc::O_DIRECTORY,
        ) {
            Ok(fd) => fd,
            Err(e) if matches!(e.raw_os_error(), Some(libc::EXDEV) | Some(libc::ELOOP)) => {
                return Err(unsafe_entry(
                    "it goes through a symlink that points outside the layer",
                ))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                // Create missing directories one component at a time, each resolved beneath root.
                let mut cur =
                    open_beneath(self.root.as_raw_fd(), b"", libc::O_PATH | libc::O_DIRECTORY)
                        .map_err(io_err)?;
                for (i, c) in parts.iter().enumerate() {
                    let name = cstr(c).map_err(io_err)?;
                    // SAFETY: valid pointers; EEXIST is fine.
                    let rc = unsafe { libc::mkdirat(cur.as_raw_fd(), name.as_ptr(), 0o755) };
                    if rc == 0 {
                        self.created.insert(parts[..=i].join(&b'/'));
                    } else {
                        let e = io::Error::last_os_error();
                        if e.raw_os_error() != Some(libc::EEXIST) {
                            return Err(io_err(e));
                        }
                    }
                    cur = match open_beneath(
                        self.root.as_raw_fd(),
                        &parts[..=i].join(&b'/'),
                        libc::O_PATH | libc::O_DIRECTORY,
                    ) {
                        Ok(fd) => fd,
                        Err(e)
                            if matches!(
                                e.raw_os_error(),
                                Some(libc::EXDEV) | Some(libc::ELOOP)
                            ) =>
                        {
                            return Err(unsafe_entry(
                                "it goes through a symlink that points outside the layer",
                            ))
                        }
                        Err(e) => return Err(io_err(e)),
                    };
                }
                cur
            }
            Err(e) => return Err(io_err(e)),
        };
        self.cache = Some((key, fd));
        Ok(self.cache.as_ref().expect("just set").1.as_raw_fd())
    }

    fn entry<R: Read>(&mut self, mut e: tar::Entry<'_, R>) -> Result<u64, LayerError> {
        let raw = e.path_bytes().into_owned();
        let shown = String::from_utf8_lossy(&raw).into_owned();
        let unsafe_entry = |reason: String| LayerError::UnsafeEntry {
            entry: shown.clone(),
            reason,
        };
        let io_err = |source| LayerError::Io {
            entry: shown.clone(),
            source,
        };
        let parts = components(&raw).map_err(unsafe_entry)?;
        let kind = e.header().entry_type();
        let header = e.header().clone();
        let uid = header.uid().map_err(io_err)? as u32;
        let gid = header.gid().map_err(io_err)? as u32;
        let mode = header.mode().map_err(io_err)? & 0o7777;
        let mtime = header.mtime().unwrap_or(0) as i64;

        if parts.is_empty() {
            // The root directory itself.
            if kind.is_dir() {
                let fd = self.root.as_raw_fd();
                self.chown(fd, None, uid, gid).map_err(io_err)?;
                // SAFETY: fd is our root directory.
                errno(unsafe { libc::fchmod(fd, mode) }).map_err(io_err)?;
                self.dir_times.push((Vec::new(), mtime));
            }
            return Ok(0);
        }
        let (name, dirs) = parts.split_last().expect("non-empty");
        let rel = parts.join(&b'/');

        // Whiteouts.
        if name.starts_with(WH_PREFIX) {
            let pfd = self.parent(dirs, &shown)?;
            if *name == WH_OPAQUE {
                return self.opaque(pfd, dirs, &shown).map(|_| 0);
            }
            if name.starts_with(b".wh..wh.") {
                return Ok(0); // aufs bookkeeping
            }
            let target = cstr(&name[WH_PREFIX.len()..]).map_err(io_err)?;
            if target.to_bytes().is_empty()
                || target.to_bytes() == b"."
                || target.to_bytes() == b".."
            {
                return Err(unsafe_entry("it whites out an invalid name".into()));
            }
            remove_at(pfd, &target).map_err(io_err)?;
            if self.opts.whiteouts == WhiteoutFormat::Overlay {
                // SAFETY: valid pointers; a 0/0 character device is overlayfs's whiteout.
                errno(unsafe { libc::mknodat(pfd, target.as_ptr(), libc::S_IFCHR, 0) })
                    .map_err(io_err)?;
            }
            return Ok(0);
        }

        let pfd = self.parent(dirs, &shown)?;
        let cname = cstr(name).map_err(io_err)?;
        let existing = lstat_at(pfd, &cname).ok();
        let existing_is_dir = existing.is_some_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFDIR);
        let mut size = 0;
        use tar::EntryType as T;
        match kind {
            T::Directory => {
                if existing.is_some() && !existing_is_dir {
                    remove_at(pfd, &cname).map_err(io_err)?;
                }
                if !existing_is_dir {
                    // SAFETY: valid pointers.
                    errno(unsafe { libc::mkdirat(pfd, cname.as_ptr(), 0o700) }).map_err(io_err)?;
                }
                self.dir_times.push((rel.clone(), mtime));
            }
            T::Regular | T::Continuous => {
                if existing.is_some() {
                    remove_at(pfd, &cname).map_err(io_err)?;
                }
                // SAFETY: valid pointers; O_EXCL|O_NOFOLLOW never opens something else.
                let fd = errno(unsafe {
                    libc::openat(
                        pfd,
                        cname.as_ptr(),
                        libc::O_CREAT
                            | libc::O_EXCL
                            | libc::O_WRONLY
                            | libc::O_NOFOLLOW
                            | libc::O_CLOEXEC,
                        0o600,
                    )
                })
                .map_err(io_err)?;
                // SAFETY: fd was just opened by us.
                let mut f = unsafe { File::from_raw_fd(fd) };
                size = io::copy(&mut e, &mut f).map_err(io_err)?;
            }
            T::Symlink => {
                let target = e
                    .link_name_bytes()
                    .ok_or_else(|| unsafe_entry("a symlink without a target".into()))?;
                let target = cstr(&target).map_err(io_err)?;
                if existing.is_some() {
                    remove_at(pfd, &cname).map_err(io_err)?;
                }
                // SAFETY: valid pointers.
                errno(unsafe { libc::symlinkat(target.as_ptr(), pfd, cname.as_ptr()) })
                    .map_err(io_err)?;
            }
            T::Link => {
                let target = e
                    .link_name_bytes()
                    .ok_or_else(|| unsafe_entry("a hardlink without a target".into()))?
                    .into_owned();
                let tparts = components(&target)
                    .map_err(|r| unsafe_entry(format!("its hardlink target {r}")))?;
                let (tname, tdirs) = tparts
                    .split_last()
                    .ok_or_else(|| unsafe_entry("it hardlinks to the layer root".into()))?;
                let tname = cstr(tname).map_err(io_err)?;
                let tdir = open_beneath(
                    self.root.as_raw_fd(),
                    &tdirs.join(&b'/'),
                    libc::O_PATH | libc::O_DIRECTORY,
                )
                .map_err(|e| {
                    if matches!(e.raw_os_error(), Some(libc::EXDEV) | Some(libc::ELOOP)) {
                        unsafe_entry("its hardlink target is outside the layer".into())
                    } else {
                        io_err(e)
                    }
                })?;
                let st = lstat_at(tdir.as_raw_fd(), &tname).map_err(io_err)?;
                if st.st_mode & libc::S_IFMT == libc::S_IFDIR {
                    return Err(unsafe_entry("it hardlinks to a directory".into()));
                }
                if existing.is_some() {
                    if target == rel {
                        return Ok(0);
                    }
                    remove_at(pfd, &cname).map_err(io_err)?;
                }
                // SAFETY: valid pointers; flags 0 does not follow a symlink target.
                errno(unsafe {
                    libc::linkat(tdir.as_raw_fd(), tname.as_ptr(), pfd, cname.as_ptr(), 0)
                })
                .map_err(io_err)?;
                self.created.insert(rel);
                return Ok(0);
            }
            T::Char | T::Block | T::Fifo => {
                let ftype = match kind {
                    T::Char => libc::S_IFCHR,
                    T::Block => libc::S_IFBLK,
                    _ => libc::S_IFIFO,
                };
                if ftype != libc::S_IFIFO && !self.opts.allow_devices {
                    return Err(LayerError::DeviceNotAllowed { entry: shown });
                }
                let dev = libc::makedev(
                    header.device_major().ok().flatten().unwrap_or(0),
                    header.device_minor().ok().flatten().unwrap_or(0),
                );
                if existing.is_some() {
                    remove_at(pfd, &cname).map_err(io_err)?;
                }
                // SAFETY: valid pointers.
                errno(unsafe { libc::mknodat(pfd, cname.as_ptr(), ftype | mode, dev) })
                    .map_err(io_err)?;
            }
            // Extension headers are consumed by the tar crate; other types carry nothing to create.
            _ => return Ok(0),
        }
        self.created.insert(rel);

        self.chown(pfd, Some(&cname), uid, gid).map_err(io_err)?;
        if kind != T::Symlink {
            // SAFETY: valid pointers; the name was just created by us and is not a symlink.
            errno(unsafe { libc::fchmodat(pfd, cname.as_ptr(), mode, 0) }).map_err(io_err)?;
        }
        if let Some(exts) = e.pax_extensions().map_err(io_err)? {
            for ext in exts {
                let ext = ext.map_err(io_err)?;
                let Some(attr) = ext.key_bytes().strip_prefix(b"SCHILY.xattr.") else {
                    continue;
                };
                let path = proc_path(pfd, Some(name));
                let key = OsStr::from_bytes(attr);
                if let Err(err) = rustix::fs::lsetxattr(
                    &path,
                    key,
                    ext.value_bytes(),
                    rustix::fs::XattrFlags::empty(),
                ) {
                    let optional = attr.starts_with(b"trusted.") || attr == b"security.selinux";
                    let ignorable =
                        err == rustix::io::Errno::PERM || err == rustix::io::Errno::NOTSUP;
                    if !(optional && ignorable) {
                        return Err(io_err(err.into()));
                    }
                }
            }
        }
        if kind != T::Directory {
            set_mtime(pfd, &cname, mtime).map_err(io_err)?;
        }
        Ok(size)
    }

    fn chown(&self, dir: RawFd, name: Option<&CStr>, uid: u32, gid: u32) -> io::Result<()> {
        let empty = CString::default();
        let (n, flags) = match name {
            Some(n) => (n, libc::AT_SYMLINK_NOFOLLOW),
            None => (empty.as_c_str(), libc::AT_EMPTY_PATH),
        };
        // SAFETY: valid pointers.
        match errno(unsafe { libc::fchownat(dir, n.as_ptr(), uid, gid, flags) }) {
            Ok(_) => Ok(()),
            Err(e)
                if self.opts.ignore_chown_errors
                    && matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::EPERM)) =>
            {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// `.wh..wh..opq` in `dirs`: hide everything the lower layers have there.
    fn opaque(&mut self, dir_fd: RawFd, dirs: &[&[u8]], entry: &str) -> Result<(), LayerError> {
        let io_err = |source| LayerError::Io {
            entry: entry.to_string(),
            source,
        };
        match self.opts.whiteouts {
            WhiteoutFormat::Overlay => {
                let path = proc_path(dir_fd, None);
                for key in OPAQUE_XATTRS {
                    rustix::fs::setxattr(&path, *key, b"y", rustix::fs::XattrFlags::empty())
                        .map_err(|e| io_err(e.into()))?;
                }
            }
            WhiteoutFormat::Vfs => {
                let prefix = dirs.join(&b'/');
                let names: Vec<Vec<u8>> = fs::read_dir(proc_path(dir_fd, None))
                    .map_err(io_err)?
                    .map(|e| e.map(|e| e.file_name().as_bytes().to_vec()))
                    .collect::<io::Result<_>>()
                    .map_err(io_err)?;
                for n in names {
                    let rel = if prefix.is_empty() {
                        n.clone()
                    } else {
                        [prefix.as_slice(), b"/", &n].concat()
                    };
                    if !self.created.contains(&rel) {
                        remove_at(dir_fd, &cstr(&n).map_err(io_err)?).map_err(io_err)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn finish_dir_times(&mut self) -> Result<(), LayerError> {
        for (rel, mtime) in std::mem::take(&mut self.dir_times).into_iter().rev() {
            let entry = String::from_utf8_lossy(&rel).into_owned();
            let io_err = |source| LayerError::Io {
                entry: entry.clone(),
                source,
            };
            let parts = components(&rel).unwrap_or_default();
            match parts.split_last() {
                None => {
                    set_mtime(self.root.as_raw_fd(), &CString::default(), mtime).map_err(io_err)?
                }
                Some((name, dirs)) => {
                    let Ok(dir) = open_beneath(
                        self.root.as_raw_fd(),
                        &dirs.join(&b'/'),
                        libc::O_PATH | libc::O_DIRECTORY,
                    ) else {
                        continue;
                    };
                    let name = cstr(name).map_err(io_err)?;
                    match set_mtime(dir.as_raw_fd(), &name, mtime) {
                        Ok(()) => {}
                        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                        Err(e) => return Err(io_err(e)),
                    }
                }
            }
        }
        Ok(())
    }
}

fn set_mtime(dir: RawFd, name: &CStr, mtime: i64) -> io::Result<()> {
    let t = libc::timespec {
        tv_sec: mtime as libc::time_t,
        tv_nsec: 0,
    };
    let times = [t, t];
    if name.to_bytes().is_empty() {
        // SAFETY: dir is a real (non-O_PATH) directory fd.
        errno(unsafe { libc::futimens(dir, times.as_ptr()) })?;
    } else {
        // SAFETY: valid pointers.
        errno(unsafe {
            libc::utimensat(
                dir,
                name.as_ptr(),
                times.as_ptr(),
                libc::AT_SYMLINK_NOFOLLOW,
            )
        })?;
    }
    Ok(())
}

pub fn unpack(
    tar: impl Read,
    root: &Path,
    opts: &UnpackOptions,
) -> Result<UnpackSummary, LayerError> {
    let root_fd = File::open(root).map_err(|source| LayerError::Io {
        entry: root.display().to_string(),
        source,
    })?;
    let mut u = Unpacker {
        root: root_fd.into(),
        opts,
        cache: None,
        created: HashSet::new(),
        dir_times: Vec::new(),
    };
    let mut archive = tar::Archive::new(Hashing {
        inner: tar,
        hasher: Sha256::new(),
    });
    let mut size = 0;
    let entries = archive.entries().map_err(|e| LayerError::Corrupt {
        reason: e.to_string(),
    })?;
    for entry in entries {
        let entry = entry.map_err(|e| LayerError::Corrupt {
            reason: e.to_string(),
        })?;
        size += u.entry(entry)?;
    }
    u.finish_dir_times()?;
    let mut rest = archive.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(|e| LayerError::Corrupt {
        reason: e.to_string(),
    })?;
    Ok(UnpackSummary {
        diff_id: format!("sha256:{}", hex::encode(rest.hasher.finalize())),
        size,
    })
}

/// Copy a tree for the vfs driver: types, owners, modes, xattrs, times, hardlinks; no symlink is followed.
pub fn copy_tree(src: &Path, dst: &Path) -> Result<(), LayerError> {
    let mut links = std::collections::HashMap::new();
    copy_rec(src, dst, &mut links)
}

fn copy_rec(
    src: &Path,
    dst: &Path,
    links: &mut std::collections::HashMap<(u64, u64), PathBuf>,
) -> Result<(), LayerError> {
    let io_err = |source| LayerError::Io {
        entry: src.display().to_string(),
        source,
    };
    let meta = fs::symlink_metadata(src).map_err(io_err)?;
    let ft = meta.file_type();
    if !ft.is_dir() && meta.nlink() > 1 {
        if let Some(first) = links.get(&(meta.dev(), meta.ino())) {
            fs::hard_link(first, dst).map_err(io_err)?;
            return Ok(());
        }
        links.insert((meta.dev(), meta.ino()), dst.to_path_buf());
    }
    if ft.is_dir() {
        fs::create_dir(dst).map_err(io_err)?;
        for e in fs::read_dir(src).map_err(io_err)? {
            let e = e.map_err(io_err)?;
            copy_rec(&e.path(), &dst.join(e.file_name()), links)?;
        }
    } else if ft.is_symlink() {
        std::os::unix::fs::symlink(fs::read_link(src).map_err(io_err)?, dst).map_err(io_err)?;
    } else if ft.is_file() {
        let mut from = File::open(src).map_err(io_err)?;
        let mut to = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(dst)
            .map_err(io_err)?;
        io::copy(&mut from, &mut to).map_err(io_err)?;
    } else {
        let kind = if ft.is_char_device() {
            rustix::fs::FileType::CharacterDevice
        } else if ft.is_block_device() {
            rustix::fs::FileType::BlockDevice
        } else if ft.is_fifo() {
            rustix::fs::FileType::Fifo
        } else {
            return Ok(()); // sockets are not copied
        };
        rustix::fs::mknodat(
            rustix::fs::CWD,
            dst,
            kind,
            rustix::fs::Mode::empty(),
            meta.rdev(),
        )
        .map_err(|e| io_err(e.into()))?;
    }
    std::os::unix::fs::lchown(dst, Some(meta.uid()), Some(meta.gid())).map_err(io_err)?;
    if !ft.is_symlink() {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dst, fs::Permissions::from_mode(meta.mode() & 0o7777))
            .map_err(io_err)?;
    }
    let mut names = vec![0u8; 4096];
    if let Ok(n) = rustix::fs::llistxattr(src, &mut names) {
        for key in names[..n].split(|b| *b == 0).filter(|k| !k.is_empty()) {
            let key = OsStr::from_bytes(key);
            let mut val = vec![0u8; 65536];
            if let Ok(len) = rustix::fs::lgetxattr(src, key, &mut val) {
                let _ =
                    rustix::fs::lsetxattr(dst, key, &val[..len], rustix::fs::XattrFlags::empty());
            }
        }
    }
    let t = |s: i64, ns: i64| rustix::fs::Timespec {
        tv_sec: s,
        tv_nsec: ns as _,
    };
    let times = rustix::fs::Timestamps {
        last_access: t(meta.atime(), meta.atime_nsec()),
        last_modification: t(meta.mtime(), meta.mtime_nsec()),
    };
    rustix::fs::utimensat(
        rustix::fs::CWD,
        dst,
        &times,
        rustix::fs::AtFlags::SYMLINK_NOFOLLOW,
    )
    .map_err(|e| io_err(e.into()))?;
    Ok(())
}

#[cfg(test)]
mod tests;
