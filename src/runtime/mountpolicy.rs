//! Where a container's volumes, bind mounts and tmpfs mounts may not go: /proc, and /sys and
//! /dev/pts unless `--privileged` (runc's `checkProcMount`, the CVE-2019-16884 /
//! CVE-2019-19921 class: a mount over procfs hides the kernel's files behind the user's, which
//! defeats the masked and read-only paths and the LSM checks on /proc/self/attr).
//!
//! Checked twice:
//! - when the container is created, on the destination as given, normalized
//!   ([`check_destination`]), so that nothing is created for a refused mount;
//! - when the rootfs is built, on where the destination really lands once the image's symlinks
//!   are followed ([`check_resolved`]): an image's `/data -> /proc/self` makes `-v x:/data` a
//!   mount on procfs although the destination looks harmless. That check sees the paths the
//!   walk went through and the filesystem (`fstatfs`) of the target, after berth's own /proc,
//!   /sys and /dev/pts are mounted.
//!
//! One exception, as runc has it: a regular file may be bound onto the few /proc files lxcfs
//! emulates ([`LXCFS_PROC_FILES`]), so that `-v /var/lib/lxcfs/proc/meminfo:/proc/meminfo`
//! keeps working.

use std::fmt;
use std::path::{Component, Path, PathBuf};

/// The /proc files a regular file may be bound onto (runc's `validProcMounts`: what lxcfs
/// emulates). Not /proc/net/dev, which older runc listed: /proc/net is procfs's symlink to
/// self/net, whose per-task entries do not keep a mount (the bind cannot even be made private
/// or read-only: EINVAL); current runc dropped it too.
pub const LXCFS_PROC_FILES: &[&str] = &[
    "/proc/cpuinfo",
    "/proc/diskstats",
    "/proc/meminfo",
    "/proc/stat",
    "/proc/swaps",
    "/proc/uptime",
    "/proc/loadavg",
    "/proc/slabinfo",
    "/proc/sys/kernel/ns_last_pid",
    "/proc/sys/crypto/fips_enabled",
];

/// A kernel filesystem a container's own mounts must stay off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    Proc,
    Sys,
    DevPts,
}

impl Special {
    fn dir(self) -> &'static str {
        match self {
            Special::Proc => "/proc",
            Special::Sys => "/sys",
            Special::DevPts => "/dev/pts",
        }
    }

    /// The special directory `path` (normalized, absolute) is at or under.
    pub fn of_path(path: &Path) -> Option<Special> {
        [Special::Proc, Special::Sys, Special::DevPts]
            .into_iter()
            .find(|s| path.starts_with(s.dir()))
    }

    /// The special filesystem an `fstatfs` `f_type` names.
    pub fn of_magic(f_type: i64) -> Option<Special> {
        match f_type {
            x if x == libc::PROC_SUPER_MAGIC => Some(Special::Proc),
            x if x == libc::SYSFS_MAGIC => Some(Special::Sys),
            x if x == libc::DEVPTS_SUPER_MAGIC => Some(Special::DevPts),
            _ => None,
        }
    }
}

/// What is mounted: the lxcfs exception needs a bind of a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountKind {
    /// A bind mount whose source is a regular file (or anything that is not a directory).
    FileBind,
    /// A bind mount of a directory, or a volume.
    DirBind,
    Tmpfs,
}

/// A refused mount destination; its message is one line naming the destination and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The destination as the user gave it (normalized).
    pub destination: String,
    /// Where it really lands, when an image's symlink moved it.
    pub resolved: Option<String>,
    pub special: Special,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "mount destination {}", self.destination)?;
        match &self.resolved {
            Some(r) => write!(
                f,
                " resolves through a symlink in the image to {r}, which is inside {}",
                self.special.dir()
            )?,
            None => write!(f, " is inside {}", self.special.dir())?,
        }
        match self.special {
            Special::Proc => write!(
                f,
                ", where a mount would hide the kernel's files and defeat the container's masks: choose another container path (only a regular file may be bound onto {})",
                LXCFS_PROC_FILES.join(", ")
            ),
            Special::Sys | Special::DevPts => write!(
                f,
                ": choose another container path, or run the container with --privileged"
            ),
        }
    }
}

