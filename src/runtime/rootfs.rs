//! The container's filesystem, built inside its new mount namespace before pivot_root: the
//! image layers (overlay or a vfs copy), /proc, /sys, a small /dev, the per-container files, and
//! docker's masked and read-only paths.
//!
//! Every mount target inside the rootfs is opened with `openat2(RESOLVE_IN_ROOT)` and mounted
//! through `/proc/self/fd/N`, so a symlink planted in the image (or by a running container) can
//! never redirect a mount to the host (the CVE-2021-30465 class).
//!
//! Nor to the container's own kernel filesystems (the CVE-2019-16884 / CVE-2019-19921 class,
//! `runtime::mountpolicy`): the order below makes that check meaningful. /proc, /sys and
//! /dev/pts are mounted first, each on a real directory of the image (never through a
//! symlink, as runc requires), and only then the binds, volumes and tmpfs mounts. So an
//! image's `/data -> /proc/self` resolves, for `-v x:/data`, to the live procfs, which the walk
//! sees (it passes /proc) and `fstatfs` confirms, and the mount is refused. Were the binds made
//! first, the same symlink would lead into the image's empty /proc directory, the check would
//! see nothing, and the later procfs mount would cover the bind (harmless, but the refusal
//! would depend on luck). The masks and read-only paths come last, over everything.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path, PathBuf};

use super::mountpolicy::{self, MountKind, Special};

/// How the rootfs is assembled.
#[derive(Debug, Clone)]
pub enum RootfsSource {
    /// Kernel overlay: `lowers` top-most first, relative to `layers_dir` (keeps the mount data
    /// short with many layers), plus the container's upper and work dirs.
    Overlay {
        layers_dir: PathBuf,
        lowers: Vec<PathBuf>,
        upper: PathBuf,
        work: PathBuf,
        userxattr: bool,
    },
    /// fuse-overlayfs with the same layout, for kernels that refuse overlay in a user namespace.
    FuseOverlay {
        layers_dir: PathBuf,
        lowers: Vec<PathBuf>,
        upper: PathBuf,
        work: PathBuf,
    },
    /// A private copy of the image (vfs driver): bound onto the mount point.
    Directory(PathBuf),
}

/// A bind mount of a host file or directory into the container.
#[derive(Debug, Clone)]
pub struct BindMount {
    pub source: PathBuf,
    /// Absolute path inside the container.
    pub target: PathBuf,
    pub readonly: bool,
    /// A volume: when its directory is still empty, fill it first with what the image has at
    /// the target (docker's copy-up).
    pub copy_up: bool,
    /// How mount events propagate between the source and the container's copy.
    pub propagation: Propagation,
}

/// Mount propagation of a bind mount (`-v SRC:DST:rslave`, `bind-propagation=`), applied to
/// the container's copy after it is mounted. docker's default is rprivate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Propagation {
    Private,
    #[default]
    Rprivate,
    Shared,
    Rshared,
    Slave,
    Rslave,
}

impl Propagation {
    pub const ALL: [Propagation; 6] = [
        Propagation::Private,
        Propagation::Rprivate,
        Propagation::Shared,
        Propagation::Rshared,
        Propagation::Slave,
        Propagation::Rslave,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Propagation::Private => "private",
            Propagation::Rprivate => "rprivate",
            Propagation::Shared => "shared",
            Propagation::Rshared => "rshared",
            Propagation::Slave => "slave",
            Propagation::Rslave => "rslave",
        }
    }

    pub fn parse(s: &str) -> Option<Propagation> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The mount(2) flags that set this propagation.
    pub fn flags(self) -> libc::c_ulong {
        match self {
            Propagation::Private => libc::MS_PRIVATE,
            Propagation::Rprivate => libc::MS_PRIVATE | libc::MS_REC,
            Propagation::Shared => libc::MS_SHARED,
            Propagation::Rshared => libc::MS_SHARED | libc::MS_REC,
            Propagation::Slave => libc::MS_SLAVE,
            Propagation::Rslave => libc::MS_SLAVE | libc::MS_REC,
        }
    }

    /// Whether mounts made on the host under the source must reach the container.
    pub fn receives_host_mounts(self) -> bool {
        !matches!(self, Propagation::Private | Propagation::Rprivate)
    }
}

/// A tmpfs mounted inside the container (`--tmpfs`, `--mount type=tmpfs`, `--read-only`).
#[derive(Debug, Clone)]
pub struct TmpfsMount {
    /// Absolute path inside the container.
    pub target: PathBuf,
    /// Mount data (size=, mode=, uid=, gid=, nr_inodes=).
    pub data: String,
    pub flags: libc::c_ulong,
}

#[derive(Debug, Clone)]
pub struct RootfsSpec {
    pub source: RootfsSource,
    /// Where the rootfs is mounted (an empty directory owned by the container's root).
    pub mountpoint: PathBuf,
    pub binds: Vec<BindMount>,
    /// Volumes and bind mounts the user asked for, mounted after `binds`.
    pub user_binds: Vec<BindMount>,
    pub tmpfs: Vec<TmpfsMount>,
    /// A new network namespace lets us mount a fresh sysfs; with the host's we bind it.
    pub new_netns: bool,
    pub masked_paths: Vec<String>,
    pub readonly_paths: Vec<String>,
    pub read_only: bool,
    /// The gid of "tty" inside the container (5) is usable only when it is mapped.
    pub tty_gid_mapped: bool,
    /// `--privileged`: mounts of its own may go onto /sys and /dev/pts (never /proc).
    pub privileged: bool,
    /// The container has a network namespace of its own: open its ICMP datagram sockets
    /// (`ping` without CAP_NET_RAW) to every group, see [`allow_ping`].
    pub allow_ping: bool,
}

