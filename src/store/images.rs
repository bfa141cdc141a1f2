//! Image records: one JSON document replaced atomically, read and written under a file lock.

use std::fs;
use std::io;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::lock::FileLock;
use super::{Result, Store, StoreError};

/// A layer as an image uses it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LayerRef {
    pub chain_id: String,
    pub diff_id: String,
    /// Digest and size of the blob as the registry served it (kept, so a push can reuse it).
    pub digest: String,
    pub size: u64,
    pub media_type: String,
    /// Bytes of file content once unpacked.
    pub unpacked_size: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ImageRecord {
    /// Hex of the config digest: the image ID.
    pub id: String,
    /// Canonical names, e.g. "docker.io/library/busybox:latest".
    #[serde(default)]
    pub names: Vec<String>,
    /// Repository digests, e.g. "docker.io/library/busybox@sha256:…" (the digest the registry
    /// serves under the tag: the index's for a multi-platform image).
    #[serde(default)]
    pub digests: Vec<String>,
    pub manifest_digest: String,
    pub manifest_media_type: String,
    pub config_digest: String,
    pub layers: Vec<LayerRef>,
    /// When the image was built (from its config).
    #[serde(default)]
    pub created: Option<DateTime<Utc>>,
    /// When this record was created locally.
    pub added: DateTime<Utc>,
    /// Bytes of the unpacked layers.
    pub size: u64,
}

impl ImageRecord {
    pub fn config_digest(&self) -> String {
        format!("sha256:{}", self.id)
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct DbFile {
    images: Vec<ImageRecord>,
}

/// Access to `images.json`.
pub struct ImageDb<'s> {
    store: &'s Store,
}

impl<'s> ImageDb<'s> {
    pub(super) fn new(store: &'s Store) -> Self {
        ImageDb { store }
    }

    fn path(&self) -> std::path::PathBuf {
        self.store.root().join("images.json")
    }

    fn read_unlocked(&self) -> Result<Vec<ImageRecord>> {
        let path = self.path();
        match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice::<DbFile>(&bytes)
                .map(|db| db.images)
                .map_err(|e| StoreError::CorruptDb {
                    reason: e.to_string(),
                    fix: format!(
                        "move it aside (`mv {p} {p}.damaged`) and pull your images again: pulls reuse the layers still in the store",
                        p = path.display()
                    ),
                    path,
                }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(StoreError::Io { path, source: e }),
        }
    }

    fn write_unlocked(&self, images: Vec<ImageRecord>) -> Result<()> {
        let path = self.path();
        let bytes = serde_json::to_vec_pretty(&DbFile { images }).expect("image records serialize");
        self.store.write_record(&path, &bytes, true)
    }

    fn lock(&self, exclusive: bool) -> Result<FileLock> {
        if exclusive {
            self.store.lock_exclusive("images")
        } else {
            self.store.lock_shared("images")
        }
    }

    /// All image records, newest first.
    pub fn list(&self) -> Result<Vec<ImageRecord>> {
        let _guard = self.lock(false)?;
        let mut images = self.read_unlocked()?;
        images.sort_by_key(|i| std::cmp::Reverse(i.added));
        Ok(images)
    }

    /// Read-modify-write the records under the exclusive lock. `f` returns a value for the caller;
    /// nothing is written when it fails.
    pub fn update<T>(&self, f: impl FnOnce(&mut Vec<ImageRecord>) -> Result<T>) -> Result<T> {
        let _guard = self.lock(true)?;
        let mut images = self.read_unlocked()?;
        let out = f(&mut images)?;
        self.write_unlocked(images)?;
        Ok(out)
    }

    /// Register a pulled image: merge with an existing record of the same ID, and move its
    /// names away from any other image (which becomes dangling, as with docker).
    pub fn register(&self, mut record: ImageRecord) -> Result<ImageRecord> {
        self.update(|images| {
            for other in images.iter_mut().filter(|i| i.id != record.id) {
                other.names.retain(|n| !record.names.contains(n));
            }
            if let Some(existing) = images.iter_mut().find(|i| i.id == record.id) {
                for n in record.names.drain(..) {
                    if !existing.names.contains(&n) {
                        existing.names.push(n);
                    }
                }
                for d in record.digests.drain(..) {
                    if !existing.digests.contains(&d) {
                        existing.digests.push(d);
                    }
                }
                existing.added = record.added;
                Ok(existing.clone())
            } else {
                images.push(record.clone());
                Ok(record)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Driver;

    fn record(id: &str, names: &[&str]) -> ImageRecord {
        ImageRecord {
            id: id.into(),
            names: names.iter().map(|s| s.to_string()).collect(),
            digests: vec![],
            manifest_digest: format!("sha256:m{id}"),
            manifest_media_type: "application/vnd.oci.image.manifest.v1+json".into(),
            config_digest: format!("sha256:{id}"),
            layers: vec![],
            created: None,
            added: Utc::now(),
            size: 0,
        }
    }

    #[test]
    fn registering_a_tag_moves_it_from_the_previous_image() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), |_| Driver::Vfs, None).unwrap();
        let db = store.images();
        db.register(record("aa", &["docker.io/library/x:latest"]))
            .unwrap();
        db.register(record(
            "bb",
            &["docker.io/library/x:latest", "docker.io/library/x:2"],
        ))
        .unwrap();
        let all = db.list().unwrap();
        let aa = all.iter().find(|i| i.id == "aa").unwrap();
        let bb = all.iter().find(|i| i.id == "bb").unwrap();
        assert!(aa.names.is_empty(), "old image is dangling");
        assert_eq!(bb.names.len(), 2);
    }

    #[test]
    fn registering_the_same_image_twice_merges_names() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), |_| Driver::Vfs, None).unwrap();
        let db = store.images();
        db.register(record("aa", &["r/a:1"])).unwrap();
        let merged = db.register(record("aa", &["r/a:2", "r/a:1"])).unwrap();
        assert_eq!(merged.names, vec!["r/a:1", "r/a:2"]);
        assert_eq!(db.list().unwrap().len(), 1);
    }

    #[test]
    fn failed_update_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), |_| Driver::Vfs, None).unwrap();
        let db = store.images();
        db.register(record("aa", &["r/a:1"])).unwrap();
        let r: Result<()> = db.update(|imgs| {
            imgs.clear();
            Err(StoreError::BlobMissing {
                digest: "sha256:x".into(),
            })
        });
        assert!(r.is_err());
        assert_eq!(db.list().unwrap().len(), 1);
    }

    #[test]
    fn corrupt_database_is_reported_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), |_| Driver::Vfs, None).unwrap();
        fs::write(dir.path().join("images.json"), b"{not json").unwrap();
        let err = store.images().list().unwrap_err();
        assert!(err.to_string().contains("images.json is corrupt"), "{err}");
    }
}
