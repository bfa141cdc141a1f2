//! The on-disk store: content-addressed blobs, unpacked layers keyed by chain ID, image records.
//!
//! ```text
//! <root>/driver                 storage driver chosen when the store was created
//! <root>/images.json            every image record, replaced atomically under locks/images.lock
//! <root>/blobs/sha256/<hex>     manifests, configs and compressed layers, verified before commit
//! <root>/layers/<chain-hex>/    diff/ (the unpacked layer) + layer.json (written last: the commit mark)
//! <root>/locks/                 flock files: images.lock, layer-<hex>.lock, blob-<hex>.lock
//! <root>/volumes/<name>/      _data/ + volume.json (see volumes.rs)
//! <root>/tmp/<name>/            work in progress, each guarded by tmp/<name>.lock while its owner lives
//! <root>/reserve                a few MB set aside while there is room, given up by the commands
//!                               that free space (rm, prune, reset, a monitor recording an exit)
//!                               when the disk is full, so they can still write their records
//! ```
//! Nothing becomes visible except by an atomic rename, so a SIGKILL at any moment leaves at
//! worst some orphaned entries in tmp/, which the next command removes.

pub mod atomic;
pub mod containers;
pub mod images;
pub mod layers;
pub mod lock;
pub mod networks;
pub mod volumes;

use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use thiserror::Error;

pub use images::{ImageDb, ImageRecord, LayerRef};
pub use layers::LayerRecord;
use lock::FileLock;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cannot use the store at {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    /// A record file that cannot be parsed; `fix` says what repairs it (it depends on the file).
    #[error("{path} is corrupt: {reason}; {fix}")]
    CorruptDb {
        path: PathBuf,
        reason: String,
        fix: String,
    },
    /// ENOSPC (or EDQUOT) while writing in the store.
    #[error("no space left on device writing {path}: {hint}", hint = NO_SPACE_HINT)]
    NoSpace { path: PathBuf },
    #[error("layer {chain_id} is damaged: {reason} (remove the image with `berth rmi -f` and pull it again)")]
    CorruptLayer { chain_id: String, reason: String },
    #[error("blob {digest} is not in the store (pull the image again)")]
    BlobMissing { digest: String },
    /// A caller's own error, carried out of an `ImageDb::update` closure.
    #[error("{0}")]
    Aborted(Box<dyn std::error::Error + Send + Sync>),
    #[error("the store at {path} was created with the {existing} driver; pass --storage-driver {existing} or use another --root")]
    DriverMismatch { path: PathBuf, existing: String },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The names in a directory of records; none when the directory was never made.
pub(crate) fn entry_names(dir: &Path) -> Result<Vec<std::ffi::OsString>> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(dir)(e)),
    };
    entries
        .map(|e| e.map(|e| e.file_name()).map_err(io_err(dir)))
        .collect()
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| {
        if is_no_space(&source) {
            StoreError::NoSpace {
                path: path.to_path_buf(),
            }
        } else {
            StoreError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    }
}

/// Whether a write failed for want of space (the disk, or the user's quota, is full).
pub fn is_no_space(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ENOSPC) | Some(libc::EDQUOT))
}

/// What frees space, for every error about a full disk.
pub const NO_SPACE_HINT: &str = "remove containers (`berth rm -f NAME`, `berth container prune`) or images (`berth system prune -a`), or free space on that filesystem";

/// The size of `<root>/reserve`: enough for the records a removal rewrites.
pub const RESERVE_BYTES: u64 = 4 << 20;

/// How layers are laid out on disk, and so how containers will mount them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    /// Kernel overlayfs (mounted with `userxattr` inside the user namespace).
    Overlay,
    /// fuse-overlayfs: same on-disk layers as overlay.
    FuseOverlayfs,
    /// Every layer is a full copy of its parent with the changes applied.
    Vfs,
}

