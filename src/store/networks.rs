//! User-defined networks: one JSON record per network, each holding its configuration and the
//! addresses it has handed out (IPAM state lives with the network, so an allocation and the
//! check that the address is free happen under one lock).
//!
//! ```text
//! <root>/networks/<name>.json   the record, replaced atomically
//! <root>/locks/networks.lock    taken for every read-modify-write of any network
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{io_err, Result, Store, StoreError};

/// A network's configuration and its attached containers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
pub struct NetworkRecord {
    pub name: String,
    /// 64 hex digits.
    pub id: String,
    pub driver: String,
    pub created: Option<DateTime<Utc>>,
    /// IPv4 CIDR, e.g. 10.89.0.0/24.
    pub subnet: String,
    pub gateway: String,
    /// Where container addresses are taken from (CIDR inside `subnet`); empty: all of it.
    pub ip_range: String,
    pub internal: bool,
    pub ipv6: bool,
    pub labels: BTreeMap<String, String>,
    pub options: BTreeMap<String, String>,
    /// The bridge device's name (berth0, berth1, …).
    pub bridge: String,
    /// Attached containers by container id.
    pub endpoints: BTreeMap<String, Endpoint>,
    /// Set on a listed network whose record cannot be read: why, and what to do. Only that
    /// network is affected: it is left out of every change, and `network rm` removes it.
    #[serde(skip)]
    pub damaged: Option<String>,
}

/// One container's place on a network.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(default)]
pub struct Endpoint {
    /// The container's name (for inspect and DNS).
    pub name: String,
    pub ip: String,
    pub mac: String,
    /// `--network-alias` / `network connect --alias` names.
    pub aliases: Vec<String>,
}

impl Store {
    fn networks_dir(&self) -> PathBuf {
        self.root().join("networks")
    }

    fn network_path(&self, name: &str) -> PathBuf {
        self.networks_dir().join(format!("{name}.json"))
    }

