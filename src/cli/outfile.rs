//! Files the user names with `-o FILE`: written beside the target and renamed into place, so a
//! failed command leaves whatever was there before untouched and never a half-written file.

use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::Context;

/// Run `write` on a fresh temporary file next to `path`; on success sync it and rename it over
/// `path`, on failure delete only the temporary file.
pub fn write_replacing(
    path: &Path,
    write: impl FnOnce(&mut File) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    // A device or FIFO (`-o /dev/stdout`) is written in place: there is nothing to preserve and
    // renaming over it would replace the node.
    if fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        let mut file = OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| format!("opening {}", path.display()))?;
        return write(&mut file);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| anyhow::anyhow!("-o {}: name a file", path.display()))?
        .to_string_lossy();
    let tmp = dir.join(format!(".{name}.berth-{:08x}", rand::random::<u32>()));
    let result = (|| -> anyhow::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .open(&tmp)
            .with_context(|| format!("creating {}", path.display()))?;
        write(&mut file)?;
        file.sync_all()
            .with_context(|| format!("writing {}", path.display()))?;
        fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_keeps_the_existing_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("keep.tar");
        fs::write(&target, b"user data").unwrap();
        let err = write_replacing(&target, |f| {
            std::io::Write::write_all(f, b"partial")?;
            anyhow::bail!("no such container")
        });
        assert!(err.is_err());
        assert_eq!(fs::read(&target).unwrap(), b"user data");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn successful_write_replaces_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.tar");
        fs::write(&target, b"old").unwrap();
        write_replacing(&target, |f| Ok(std::io::Write::write_all(f, b"new")?)).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new");
    }
}
