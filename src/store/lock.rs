//! Advisory file locks (flock): how concurrent berth processes coordinate without a daemon.
//! A lock dies with its process, so a SIGKILLed command never leaves the store locked.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use rustix::fs::{flock, FlockOperation};

#[derive(Debug)]
pub struct FileLock {
    file: File,
    path: PathBuf,
}

impl FileLock {
    fn open(path: &Path) -> io::Result<File> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)
    }

    /// Block until the exclusive lock on `path` is held.
    pub fn exclusive(path: &Path) -> io::Result<FileLock> {
        let file = Self::open(path)?;
        flock(&file, FlockOperation::LockExclusive)?;
        Ok(FileLock {
            file,
            path: path.to_path_buf(),
        })
    }

    /// Block until a shared lock on `path` is held.
    pub fn shared(path: &Path) -> io::Result<FileLock> {
        let file = Self::open(path)?;
        flock(&file, FlockOperation::LockShared)?;
        Ok(FileLock {
            file,
            path: path.to_path_buf(),
        })
    }

    /// Take the exclusive lock only if nobody holds the file locked.
    pub fn try_exclusive(path: &Path) -> io::Result<Option<FileLock>> {
        let file = Self::open(path)?;
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => Ok(Some(FileLock {
                file,
                path: path.to_path_buf(),
            })),
            Err(e) if e == rustix::io::Errno::WOULDBLOCK => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Turn an exclusive lock into a shared one without a window where it is unlocked for writers
    /// of the same kind (flock conversion is not atomic in general, but no exclusive waiter can
    /// observe an incomplete state because the protected object is already complete).
    pub fn downgrade(&self) -> io::Result<()> {
        flock(&self.file, FlockOperation::LockShared)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusive_lock_blocks_try_lock_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l.lock");
        let held = FileLock::exclusive(&p).unwrap();
        assert!(FileLock::try_exclusive(&p).unwrap().is_none());
        drop(held);
        assert!(FileLock::try_exclusive(&p).unwrap().is_some());
    }

    #[test]
    fn shared_locks_coexist_but_exclude_writers() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("l.lock");
        let a = FileLock::shared(&p).unwrap();
        let b = FileLock::shared(&p).unwrap();
        assert!(FileLock::try_exclusive(&p).unwrap().is_none());
        drop((a, b));
        assert!(FileLock::try_exclusive(&p).unwrap().is_some());
    }
}