/// docker's defaults and podman's (containers-common `DefaultMaskedPaths`): /proc/asound is
/// masked as docker does (podman makes it read-only); /sys/dev/block and /sys/fs/selinux are
/// podman's. podman's per-CPU thermal_throttle directories are added by [`masked_paths`].
pub const MASKED_PATHS: &[&str] = &[
    "/proc/asound",
    "/proc/acpi",
    "/proc/interrupts",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/dev/block",
    "/sys/firmware",
    "/sys/fs/selinux",
    "/sys/devices/virtual/powercap",
];

/// The masked paths of a container: [`MASKED_PATHS`] and, as podman does, each CPU's
/// `/sys/devices/system/cpu/cpuN/thermal_throttle` that `sys_cpu` (the host's
/// `/sys/devices/system/cpu`) has (throttling counters tell a container about other tenants'
/// load).
pub fn masked_paths(sys_cpu: &Path) -> Vec<String> {
    let mut out: Vec<String> = MASKED_PATHS.iter().map(|s| s.to_string()).collect();
    let mut cpus: Vec<(u32, String)> = std::fs::read_dir(sys_cpu)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let n: u32 = name.strip_prefix("cpu")?.parse().ok()?;
            e.path()
                .join("thermal_throttle")
                .exists()
                .then_some((n, name))
        })
        .collect();
    cpus.sort();
    out.extend(
        cpus.into_iter()
            .map(|(_, name)| format!("/sys/devices/system/cpu/{name}/thermal_throttle")),
    );
    out
}

pub const READONLY_PATHS: &[&str] = &[
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/sys",
    "/proc/sysrq-trigger",
];

/// Host devices bound into the container's /dev (mknod is not allowed in a user namespace, and
/// binding works the same as root).
const DEVICES: &[&str] = &["null", "zero", "full", "random", "urandom", "tty"];

fn cstr(p: &Path) -> io::Result<CString> {
    CString::new(p.as_os_str().as_bytes()).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
}

fn check(rc: libc::c_int) -> io::Result<()> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

fn ctx(e: io::Error, what: impl std::fmt::Display) -> io::Error {
    io::Error::new(e.kind(), format!("{what}: {e}"))
}

/// mount(2) with optional source, fstype and data.
pub fn mount(
    source: Option<&Path>,
    target: &Path,
    fstype: Option<&str>,
    flags: libc::c_ulong,
    data: Option<&str>,
) -> io::Result<()> {
    let src = source.map(cstr).transpose()?;
    let tgt = cstr(target)?;
    let fst = fstype.map(|f| CString::new(f).expect("static fstype"));
    let dat = data
        .map(CString::new)
        .transpose()
        .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: every pointer is a valid NUL-terminated string or null.
    let rc = unsafe {
        libc::mount(
            src.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
            tgt.as_ptr(),
            fst.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
            flags,
            dat.as_ref()
                .map_or(std::ptr::null(), |s| s.as_ptr() as *const libc::c_void),
        )
    };
    check(rc).map_err(|e| ctx(e, format!("mounting {}", target.display())))
}

const RESOLVE_NO_MAGICLINKS: u64 = 0x02;
const RESOLVE_IN_ROOT: u64 = 0x10;

#[repr(C)]
struct OpenHow {
    flags: u64,
    mode: u64,
    resolve: u64,
}

