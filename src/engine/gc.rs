//! Exact garbage collection: nothing an image uses is deleted, and nothing no image uses is
//! left behind — including what a pull killed half-way wrote to blobs/ and layers/.
//!
//! The sweep computes what the image records reference and removes everything else. It runs
//! only while it holds the exclusive side of the store's ingest guard: every command that adds
//! content (pull, load, import) holds the shared side from before its first write until its
//! image is registered, so a sweep can never take a running pull's content for garbage. When
//! the guard is busy, the sweep is skipped; the next one catches up.

use std::collections::HashSet;

use super::{Engine, Result};
use crate::store::{ImageRecord, Store};

/// What a sweep removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Chain IDs (or, for a directory that never became a layer, its name) of removed layers.
    pub layers: Vec<String>,
    /// Names of removed files under blobs/sha256/.
    pub blobs: Vec<String>,
    /// Unpacked bytes of the removed layers: the figure `system df` calls reclaimable.
    pub reclaimed: u64,
}

/// Everything the image records keep alive.
#[derive(Debug, Default)]
pub(crate) struct Referenced {
    /// Hex of every referenced blob digest.
    pub blobs: HashSet<String>,
    /// Hex of every referenced chain ID.
    pub layers: HashSet<String>,
}

fn hex(digest: &str) -> &str {
    digest.strip_prefix("sha256:").unwrap_or(digest)
}

/// The config, manifest and index blobs of every image, and each of its layers with that
/// layer's blob. `parent_of` gives a layer's recorded parent, so a layer's whole ancestry stays
/// even if a record were ever to list only its top layers.
pub(crate) fn referenced(
    images: &[ImageRecord],
    parent_of: impl Fn(&str) -> Option<String>,
) -> Referenced {
    let mut r = Referenced::default();
    for image in images {
        r.blobs.insert(hex(&image.config_digest).to_string());
        r.blobs.insert(hex(&image.manifest_digest).to_string());
        for d in &image.digests {
            if let Some((_, digest)) = d.split_once('@') {
                r.blobs.insert(hex(digest).to_string());
            }
        }
        for layer in &image.layers {
            r.blobs.insert(hex(&layer.digest).to_string());
            let mut chain = Some(hex(&layer.chain_id).to_string());
            // Bounded: a corrupt record with a parent cycle must not hang the sweep.
            let mut steps = 0;
            while let Some(c) = chain.take() {
                if !r.layers.insert(c.clone()) || steps > 4096 {
                    break;
                }
                steps += 1;
                chain = parent_of(&c).map(|p| hex(&p).to_string());
            }
        }
    }
    r
}

/// Removal order for garbage layers: children before their parents, so that at every moment
/// each layer still on disk has its whole ancestry (a crash mid-sweep leaves usable layers).
/// A directory that never became a layer (no record) goes first: nothing can build on it.
pub(crate) fn children_first(
    garbage: Vec<String>,
    parent_of: impl Fn(&str) -> Option<String>,
    has_record: impl Fn(&str) -> bool,
) -> Vec<String> {
    let depth = |c: &str| -> usize {
        if !has_record(c) {
            return usize::MAX;
        }
        let mut d = 0;
        let mut cur = parent_of(c);
        while let Some(p) = cur {
            d += 1;
            if d > 4096 {
                break;
            }
            cur = parent_of(hex(&p));
        }
        d
    };
    let mut keyed: Vec<(usize, String)> = garbage.into_iter().map(|c| (depth(&c), c)).collect();
    keyed.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    keyed.into_iter().map(|(_, c)| c).collect()
}

fn parent_in(store: &Store) -> impl Fn(&str) -> Option<String> + '_ {
    move |chain: &str| {
        store
            .layer_record(chain)
            .ok()
            .flatten()
            .and_then(|r| r.parent)
    }
}