impl Driver {
    pub fn name(self) -> &'static str {
        match self {
            Driver::Overlay => "overlay",
            Driver::FuseOverlayfs => "fuse-overlayfs",
            Driver::Vfs => "vfs",
        }
    }

    pub fn parse(s: &str) -> Option<Driver> {
        match s.trim() {
            "overlay" | "overlay2" => Some(Driver::Overlay),
            "fuse-overlayfs" => Some(Driver::FuseOverlayfs),
            "vfs" => Some(Driver::Vfs),
            _ => None,
        }
    }

    /// Whether each layer directory holds only its own changes (overlay-style whiteouts).
    pub fn is_layered(self) -> bool {
        !matches!(self, Driver::Vfs)
    }
}

#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    driver: Driver,
    /// Set by commands that free space: on ENOSPC they may give up the reserve and retry.
    freeing: std::sync::atomic::AtomicBool,
}

/// A directory under tmp/ that belongs to this process until it is committed or dropped.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
    _lock: FileLock,
    keep: bool,
}

impl TempDir {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Hand the directory over (it was renamed elsewhere); only the lock file goes.
    pub fn disarm(mut self) {
        self.keep = true;
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = remove_tree(&self.path);
        }
        let _ = fs::remove_file(lock_path_for(&self.path));
    }
}

fn lock_path_for(tmp: &Path) -> PathBuf {
    let mut p = tmp.as_os_str().to_owned();
    p.push(".lock");
    PathBuf::from(p)
}

/// Remove a file or directory tree, making directories writable on the way (layers hold
/// read-only directories that would otherwise refuse to be emptied).
pub fn remove_tree(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if !meta.is_dir() {
        return fs::remove_file(path);
    }
    match fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(_) => {
            fs::set_permissions(path, fs::Permissions::from_mode(0o700))?;
            for entry in fs::read_dir(path)? {
                let entry = entry?;
                remove_tree(&entry.path())?;
            }
            fs::remove_dir(path)
        }
    }
}