/// openat2 relative to `root` as if it were `/`: `..` and absolute symlinks stay inside.
fn open_in_root(root: &OwnedFd, path: &Path, flags: i32) -> io::Result<OwnedFd> {
    let rel = path.strip_prefix("/").unwrap_or(path);
    let rel = if rel.as_os_str().is_empty() {
        Path::new(".")
    } else {
        rel
    };
    let c = cstr(rel)?;
    let how = OpenHow {
        flags: (flags | libc::O_CLOEXEC) as u64,
        mode: 0,
        resolve: RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    // SAFETY: openat2 with a valid dirfd, path and open_how of the size we pass.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            root.as_raw_fd(),
            c.as_ptr(),
            &how as *const OpenHow,
            std::mem::size_of::<OpenHow>(),
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the kernel returned a new descriptor we own.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// Symlinks followed while resolving one mount target before giving up (the kernel's limit).
const MAX_SYMLINKS: u32 = 40;

/// What a container's own mount may land on ([`mountpolicy`]): checked where the target really
/// is, before anything is created for it and before it is mounted.
#[derive(Debug, Clone, Copy)]
pub struct TargetPolicy {
    pub kind: MountKind,
    pub privileged: bool,
}

impl TargetPolicy {
    fn check(
        &self,
        destination: &Path,
        resolved: &Path,
        crossed: Option<Special>,
        on: &OwnedFd,
    ) -> io::Result<()> {
        let f_type = fs_type(on)?;
        mountpolicy::check_resolved(
            destination,
            resolved,
            crossed,
            f_type,
            self.kind,
            self.privileged,
        )
        .map_err(|refusal| io::Error::new(io::ErrorKind::PermissionDenied, refusal.to_string()))
    }
}

/// The filesystem type (`f_type` of fstatfs) of what `fd` (O_PATH is enough) names.
fn fs_type(fd: &OwnedFd) -> io::Result<i64> {
    // SAFETY: fstatfs on a descriptor we hold, into a zeroed struct.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    check(unsafe { libc::fstatfs(fd.as_raw_fd(), &mut st) })?;
    Ok(st.f_type)
}

/// Open (creating what is missing: directories, and the last component as a directory or an
/// empty file) `path` inside `root`, never leaving it. Returns an O_PATH descriptor to mount on.
///
/// Symlinks on the way are followed as if `root` were `/` (runc's RESOLVE_IN_ROOT semantics): an
/// image's `/data -> /tmp/hostdir` makes the target `<root>/tmp/hostdir`, created when missing,
/// and `..` never climbs above `root`.
pub fn mount_target(root: &OwnedFd, path: &Path, dir: bool) -> io::Result<OwnedFd> {
    resolve_target(root, path, dir, None)
}

/// [`mount_target`], refusing (before anything is created, and once resolved) a target that
/// `policy` does not allow where the walk really went: through /proc, /sys or /dev/pts, or
/// onto procfs, sysfs or devpts.
pub fn resolve_target(
    root: &OwnedFd,
    path: &Path,
    dir: bool,
    policy: Option<TargetPolicy>,
) -> io::Result<OwnedFd> {
    use std::collections::VecDeque;
    use std::ffi::OsString;
    // What is left to walk, and the part walked so far: real directories inside the root, so
    // that `..` can be taken lexically.
    let mut todo: VecDeque<OsString> = VecDeque::new();
    push_components(&mut todo, path);
    let mut current = PathBuf::from("/");
    let mut links = 0;
    // The first of /proc, /sys, /dev/pts the walk went through (symlinks included).
    let mut crossed: Option<Special> = None;
    let checked = |resolved: &Path, crossed, on: &OwnedFd| match policy {
        Some(p) => p.check(path, resolved, crossed, on),
        None => Ok(()),
    };
    while let Some(comp) = todo.pop_front() {
        if comp == ".." {
            current.pop();
            continue;
        }
        let last = todo.is_empty();
        let next = current.join(&comp);
        crossed = crossed.or(Special::of_path(&next));
        match open_in_root(root, &next, libc::O_PATH | libc::O_NOFOLLOW) {
            Ok(fd) => {
                if let Some(target) = symlink_target(&fd)? {
                    links += 1;
                    if links > MAX_SYMLINKS {
                        return Err(ctx(
                            io::Error::from_raw_os_error(libc::ELOOP),
                            format!("resolving {}", path.display()),
                        ));
                    }
                    if target.is_absolute() {
                        current = PathBuf::from("/");
                    }
                    let mut rest = VecDeque::new();
                    push_components(&mut rest, &target);
                    rest.extend(todo.drain(..));
                    todo = rest;
                    continue;
                }
                if last {
                    checked(&next, crossed, &fd)?;
                    return Ok(fd);
                }
            }
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {
                let parent = open_in_root(root, &current, libc::O_PATH | libc::O_DIRECTORY)?;
                // Nothing is made on a filesystem the mount may not go to.
                checked(&next, crossed, &parent)?;
                let name = CString::new(comp.as_bytes())
                    .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
                let rc = if dir || !last {
                    // SAFETY: mkdirat relative to a directory descriptor we hold.
                    unsafe { libc::mkdirat(parent.as_raw_fd(), name.as_ptr(), 0o755) }
                } else {
                    // SAFETY: as above; O_EXCL so a racing symlink is never followed.
                    let fd = unsafe {
                        libc::openat(
                            parent.as_raw_fd(),
                            name.as_ptr(),
                            libc::O_CREAT | libc::O_EXCL | libc::O_WRONLY | libc::O_CLOEXEC,
                            0o644,
                        )
                    };
                    if fd >= 0 {
                        // SAFETY: closing the descriptor we just made.
                        unsafe { libc::close(fd) };
                    }
                    fd
                };
                if rc < 0 {
                    let e = io::Error::last_os_error();
                    if e.raw_os_error() != Some(libc::EEXIST) {
                        return Err(ctx(e, format!("creating {}", next.display())));
                    }
                    // Someone made it meanwhile (perhaps a symlink): look at it again.
                    links += 1;
                    if links > MAX_SYMLINKS {
                        return Err(ctx(e, format!("creating {}", next.display())));
                    }
                    todo.push_front(comp);
                    continue;
                }
                if last {
                    let fd = open_in_root(root, &next, libc::O_PATH | libc::O_NOFOLLOW)?;
                    checked(&next, crossed, &fd)?;
                    return Ok(fd);
                }
            }
            Err(e) => return Err(ctx(e, format!("resolving {}", next.display()))),
        }
        current = next;
    }
    let fd = open_in_root(root, &current, libc::O_PATH)?;
    checked(&current, crossed, &fd)?;
    Ok(fd)
}

/// The normal and `..` components of `path`, in order (`/` and `.` say nothing here).
fn push_components(out: &mut std::collections::VecDeque<std::ffi::OsString>, path: &Path) {
    for c in path.components() {
        match c {
            Component::Normal(n) => out.push_back(n.to_os_string()),
            Component::ParentDir => out.push_back("..".into()),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
}

/// The target of the symlink an O_PATH|O_NOFOLLOW descriptor refers to, or None when it is not
/// a symlink.
fn symlink_target(fd: &OwnedFd) -> io::Result<Option<PathBuf>> {
    // SAFETY: fstat on a descriptor we hold, into a zeroed struct.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    check(unsafe { libc::fstat(fd.as_raw_fd(), &mut st) })?;
    if st.st_mode & libc::S_IFMT != libc::S_IFLNK {
        return Ok(None);
    }
    let mut buf = vec![0u8; libc::PATH_MAX as usize];
    let empty = CString::new("").expect("static");
    // SAFETY: readlinkat with an empty path reads the link the O_PATH descriptor names.
    let n = unsafe {
        libc::readlinkat(
            fd.as_raw_fd(),
            empty.as_ptr(),
            buf.as_mut_ptr() as *mut libc::c_char,
            buf.len(),
        )
    };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    buf.truncate(n as usize);
    Ok(Some(PathBuf::from(std::ffi::OsString::from_vec(buf))))
}

fn fd_path(fd: &OwnedFd) -> PathBuf {
    PathBuf::from(format!("/proc/self/fd/{}", fd.as_raw_fd()))
}

/// Bind `source` (a host path) onto `target` inside the rootfs, with `propagation` when given.
/// `privileged`: `None` for berth's own binds inside its fresh /dev; otherwise the target is
/// checked against [`mountpolicy`] with the container's `--privileged`.
fn bind_into(
    root: &OwnedFd,
    source: &Path,
    target: &Path,
    readonly: bool,
    recursive: bool,
    propagation: Option<Propagation>,
    privileged: Option<bool>,
) -> io::Result<()> {
    let is_dir = std::fs::metadata(source)
        .map_err(|e| ctx(e, source.display()))?
        .is_dir();
    let policy = privileged.map(|privileged| TargetPolicy {
        kind: if is_dir {
            MountKind::DirBind
        } else {
            MountKind::FileBind
        },
        privileged,
    });
    let fd = resolve_target(root, target, is_dir, policy)?;
    let at = fd_path(&fd);
    let rec = if recursive { libc::MS_REC } else { 0 };
    mount(Some(source), &at, None, libc::MS_BIND | rec, None).map_err(|e| {
        ctx(
            e,
            format!("binding {} to {}", source.display(), target.display()),
        )
    })?;
    drop(fd);
    if let Some(p) = propagation {
        // Reopened: the descriptor taken before the mount names the directory underneath it.
        let fd = open_in_root(root, target, libc::O_PATH)?;
        mount(None, &fd_path(&fd), None, p.flags(), None)
            .map_err(|e| ctx(e, format!("making {} {}", target.display(), p.as_str())))?;
    }
    if readonly {
        remount_readonly(root, target)?;
    }
    Ok(())
}

/// The container's volumes and bind mounts onto the rootfs at `root`, each target resolved
/// inside it and checked against [`mountpolicy`] (`privileged`: the container's
/// `--privileged`). Used by the container's start and by `cp` on a stopped container, which
/// sees the same files the container would.
pub fn bind_user_mounts(root: &OwnedFd, binds: &[BindMount], privileged: bool) -> io::Result<()> {
    for b in binds {
        bind_into(
            root,
            &b.source,
            &b.target,
            b.readonly,
            true,
            Some(b.propagation),
            Some(privileged),
        )
        .map_err(|e| ctx(e, format!("mounting {}", b.target.display())))?;
    }
    Ok(())
}

/// Remount an existing mount point inside the rootfs read-only, keeping its other flags (a
/// user namespace may not clear nosuid/nodev/noexec that the host set).
fn remount_readonly(root: &OwnedFd, target: &Path) -> io::Result<()> {
    let fd = open_in_root(root, target, libc::O_PATH)?;
    let at = fd_path(&fd);
    let c = cstr(&at)?;
    // SAFETY: statvfs on a path we own, into a zeroed struct.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    check(unsafe { libc::statvfs(c.as_ptr(), &mut st) })?;
    let keep = st.f_flag
        & (libc::ST_NOSUID | libc::ST_NODEV | libc::ST_NOEXEC | libc::ST_NOATIME) as libc::c_ulong;
    let mut flags = libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY;
    if keep & libc::ST_NOSUID as libc::c_ulong != 0 {
        flags |= libc::MS_NOSUID;
    }
    if keep & libc::ST_NODEV as libc::c_ulong != 0 {
        flags |= libc::MS_NODEV;
    }
    if keep & libc::ST_NOEXEC as libc::c_ulong != 0 {
        flags |= libc::MS_NOEXEC;
    }
    if keep & libc::ST_NOATIME as libc::c_ulong != 0 {
        flags |= libc::MS_NOATIME;
    }
    mount(None, &at, None, flags, None)
        .map_err(|e| ctx(e, format!("making {} read-only", target.display())))
}

/// /proc, /sys and /dev must be real directories of the image (or missing, then made): a
/// symlink there (`/proc -> /data`, `/dev -> /proc`) would send berth's own mounts somewhere
/// else, e.g. a tmpfs over the live procfs. runc refuses the same ("must be mounted on
/// ordinary directory").
fn real_directory(root: &OwnedFd, target: &str) -> io::Result<()> {
    match open_in_root(root, Path::new(target), libc::O_PATH | libc::O_NOFOLLOW) {
        Ok(fd) => {
            // SAFETY: fstat on a descriptor we hold, into a zeroed struct.
            let mut st: libc::stat = unsafe { std::mem::zeroed() };
            check(unsafe { libc::fstat(fd.as_raw_fd(), &mut st) })?;
            if st.st_mode & libc::S_IFMT == libc::S_IFDIR {
                Ok(())
            } else {
                Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("the image's {target} is not a directory (a symlink?): berth mounts the container's {target} only on a real directory; use an image with a plain {target} directory"),
                ))
            }
        }
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(()),
        Err(e) => Err(ctx(e, target)),
    }
}

fn mount_fs_in(
    root: &OwnedFd,
    target: &str,
    fstype: &str,
    flags: libc::c_ulong,
    data: Option<&str>,
) -> io::Result<()> {
    let fd = mount_target(root, Path::new(target), true)?;
    mount(
        Some(Path::new(fstype)),
        &fd_path(&fd),
        Some(fstype),
        flags,
        data,
    )
}

fn symlink_in(root: &OwnedFd, target: &str, link: &str) -> io::Result<()> {
    let (dir, name) = link.rsplit_once('/').expect("absolute link path");
    let parent = open_in_root(
        root,
        Path::new(if dir.is_empty() { "/" } else { dir }),
        libc::O_PATH | libc::O_DIRECTORY,
    )?;
    let t = CString::new(target).expect("static target");
    let n = CString::new(name).expect("static name");
    // SAFETY: symlinkat relative to a directory descriptor we hold.
    let rc = unsafe { libc::symlinkat(t.as_ptr(), parent.as_raw_fd(), n.as_ptr()) };
    if rc < 0 {
        let e = io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::EEXIST) {
            return Err(ctx(e, format!("creating {link}")));
        }
    }
    Ok(())
}

/// The widest `net.ipv4.ping_group_range` the kernel accepts from a process with this
/// `gid_map` (its own, as /proc/self/gid_map shows it): from gid 0 to the highest mapped gid,
/// at most 2147483647 (the sysctl's maximum, docker's value outside a user namespace).
///
/// podman writes "0 0" (only the root group may ping). Without NET_RAW in the default set, a
/// container's non-root users would then lose `ping` too; every group of the container may
/// use ICMP datagram sockets in docker (`0 2147483647`) and so here. Within a user namespace
/// the kernel takes only gids that the namespace maps (EINVAL otherwise), hence the map's top
/// and not docker's constant. The setting is per network namespace: it only concerns the
/// container's own processes.
pub fn ping_group_range_for(gid_map: &str) -> String {
    let high = gid_map
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace().map(|x| x.parse::<u64>().ok());
            let (inside, _, count) = (f.next()??, f.next()??, f.next()??);
            (count > 0).then(|| inside + count - 1)
        })
        .max()
        .unwrap_or(0)
        .min(i32::MAX as u64);
    format!("0 {high}")
}

