//! Unpack a layer tarball so that it can never write outside its directory.
//!
//! Every entry's parent is resolved with `openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)` from
//! a descriptor of the layer root, and the entry itself is created with an `*at` call on that
//! parent, never following its final component. A name that climbs out (`..`, an absolute path,
//! a symlink pointing outside) is refused by the kernel's resolution, not by string checks
//! (the class of bug behind CVE-2018-15664 and CVE-2019-14271).

use std::collections::{HashMap, HashSet};
use std::ffi::{CStr, CString, OsStr};
use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum LayerError {
    #[error("layer entry {entry:?} is unsafe: {reason}")]
    UnsafeEntry { entry: String, reason: String },
    #[error("layer entry {entry:?} is owned by {uid}:{gid}, which the user namespace does not map; give your user subordinate ids that cover it in /etc/subuid and /etc/subgid (usermod --add-subuids/--add-subgids), then try again")]
    Unmapped { entry: String, uid: u32, gid: u32 },
    #[error("could not unpack layer entry {entry:?}: {source}")]
    Io { entry: String, source: io::Error },
    #[error("the layer is corrupt: {reason}; pull the image again")]
    Corrupt { reason: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhiteoutFormat {
    /// Whiteouts become 0/0 character devices, opaque directories get overlay xattrs.
    Overlay,
    /// The root holds a copy of the parent layer; whiteouts are applied as deletions.
    Vfs,
    /// Not a layer (`cp` into a container): `.wh.` names are ordinary files.
    Plain,
}

#[derive(Debug, Clone)]
pub struct UnpackOptions {
    pub whiteouts: WhiteoutFormat,
    /// False when rootless: a user namespace cannot create real device nodes, so they are
    /// skipped (as containers/storage does; `/dev` is a tmpfs in a container anyway), and
    /// extended attributes the kernel refuses there (`trusted.*`, …) are left out.
    pub allow_devices: bool,
    /// Single-uid mapping: keep files owned by 0 when the header's owner is not mapped.
    pub ignore_chown_errors: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpackSummary {
    /// `sha256:<hex>` of the whole uncompressed tar stream, trailing blocks included.
    pub diff_id: String,
    /// Bytes of regular file content.
    pub size: u64,
}

const WH_PREFIX: &[u8] = b".wh.";
const WH_META_PREFIX: &[u8] = b".wh..wh.";
const WH_OPAQUE: &[u8] = b".wh..wh..opq";
/// Kernel overlayfs mounted with `userxattr` reads the first, fuse-overlayfs the second.
pub const OPAQUE_XATTRS: &[&str] = &["user.overlay.opaque", "user.fuseoverlayfs.opaque"];

/// Reads from the stream go through this buffer size, and file contents are copied in chunks of
/// `COPY_BUF`: a 512-byte tar block per syscall would dominate the unpack time otherwise.
const STREAM_BUF: usize = 256 * 1024;
const COPY_BUF: usize = 1024 * 1024;

/// Every byte read is hashed (the layer's diff_id) on a thread of its own, so that SHA-256
/// overlaps with creating the files (and the inflating thread) instead of adding to them.
struct Hashing<R> {
    inner: R,
    /// Chunks for the hasher; `None` once [`Hashing::finish`] has closed it.
    tx: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    hasher: Option<std::thread::JoinHandle<Sha256>>,
}

impl<R> Hashing<R> {
    fn new(inner: R) -> Self {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(16);
        let hasher = std::thread::spawn(move || {
            let mut h = Sha256::new();
            for chunk in rx {
                h.update(&chunk);
            }
            h
        });
        Hashing {
            inner,
            tx: Some(tx),
            hasher: Some(hasher),
        }
    }

    /// The digest of everything read.
    fn finish(mut self) -> io::Result<String> {
        drop(self.tx.take());
        let h = self
            .hasher
            .take()
            .and_then(|t| t.join().ok())
            .ok_or_else(|| io::Error::other("the hashing thread failed"))?;
        Ok(format!("sha256:{}", hex::encode(h.finalize())))
    }
}

/// An unpack that fails part-way still ends its thread before returning: callers fork, and
/// must be single-threaded then.
impl<R> Drop for Hashing<R> {
    fn drop(&mut self) {
        drop(self.tx.take());
        if let Some(t) = self.hasher.take() {
            let _ = t.join();
        }
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            if let Some(tx) = &self.tx {
                tx.send(buf[..n].to_vec())
                    .map_err(|_| io::Error::other("the hashing thread stopped"))?;
            }
        }
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

fn escapes(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EXDEV) | Some(libc::ELOOP))
}

#[repr(C)]
struct OpenHow {
    flags: u64,
    mode: u64,
    resolve: u64,
}
const RESOLVE_NO_MAGICLINKS: u64 = 0x02;
const RESOLVE_BENEATH: u64 = 0x08;

/// openat2 beneath `dir`: the kernel refuses (EXDEV/ELOOP) any resolution that leaves it,
/// whether by `..`, an absolute symlink, or a relative symlink climbing out.
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

fn is_dir(st: &libc::stat) -> bool {
    st.st_mode & libc::S_IFMT == libc::S_IFDIR
}

/// The names in the directory `dir` (an O_PATH descriptor is fine), without `.` and `..`.
fn list_at(dir: RawFd) -> io::Result<Vec<CString>> {
    // SAFETY: valid pointers; O_PATH descriptors may serve as the dirfd of openat.
    let fd = errno(unsafe {
        libc::openat(
            dir,
            c".".as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    })?;
    // SAFETY: the descriptor was just opened by us.
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    let mut names = Vec::new();
    for e in rustix::fs::Dir::new(owned)? {
        let e = e?;
        let n = e.file_name();
        if n.to_bytes() != b"." && n.to_bytes() != b".." {
            names.push(n.to_owned());
        }
    }
    Ok(names)
}

/// A path under `/proc/self/fd` naming `dir/name` without following `name`; used only for the
/// xattr calls, which have no `*at` form.
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
    if is_dir(&st) {
        let sub = open_beneath(
            dir,
            name.to_bytes(),
            libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW,
        )?;
        for n in list_at(sub.as_raw_fd())? {
            remove_at(sub.as_raw_fd(), &n)?;
        }
        // SAFETY: valid pointers.
        errno(unsafe { libc::unlinkat(dir, name.as_ptr(), libc::AT_REMOVEDIR) })?;
    } else {
        // SAFETY: valid pointers.
        errno(unsafe { libc::unlinkat(dir, name.as_ptr(), 0) })?;
    }
    Ok(())
}

/// Split an entry name into its components, refusing anything that is not a plain relative
/// path. An empty result is the layer root itself.
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

/// Seconds and nanoseconds from a PAX `mtime` record (`1600000000.5`).
fn parse_pax_time(v: &[u8]) -> Option<(i64, i64)> {
    let s = std::str::from_utf8(v).ok()?;
    let (secs, frac) = s.split_once('.').unwrap_or((s, ""));
    let secs = secs.parse().ok()?;
    let digits: String = frac.chars().take(9).collect();
    let nanos = if digits.is_empty() {
        0
    } else {
        digits.parse::<i64>().ok()? * 10i64.pow(9 - digits.len() as u32)
    };
    Some((secs, nanos))
}

/// What an entry's header and PAX records say about its metadata.
struct Meta {
    uid: u32,
    gid: u32,
    mode: u32,
    mtime: (i64, i64),
    xattrs: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Meta {
    fn read<R: Read>(e: &mut tar::Entry<'_, R>) -> io::Result<Meta> {
        let h = e.header();
        let mut m = Meta {
            uid: h.uid()? as u32,
            gid: h.gid()? as u32,
            mode: h.mode()? & 0o7777,
            mtime: (h.mtime().unwrap_or(0) as i64, 0),
            xattrs: Vec::new(),
        };
        // PAX records override the header: ids above 2097151 and sub-second times only fit there.
        if let Some(exts) = e.pax_extensions()? {
            for ext in exts {
                let ext = ext?;
                let num = || {
                    std::str::from_utf8(ext.value_bytes())
                        .ok()
                        .and_then(|v| v.parse::<u32>().ok())
                };
                match ext.key_bytes() {
                    b"uid" => m.uid = num().unwrap_or(m.uid),
                    b"gid" => m.gid = num().unwrap_or(m.gid),
                    b"mtime" => m.mtime = parse_pax_time(ext.value_bytes()).unwrap_or(m.mtime),
                    k => {
                        if let Some(attr) = k.strip_prefix(b"SCHILY.xattr.") {
                            m.xattrs.push((attr.to_vec(), ext.value_bytes().to_vec()));
                        }
                    }
                }
            }
        }
        Ok(m)
    }
}

fn copy_with(buf: &mut [u8], r: &mut impl Read, w: &mut impl Write) -> io::Result<u64> {
    let mut total = 0;
    loop {
        let n = match r.read(buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        w.write_all(&buf[..n])?;
        total += n as u64;
    }
}

struct Unpacker<'a> {
    root: OwnedFd,
    opts: &'a UnpackOptions,
    /// The last parent resolved (layers are mostly sorted, so most entries reuse it). Removals
    /// only ever happen inside the current parent, never of it or an ancestor, so a cached
    /// descriptor always names a live directory beneath the root.
    cache: Option<(Vec<u8>, OwnedFd)>,
    /// Vfs only: every path this layer wrote, and each one's ancestors, so an opaque marker
    /// deletes only what the lower layers left.
    touched: HashSet<Vec<u8>>,
    /// Directory mtimes, applied at the end because creating children changes them.
    dir_times: Vec<(Vec<u8>, (i64, i64))>,
    /// Device nodes left out (and hardlinks to them), so a later hardlink to one is left out
    /// too instead of failing on a missing target.
    skipped: HashSet<Vec<u8>>,
    buf: Vec<u8>,
}

impl Unpacker<'_> {
    fn touch(&mut self, rel: &[u8]) {
        if self.opts.whiteouts != WhiteoutFormat::Vfs {
            return;
        }
        let mut p = rel;
        // Stop at the first ancestor already recorded: its own ancestors are recorded too.
        while !p.is_empty() && self.touched.insert(p.to_vec()) {
            p = match p.iter().rposition(|b| *b == b'/') {
                Some(i) => &p[..i],
                None => b"",
            };
        }
    }

    /// A descriptor of the directory `parts`, created (0755, owned by 0) where missing.
    fn parent(&mut self, parts: &[&[u8]], entry: &str) -> Result<RawFd, LayerError> {
        let key = parts.join(&b'/');
        if let Some((k, fd)) = &self.cache {
            if *k == key {
                return Ok(fd.as_raw_fd());
            }
        }
        let outside = || LayerError::UnsafeEntry {
            entry: entry.to_string(),
            reason: "it goes through a symlink that points outside the layer".into(),
        };
        let io_err = |source| LayerError::Io {
            entry: entry.to_string(),
            source,
        };
        let dir = libc::O_PATH | libc::O_DIRECTORY;
        let fd = match open_beneath(self.root.as_raw_fd(), &key, dir) {
            Ok(fd) => fd,
            Err(e) if escapes(&e) => return Err(outside()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                // One component at a time, each resolved again beneath the root, so a symlink
                // met on the way is judged exactly as for an existing path.
                let mut cur = open_beneath(self.root.as_raw_fd(), b"", dir).map_err(io_err)?;
                for i in 0..parts.len() {
                    let name = cstr(parts[i]).map_err(io_err)?;
                    // SAFETY: valid pointers; EEXIST is fine.
                    if unsafe { libc::mkdirat(cur.as_raw_fd(), name.as_ptr(), 0o755) } == 0 {
                        // mkdirat applied the umask; the image expects 0755.
                        // SAFETY: valid pointers; the name is the directory just made.
                        errno(unsafe { libc::fchmodat(cur.as_raw_fd(), name.as_ptr(), 0o755, 0) })
                            .map_err(io_err)?;
                        self.touch(&parts[..=i].join(&b'/'));
                    } else {
                        let e = io::Error::last_os_error();
                        if e.raw_os_error() != Some(libc::EEXIST) {
                            return Err(io_err(e));
                        }
                    }
                    cur = match open_beneath(self.root.as_raw_fd(), &parts[..=i].join(&b'/'), dir) {
                        Ok(fd) => fd,
                        Err(e) if escapes(&e) => return Err(outside()),
                        Err(e) => return Err(io_err(e)),
                    };
                }
                cur
            }
            Err(e) => return Err(io_err(e)),
        };
        Ok(self.cache.insert((key, fd)).1.as_raw_fd())
    }

    /// Unpack one entry; returns the bytes of regular file content it wrote.
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
        let meta = Meta::read(&mut e).map_err(|err| LayerError::Corrupt {
            reason: format!("the header of entry {shown:?} is unreadable: {err}"),
        })?;

        let Some((name, dirs)) = parts.split_last() else {
            if kind.is_dir() {
                // "./": the layer root itself takes the entry's owner, mode and time.
                let fd = self.root.as_raw_fd();
                self.chown(fd, None, meta.uid, meta.gid)
                    .map_err(|err| unmapped(err, &shown, &meta))?;
                // SAFETY: fd is our root directory.
                errno(unsafe { libc::fchmod(fd, meta.mode) }).map_err(io_err)?;
                self.dir_times.push((Vec::new(), meta.mtime));
            }
            return Ok(0);
        };
        let rel = parts.join(&b'/');
        if !self.skipped.is_empty() {
            // Whatever this entry does to the path, what was skipped there is gone.
            self.skipped.remove(&rel);
        }

        if name.starts_with(WH_PREFIX) && self.opts.whiteouts != WhiteoutFormat::Plain {
            let pfd = self.parent(dirs, &shown)?;
            if *name == WH_OPAQUE {
                return self.opaque(pfd, dirs, &shown).map(|_| 0);
            }
            if name.starts_with(WH_META_PREFIX) {
                return Ok(0); // aufs bookkeeping (hardlink directories), meaningless here
            }
            let target = &name[WH_PREFIX.len()..];
            if target.is_empty() || target == b"." || target == b".." {
                return Err(unsafe_entry("it whites out an invalid name".into()));
            }
            let target = cstr(target).map_err(io_err)?;
            remove_at(pfd, &target).map_err(io_err)?;
            if self.opts.whiteouts == WhiteoutFormat::Overlay {
                // SAFETY: valid pointers; a 0/0 character device is overlayfs's whiteout, and
                // the kernel allows exactly this one device inside a user namespace.
                errno(unsafe { libc::mknodat(pfd, target.as_ptr(), libc::S_IFCHR, 0) })
                    .map_err(io_err)?;
            }
            return Ok(0);
        }

        let pfd = self.parent(dirs, &shown)?;
        let cname = cstr(name).map_err(io_err)?;
        let existing = match lstat_at(pfd, &cname) {
            Ok(st) => Some(st),
            Err(err) if err.kind() == io::ErrorKind::NotFound => None,
            Err(err) => return Err(io_err(err)),
        };
        let replace = |pfd| match existing {
            Some(_) => remove_at(pfd, &cname),
            None => Ok(()),
        };
        let mut size = 0;
        use tar::EntryType as T;
        match kind {
            T::Directory => {
                // A directory over a directory keeps it (and its lower contents).
                if !existing.as_ref().is_some_and(is_dir) {
                    replace(pfd).map_err(io_err)?;
                    // SAFETY: valid pointers.
                    errno(unsafe { libc::mkdirat(pfd, cname.as_ptr(), 0o700) }).map_err(io_err)?;
                }
                self.dir_times.push((rel.clone(), meta.mtime));
            }
            T::Regular | T::Continuous | T::GNUSparse => {
                replace(pfd).map_err(io_err)?;
                // SAFETY: valid pointers; O_EXCL|O_NOFOLLOW never opens something that was there.
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
                size = copy_with(&mut self.buf, &mut e, &mut f).map_err(io_err)?;
            }
            T::Symlink => {
                let target = e
                    .link_name_bytes()
                    .ok_or_else(|| unsafe_entry("a symlink without a target".into()))?;
                // The target text is stored as is: it is only dangerous when traversed, and
                // traversal is what open_beneath judges.
                let target = cstr(&target).map_err(io_err)?;
                replace(pfd).map_err(io_err)?;
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
                    .map_err(|r| unsafe_entry(format!("its hardlink target: {r}")))?;
                let (tname, tdirs) = tparts
                    .split_last()
                    .ok_or_else(|| unsafe_entry("it hardlinks to the layer root".into()))?;
                let tname = cstr(tname).map_err(io_err)?;
                let tdir = open_beneath(
                    self.root.as_raw_fd(),
                    &tdirs.join(&b'/'),
                    libc::O_PATH | libc::O_DIRECTORY,
                )
                .map_err(|err| {
                    if escapes(&err) {
                        unsafe_entry("its hardlink target is outside the layer".into())
                    } else {
                        io_err(err)
                    }
                })?;
                let trel = tparts.join(&b'/');
                if self.skipped.contains(&trel) {
                    // A hardlink to a device node that was left out: leave it out as well.
                    replace(pfd).map_err(io_err)?;
                    self.skipped.insert(rel);
                    crate::debug::note(&format!(
                        "unpack: skipped hardlink {shown:?} to a device node that was skipped"
                    ));
                    return Ok(0);
                }
                let st = lstat_at(tdir.as_raw_fd(), &tname).map_err(io_err)?;
                if is_dir(&st) {
                    return Err(unsafe_entry("it hardlinks to a directory".into()));
                }
                if let Some(old) = existing {
                    if (old.st_dev, old.st_ino) == (st.st_dev, st.st_ino) {
                        return Ok(0); // already that file (a link to itself, or a repeat)
                    }
                    replace(pfd).map_err(io_err)?;
                }
                // SAFETY: valid pointers; flags 0 links a symlink target itself, not what it names.
                errno(unsafe {
                    libc::linkat(tdir.as_raw_fd(), tname.as_ptr(), pfd, cname.as_ptr(), 0)
                })
                .map_err(io_err)?;
                // The inode's metadata is the target's; a hardlink header carries nothing new.
                self.touch(&rel);
                return Ok(0);
            }
            T::Char | T::Block | T::Fifo => {
                let ftype = match kind {
                    T::Char => libc::S_IFCHR,
                    T::Block => libc::S_IFBLK,
                    _ => libc::S_IFIFO,
                };
                let h = e.header();
                let (major, minor) = (
                    h.device_major().ok().flatten().unwrap_or(0),
                    h.device_minor().ok().flatten().unwrap_or(0),
                );
                let dev = libc::makedev(major, minor);
                replace(pfd).map_err(io_err)?;
                let device = ftype != libc::S_IFIFO;
                let made = if device && !self.opts.allow_devices {
                    Err(io::Error::from_raw_os_error(libc::EPERM))
                } else {
                    // SAFETY: valid pointers.
                    errno(unsafe { libc::mknodat(pfd, cname.as_ptr(), ftype | meta.mode, dev) })
                };
                match made {
                    Ok(_) => {}
                    // A user namespace cannot make device nodes (nor can root inside one):
                    // leave the entry out, as rootless podman and docker do. The path it
                    // would have replaced is gone already, as for any other entry.
                    Err(err) if device && err.raw_os_error() == Some(libc::EPERM) => {
                        self.skipped.insert(rel);
                        crate::debug::note(&format!(
                            "unpack: skipped device node {shown:?} ({major}:{minor}), which a user namespace cannot create"
                        ));
                        return Ok(0);
                    }
                    Err(err) => return Err(io_err(err)),
                }
            }
            // PAX and GNU long-name headers are consumed by the tar crate; other types
            // (sockets, volume labels, unknown) have nothing to create.
            _ => return Ok(0),
        }
        self.touch(&rel);

        // Owner first: chown clears setuid/setgid, so the mode comes after it.
        self.chown(pfd, Some(&cname), meta.uid, meta.gid)
            .map_err(|err| unmapped(err, &shown, &meta))?;
        if kind != T::Symlink {
            // SAFETY: valid pointers; the name was just created by us and is not a symlink.
            errno(unsafe { libc::fchmodat(pfd, cname.as_ptr(), meta.mode, 0) }).map_err(io_err)?;
        }
        if !meta.xattrs.is_empty() {
            let path = proc_path(pfd, Some(name));
            for (attr, value) in &meta.xattrs {
                let key = OsStr::from_bytes(attr);
                if let Err(err) =
                    rustix::fs::lsetxattr(&path, key, value, rustix::fs::XattrFlags::empty())
                {
                    // containers/storage's rule: a file system without the attribute's
                    // namespace, or a user namespace refusing it (trusted.*, some security.*),
                    // leaves it out; SELinux labels and trusted.* are optional for root too.
                    // Anything else (a malformed value, an unmapped id in an ACL) is an error.
                    let optional = attr.starts_with(b"trusted.") || attr == b"security.selinux";
                    let ignorable = err == rustix::io::Errno::NOTSUP
                        || (err == rustix::io::Errno::PERM
                            && (optional || !self.opts.allow_devices));
                    if !ignorable {
                        return Err(io_err(io::Error::new(
                            io::Error::from(err).kind(),
                            format!("setting xattr {}: {err}", String::from_utf8_lossy(attr)),
                        )));
                    }
                    crate::debug::note(&format!(
                        "unpack: left out xattr {} of {shown:?}: {err}",
                        String::from_utf8_lossy(attr)
                    ));
                }
            }
        }
        if kind != T::Directory {
            set_times(pfd, &cname, meta.mtime).map_err(io_err)?;
        }
        Ok(size)
    }

    fn chown(&self, dir: RawFd, name: Option<&CStr>, uid: u32, gid: u32) -> io::Result<()> {
        let (n, flags) = match name {
            Some(n) => (n, libc::AT_SYMLINK_NOFOLLOW),
            None => (c"", libc::AT_EMPTY_PATH),
        };
        // SAFETY: valid pointers.
        match errno(unsafe { libc::fchownat(dir, n.as_ptr(), uid, gid, flags) }) {
            Ok(_) => Ok(()),
            // EINVAL: the id is not mapped in our user namespace; the file stays owned by 0.
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
            WhiteoutFormat::Vfs => self.prune(dir_fd, &dirs.join(&b'/')).map_err(io_err)?,
            WhiteoutFormat::Plain => unreachable!("plain unpacking never reads whiteouts"),
        }
        Ok(())
    }

    /// Delete what lower layers left in `dir` (at `prefix`), keeping what this layer wrote and
    /// descending into directories that hold something this layer wrote.
    fn prune(&self, dir: RawFd, prefix: &[u8]) -> io::Result<()> {
        for n in list_at(dir)? {
            let rel = if prefix.is_empty() {
                n.to_bytes().to_vec()
            } else {
                [prefix, b"/", n.to_bytes()].concat()
            };
            if !self.touched.contains(&rel) {
                remove_at(dir, &n)?;
            } else if is_dir(&lstat_at(dir, &n)?) {
                let sub = open_beneath(
                    dir,
                    n.to_bytes(),
                    libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW,
                )?;
                self.prune(sub.as_raw_fd(), &rel)?;
            }
        }
        Ok(())
    }

    fn finish_dir_times(&mut self) -> Result<(), LayerError> {
        // In stream order, so a directory listed twice ends with its last entry's time.
        for (rel, mtime) in std::mem::take(&mut self.dir_times) {
            let entry = String::from_utf8_lossy(&rel).into_owned();
            let io_err = |source| LayerError::Io {
                entry: entry.clone(),
                source,
            };
            let parts = components(&rel).unwrap_or_default();
            let Some((name, dirs)) = parts.split_last() else {
                set_times(self.root.as_raw_fd(), c"", mtime).map_err(io_err)?;
                continue;
            };
            // Gone (whited out) or replaced by a non-directory later in the layer: nothing to do.
            let Ok(dir) = open_beneath(
                self.root.as_raw_fd(),
                &dirs.join(&b'/'),
                libc::O_PATH | libc::O_DIRECTORY,
            ) else {
                continue;
            };
            let name = cstr(name).map_err(io_err)?;
            if !lstat_at(dir.as_raw_fd(), &name).is_ok_and(|st| is_dir(&st)) {
                continue;
            }
            set_times(dir.as_raw_fd(), &name, mtime).map_err(io_err)?;
        }
        Ok(())
    }
}

/// A failed chown: an id outside the user namespace's map (EINVAL) gets the error that says how
/// to map it; anything else stays an I/O error.
fn unmapped(err: io::Error, entry: &str, meta: &Meta) -> LayerError {
    if err.raw_os_error() == Some(libc::EINVAL) {
        LayerError::Unmapped {
            entry: entry.to_string(),
            uid: meta.uid,
            gid: meta.gid,
        }
    } else {
        LayerError::Io {
            entry: entry.to_string(),
            source: err,
        }
    }
}

/// Set atime and mtime of `dir/name` (or of `dir` itself when `name` is empty), not following it.
fn set_times(dir: RawFd, name: &CStr, (sec, nsec): (i64, i64)) -> io::Result<()> {
    let t = libc::timespec {
        tv_sec: sec as libc::time_t,
        tv_nsec: nsec as _,
    };
    let times = [t, t];
    if name.to_bytes().is_empty() {
        // SAFETY: `dir` is then the root, opened for reading (futimens refuses O_PATH).
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

/// Unpack an uncompressed tar stream into `root` (an existing directory). Reads the stream to
/// its end, so `diff_id` covers every byte including trailing padding and zero blocks.
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
        touched: HashSet::new(),
        dir_times: Vec::new(),
        skipped: HashSet::new(),
        buf: vec![0; COPY_BUF],
    };
    // The hasher sits under the buffer so it sees every byte read, read-ahead included.
    let stream = BufReader::with_capacity(STREAM_BUF, Hashing::new(tar));
    let mut archive = tar::Archive::new(stream);
    let corrupt = |e: io::Error| LayerError::Corrupt {
        reason: e.to_string(),
    };
    let mut size = 0;
    for entry in archive.entries().map_err(corrupt)? {
        size += u.entry(entry.map_err(corrupt)?)?;
    }
    u.finish_dir_times()?;
    let mut rest = archive.into_inner();
    copy_with(&mut u.buf, &mut rest, &mut io::sink()).map_err(corrupt)?;
    let diff_id = rest.into_inner().finish().map_err(corrupt)?;
    Ok(UnpackSummary { diff_id, size })
}

/// Copy a directory tree (vfs driver: snapshot of the parent layer) preserving type, ownership,
/// mode, xattrs, mtimes, hardlinks and symlinks; no symlink is followed. `dst` must not exist,
/// or be an empty directory.
pub fn copy_tree(src: &Path, dst: &Path) -> Result<(), LayerError> {
    let mut c = Copier {
        links: HashMap::new(),
        buf: vec![0; COPY_BUF],
    };
    c.copy(src, dst, true)
}

struct Copier {
    /// First copy of each multiply-linked source inode, so later names link to it.
    links: HashMap<(u64, u64), PathBuf>,
    buf: Vec<u8>,
}

impl Copier {
    fn copy(&mut self, src: &Path, dst: &Path, top: bool) -> Result<(), LayerError> {
        use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
        let io_err = |source| LayerError::Io {
            entry: src.display().to_string(),
            source,
        };
        let meta = std::fs::symlink_metadata(src).map_err(io_err)?;
        let ft = meta.file_type();
        if !ft.is_dir() && meta.nlink() > 1 {
            if let Some(first) = self.links.get(&(meta.dev(), meta.ino())) {
                std::fs::hard_link(first, dst).map_err(io_err)?;
                return Ok(());
            }
            self.links
                .insert((meta.dev(), meta.ino()), dst.to_path_buf());
        }
        if ft.is_dir() {
            match std::fs::create_dir(dst) {
                Err(e)
                    if top
                        && e.kind() == io::ErrorKind::AlreadyExists
                        && dst.symlink_metadata().is_ok_and(|m| m.is_dir()) => {}
                r => r.map_err(io_err)?,
            }
            for e in std::fs::read_dir(src).map_err(io_err)? {
                let e = e.map_err(io_err)?;
                self.copy(&e.path(), &dst.join(e.file_name()), false)?;
            }
        } else if ft.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(src).map_err(io_err)?, dst)
                .map_err(io_err)?;
        } else if ft.is_file() {
            let mut from = File::open(src).map_err(io_err)?;
            let mut to = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(dst)
                .map_err(io_err)?;
            copy_with(&mut self.buf, &mut from, &mut to).map_err(io_err)?;
        } else {
            let kind = if ft.is_char_device() {
                rustix::fs::FileType::CharacterDevice
            } else if ft.is_block_device() {
                rustix::fs::FileType::BlockDevice
            } else if ft.is_fifo() {
                rustix::fs::FileType::Fifo
            } else {
                return Ok(()); // a socket is bound by a process; an image cannot carry one
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
            std::fs::set_permissions(dst, std::fs::Permissions::from_mode(meta.mode() & 0o7777))
                .map_err(io_err)?;
        }
        copy_xattrs(src, dst).map_err(io_err)?;
        // Last, after the children: creating them changed a directory's mtime.
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
}

fn copy_xattrs(src: &Path, dst: &Path) -> io::Result<()> {
    use rustix::io::Errno;
    let size = match rustix::fs::llistxattr(src, &mut []) {
        Ok(0) => return Ok(()),
        Ok(n) => n,
        Err(Errno::NOTSUP) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let mut names = vec![0u8; size];
    let n = rustix::fs::llistxattr(src, &mut names)?;
    for key in names[..n].split(|b| *b == 0).filter(|k| !k.is_empty()) {
        let key = OsStr::from_bytes(key);
        let len = match rustix::fs::lgetxattr(src, key, &mut []) {
            Ok(len) => len,
            Err(Errno::NODATA) => continue, // removed meanwhile
            Err(e) => return Err(e.into()),
        };
        let mut val = vec![0u8; len];
        let len = rustix::fs::lgetxattr(src, key, &mut val)?;
        if let Err(e) =
            rustix::fs::lsetxattr(dst, key, &val[..len], rustix::fs::XattrFlags::empty())
        {
            // Same rule as unpacking: only labels a rootless store may not write are optional.
            let k = key.as_bytes();
            let optional = k.starts_with(b"trusted.") || k == b"security.selinux";
            if !(optional && (e == Errno::PERM || e == Errno::NOTSUP)) {
                return Err(io::Error::new(
                    io::Error::from(e).kind(),
                    format!("copying xattr {}: {e}", key.to_string_lossy()),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
