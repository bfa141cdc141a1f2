//! `diff`: what a container changed, read from its writable layer (the overlay upper dir)
//! against the image's layers. Shared with `commit`, which turns the same walk into a layer.

use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use super::Container;
use crate::engine::{Engine, EngineError, Result};

/// What happened to a path, as docker's `diff` prints it (A, C, D).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Changed,
    Deleted,
}

impl ChangeKind {
    pub fn letter(self) -> char {
        match self {
            ChangeKind::Added => 'A',
            ChangeKind::Changed => 'C',
            ChangeKind::Deleted => 'D',
        }
    }
}

/// One changed path (absolute, inside the container).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    pub path: String,
}

/// One entry of the upper dir, in the order a tar of it must have (parents first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpperEntry {
    /// A file, directory, link or device the container created or modified; `opaque` for a
    /// directory that hides everything the lower layers had in it.
    Present { rel: PathBuf, opaque: bool },
    /// A whiteout: the path was deleted.
    Whiteout { rel: PathBuf },
}

const OPAQUE_XATTRS: [&str; 2] = ["user.overlay.opaque", "trusted.overlay.opaque"];
const WHITEOUT_XATTRS: [&str; 2] = ["user.overlay.whiteout", "trusted.overlay.whiteout"];
/// fuse-overlayfs (and the OCI format) fall back to marker files where a 0/0 device can't be made.
const WH_PREFIX: &str = ".wh.";
const WH_OPAQUE: &str = ".wh..wh..opq";

fn has_xattr(path: &Path, names: &[&str], want: Option<&[u8]>) -> bool {
    let mut buf = [0u8; 8];
    names
        .iter()
        .any(|n| match rustix::fs::lgetxattr(path, *n, &mut buf) {
            Ok(len) => want.is_none_or(|w| &buf[..len] == w),
            Err(_) => false,
        })
}

/// Walk an overlay upper dir: every entry with its kind, parents before children, sorted by name.
pub fn walk_upper(upper: &Path) -> std::io::Result<Vec<UpperEntry>> {
    let mut out = Vec::new();
    walk_dir(upper, Path::new(""), &mut out)?;
    Ok(out)
}

fn walk_dir(upper: &Path, rel: &Path, out: &mut Vec<UpperEntry>) -> std::io::Result<()> {
    let mut names: Vec<_> = fs::read_dir(upper.join(rel))?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<std::io::Result<_>>()?;
    names.sort();
    for name in names {
        let name_str = name.to_string_lossy();
        if name_str == WH_OPAQUE {
            continue; // handled with its directory
        }
        if let Some(hidden) = name_str.strip_prefix(WH_PREFIX) {
            out.push(UpperEntry::Whiteout {
                rel: rel.join(hidden),
            });
            continue;
        }
        let entry_rel = rel.join(&name);
        let full = upper.join(&entry_rel);
        let meta = fs::symlink_metadata(&full)?;
        let ft = meta.file_type();
        let whiteout = (ft.is_char_device() && meta.rdev() == 0)
            || (ft.is_file() && meta.len() == 0 && has_xattr(&full, &WHITEOUT_XATTRS, None));
        if whiteout {
            out.push(UpperEntry::Whiteout { rel: entry_rel });
            continue;
        }
        if ft.is_dir() {
            let opaque = has_xattr(&full, &OPAQUE_XATTRS, Some(b"y"))
                || full.join(WH_OPAQUE).symlink_metadata().is_ok();
            out.push(UpperEntry::Present {
                rel: entry_rel.clone(),
                opaque,
            });
            walk_dir(upper, &entry_rel, out)?;
        } else {
            out.push(UpperEntry::Present {
                rel: entry_rel,
                opaque: false,
            });
        }
    }
    Ok(())
}

/// Whether `rel` is visible in the stack of lower layer dirs (topmost first).
fn in_lowers(lowers: &[PathBuf], rel: &Path) -> bool {
    for lower in lowers {
        // A whiteout or an opaque parent in a higher layer hides what lies below.
        let p = lower.join(rel);
        if let Ok(meta) = fs::symlink_metadata(&p) {
            let wh = meta.file_type().is_char_device() && meta.rdev() == 0;
            return !wh;
        }
        if let (Some(parent), Some(name)) = (rel.parent(), rel.file_name()) {
            let marker = lower
                .join(parent)
                .join(format!("{WH_PREFIX}{}", name.to_string_lossy()));
            if marker.symlink_metadata().is_ok() {
                return false;
            }
            let dir = lower.join(parent);
            if has_xattr(&dir, &OPAQUE_XATTRS, Some(b"y")) && parent != Path::new("") {
                return false;
            }
        }
    }
    false
}