    fn read_network(&self, name: &str) -> Result<Option<NetworkRecord>> {
        let path = self.network_path(name);
        match fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|e| StoreError::CorruptDb {
                        reason: e.to_string(),
                        fix: format!(
                            "remove it (`rm {}`) and create the network again with `berth network create`",
                            path.display()
                        ),
                        path,
                    })
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::Io { path, source: e }),
        }
    }

    /// A network's record, or (a damaged file) one that says so, naming the file.
    fn read_network_or_damage(&self, name: &str) -> Result<Option<NetworkRecord>> {
        match self.read_network(name) {
            Err(e @ StoreError::CorruptDb { .. }) => Ok(Some(NetworkRecord {
                name: name.to_string(),
                driver: "bridge".into(),
                damaged: Some(format!(
                    "{e}; or remove the network with `berth network rm {name}`"
                )),
                ..Default::default()
            })),
            other => other,
        }
    }

    /// Every network, sorted by name, damaged ones included (as such).
    fn read_networks(&self) -> Result<Vec<NetworkRecord>> {
        let dir = self.networks_dir();
        let mut out = Vec::new();
        for file in super::entry_names(&dir)? {
            let Some(name) = file.to_str().and_then(|f| f.strip_suffix(".json")) else {
                continue;
            };
            if let Some(rec) = self.read_network_or_damage(name)? {
                out.push(rec);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The networks whose records can be changed (damaged ones left out).
    fn read_sound_networks(&self) -> Result<Vec<NetworkRecord>> {
        let mut all = self.read_networks()?;
        all.retain(|n| n.damaged.is_none());
        Ok(all)
    }

    fn write_network(&self, rec: &NetworkRecord) -> Result<()> {
        let dir = self.networks_dir();
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(io_err(&dir))?;
        let path = self.network_path(&rec.name);
        let bytes = serde_json::to_vec_pretty(rec).expect("network records serialize");
        self.write_record(&path, &bytes, false)
    }

    /// Every network, sorted by name.
    pub fn networks(&self) -> Result<Vec<NetworkRecord>> {
        let _guard = self.lock_shared("networks")?;
        self.read_networks()
    }

    /// The network named `name`, if it exists.
    pub fn network(&self, name: &str) -> Result<Option<NetworkRecord>> {
        let _guard = self.lock_shared("networks")?;
        self.read_network(name)
    }

    /// Add a network. `make` sees every existing network (under the lock, so two creates cannot
    /// both take the same name or subnet) and returns the record to write, or refuses.
    pub fn create_network(
        &self,
        make: impl FnOnce(&[NetworkRecord]) -> Result<NetworkRecord>,
    ) -> Result<NetworkRecord> {
        let _guard = self.lock_exclusive("networks")?;
        let existing = self.read_networks()?;
        let rec = make(&existing)?;
        self.write_network(&rec)?;
        Ok(rec)
    }

    /// Read-modify-write every network at once (e.g. allocating a container's addresses on
    /// several networks, or releasing them), under the lock. Records `f` changes are written.
    pub fn update_networks<T>(
        &self,
        f: impl FnOnce(&mut Vec<NetworkRecord>) -> Result<T>,
    ) -> Result<T> {
        let _guard = self.lock_exclusive("networks")?;
        let before = self.read_sound_networks()?;
        let mut after = before.clone();
        let out = f(&mut after)?;
        for rec in &after {
            if before.iter().find(|b| b.name == rec.name) != Some(rec) {
                self.write_network(rec)?;
            }
        }
        Ok(out)
    }

    /// Remove a network's record. `still_removable` runs under the lock.
    pub fn remove_network(
        &self,
        name: &str,
        still_removable: impl FnOnce(&NetworkRecord) -> Result<()>,
    ) -> Result<Option<NetworkRecord>> {
        let _guard = self.lock_exclusive("networks")?;
        let Some(rec) = self.read_network_or_damage(name)? else {
            return Ok(None);
        };
        still_removable(&rec)?;
        let path = self.network_path(name);
        fs::remove_file(&path).map_err(io_err(&path))?;
        Ok(Some(rec))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), |_| super::super::Driver::Vfs, None).unwrap();
        (dir, store)
    }

    #[test]
    fn create_update_remove_round_trip_keeps_endpoints() {
        let (_d, s) = store();
        s.create_network(|existing| {
            assert!(existing.is_empty());
            Ok(NetworkRecord {
                name: "n1".into(),
                subnet: "10.89.0.0/24".into(),
                ..Default::default()
            })
        })
        .unwrap();
        s.update_networks(|nets| {
            nets[0].endpoints.insert(
                "c1".into(),
                Endpoint {
                    name: "web".into(),
                    ip: "10.89.0.2".into(),
                    ..Default::default()
                },
            );
            Ok(())
        })
        .unwrap();
        let n = s.network("n1").unwrap().unwrap();
        assert_eq!(n.endpoints["c1"].ip, "10.89.0.2");
        let refused = s.remove_network("n1", |_| Err(StoreError::Aborted("in use".into())));
        assert!(refused.is_err());
        assert!(s.network("n1").unwrap().is_some());
        assert!(s.remove_network("n1", |_| Ok(())).unwrap().is_some());
        assert!(s.networks().unwrap().is_empty());
    }

    #[test]
    fn a_damaged_network_record_is_listed_as_such_left_out_of_changes_and_removable() {
        let (_d, s) = store();
        for (name, subnet) in [("good", "10.89.0.0/24"), ("bad", "10.89.1.0/24")] {
            s.create_network(|_| {
                Ok(NetworkRecord {
                    name: name.into(),
                    subnet: subnet.into(),
                    ..Default::default()
                })
            })
            .unwrap();
        }
        let path = s.network_path("bad");
        fs::write(&path, b"{\"name\": ").unwrap();
        let all = s.networks().unwrap();
        assert_eq!(all.len(), 2);
        let why = all[0].damaged.as_deref().unwrap();
        assert!(why.contains(&path.display().to_string()), "{why}");
        assert!(why.contains("berth network rm bad"), "{why}");
        // Changes see only the sound networks, and leave the damaged file alone.
        s.update_networks(|nets| {
            assert_eq!(nets.len(), 1);
            nets[0].endpoints.insert("c1".into(), Endpoint::default());
            Ok(())
        })
        .unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"{\"name\": ");
        assert!(s.network("bad").is_err());
        assert!(s.remove_network("bad", |_| Ok(())).unwrap().is_some());
        assert_eq!(s.networks().unwrap().len(), 1);
    }
}