/// Let every group of the container open ICMP datagram sockets (`ping` without CAP_NET_RAW) in
/// its own network namespace: `net.ipv4.ping_group_range`, written through the container's
/// fresh procfs (a net sysctl is the writer's network namespace's) while we are still root of
/// its user namespace, before /proc/sys is made read-only. The value comes from
/// [`ping_group_range_for`]; when the kernel refuses it (or stores something else: with the
/// range's ends mapped out of order it silently disables ping), podman's "0 0" instead. Best
/// effort: a container that cannot have it still runs, and `BERTH_DEBUG` says why.
fn allow_ping(root: &OwnedFd) {
    use std::io::{Read, Write};
    const SYSCTL: &str = "/proc/sys/net/ipv4/ping_group_range";
    let read = |path: &str| -> io::Result<String> {
        let mut text = String::new();
        std::fs::File::from(open_in_root(root, Path::new(path), libc::O_RDONLY)?)
            .read_to_string(&mut text)?;
        Ok(text)
    };
    let set = |value: &str| -> io::Result<()> {
        std::fs::File::from(open_in_root(root, Path::new(SYSCTL), libc::O_WRONLY)?)
            .write_all(value.as_bytes())?;
        let now = read(SYSCTL)?;
        let got: Vec<&str> = now.split_whitespace().collect();
        let want: Vec<&str> = value.split_whitespace().collect();
        if got == want {
            Ok(())
        } else {
            Err(io::Error::other(format!(
                "the kernel kept {:?} instead",
                now.trim()
            )))
        }
    };
    let widest = match read("/proc/self/gid_map") {
        Ok(map) => ping_group_range_for(&map),
        Err(e) => {
            crate::debug::note(&format!("cannot read the container's gid_map: {e}"));
            "0 0".to_string()
        }
    };
    let mut tries = vec![widest.as_str()];
    if widest != "0 0" {
        tries.push("0 0");
    }
    let mut errors = Vec::new();
    for value in tries {
        match set(value) {
            Ok(()) => return,
            Err(e) => errors.push(format!("{value:?}: {e}")),
        }
    }
    crate::debug::note(&format!(
        "net.ipv4.ping_group_range not set in the container's network namespace ({}); ping needs --cap-add NET_RAW there",
        errors.join("; ")
    ));
}

