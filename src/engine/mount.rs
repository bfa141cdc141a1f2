//! `mount` / `unmount`: a container's filesystem (image layers and writable layer) mounted
//! read-write at its `merged` directory, in the caller's mount namespace, for tools that want
//! to work on it directly. Rootless, that namespace must be a `berth unshare` one: each berth
//! command otherwise gets a fresh namespace, and the mount would vanish with it. The number of
//! outstanding mounts is kept in the container's state so a second `mount` reuses the first and
//! only the last `unmount` unmounts.

use std::path::{Path, PathBuf};

use super::container::export::mount_overlay;
use super::container::Container;
use super::{Engine, EngineError, Result};
use crate::store::Driver;

/// Whether `path` is a mount point in this mount namespace.
fn is_mount_point(path: &Path) -> bool {
    let Ok(info) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return false;
    };
    let want = path.to_string_lossy();
    // Field 5 is the mount point, with spaces and the like octal-escaped.
    info.lines().any(|l| {
        l.split(' ')
            .nth(4)
            .is_some_and(|m| m.replace("\\040", " ") == want)
    })
}

impl Engine {
    fn merged_dir(&self, c: &Container) -> PathBuf {
        self.store.container_dir(&c.record.id).join("merged")
    }

    /// Mount the container's filesystem (or count one more user of the mount already there)
    /// and return where it is.
    pub fn mount_container(&self, name: &str) -> Result<PathBuf> {
        let c = self.find_container(name)?;
        let dir = self.store.container_dir(&c.record.id);
        if self.store.driver() == Driver::Vfs {
            // The vfs driver keeps the container's filesystem as a plain directory.
            return Ok(dir.join("rootfs"));
        }
        let merged = self.merged_dir(&c);
        if !is_mount_point(&merged) {
            let (upper, lowers) = self.writable_layer(&c)?;
            std::fs::create_dir_all(&merged).map_err(|source| EngineError::Io {
                context: format!("creating {}", merged.display()),
                source,
            })?;
            // mount_overlay works from the layers directory (short relative lowerdirs).
            let cwd = std::env::current_dir().ok();
            let mounted = mount_overlay(
                &self.store.root().join("layers"),
                &lowers,
                &merged,
                self.ident.rootless,
                Some((&upper, &dir.join("work"))),
            );
            if let Some(cwd) = cwd {
                let _ = std::env::set_current_dir(cwd);
            }
            mounted.map_err(|source| EngineError::Io {
                context: format!("mounting container {}", c.record.name),
                source,
            })?;
            // A count left by a namespace that is gone counts nothing here.
            self.store
                .update_container_state(&c.record.id, |s| s.mount_count = 0)?;
        }
        self.store
            .update_container_state(&c.record.id, |s| s.mount_count += 1)?;
        Ok(merged)
    }

    /// One `unmount` (every one with `force`); the filesystem is unmounted when none is left.
    /// Returns whether it is still mounted.
    pub fn unmount_container(&self, name: &str, force: bool) -> Result<bool> {
        let c = self.find_container(name)?;
        if self.store.driver() == Driver::Vfs {
            return Ok(false);
        }
        let merged = self.merged_dir(&c);
        if !is_mount_point(&merged) {
            return Err(EngineError::Invalid(format!(
                "container {} is not mounted here; `berth mount {}` it first (inside `berth unshare` when rootless)",
                c.record.name, c.record.name
            )));
        }
        let mut left = 0;
        self.store.update_container_state(&c.record.id, |s| {
            s.mount_count = if force {
                0
            } else {
                s.mount_count.saturating_sub(1)
            };
            left = s.mount_count;
        })?;
        if left == 0 {
            rustix::mount::unmount(&merged, rustix::mount::UnmountFlags::empty()).map_err(|e| {
                EngineError::Io {
                    context: format!(
                        "unmounting container {} (is a process still using {}?)",
                        c.record.name,
                        merged.display()
                    ),
                    source: e.into(),
                }
            })?;
        }
        Ok(left > 0)
    }

    /// The containers mounted in this mount namespace, with where.
    pub fn mounted_containers(&self) -> Result<Vec<(Container, PathBuf)>> {
        Ok(self
            .list_containers()?
            .into_iter()
            .filter_map(|c| {
                let m = self.merged_dir(&c);
                is_mount_point(&m).then_some((c, m))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_a_mount_point_and_a_plain_directory_is_not() {
        assert!(is_mount_point(Path::new("/")));
        assert!(!is_mount_point(
            &std::env::temp_dir().join("berth-surely-not-mounted")
        ));
    }
}
