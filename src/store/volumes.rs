//! Named volumes: a directory per volume holding its data and its record.
//!
//! ```text
//! <root>/volumes/<name>/_data         what containers mount
//! <root>/volumes/<name>/volume.json   the record (written last: the commit mark)
//! ```
//! Creation and removal happen under `locks/volumes.lock`; a volume is created in tmp/ and
//! renamed into place, so a half-made volume is never listed.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{atomic, io_err, remove_tree, Result, Store, StoreError};

/// What a volume was created with.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
pub struct VolumeRecord {
    pub name: String,
    pub driver: String,
    pub labels: BTreeMap<String, String>,
    pub options: BTreeMap<String, String>,
    pub created: Option<DateTime<Utc>>,
    /// Whether no container has used it yet: the first user fills it from the image.
    pub needs_copy_up: bool,
    /// Created for an image's VOLUME entry or an unnamed `-v /path`.
    pub anonymous: bool,
    /// Set on a listed volume whose volume.json cannot be read: why, and what to do. Only
    /// that volume is affected; `volume rm` removes it.
    #[serde(skip)]
    pub damaged: Option<String>,
}

impl Store {
    fn volumes_dir(&self) -> PathBuf {
        self.root().join("volumes")
    }

    pub fn volume_dir(&self, name: &str) -> PathBuf {
        self.volumes_dir().join(name)
    }

    /// The directory containers mount for the volume.
    pub fn volume_data(&self, name: &str) -> PathBuf {
        self.volume_dir(name).join("_data")
    }