/// Mount the image at `spec.mountpoint`, then everything inside it. Runs in the container's
/// mount namespace, as its root, before pivot_root.
pub fn prepare(spec: &RootfsSpec) -> io::Result<()> {
    // Nothing we mount may propagate back to the host's (or berth's) mount namespace. A bind
    // asking for shared or slave propagation needs the host's mounts to keep reaching our copy
    // of its source, so then everything becomes a slave (runc's rslave root) instead of private.
    let from_host = spec
        .user_binds
        .iter()
        .any(|b| b.propagation.receives_host_mounts());
    let root_propagation = if from_host {
        libc::MS_REC | libc::MS_SLAVE
    } else {
        libc::MS_REC | libc::MS_PRIVATE
    };
    mount(None, Path::new("/"), None, root_propagation, None)?;
    mount_image(spec)?;
    let root_fd = {
        let c = cstr(&spec.mountpoint)?;
        // SAFETY: opening the freshly mounted rootfs directory.
        let fd = unsafe {
            libc::open(
                c.as_ptr(),
                libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(ctx(io::Error::last_os_error(), spec.mountpoint.display()));
        }
        // SAFETY: a descriptor we own.
        unsafe { OwnedFd::from_raw_fd(fd) }
    };
    let root = &root_fd;
    let nosuid_nodev_noexec = libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;

    for dir in ["/proc", "/sys", "/dev"] {
        real_directory(root, dir)?;
    }
    mount_fs_in(root, "/proc", "proc", nosuid_nodev_noexec, None)?;
    if spec.allow_ping {
        allow_ping(root);
    }
    if spec.new_netns {
        mount_fs_in(
            root,
            "/sys",
            "sysfs",
            nosuid_nodev_noexec | libc::MS_RDONLY,
            None,
        )?;
    } else {
        bind_into(
            root,
            Path::new("/sys"),
            Path::new("/sys"),
            false,
            true,
            None,
            None,
        )?;
        remount_readonly(root, Path::new("/sys"))?;
    }

    mount_fs_in(
        root,
        "/dev",
        "tmpfs",
        libc::MS_NOSUID | libc::MS_STRICTATIME,
        Some("mode=755,size=65536k"),
    )?;
    for dev in DEVICES {
        let host = Path::new("/dev").join(dev);
        if host.exists() {
            bind_into(
                root,
                &host,
                &Path::new("/dev").join(dev),
                false,
                false,
                None,
                None,
            )?;
        }
    }
    let pts_opts = if spec.tty_gid_mapped {
        "newinstance,ptmxmode=0666,mode=0620,gid=5"
    } else {
        "newinstance,ptmxmode=0666,mode=0620"
    };
    mount_fs_in(
        root,
        "/dev/pts",
        "devpts",
        libc::MS_NOSUID | libc::MS_NOEXEC,
        Some(pts_opts),
    )?;
    mount_fs_in(
        root,
        "/dev/shm",
        "tmpfs",
        nosuid_nodev_noexec,
        Some("mode=1777,size=65536k"),
    )?;
    // mqueue needs an IPC namespace owned by our user namespace, which we have; tolerate hosts
    // without the filesystem compiled in.
    match mount_fs_in(root, "/dev/mqueue", "mqueue", nosuid_nodev_noexec, None) {
        Err(e) if e.raw_os_error() == Some(libc::ENODEV) => {}
        r => r?,
    }
    for (target, link) in [
        ("pts/ptmx", "/dev/ptmx"),
        ("/proc/self/fd", "/dev/fd"),
        ("/proc/self/fd/0", "/dev/stdin"),
        ("/proc/self/fd/1", "/dev/stdout"),
        ("/proc/self/fd/2", "/dev/stderr"),
        ("/proc/kcore", "/dev/core"),
    ] {
        symlink_in(root, target, link)?;
    }

    // From here on, every target is the container's own: resolved inside the rootfs
    // (RESOLVE_IN_ROOT: a symlink in the image at a mount target cannot send the mount to a
    // host path) and checked where it lands (not on /proc, /sys, /dev/pts: see the module doc).
    for b in &spec.binds {
        bind_into(
            root,
            &b.source,
            &b.target,
            b.readonly,
            true,
            None,
            Some(spec.privileged),
        )?;
    }
    for b in &spec.user_binds {
        if b.copy_up {
            copy_up(root, b, spec.privileged)
                .map_err(|e| ctx(e, format!("filling the volume at {}", b.target.display())))?;
        }
    }
    bind_user_mounts(root, &spec.user_binds, spec.privileged)?;
    for t in &spec.tmpfs {
        let policy = TargetPolicy {
            kind: MountKind::Tmpfs,
            privileged: spec.privileged,
        };
        let fd = resolve_target(root, &t.target, true, Some(policy))
            .map_err(|e| ctx(e, format!("mount target {}", t.target.display())))?;
        mount(
            Some(Path::new("tmpfs")),
            &fd_path(&fd),
            Some("tmpfs"),
            t.flags,
            Some(&t.data),
        )
        .map_err(|e| ctx(e, format!("mounting a tmpfs on {}", t.target.display())))?;
    }

    for p in &spec.masked_paths {
        mask(root, Path::new(p))?;
    }
    for p in &spec.readonly_paths {
        match open_in_root(root, Path::new(p), libc::O_PATH) {
            Ok(fd) => {
                let at = fd_path(&fd);
                mount(Some(&at), &at, None, libc::MS_BIND | libc::MS_REC, None)?;
                drop(fd);
                remount_readonly(root, Path::new(p))?;
            }
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {}
            Err(e) => return Err(ctx(e, p)),
        }
    }
    if spec.read_only {
        remount_readonly(root, Path::new("/"))?;
    }
    Ok(())
}

/// Copy the image's content at `b.target` (resolved inside the rootfs) into the volume
/// directory if that is empty; a target that is missing or not a directory leaves it empty.
/// The target is checked first as its mount will be: a volume at an image's `/data ->
/// /proc/self` must not be filled with the setup process's /proc files (its environment).
fn copy_up(root: &OwnedFd, b: &BindMount, privileged: bool) -> io::Result<()> {
    if std::fs::read_dir(&b.source)?.next().is_some() {
        return Ok(());
    }
    let policy = TargetPolicy {
        kind: MountKind::DirBind,
        privileged,
    };
    // Made when missing, as the bind that follows would.
    let target = resolve_target(root, &b.target, true, Some(policy))?;
    // SAFETY: fstat on a descriptor we hold, into a zeroed struct.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    check(unsafe { libc::fstat(target.as_raw_fd(), &mut st) })?;
    if st.st_mode & libc::S_IFMT != libc::S_IFDIR {
        return Ok(());
    }
    let fd = target;
    // Entry by entry: the directory itself is only reachable through the descriptor's magic
    // link, which copy_tree would copy as a symlink.
    let dir = fd_path(&fd);
    for entry in std::fs::read_dir(&dir)? {
        let name = entry?.file_name();
        crate::layer::unpack::copy_tree(&dir.join(&name), &b.source.join(&name))
            .map_err(|e| io::Error::other(e.to_string()))?;
    }
    Ok(())
}

/// Hide a path: /dev/null over a file, an empty read-only tmpfs over a directory.
fn mask(root: &OwnedFd, path: &Path) -> io::Result<()> {
    let fd = match open_in_root(root, path, libc::O_PATH) {
        Ok(fd) => fd,
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => return Ok(()),
        Err(e) => return Err(ctx(e, path.display())),
    };
    let at = fd_path(&fd);
    let is_dir = std::fs::metadata(&at).map(|m| m.is_dir()).unwrap_or(false);
    if is_dir {
        mount(
            Some(Path::new("tmpfs")),
            &at,
            Some("tmpfs"),
            libc::MS_RDONLY,
            Some("size=0"),
        )
    } else {
        mount(Some(Path::new("/dev/null")), &at, None, libc::MS_BIND, None)
    }
    .map_err(|e| ctx(e, format!("masking {}", path.display())))
}

fn mount_image(spec: &RootfsSpec) -> io::Result<()> {
    match &spec.source {
        RootfsSource::Overlay {
            layers_dir,
            lowers,
            upper,
            work,
            userxattr,
        } => {
            // Relative lowerdirs are resolved against our cwd: many layers still fit in a page.
            std::env::set_current_dir(layers_dir).map_err(|e| ctx(e, layers_dir.display()))?;
            let lower = join_lowers(lowers);
            let mut data = format!(
                "lowerdir={lower},upperdir={},workdir={}",
                upper.display(),
                work.display()
            );
            if *userxattr {
                data.push_str(",userxattr");
            }
            mount(
                Some(Path::new("overlay")),
                &spec.mountpoint,
                Some("overlay"),
                0,
                Some(&data),
            )
            .map_err(|e| ctx(e, "mounting the container's overlay rootfs"))
        }
        RootfsSource::FuseOverlay {
            layers_dir,
            lowers,
            upper,
            work,
        } => {
            std::env::set_current_dir(layers_dir).map_err(|e| ctx(e, layers_dir.display()))?;
            let data = format!(
                "lowerdir={},upperdir={},workdir={}",
                join_lowers(lowers),
                upper.display(),
                work.display()
            );
            let program = crate::hostpaths::helper("fuse-overlayfs").map_err(io::Error::other)?;
            let status = std::process::Command::new(program)
                .arg("-o")
                .arg(&data)
                .arg(&spec.mountpoint)
                .status()
                .map_err(|e| ctx(e, "running fuse-overlayfs"))?;
            if !status.success() {
                return Err(io::Error::other(format!(
                    "fuse-overlayfs failed to mount the rootfs ({status})"
                )));
            }
            Ok(())
        }
        RootfsSource::Directory(dir) => mount(
            Some(dir),
            &spec.mountpoint,
            None,
            libc::MS_BIND | libc::MS_REC,
            None,
        ),
    }
}

fn join_lowers(lowers: &[PathBuf]) -> String {
    lowers
        .iter()
        .map(|l| l.display().to_string())
        .collect::<Vec<_>>()
        .join(":")
}

/// For an external OCI runtime: mount only the image at `spec.mountpoint` (in our own private
/// mount namespace); the runtime does the rest from config.json.
pub fn mount_image_only(spec: &RootfsSpec) -> io::Result<()> {
    mount(
        None,
        Path::new("/"),
        None,
        libc::MS_REC | libc::MS_PRIVATE,
        None,
    )?;
    mount_image(spec)
}

/// Read a file of the rootfs at `root_dir` (e.g. its /etc/passwd) without following symlinks
/// out of it: a hostile image must not make us read the host's files.
pub fn read_in_root(root_dir: &Path, path: &str) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let c = cstr(root_dir)?;
    // SAFETY: opening a directory we were given.
    let fd = unsafe {
        libc::open(
            c.as_ptr(),
            libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a descriptor we own.
    let root = unsafe { OwnedFd::from_raw_fd(fd) };
    let file = open_in_root(&root, Path::new(path), libc::O_RDONLY)?;
    let mut out = Vec::new();
    std::fs::File::from(file).read_to_end(&mut out)?;
    Ok(out)
}

/// Make the prepared rootfs `/`, with the old root detached (runc's pivot_root(".", ".")).
pub fn pivot(mountpoint: &Path) -> io::Result<()> {
    std::env::set_current_dir(mountpoint).map_err(|e| ctx(e, mountpoint.display()))?;
    let dot = CString::new(".").expect("static");
    // SAFETY: pivot_root with valid paths; both are the current directory.
    check(unsafe { libc::syscall(libc::SYS_pivot_root, dot.as_ptr(), dot.as_ptr()) as i32 })
        .map_err(|e| ctx(e, "pivot_root"))?;
    // The old root is now stacked under the new one: make it private, then detach it.
    mount(
        None,
        Path::new("."),
        None,
        libc::MS_REC | libc::MS_SLAVE,
        None,
    )?;
    // SAFETY: detaching the old root mounted on ".".
    check(unsafe { libc::umount2(dot.as_ptr(), libc::MNT_DETACH) })
        .map_err(|e| ctx(e, "detaching the old root"))?;
    std::env::set_current_dir("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ping_range_reaches_the_highest_mapped_gid() {
        // rootless: the user's gid as 0, a subordinate range above it.
        assert_eq!(
            ping_group_range_for(
                "         0       1000          1\n         1     100000      65536\n"
            ),
            "0 65536"
        );
        // single-id mapping
        assert_eq!(ping_group_range_for("0 1000 1\n"), "0 0");
        // the initial user namespace: capped at the sysctl's maximum.
        assert_eq!(ping_group_range_for("0 0 4294967295\n"), "0 2147483647");
        assert_eq!(ping_group_range_for(""), "0 0");
        assert_eq!(ping_group_range_for("garbage\n0 5 10\n"), "0 9");
    }

    #[test]
    fn masked_paths_add_each_cpus_thermal_throttle_directory() {
        let d = tempfile::tempdir().unwrap();
        for cpu in ["cpu0", "cpu1", "cpu10"] {
            std::fs::create_dir_all(d.path().join(cpu).join("thermal_throttle")).unwrap();
        }
        std::fs::create_dir_all(d.path().join("cpu2")).unwrap();
        std::fs::create_dir_all(d.path().join("cpufreq/thermal_throttle")).unwrap();
        let paths = masked_paths(d.path());
        assert!(paths.iter().any(|p| p == "/sys/dev/block"));
        assert!(paths.iter().any(|p| p == "/sys/fs/selinux"));
        let thermal: Vec<&String> = paths.iter().filter(|p| p.contains("thermal")).collect();
        assert_eq!(
            thermal,
            [
                "/sys/devices/system/cpu/cpu0/thermal_throttle",
                "/sys/devices/system/cpu/cpu1/thermal_throttle",
                "/sys/devices/system/cpu/cpu10/thermal_throttle"
            ]
        );
        assert_eq!(
            masked_paths(&d.path().join("missing")).len(),
            MASKED_PATHS.len()
        );
    }

    #[test]
    fn podmans_masked_paths_are_all_masked_or_read_only() {
        // containers-common's DefaultMaskedPaths (podman 4.3: with /sys/dev/block).
        for p in [
            "/proc/acpi",
            "/proc/kcore",
            "/proc/keys",
            "/proc/latency_stats",
            "/proc/sched_debug",
            "/proc/scsi",
            "/proc/timer_list",
            "/proc/timer_stats",
            "/sys/dev/block",
            "/sys/devices/virtual/powercap",
            "/sys/firmware",
            "/sys/fs/selinux",
            "/proc/interrupts",
        ] {
            assert!(MASKED_PATHS.contains(&p), "{p} is not masked");
        }
        for p in [
            "/proc/bus",
            "/proc/fs",
            "/proc/irq",
            "/proc/sys",
            "/proc/sysrq-trigger",
        ] {
            assert!(READONLY_PATHS.contains(&p), "{p} is not read-only");
        }
        assert!(MASKED_PATHS.contains(&"/proc/asound"));
    }

    fn open_dir(p: &Path) -> OwnedFd {
        let c = cstr(p).unwrap();
        let fd = unsafe { libc::open(c.as_ptr(), libc::O_PATH | libc::O_DIRECTORY) };
        assert!(fd >= 0);
        unsafe { OwnedFd::from_raw_fd(fd) }
    }

    #[test]
    fn resolve_target_refuses_a_symlink_into_proc_before_creating_anything() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("proc")).unwrap();
        std::os::unix::fs::symlink("/proc/self", root.join("data")).unwrap();
        std::os::unix::fs::symlink("../proc/sys", root.join("rel")).unwrap();
        let rootfd = open_dir(root);
        let policy = TargetPolicy {
            kind: MountKind::DirBind,
            privileged: true,
        };
        for target in ["/data", "/data/x/y", "/rel", "/rel/kernel"] {
            let e = resolve_target(&rootfd, Path::new(target), true, Some(policy)).unwrap_err();
            assert!(e.to_string().contains("inside /proc"), "{target}: {e}");
        }
        // The walk stopped before making /proc/self in this (plain) directory.
        assert!(!root.join("proc/self").exists());
        assert!(!root.join("proc/sys").exists());
        // Without a policy (berth's own mounts) the same walk is allowed.
        mount_target(&rootfd, Path::new("/rel"), true).unwrap();
    }

    #[test]
    fn resolve_target_refuses_procfs_by_its_filesystem_type() {
        // The host's /proc as a "rootfs": /self is on procfs though no path says /proc.
        let rootfd = open_dir(Path::new("/proc"));
        let policy = TargetPolicy {
            kind: MountKind::DirBind,
            privileged: true,
        };
        let e = resolve_target(&rootfd, Path::new("/sys"), true, Some(policy)).unwrap_err();
        assert!(e.to_string().contains("inside /proc"), "{e}");
    }

    #[test]
    fn lowers_join_top_first_with_colons() {
        let l = vec![PathBuf::from("b/diff"), PathBuf::from("a/diff")];
        assert_eq!(join_lowers(&l), "b/diff:a/diff");
    }

    #[test]
    fn mount_target_creates_missing_parents_and_stays_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir(&root).unwrap();
        // A symlink pointing out of the root must be resolved inside it.
        let outside = dir.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("escape")).unwrap();
        let c = cstr(&root).unwrap();
        let fd = unsafe { libc::open(c.as_ptr(), libc::O_PATH | libc::O_DIRECTORY) };
        assert!(fd >= 0);
        let rootfd = unsafe { OwnedFd::from_raw_fd(fd) };
        mount_target(&rootfd, Path::new("/etc/hosts"), false).unwrap();
        assert!(root.join("etc/hosts").is_file());
        // The link is resolved inside the root: the target is made there, nothing outside.
        mount_target(&rootfd, Path::new("/escape/data"), true).unwrap();
        assert!(
            !outside.join("data").exists(),
            "followed a symlink out of the root"
        );
        let inside = root.join(outside.strip_prefix("/").unwrap()).join("data");
        assert!(inside.is_dir(), "{} was not made", inside.display());
    }

    #[test]
    fn mount_target_keeps_dot_dot_links_and_link_chains_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::os::unix::fs::symlink("../../../../../victim", root.join("a/b/up")).unwrap();
        std::os::unix::fs::symlink("/a/b/up", root.join("chain")).unwrap();
        std::os::unix::fs::symlink("/loop2", root.join("loop1")).unwrap();
        std::os::unix::fs::symlink("/loop1", root.join("loop2")).unwrap();
        let c = cstr(&root).unwrap();
        let fd = unsafe { libc::open(c.as_ptr(), libc::O_PATH | libc::O_DIRECTORY) };
        assert!(fd >= 0);
        let rootfd = unsafe { OwnedFd::from_raw_fd(fd) };
        mount_target(&rootfd, Path::new("/chain/x"), true).unwrap();
        assert!(root.join("victim/x").is_dir());
        assert!(!dir.path().join("victim").exists());
        let e = mount_target(&rootfd, Path::new("/loop1/x"), true).unwrap_err();
        assert!(e.to_string().contains("resolving"), "{e}");
    }
}