impl Store {
    /// Open (creating if needed) the store at `root`. `driver` is the driver wanted for a new
    /// store (detected or from --storage-driver); an existing store keeps the one it was made with.
    pub fn open(
        root: &Path,
        driver: impl FnOnce(&Path) -> Driver,
        forced: Option<Driver>,
    ) -> Result<Store> {
        for sub in ["", "blobs/sha256", "layers", "locks", "tmp"] {
            let p = root.join(sub);
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&p)
                .map_err(io_err(&p))?;
        }
        let driver_file = root.join("driver");
        let driver = match fs::read_to_string(&driver_file) {
            Ok(s) => {
                let existing = Driver::parse(&s).ok_or_else(|| StoreError::CorruptDb {
                    path: driver_file.clone(),
                    reason: format!("unknown driver {:?}", s.trim()),
                    fix: format!(
                        "write the driver the store was made with (overlay, fuse-overlayfs or vfs) into it, e.g. `echo overlay > {}`",
                        driver_file.display()
                    ),
                })?;
                if let Some(f) = forced {
                    if f != existing {
                        return Err(StoreError::DriverMismatch {
                            path: root.to_path_buf(),
                            existing: existing.name().into(),
                        });
                    }
                }
                existing
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let _guard =
                    FileLock::exclusive(&root.join("locks/images.lock")).map_err(io_err(root))?;
                match fs::read_to_string(&driver_file)
                    .ok()
                    .and_then(|s| Driver::parse(&s))
                {
                    Some(d) => d,
                    None => {
                        let d = forced.unwrap_or_else(|| driver(root));
                        atomic::write_atomic(&driver_file, d.name().as_bytes(), 0o600)
                            .map_err(io_err(&driver_file))?;
                        d
                    }
                }
            }
            Err(e) => {
                return Err(StoreError::Io {
                    path: driver_file,
                    source: e,
                })
            }
        };
        let store = Store {
            root: root.to_path_buf(),
            driver,
            freeing: std::sync::atomic::AtomicBool::new(false),
        };
        store.clean_tmp();
        store.ensure_reserve();
        Ok(store)
    }

    fn reserve_path(&self) -> PathBuf {
        self.root.join("reserve")
    }

    /// Set the reserve aside again when it is missing and there is plenty of room.
    fn ensure_reserve(&self) {
        let path = self.reserve_path();
        if path.exists() {
            return;
        }
        let Ok(fs) = rustix::fs::statvfs(&self.root) else {
            return;
        };
        if fs.f_bavail.saturating_mul(fs.f_frsize) < 4 * RESERVE_BYTES {
            return;
        }
        // Under tmp/: what a killed command leaves there is removed by the next one.
        let tmp = self
            .root
            .join("tmp")
            .join(format!("reserve-{}", std::process::id()));
        let made = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .and_then(|f| {
                rustix::fs::fallocate(&f, rustix::fs::FallocateFlags::empty(), 0, RESERVE_BYTES)?;
                Ok(())
            })
            .and_then(|()| fs::rename(&tmp, &path));
        if made.is_err() {
            let _ = fs::remove_file(&tmp);
        }
    }

    /// Let this command give up the reserve when the disk is full: for commands that free
    /// space (rm, prune, reset) and for a monitor recording its container's exit.
    pub fn allow_reserve(&self) {
        self.freeing
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Give up the reserve (if this command may); whether there was one to give up.
    fn release_reserve(&self) -> bool {
        self.freeing.load(std::sync::atomic::Ordering::Relaxed)
            && fs::remove_file(self.reserve_path()).is_ok()
    }

    /// Replace a record file atomically (temp file, rename; `durable`: fsynced). On a full
    /// disk a command that frees space gives up the reserve and tries again; otherwise the
    /// error says what to remove.
    pub fn write_record(&self, path: &Path, data: &[u8], durable: bool) -> Result<()> {
        let write = || {
            if durable {
                atomic::write_atomic(path, data, 0o600)
            } else {
                atomic::write_replace(path, data, 0o600)
            }
        };
        match write() {
            Err(e) if is_no_space(&e) && self.release_reserve() => write().map_err(io_err(path)),
            r => r.map_err(io_err(path)),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn driver(&self) -> Driver {
        self.driver
    }

    pub fn blob_path(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
        self.root.join("blobs/sha256").join(hex)
    }

    pub fn has_blob(&self, digest: &str) -> bool {
        self.blob_path(digest).is_file()
    }

    pub fn read_blob(&self, digest: &str) -> Result<Vec<u8>> {
        let p = self.blob_path(digest);
        fs::read(&p).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => StoreError::BlobMissing {
                digest: digest.into(),
            },
            _ => StoreError::Io {
                path: p.clone(),
                source: e,
            },
        })
    }

    /// Store small bytes (manifest, config) under their digest; the caller verified the digest.
    pub fn put_blob(&self, digest: &str, data: &[u8]) -> Result<()> {
        let p = self.blob_path(digest);
        if p.is_file() {
            return Ok(());
        }
        self.write_record(&p, data, true)
    }

    /// Names of every file under blobs/sha256/: digests' hex, and any temp file a killed
    /// write left there.
    pub fn blob_names(&self) -> Result<Vec<String>> {
        let dir = self.root.join("blobs/sha256");
        let mut out = Vec::new();
        for e in fs::read_dir(&dir).map_err(io_err(&dir))? {
            let e = e.map_err(io_err(&dir))?;
            out.push(e.file_name().to_string_lossy().into_owned());
        }
        out.sort();
        Ok(out)
    }

    /// Remove one file under blobs/sha256/ by name. Returns whether it was there. The caller
    /// holds the sweep guard (or knows no image uses the blob).
    pub fn remove_blob_file(&self, name: &str) -> Result<bool> {
        let p = self.root.join("blobs/sha256").join(name);
        match fs::remove_file(&p) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(StoreError::Io { path: p, source: e }),
        }
    }

    /// Move a fully downloaded and verified (and fsynced) file into the blob store.
    pub fn commit_blob_file(&self, digest: &str, file: &Path) -> Result<()> {
        let p = self.blob_path(digest);
        fs::rename(file, &p).map_err(io_err(&p))?;
        atomic::sync_dir(p.parent().expect("blob dir")).map_err(io_err(&p))
    }

    pub fn lock_path(&self, name: &str) -> PathBuf {
        self.root.join("locks").join(format!("{name}.lock"))
    }

    pub fn lock_exclusive(&self, name: &str) -> Result<FileLock> {
        let p = self.lock_path(name);
        FileLock::exclusive(&p).map_err(io_err(&p))
    }

    pub fn lock_shared(&self, name: &str) -> Result<FileLock> {
        let p = self.lock_path(name);
        FileLock::shared(&p).map_err(io_err(&p))
    }

    /// A container's lifecycle lock: held across each whole transition (start: until the
    /// container runs or failed; removal: from the last look at its state until it is gone),
    /// so that `rm -f` of a starting container waits for the start instead of removing the
    /// record under a process that goes on running.
    pub fn lifecycle_lock(&self, id: &str) -> Result<FileLock> {
        self.lock_exclusive(&format!("lifecycle-{id}"))
    }

    /// Forget a removed container's lock files (called with the lifecycle lock held: a command
    /// waiting on it then finds the container gone; the state lock guards a state.json that no
    /// longer exists).
    pub fn forget_container_locks(&self, id: &str) {
        let _ = std::fs::remove_file(self.lock_path(&format!("container-{id}")));
        let _ = std::fs::remove_file(self.lock_path(&format!("lifecycle-{id}")));
    }

    /// The ids of `locks/container-<id>.lock` and `locks/lifecycle-<id>.lock` files.
    pub fn container_lock_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = entry_names(&self.root.join("locks"))
            .unwrap_or_default()
            .into_iter()
            .filter_map(|n| {
                let n = n.to_str()?.strip_suffix(".lock")?;
                let id = n
                    .strip_prefix("container-")
                    .or_else(|| n.strip_prefix("lifecycle-"))?;
                (id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()))
                    .then(|| id.to_string())
            })
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Held (shared) by every command that adds content to the store (pull, load, import,
    /// commit) from before its first blob or layer is written until its image is registered.
    /// A sweep for unreferenced layers and blobs takes it exclusively, so it never mistakes the
    /// half-written content of a running command for garbage.
    pub fn ingest_guard(&self) -> Result<FileLock> {
        self.lock_shared("ingest")
    }

    /// The exclusive side of [`Store::ingest_guard`]: `None` while any command is adding content.
    pub fn try_sweep_guard(&self) -> Result<Option<FileLock>> {
        let p = self.lock_path("ingest");
        FileLock::try_exclusive(&p).map_err(io_err(&p))
    }

    /// A new private work directory under tmp/.
    pub fn temp_dir(&self, purpose: &str) -> Result<TempDir> {
        let path = self
            .root
            .join("tmp")
            .join(format!("{purpose}-{:016x}", rand::random::<u64>()));
        let lock = FileLock::exclusive(&lock_path_for(&path)).map_err(io_err(&path))?;
        fs::DirBuilder::new()
            .mode(0o700)
            .create(&path)
            .map_err(io_err(&path))?;
        Ok(TempDir {
            path,
            _lock: lock,
            keep: false,
        })
    }

    /// Remove what killed commands left in tmp/: every entry whose lock nobody holds.
    fn clean_tmp(&self) {
        let tmp = self.root.join("tmp");
        let Ok(entries) = fs::read_dir(&tmp) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "lock") {
                continue;
            }
            let lock_path = lock_path_for(&path);
            if let Ok(Some(_held)) = FileLock::try_exclusive(&lock_path) {
                let _ = remove_tree(&path);
                let _ = fs::remove_file(&lock_path);
            }
        }
        // Lock files whose directory is gone (killed between the two removals).
        if let Ok(entries) = fs::read_dir(&tmp) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "lock")
                    && !path.with_extension("").exists()
                {
                    if let Ok(Some(_held)) = FileLock::try_exclusive(&path) {
                        let _ = fs::remove_file(&path);
                    }
                }
            }
        }
    }

    pub fn images(&self) -> ImageDb<'_> {
        ImageDb::new(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(dir: &Path) -> Store {
        Store::open(dir, |_| Driver::Vfs, None).unwrap()
    }

    #[test]
    fn a_reserve_is_set_aside_and_given_up_only_by_commands_that_free_space() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path());
        let reserve = dir.path().join("reserve");
        let Ok(m) = fs::metadata(&reserve) else {
            // Not enough room where the tests run: nothing to check.
            return;
        };
        assert_eq!(m.len(), RESERVE_BYTES);
        assert!(
            !s.release_reserve(),
            "a command that frees nothing keeps it"
        );
        assert!(reserve.exists());
        s.allow_reserve();
        assert!(s.release_reserve());
        assert!(!reserve.exists());
        store(dir.path());
        assert!(reserve.exists(), "set aside again once there is room");
    }

    #[test]
    fn no_space_is_one_line_saying_what_to_remove() {
        let e = io_err(Path::new("/s/containers.json"))(io::Error::from_raw_os_error(libc::ENOSPC));
        let text = e.to_string();
        assert!(text.starts_with("no space left on device writing /s/containers.json: "));
        assert!(
            text.contains("berth system prune") && !text.contains('\n'),
            "{text}"
        );
    }

    #[test]
    fn a_damaged_driver_file_is_named_with_a_fix_that_works() {
        let dir = tempfile::tempdir().unwrap();
        store(dir.path());
        fs::write(dir.path().join("driver"), "bogus\n").unwrap();
        let err = Store::open(dir.path(), |_| Driver::Vfs, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("driver is corrupt"), "{err}");
        assert!(err.contains("echo overlay >"), "{err}");
        assert!(
            !err.contains("image database") && !err.contains("berth pull"),
            "{err}"
        );
        fs::write(dir.path().join("driver"), "vfs\n").unwrap();
        assert_eq!(store(dir.path()).driver(), Driver::Vfs);
    }

    #[test]
    fn open_creates_layout_and_remembers_driver() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path(), |_| Driver::Overlay, None).unwrap();
        assert_eq!(s.driver(), Driver::Overlay);
        for sub in ["blobs/sha256", "layers", "locks", "tmp"] {
            assert!(dir.path().join(sub).is_dir(), "{sub}");
        }
        let again = Store::open(dir.path(), |_| Driver::Vfs, None).unwrap();
        assert_eq!(
            again.driver(),
            Driver::Overlay,
            "existing store keeps its driver"
        );
    }

    #[test]
    fn open_refuses_a_forced_driver_different_from_the_stores() {
        let dir = tempfile::tempdir().unwrap();
        store(dir.path());
        let err = Store::open(dir.path(), |_| Driver::Vfs, Some(Driver::Overlay)).unwrap_err();
        assert!(
            err.to_string().contains("created with the vfs driver"),
            "{err}"
        );
    }

    #[test]
    fn open_removes_tmp_entries_left_by_dead_commands_but_not_live_ones() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path());
        let live = s.temp_dir("pull").unwrap();
        let dead = dir.path().join("tmp/pull-dead");
        fs::create_dir_all(dead.join("diff/sub")).unwrap();
        fs::write(dead.join("diff/sub/f"), b"x").unwrap();
        let _ = store(dir.path());
        assert!(!dead.exists(), "stale temp dir removed");
        assert!(live.path().exists(), "temp dir of a live command kept");
        let p = live.path().to_path_buf();
        drop(live);
        assert!(!p.exists());
    }

    #[test]
    fn remove_tree_empties_read_only_directories() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("t");
        fs::create_dir_all(t.join("ro")).unwrap();
        fs::write(t.join("ro/f"), b"x").unwrap();
        fs::set_permissions(t.join("ro"), fs::Permissions::from_mode(0o500)).unwrap();
        remove_tree(&t).unwrap();
        assert!(!t.exists());
    }
}