impl Engine {
    /// Remove every layer and blob no image references. `None` when a pull, load or import is
    /// adding content right now (the sweep is skipped, not waited for).
    pub fn sweep(&self) -> Result<Option<SweepReport>> {
        // Skipped quietly: the running command's content is not garbage, and whatever is
        // garbage now is still garbage at the next rmi or prune.
        let Some(_guard) = self.store.try_sweep_guard()? else {
            return Ok(None);
        };
        let images = self.store.images().list()?;
        let keep = referenced(&images, parent_in(&self.store));
        let mut report = SweepReport::default();

        let garbage: Vec<String> = self
            .store
            .layer_dir_names()?
            .into_iter()
            .filter(|name| !keep.layers.contains(name))
            .collect();
        let ordered = children_first(garbage, parent_in(&self.store), |c| self.store.has_layer(c));
        for name in ordered {
            let size = self
                .store
                .layer_record(&name)
                .ok()
                .flatten()
                .map_or(0, |r| r.unpacked_size);
            // A layer someone holds (a container, later) stays; the next sweep retries it.
            if self.store.remove_layer_if_unused(&name)? {
                report.reclaimed += size;
                report.layers.push(format!("sha256:{name}"));
            }
        }

        for name in self.store.blob_names()? {
            if !keep.blobs.contains(&name) && self.store.remove_blob_file(&name)? {
                report.blobs.push(name);
            }
        }
        // No command is adding content (we hold the sweep guard): the lock files of layers
        // that are not in the store guard nothing.
        self.store.forget_layer_locks();
        Ok(Some(report))
    }