/// `path` as an absolute path without `.`, `..`, repeated or trailing slashes (`..` at the
/// root stays at the root), the way the kernel would walk it if no component were a symlink.
pub fn normalize(path: &str) -> PathBuf {
    let mut out = PathBuf::from("/");
    for c in Path::new(path).components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::ParentDir => {
                out.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    out
}

fn allowed(special: Special, destination: &Path, kind: MountKind, privileged: bool) -> bool {
    match special {
        Special::Proc => {
            kind == MountKind::FileBind
                && LXCFS_PROC_FILES.iter().any(|f| Path::new(f) == destination)
        }
        Special::Sys | Special::DevPts => privileged,
    }
}

/// Check a destination as given (`-v`, `--mount`, `--tmpfs`, `--volumes-from`, an image's
/// VOLUME), before anything is created.
pub fn check_destination(
    destination: &str,
    kind: MountKind,
    privileged: bool,
) -> Result<(), Refusal> {
    let dest = normalize(destination);
    match Special::of_path(&dest) {
        Some(special) if !allowed(special, &dest, kind, privileged) => Err(Refusal {
            destination: dest.display().to_string(),
            resolved: None,
            special,
        }),
        _ => Ok(()),
    }
}

/// Check where a destination really landed in the rootfs: `crossed` is the first special
/// directory the walk went through (image symlinks followed inside the rootfs), `resolved`
/// the path it ended at and `f_type` the filesystem of the target (or, for a target still to
/// be created, of its parent).
pub fn check_resolved(
    destination: &Path,
    resolved: &Path,
    crossed: Option<Special>,
    f_type: i64,
    kind: MountKind,
    privileged: bool,
) -> Result<(), Refusal> {
    let destination = normalize(&destination.to_string_lossy());
    let resolved = normalize(&resolved.to_string_lossy());
    for special in [
        crossed,
        Special::of_magic(f_type),
        Special::of_path(&resolved),
    ]
    .into_iter()
    .flatten()
    {
        // The lxcfs files are allowed only where they were asked for by name (/proc itself is
        // a real directory with berth's procfs on it, so the walk crosses no image symlink).
        if !allowed(special, &destination, kind, privileged) {
            return Err(Refusal {
                resolved: (resolved != destination).then(|| resolved.display().to_string()),
                destination: destination.display().to_string(),
                special,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_collapses_slashes_dots_and_dot_dots() {
        for (given, want) in [
            ("//proc", "/proc"),
            ("/proc/../proc/self", "/proc/self"),
            ("/./proc/", "/proc"),
            ("/proc/sys/", "/proc/sys"),
            ("/../../proc", "/proc"),
            ("/data//x/./y/..", "/data/x"),
            ("/", "/"),
        ] {
            assert_eq!(normalize(given), Path::new(want), "{given}");
        }
    }

    #[test]
    fn destinations_in_proc_are_refused_in_every_spelling() {
        for dest in [
            "/proc",
            "/proc/sys",
            "/proc/self",
            "/proc/keys",
            "//proc",
            "/proc/../proc/self",
            "/./proc/",
            "/proc/sys/kernel/",
            "/proc/1/attr/current",
        ] {
            for kind in [MountKind::FileBind, MountKind::DirBind, MountKind::Tmpfs] {
                for privileged in [false, true] {
                    let e = check_destination(dest, kind, privileged).unwrap_err();
                    assert_eq!(e.special, Special::Proc, "{dest}");
                    let msg = e.to_string();
                    assert!(msg.contains("inside /proc"), "{msg}");
                    assert!(msg.contains("choose another container path"), "{msg}");
                    assert!(!msg.contains('\n'));
                }
            }
        }
    }

    #[test]
    fn the_message_names_the_normalized_destination() {
        let msg = check_destination("/proc/../proc/self/", MountKind::DirBind, false)
            .unwrap_err()
            .to_string();
        assert!(
            msg.starts_with("mount destination /proc/self is inside /proc"),
            "{msg}"
        );
    }

    #[test]
    fn lxcfs_files_take_only_a_regular_file_bind() {
        for f in LXCFS_PROC_FILES {
            check_destination(f, MountKind::FileBind, false).unwrap();
            check_destination(&format!("{f}/"), MountKind::FileBind, false).unwrap();
            assert!(check_destination(f, MountKind::DirBind, false).is_err());
            assert!(check_destination(f, MountKind::Tmpfs, true).is_err());
        }
        assert!(check_destination("/proc/kcore", MountKind::FileBind, false).is_err());
        assert!(check_destination("/proc/cpuinfo/x", MountKind::FileBind, false).is_err());
    }

    #[test]
    fn sys_and_dev_pts_need_privileged() {
        for dest in [
            "/sys",
            "/sys/fs/cgroup",
            "/dev/pts",
            "/dev/pts/ptmx",
            "//sys/./kernel",
        ] {
            let e = check_destination(dest, MountKind::DirBind, false).unwrap_err();
            assert!(e.to_string().contains("--privileged"), "{e}");
            check_destination(dest, MountKind::DirBind, true).unwrap();
        }
    }

    #[test]
    fn neighbours_of_the_special_directories_are_fine() {
        for dest in [
            "/data",
            "/procfs",
            "/proc2/x",
            "/system",
            "/dev",
            "/dev/shm",
            "/dev/ptsx",
        ] {
            check_destination(dest, MountKind::DirBind, false).unwrap();
        }
    }

    #[test]
    fn a_symlink_into_proc_is_refused_where_it_lands() {
        let e = check_resolved(
            Path::new("/data"),
            Path::new("/proc/1"),
            Some(Special::Proc),
            libc::PROC_SUPER_MAGIC,
            MountKind::DirBind,
            true,
        )
        .unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("/data resolves through a symlink in the image to /proc/1"),
            "{msg}"
        );
        // The filesystem alone is enough (a procfs reached another way) ...
        assert!(check_resolved(
            Path::new("/data"),
            Path::new("/data"),
            None,
            libc::PROC_SUPER_MAGIC,
            MountKind::DirBind,
            false
        )
        .is_err());
        // ... and so is crossing /proc on the way somewhere else.
        assert!(check_resolved(
            Path::new("/data"),
            Path::new("/etc"),
            Some(Special::Proc),
            0x794c7630, // overlayfs
            MountKind::DirBind,
            false
        )
        .is_err());
    }

    #[test]
    fn resolved_lxcfs_files_pass_only_when_named_as_the_destination() {
        let ok = check_resolved(
            Path::new("/proc/meminfo"),
            Path::new("/proc/meminfo"),
            Some(Special::Proc),
            libc::PROC_SUPER_MAGIC,
            MountKind::FileBind,
            false,
        );
        assert!(ok.is_ok(), "{ok:?}");
        assert!(check_resolved(
            Path::new("/data/cpuinfo"),
            Path::new("/proc/cpuinfo"),
            Some(Special::Proc),
            libc::PROC_SUPER_MAGIC,
            MountKind::FileBind,
            false
        )
        .is_err());
    }

    #[test]
    fn sysfs_and_devpts_targets_need_privileged_at_runtime() {
        for (path, magic) in [
            ("/sys/kernel", libc::SYSFS_MAGIC),
            ("/dev/pts", libc::DEVPTS_SUPER_MAGIC),
        ] {
            let args = |privileged| {
                check_resolved(
                    Path::new("/data"),
                    Path::new(path),
                    Special::of_path(Path::new(path)),
                    magic,
                    MountKind::DirBind,
                    privileged,
                )
            };
            assert!(args(false).is_err(), "{path}");
            assert!(args(true).is_ok(), "{path}");
        }
        // An ordinary target on an ordinary filesystem.
        check_resolved(
            Path::new("/data"),
            Path::new("/srv/data"),
            None,
            0x01021994, // tmpfs
            MountKind::DirBind,
            false,
        )
        .unwrap();
    }
}