/// The changes of an upper dir against its lower layers, as docker's `diff` lists them.
pub fn changes(upper: &Path, lowers: &[PathBuf]) -> std::io::Result<Vec<Change>> {
    let mut out = Vec::new();
    for entry in walk_upper(upper)? {
        let (kind, rel) = match entry {
            UpperEntry::Whiteout { rel } => (ChangeKind::Deleted, rel),
            UpperEntry::Present { rel, opaque } => {
                let existed = in_lowers(lowers, &rel);
                if opaque && existed {
                    // Everything the image had below an opaque directory is gone.
                    for lower in lowers {
                        if let Ok(rd) = fs::read_dir(lower.join(&rel)) {
                            for e in rd.flatten() {
                                let child = rel.join(e.file_name());
                                if !upper.join(&child).exists()
                                    && upper.join(&child).symlink_metadata().is_err()
                                {
                                    out.push(Change {
                                        kind: ChangeKind::Deleted,
                                        path: format!("/{}", child.display()),
                                    });
                                }
                            }
                        }
                    }
                }
                let kind = if existed {
                    ChangeKind::Changed
                } else {
                    ChangeKind::Added
                };
                (kind, rel)
            }
        };
        out.push(Change {
            kind,
            path: format!("/{}", rel.display()),
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out.dedup();
    Ok(out)
}

impl Engine {
    /// The container's upper dir and its image's layer dirs (topmost first); an error for the
    /// vfs driver, which keeps no separate writable layer.
    pub(crate) fn writable_layer(&self, c: &Container) -> Result<(PathBuf, Vec<PathBuf>)> {
        if !self.store.driver().is_layered() {
            return Err(EngineError::Invalid(format!(
                "container {}: the vfs storage driver keeps no separate writable layer; use the overlay or fuse-overlayfs driver",
                c.record.name
            )));
        }
        let image = self.find_image(&c.record.image_id)?;
        let lowers = image
            .layers
            .iter()
            .rev()
            .map(|l| self.store.layer_diff(&l.chain_id))
            .collect();
        Ok((self.store.container_dir(&c.record.id).join("upper"), lowers))
    }

    /// `diff`: the paths the container added, changed or deleted.
    pub fn container_diff(&self, name: &str) -> Result<Vec<Change>> {
        let c = self.find_container(name)?;
        let (upper, lowers) = self.writable_layer(&c)?;
        changes(&upper, &lowers).map_err(|source| EngineError::Io {
            context: format!("reading the writable layer of container {}", c.record.name),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(v: &[Change]) -> Vec<String> {
        v.iter()
            .map(|c| format!("{} {}", c.kind.letter(), c.path))
            .collect()
    }

    #[test]
    fn new_files_are_added_existing_ones_changed_and_marker_whiteouts_deleted() {
        let t = tempfile::tempdir().unwrap();
        let lower = t.path().join("lower");
        let upper = t.path().join("upper");
        fs::create_dir_all(lower.join("etc")).unwrap();
        fs::write(lower.join("etc/passwd"), "x").unwrap();
        fs::write(lower.join("gone"), "x").unwrap();
        fs::create_dir_all(upper.join("etc")).unwrap();
        fs::write(upper.join("etc/passwd"), "y").unwrap();
        fs::write(upper.join("etc/new"), "y").unwrap();
        fs::write(upper.join(".wh.gone"), "").unwrap();
        let got = changes(&upper, &[lower]).unwrap();
        assert_eq!(
            kinds(&got),
            vec!["C /etc", "A /etc/new", "C /etc/passwd", "D /gone"]
        );
    }

    #[test]
    fn an_opaque_directory_deletes_what_the_image_had_in_it() {
        let t = tempfile::tempdir().unwrap();
        let lower = t.path().join("lower");
        let upper = t.path().join("upper");
        fs::create_dir_all(lower.join("d")).unwrap();
        fs::write(lower.join("d/old"), "x").unwrap();
        fs::create_dir_all(upper.join("d")).unwrap();
        fs::write(upper.join("d/.wh..wh..opq"), "").unwrap();
        fs::write(upper.join("d/new"), "y").unwrap();
        let got = changes(&upper, &[lower]).unwrap();
        assert_eq!(kinds(&got), vec!["C /d", "A /d/new", "D /d/old"]);
    }
}