    /// After image records were removed: the full sweep when no command is adding content,
    /// otherwise just the removed images' own layers and blobs that no remaining image uses.
    /// Returns the unpacked bytes freed.
    pub(crate) fn collect_after_removal(&self, gone: &[ImageRecord]) -> Result<u64> {
        if let Some(report) = self.sweep()? {
            return Ok(report.reclaimed);
        }
        let remaining = self.store.images().list()?;
        let mut freed = 0;
        for image in gone {
            freed += self.collect_garbage(image, &remaining)?;
        }
        Ok(freed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::LayerRef;
    use chrono::Utc;
    use std::collections::HashMap;

    fn layer(chain: &str, blob: &str) -> LayerRef {
        LayerRef {
            chain_id: format!("sha256:{chain}"),
            diff_id: format!("sha256:d{chain}"),
            digest: format!("sha256:{blob}"),
            size: 1,
            media_type: String::new(),
            unpacked_size: 10,
        }
    }

    fn image(id: &str, layers: Vec<LayerRef>) -> ImageRecord {
        ImageRecord {
            id: id.into(),
            names: vec![],
            digests: vec![format!("r/x@sha256:idx{id}")],
            manifest_digest: format!("sha256:m{id}"),
            manifest_media_type: String::new(),
            config_digest: format!("sha256:{id}"),
            layers,
            created: None,
            added: Utc::now(),
            size: 0,
        }
    }

    #[test]
    fn references_cover_config_manifest_index_layer_blobs_and_chains() {
        let images = vec![image("c1", vec![layer("l1", "b1"), layer("l2", "b2")])];
        let r = referenced(&images, |_| None);
        let mut blobs: Vec<_> = r.blobs.iter().cloned().collect();
        blobs.sort();
        assert_eq!(blobs, ["b1", "b2", "c1", "idxc1", "mc1"]);
        let mut layers: Vec<_> = r.layers.iter().cloned().collect();
        layers.sort();
        assert_eq!(layers, ["l1", "l2"]);
    }

    #[test]
    fn references_follow_recorded_parents_of_every_layer() {
        let images = vec![image("c1", vec![layer("top", "b")])];
        let parents: HashMap<&str, &str> = [("top", "sha256:mid"), ("mid", "sha256:base")].into();
        let r = referenced(&images, |c| parents.get(c).map(|p| p.to_string()));
        let mut layers: Vec<_> = r.layers.into_iter().collect();
        layers.sort();
        assert_eq!(layers, ["base", "mid", "top"]);
    }

    #[test]
    fn a_parent_cycle_in_corrupt_records_does_not_hang() {
        let images = vec![image("c1", vec![layer("a", "b")])];
        let parents: HashMap<&str, &str> = [("a", "sha256:b"), ("b", "sha256:a")].into();
        let r = referenced(&images, |c| parents.get(c).map(|p| p.to_string()));
        assert_eq!(r.layers.len(), 2);
        let order = children_first(
            vec!["a".into()],
            |c| parents.get(c).map(|p| p.to_string()),
            |_| true,
        );
        assert_eq!(order, ["a"]);
    }

    #[test]
    fn garbage_layers_are_removed_children_first_and_unfinished_dirs_before_all() {
        let parents: HashMap<&str, &str> = [("c", "sha256:b"), ("b", "sha256:a")].into();
        let order = children_first(
            vec!["a".into(), "c".into(), "junk".into(), "b".into()],
            |c| parents.get(c).map(|p| p.to_string()),
            |c| c != "junk",
        );
        assert_eq!(order, ["junk", "c", "b", "a"]);
    }

    #[test]
    fn sweep_removes_exactly_what_no_image_references() {
        use crate::store::{Driver, LayerRecord};
        use std::fs;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), |_| Driver::Overlay, None).unwrap();
        let commit = |chain: &str, parent: Option<&str>| {
            let work = store.temp_dir("layer").unwrap();
            fs::create_dir(work.path().join("diff")).unwrap();
            store
                .commit_layer(
                    work,
                    &LayerRecord {
                        chain_id: format!("sha256:{chain}"),
                        diff_id: format!("sha256:{chain}"),
                        parent: parent.map(|p| format!("sha256:{p}")),
                        digest: format!("sha256:b{chain}"),
                        unpacked_size: 7,
                        created: Utc::now(),
                    },
                )
                .unwrap();
        };
        commit("aa", None);
        commit("bb", Some("aa"));
        commit("cc", Some("aa")); // orphan: a killed pull's layer
        fs::create_dir_all(dir.path().join("layers/dd/diff")).unwrap(); // never committed
        for blob in ["baa", "bbb", "bcc", "c1", "mc1", "idxc1", "stray"] {
            store.put_blob(&format!("sha256:{blob}"), b"x").unwrap();
        }
        fs::write(dir.path().join("blobs/sha256/.stray.tmp-1-2"), b"half").unwrap();
        store
            .images()
            .register(image("c1", vec![layer("aa", "baa"), layer("bb", "bbb")]))
            .unwrap();
        let engine = crate::engine::Engine {
            ident: crate::runtime::userns::identity(),
            paths: crate::engine::Paths {
                store_root: dir.path().into(),
                run_root: dir.path().join("run"),
                config_dir: dir.path().join("etc"),
            },
            store,
        };
        let report = engine.sweep().unwrap().expect("nobody is pulling");
        assert_eq!(report.layers, ["sha256:dd", "sha256:cc"]);
        let mut blobs = report.blobs.clone();
        blobs.sort();
        assert_eq!(blobs, [".stray.tmp-1-2", "bcc", "stray"]);
        assert_eq!(report.reclaimed, 7);
        assert_eq!(engine.store.layer_dir_names().unwrap(), ["aa", "bb"]);
        let mut left = engine.store.blob_names().unwrap();
        left.sort();
        assert_eq!(left, ["baa", "bbb", "c1", "idxc1", "mc1"]);

        // While a pull holds the ingest guard, the sweep leaves everything alone.
        engine.store.put_blob("sha256:inflight", b"y").unwrap();
        let pulling = engine.store.ingest_guard().unwrap();
        assert_eq!(engine.sweep().unwrap(), None);
        assert!(engine.store.has_blob("sha256:inflight"));
        drop(pulling);
        assert_eq!(engine.sweep().unwrap().unwrap().blobs, ["inflight"]);
    }
}
