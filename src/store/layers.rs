//! Unpacked layers, keyed by chain ID. A layer directory appears by one rename, with its
//! `layer.json` already inside, so a reader either sees a complete layer or none.

use std::fs;
use std::io;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::lock::FileLock;
use super::{atomic, io_err, remove_tree, Result, Store, StoreError, TempDir};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LayerRecord {
    pub chain_id: String,
    pub diff_id: String,
    pub parent: Option<String>,
    /// The compressed blob it was unpacked from.
    pub digest: String,
    pub unpacked_size: u64,
    pub created: DateTime<Utc>,
}

fn hex(chain_id: &str) -> &str {
    chain_id.strip_prefix("sha256:").unwrap_or(chain_id)
}

impl Store {
    pub fn layer_dir(&self, chain_id: &str) -> PathBuf {
        self.root().join("layers").join(hex(chain_id))
    }

    /// The directory containers will see for this layer.
    pub fn layer_diff(&self, chain_id: &str) -> PathBuf {
        self.layer_dir(chain_id).join("diff")
    }

    pub fn layer_record(&self, chain_id: &str) -> Result<Option<LayerRecord>> {
        let p = self.layer_dir(chain_id).join("layer.json");
        match fs::read(&p) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|e| StoreError::CorruptLayer {
                        chain_id: chain_id.into(),
                        reason: e.to_string(),
                    })
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::Io { path: p, source: e }),
        }
    }

    pub fn has_layer(&self, chain_id: &str) -> bool {
        self.layer_dir(chain_id).join("layer.json").is_file()
    }

    /// Held (shared) by whoever needs the layer to stay; GC only removes layers it can lock exclusively.
    pub fn layer_use_lock(&self, chain_id: &str) -> Result<FileLock> {
        self.lock_shared(&format!("layer-{}", hex(chain_id)))
    }

    /// Held (exclusive) while a layer is being unpacked, so concurrent pulls unpack it once.
    pub fn layer_unpack_lock(&self, chain_id: &str) -> Result<FileLock> {
        self.lock_exclusive(&format!("unpack-{}", hex(chain_id)))
    }

    /// Make an unpacked layer (in `work/diff`) visible as `record.chain_id`.
    pub fn commit_layer(&self, work: TempDir, record: &LayerRecord) -> Result<()> {
        let meta = work.path().join("layer.json");
        let bytes = serde_json::to_vec_pretty(record).expect("layer record serializes");
        atomic::write_atomic(&meta, &bytes, 0o600).map_err(io_err(&meta))?;
        atomic::sync_filesystem(work.path()).map_err(io_err(work.path()))?;
        let dest = self.layer_dir(&record.chain_id);
        if self.has_layer(&record.chain_id) {
            return Ok(()); // someone else committed it first; `work` is removed on drop
        }
        if dest.exists() {
            // A directory without layer.json cannot come from a commit (the rename carries the
            // record along); clear it rather than fail forever.
            remove_tree(&dest).map_err(io_err(&dest))?;
        }
        fs::rename(work.path(), &dest).map_err(io_err(&dest))?;
        work.disarm();
        atomic::sync_dir(dest.parent().expect("layers dir")).map_err(io_err(&dest))
    }

    /// Delete `locks/layer-<hex>.lock` and `locks/unpack-<hex>.lock` of layers that are not in
    /// the store (each only while nobody holds it). For a caller holding the sweep guard, so
    /// that no pull is about to unpack one of them.
    pub fn forget_layer_locks(&self) {
        let Ok(names) = super::entry_names(&self.root().join("locks")) else {
            return;
        };
        for name in names {
            let Some(name) = name.to_str() else { continue };
            let Some(hex) = name.strip_suffix(".lock").and_then(|n| {
                n.strip_prefix("layer-")
                    .or_else(|| n.strip_prefix("unpack-"))
            }) else {
                continue;
            };
            if hex.is_empty() || self.layer_dir(hex).exists() {
                continue;
            }
            let path = self.root().join("locks").join(name);
            if let Ok(Some(_held)) = FileLock::try_exclusive(&path) {
                let _ = fs::remove_file(&path);
            }
        }
    }

    /// Remove a layer if nobody is using it. Returns whether it was removed.
    pub fn remove_layer_if_unused(&self, chain_id: &str) -> Result<bool> {
        let lock_path = self.lock_path(&format!("layer-{}", hex(chain_id)));
        let Some(_held) = FileLock::try_exclusive(&lock_path).map_err(io_err(&lock_path))? else {
            return Ok(false);
        };
        let dir = self.layer_dir(chain_id);
        if !dir.exists() {
            return Ok(true);
        }
        // Rename first so the layer disappears at once; the slow removal happens in tmp/.
        let trash = self.temp_dir("rm")?;
        let target = trash.path().join("layer");
        fs::rename(&dir, &target).map_err(io_err(&dir))?;
        drop(trash);
        Ok(true)
    }

    /// Every directory name under layers/ (a chain ID's hex for a committed layer), sorted,
    /// including any that never got its layer.json: the sweep removes those too.
    pub fn layer_dir_names(&self) -> Result<Vec<String>> {
        let dir = self.root().join("layers");
        let mut out = Vec::new();
        for e in fs::read_dir(&dir).map_err(io_err(&dir))? {
            let e = e.map_err(io_err(&dir))?;
            out.push(e.file_name().to_string_lossy().into_owned());
        }
        out.sort();
        Ok(out)
    }

    /// Whether the compressed blob `digest` is known to hold this layer's content: it is the
    /// blob the layer was unpacked from, or one verified later against the layer's diff_id
    /// ([`Store::record_layer_digest`]). Only then may a manifest naming `digest` reuse it.
    pub fn layer_knows_digest(&self, record: &LayerRecord, digest: &str) -> bool {
        record.digest == digest
            || self
                .layer_other_digests(&record.chain_id)
                .contains(&digest.to_string())
    }

    /// Other compressed blobs verified to decompress to this layer's diff_id, one per line in
    /// `layers/<chain>/digests` (absent when there are none).
    fn layer_other_digests(&self, chain_id: &str) -> Vec<String> {
        fs::read_to_string(self.layer_dir(chain_id).join("digests"))
            .map(|s| s.lines().map(String::from).collect())
            .unwrap_or_default()
    }

    /// Record that the blob `digest` was verified to decompress to the diff_id of the layer
    /// `chain_id`, so later pulls and loads naming it may reuse the layer. Callers hold the
    /// store's ingest guard.
    pub fn record_layer_digest(&self, chain_id: &str, digest: &str) -> Result<()> {
        let Some(record) = self.layer_record(chain_id)? else {
            return Ok(());
        };
        if self.layer_knows_digest(&record, digest) {
            return Ok(());
        }
        let mut all = self.layer_other_digests(chain_id);
        all.push(digest.to_string());
        let p = self.layer_dir(chain_id).join("digests");
        atomic::write_atomic(&p, (all.join("\n") + "\n").as_bytes(), 0o600).map_err(io_err(&p))
    }

    /// Chain IDs of every committed layer.
    pub fn list_layers(&self) -> Result<Vec<String>> {
        let dir = self.root().join("layers");
        let mut out = Vec::new();
        for e in fs::read_dir(&dir).map_err(io_err(&dir))? {
            let e = e.map_err(io_err(&dir))?;
            if e.path().join("layer.json").is_file() {
                out.push(format!("sha256:{}", e.file_name().to_string_lossy()));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Driver;

    fn rec(chain: &str) -> LayerRecord {
        LayerRecord {
            chain_id: chain.into(),
            diff_id: chain.into(),
            parent: None,
            digest: "sha256:00".into(),
            unpacked_size: 1,
            created: Utc::now(),
        }
    }

    #[test]
    fn committed_layer_appears_whole_with_its_record() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), |_| Driver::Overlay, None).unwrap();
        let work = store.temp_dir("layer").unwrap();
        fs::create_dir(work.path().join("diff")).unwrap();
        fs::write(work.path().join("diff/f"), b"x").unwrap();
        assert!(!store.has_layer("sha256:abc"));
        store.commit_layer(work, &rec("sha256:abc")).unwrap();
        assert!(store.has_layer("sha256:abc"));
        assert_eq!(
            fs::read(store.layer_diff("sha256:abc").join("f")).unwrap(),
            b"x"
        );
        assert_eq!(
            store.layer_record("sha256:abc").unwrap().unwrap(),
            rec_with_time(&store, "sha256:abc")
        );
        assert_eq!(store.list_layers().unwrap(), vec!["sha256:abc".to_string()]);
    }

    #[test]
    fn a_layer_knows_only_its_own_blob_and_the_ones_recorded_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), |_| Driver::Overlay, None).unwrap();
        let work = store.temp_dir("layer").unwrap();
        fs::create_dir(work.path().join("diff")).unwrap();
        store.commit_layer(work, &rec("sha256:abc")).unwrap();
        let r = store.layer_record("sha256:abc").unwrap().unwrap();
        assert!(store.layer_knows_digest(&r, "sha256:00"));
        assert!(!store.layer_knows_digest(&r, "sha256:01"));
        store
            .record_layer_digest("sha256:abc", "sha256:01")
            .unwrap();
        store
            .record_layer_digest("sha256:abc", "sha256:02")
            .unwrap();
        store
            .record_layer_digest("sha256:abc", "sha256:01")
            .unwrap();
        for d in ["sha256:00", "sha256:01", "sha256:02"] {
            assert!(store.layer_knows_digest(&r, d), "{d}");
        }
        assert!(!store.layer_knows_digest(&r, "sha256:03"));
        assert_eq!(
            fs::read_to_string(store.layer_dir("sha256:abc").join("digests")).unwrap(),
            "sha256:01\nsha256:02\n"
        );
        // A layer that is not there records nothing.
        store
            .record_layer_digest("sha256:nope", "sha256:01")
            .unwrap();
        assert!(!store.layer_dir("sha256:nope").exists());
    }

    fn rec_with_time(store: &Store, chain: &str) -> LayerRecord {
        let mut r = rec(chain);
        r.created = store.layer_record(chain).unwrap().unwrap().created;
        r
    }

    #[test]
    fn layer_in_use_is_not_removed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), |_| Driver::Overlay, None).unwrap();
        let work = store.temp_dir("layer").unwrap();
        fs::create_dir(work.path().join("diff")).unwrap();
        store.commit_layer(work, &rec("sha256:abc")).unwrap();
        let user = store.layer_use_lock("sha256:abc").unwrap();
        assert!(!store.remove_layer_if_unused("sha256:abc").unwrap());
        assert!(store.has_layer("sha256:abc"));
        drop(user);
        assert!(store.remove_layer_if_unused("sha256:abc").unwrap());
        assert!(!store.layer_dir("sha256:abc").exists());
    }
}