    fn read_volume(&self, name: &str) -> Result<Option<VolumeRecord>> {
        let path = self.volume_dir(name).join("volume.json");
        match fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|e| StoreError::CorruptDb {
                        reason: e.to_string(),
                        fix: format!(
                            "remove the volume's directory {} (its data goes with it) or restore the file",
                            path.parent().unwrap_or(&path).display()
                        ),
                        path,
                    })
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::Io { path, source: e }),
        }
    }

    /// The volume named `name`, if it exists.
    pub fn volume(&self, name: &str) -> Result<Option<VolumeRecord>> {
        let _guard = self.lock_shared("volumes")?;
        self.read_volume(name)
    }

    /// A volume's record, or (a damaged volume.json) one that says so, naming the file.
    fn read_volume_or_damage(&self, name: &str) -> Result<Option<VolumeRecord>> {
        match self.read_volume(name) {
            Err(e @ StoreError::CorruptDb { .. }) => Ok(Some(VolumeRecord {
                name: name.to_string(),
                driver: "local".into(),
                damaged: Some(format!(
                    "{e}; or remove the volume with `berth volume rm {name}`"
                )),
                ..Default::default()
            })),
            other => other,
        }
    }

    /// Every volume, sorted by name; a damaged one is listed as such.
    pub fn volumes(&self) -> Result<Vec<VolumeRecord>> {
        let _guard = self.lock_shared("volumes")?;
        let dir = self.volumes_dir();
        let mut out = Vec::new();
        for file in super::entry_names(&dir)? {
            let Some(name) = file.to_str().map(str::to_string) else {
                continue;
            };
            if let Some(rec) = self.read_volume_or_damage(&name)? {
                out.push(rec);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Create the volume unless one with its name exists; returns the record that is in the
    /// store afterwards and whether it was created now (docker's `volume create` of an existing
    /// name succeeds and changes nothing).
    pub fn create_volume(&self, rec: &VolumeRecord) -> Result<(VolumeRecord, bool)> {
        let _guard = self.lock_exclusive("volumes")?;
        if let Some(existing) = self.read_volume(&rec.name)? {
            return Ok((existing, false));
        }
        let dir = self.volumes_dir();
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(io_err(&dir))?;
        let tmp = self.temp_dir("volume")?;
        let data = tmp.path().join("_data");
        fs::DirBuilder::new()
            .mode(0o755)
            .create(&data)
            .map_err(io_err(&data))?;
        let json = tmp.path().join("volume.json");
        let bytes = serde_json::to_vec_pretty(rec).expect("volume records serialize");
        atomic::write_atomic(&json, &bytes, 0o600).map_err(io_err(&json))?;
        let target = self.volume_dir(&rec.name);
        fs::rename(tmp.path(), &target).map_err(io_err(&target))?;
        tmp.disarm();
        Ok((rec.clone(), true))
    }

    /// Rewrite a volume's record (e.g. once it has been filled from an image).
    pub fn update_volume(&self, rec: &VolumeRecord) -> Result<()> {
        let _guard = self.lock_exclusive("volumes")?;
        let json = self.volume_dir(&rec.name).join("volume.json");
        let bytes = serde_json::to_vec_pretty(rec).expect("volume records serialize");
        self.write_record(&json, &bytes, false)
    }

    /// Record that a volume has been filled from an image (or was mounted with copy-up on and
    /// found in use): it is never filled again, even once emptied, as in docker. A volume that
    /// is gone meanwhile is not an error.
    pub fn mark_volume_copied_up(&self, name: &str) -> Result<()> {
        let _guard = self.lock_exclusive("volumes")?;
        let Some(mut rec) = self.read_volume(name)? else {
            return Ok(());
        };
        if !rec.needs_copy_up {
            return Ok(());
        }
        rec.needs_copy_up = false;
        let json = self.volume_dir(name).join("volume.json");
        let bytes = serde_json::to_vec_pretty(&rec).expect("volume records serialize");
        self.write_record(&json, &bytes, false)
    }

    /// Remove a volume and its data. `still_removable` runs under the volume lock, so a check
    /// that no container uses it cannot race with a `volume create` of the same name.
    pub fn remove_volume(
        &self,
        name: &str,
        still_removable: impl FnOnce(&VolumeRecord) -> Result<()>,
    ) -> Result<bool> {
        let _guard = self.lock_exclusive("volumes")?;
        let Some(rec) = self.read_volume_or_damage(name)? else {
            return Ok(false);
        };
        still_removable(&rec)?;
        let dir = self.volume_dir(name);
        // The record goes first, so a crash half-way leaves no volume that looks whole.
        let json = dir.join("volume.json");
        fs::remove_file(&json).map_err(io_err(&json))?;
        remove_tree(&dir).map_err(io_err(&dir))?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Driver;

    fn store(dir: &std::path::Path) -> Store {
        Store::open(dir, |_| Driver::Vfs, None).unwrap()
    }

    #[test]
    fn volumes_are_created_once_listed_and_removed_with_their_data() {
        let tmp = tempfile::tempdir().unwrap();
        let s = store(tmp.path());
        let rec = VolumeRecord {
            name: "v1".into(),
            driver: "local".into(),
            ..Default::default()
        };
        assert!(s.create_volume(&rec).unwrap().1);
        std::fs::write(s.volume_data("v1").join("f"), b"x").unwrap();
        let again = VolumeRecord {
            labels: [("a".to_string(), "b".to_string())].into(),
            ..rec.clone()
        };
        let (kept, created) = s.create_volume(&again).unwrap();
        assert!(!created);
        assert_eq!(kept, rec);
        assert_eq!(s.volumes().unwrap(), vec![rec]);
        assert!(s.remove_volume("v1", |_| Ok(())).unwrap());
        assert!(!s.volume_dir("v1").exists());
        assert!(s.volumes().unwrap().is_empty());
        assert!(!s.remove_volume("v1", |_| Ok(())).unwrap());
    }

    #[test]
    fn a_volume_marked_copied_up_keeps_that_mark_and_a_missing_one_is_no_error() {
        let tmp = tempfile::tempdir().unwrap();
        let s = store(tmp.path());
        let rec = VolumeRecord {
            name: "v1".into(),
            driver: "local".into(),
            needs_copy_up: true,
            ..Default::default()
        };
        s.create_volume(&rec).unwrap();
        s.mark_volume_copied_up("v1").unwrap();
        let now = s.volume("v1").unwrap().unwrap();
        assert!(!now.needs_copy_up);
        assert_eq!(now.labels, rec.labels);
        s.mark_volume_copied_up("gone").unwrap();
        assert!(s.volume("gone").unwrap().is_none());
    }

    #[test]
    fn a_damaged_volume_record_is_listed_as_such_and_removable_and_spares_the_others() {
        let tmp = tempfile::tempdir().unwrap();
        let s = store(tmp.path());
        for name in ["good", "bad"] {
            let rec = VolumeRecord {
                name: name.into(),
                driver: "local".into(),
                ..Default::default()
            };
            s.create_volume(&rec).unwrap();
        }
        let json = s.volume_dir("bad").join("volume.json");
        std::fs::write(&json, b"{\"name\": ").unwrap();
        let all = s.volumes().unwrap();
        assert_eq!(all.len(), 2);
        let bad = all.iter().find(|v| v.name == "bad").unwrap();
        let why = bad.damaged.as_deref().unwrap();
        assert!(why.contains(&json.display().to_string()), "{why}");
        assert!(why.contains("berth volume rm bad"), "{why}");
        assert!(all
            .iter()
            .find(|v| v.name == "good")
            .unwrap()
            .damaged
            .is_none());
        // Only its own lookups fail, naming the file.
        let e = s.volume("bad").unwrap_err().to_string();
        assert!(e.contains("volume.json"), "{e}");
        assert!(s.remove_volume("bad", |_| Ok(())).unwrap());
        assert!(!s.volume_dir("bad").exists());
        assert_eq!(s.volumes().unwrap().len(), 1);
    }
}
