//! `system prune` (stopped containers, unused networks, unused images, unused volumes, through the same prune
//! code as `container prune`, `image prune` and `volume prune`) and `system reset` (every
//! container, image and volume, and the store's files: an empty store afterwards).

use chrono::Utc;

use super::container::prune::{PruneFilters, Pruned};
use super::image::{PruneFilter, PruneOptions, PruneReport};
use super::network::NetworkFilter;
use super::volume::VolumeFilter;
use super::{Engine, EngineError, Result};

/// `system prune --filter`: until= and label= for containers and images, label= for volumes
/// (docker's volume prune has no until=).
#[derive(Debug, Clone)]
pub struct SystemPruneFilters {
    containers: PruneFilters,
    images: Vec<PruneFilter>,
    volumes: Vec<VolumeFilter>,
    networks: Vec<NetworkFilter>,
}

impl SystemPruneFilters {
    /// Every filter is checked before anything is removed (or asked).
    pub fn parse(filters: &[String]) -> Result<SystemPruneFilters> {
        for f in filters {
            let key = f.split(['=', '!']).next().unwrap_or("");
            if key != "until" && key != "label" {
                return Err(EngineError::Invalid(format!(
                    "invalid filter {f:?}: system prune takes until=TIME, label=KEY[=VALUE] and label!=KEY[=VALUE]"
                )));
            }
        }
        let now = Utc::now();
        let images = filters
            .iter()
            .map(|f| PruneFilter::parse(f, now))
            .collect::<Result<Vec<_>>>()?;
        let volumes = filters
            .iter()
            .filter(|f| f.starts_with("label"))
            .map(|f| VolumeFilter::parse(f))
            .collect::<Result<Vec<_>>>()?;
        let networks = filters
            .iter()
            .map(|f| NetworkFilter::parse(f))
            .collect::<Result<Vec<_>>>()?;
        Ok(SystemPruneFilters {
            containers: PruneFilters::parse(filters)?,
            images,
            volumes,
            networks,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct SystemPruneOptions {
    /// `-a`: every image no container uses, not only dangling ones.
    pub all: bool,
    /// `--volumes`: also the volumes no container uses.
    pub volumes: bool,
}

/// What `system prune` removed.
#[derive(Debug, Clone, Default)]
pub struct SystemPruneReport {
    pub containers: Vec<Pruned>,
    pub images: PruneReport,
    pub volumes: Vec<String>,
    /// The networks no container used (docker's "all networks not used by at least one
    /// container"; the default network stays).
    pub networks: Vec<String>,
    /// Bytes freed by all three.
    pub reclaimed: u64,
}

impl Engine {
    /// Containers first, so the images and volumes only they used become unused.
    pub fn prune_system(
        &self,
        opts: &SystemPruneOptions,
        filters: &SystemPruneFilters,
    ) -> Result<SystemPruneReport> {
        let containers = self.prune_containers(&filters.containers)?;
        let networks = self.prune_networks(&filters.networks)?;
        let images = self.prune_images(&PruneOptions {
            all: opts.all,
            filters: filters.images.clone(),
        })?;
        let (volumes, volume_bytes) = if opts.volumes {
            self.prune_volumes(&filters.volumes)?
        } else {
            (Vec::new(), 0)
        };
        let reclaimed =
            containers.iter().map(|p| p.size).sum::<u64>() + images.reclaimed + volume_bytes;
        Ok(SystemPruneReport {
            containers,
            images,
            volumes,
            networks,
            reclaimed,
        })
    }

    /// `system reset`: kill and remove every container (on the host side, where their
    /// processes can be signalled), then delete everything in the store's root and run root
    /// (inside the user namespace, where the containers' and layers' files are ours). The
    /// next command finds no store and creates an empty one.
    pub fn reset_system(&self) -> Result<()> {
        self.store.allow_reserve();
        let mut failures = Vec::new();
        for c in self.list_containers()? {
            if let Err(e) = self.force_remove_container(&c) {
                failures.push(format!("{}: {e}", c.record.name));
            }
        }
        if !failures.is_empty() {
            return Err(EngineError::Invalid(format!(
                "system reset could not remove every container, so nothing else was removed: {}; stop them and run it again",
                failures.join("; ")
            )));
        }
        crate::runtime::holder::stop(&self.paths.run_root);
        if self.ident.rootless {
            crate::network::bridge::stop_rootless_namespace(&self.paths.run_root);
        }
        let roots = [self.store.root().to_path_buf(), self.paths.run_root.clone()];
        crate::runtime::userns::in_namespace(&self.ident, move || {
            for root in &roots {
                empty_dir(root).map_err(|e| format!("emptying {}: {e}", root.display()))?;
            }
            Ok(())
        })
        .map_err(|e| EngineError::Invalid(format!("system reset: {e}")))
    }
}

/// Remove everything inside `dir` (not `dir` itself, which may be a `--root` the user chose).
fn empty_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path();
        let is_dir = std::fs::symlink_metadata(&path)?.is_dir();
        if is_dir {
            crate::store::remove_tree(&path)?;
        } else {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_prune_filters_take_until_and_label_and_refuse_others() {
        let f = SystemPruneFilters::parse(&["until=24h".into(), "label=app=web".into()]).unwrap();
        assert_eq!(f.images.len(), 2);
        assert_eq!(f.volumes.len(), 1, "until= does not apply to volumes");
        let err = SystemPruneFilters::parse(&["dangling=true".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("until=TIME"), "{err}");
        assert!(SystemPruneFilters::parse(&["until=whenever".into()]).is_err());
    }

    #[test]
    fn empty_dir_keeps_the_directory_and_removes_its_contents() {
        let t = std::env::temp_dir().join(format!("berth-empty-dir-{}", std::process::id()));
        std::fs::create_dir_all(t.join("a/b")).unwrap();
        std::fs::write(t.join("a/b/f"), "x").unwrap();
        std::fs::write(t.join("top"), "y").unwrap();
        empty_dir(&t).unwrap();
        assert!(t.is_dir());
        assert_eq!(std::fs::read_dir(&t).unwrap().count(), 0);
        std::fs::remove_dir(&t).unwrap();
        empty_dir(&t).unwrap();
    }
}
