//! Who uses what, and how much disk it takes: the accounting behind `system df` and the "is this
//! image in use" question `image prune` asks.
//!
//! Containers, volumes and the build cache arrive in later issues. Each has one function here
//! that lists what exists ([`Engine::container_usage`], [`Engine::volume_usage`],
//! [`Engine::build_cache_usage`]); today they correctly find nothing, and those issues fill
//! them in. Everything else (image activity, df's rows, prune's protection of used images)
//! is computed from them, so it becomes right as soon as they are.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::image::ImageSummary;
use super::{Engine, Result};
use crate::store::ImageRecord;

/// A container and the disk it holds (its writable layer).
#[derive(Debug, Clone)]
pub struct ContainerUsage {
    pub id: String,
    /// ID (hex of the config digest) of the image it was created from.
    pub image_id: String,
    /// The image as the user named it.
    pub image: String,
    pub command: String,
    pub names: Vec<String>,
    pub created: DateTime<Utc>,
    pub status: String,
    pub running: bool,
    pub size: u64,
    pub local_volumes: usize,
}

/// A local volume, how many containers mount it, and its size.
#[derive(Debug, Clone)]
pub struct VolumeUsage {
    pub name: String,
    pub links: usize,
    pub size: u64,
}

/// A build cache record.
#[derive(Debug, Clone)]
pub struct BuildCacheUsage {
    pub id: String,
    pub kind: String,
    pub size: u64,
    pub created: DateTime<Utc>,
    pub last_used: Option<DateTime<Utc>>,
    pub usage_count: u64,
    pub in_use: bool,
    pub shared: bool,
}

/// One `images` row with what `system df -v` adds.
#[derive(Debug, Clone)]
pub struct ImageUsage {
    pub summary: ImageSummary,
    /// Bytes of this image's layers that another image uses too.
    pub shared_size: u64,
    /// Bytes of layers only this image uses.
    pub unique_size: u64,
    /// Containers created from this image.
    pub containers: usize,
}

/// Everything `system df` shows.
#[derive(Debug, Clone)]
pub struct DiskUsage {
    /// One entry per image name (dangling images once), as `images` lists them.
    pub images: Vec<ImageUsage>,
    pub image_count: usize,
    /// Images at least one container uses.
    pub active_images: usize,
    /// Unpacked bytes of every image layer, each shared layer counted once.
    pub layers_size: u64,
    /// Bytes of the layers that only unused images use: what `image prune -a` frees.
    pub reclaimable_images: u64,
    pub containers: Vec<ContainerUsage>,
    pub volumes: Vec<VolumeUsage>,
    pub build_cache: Vec<BuildCacheUsage>,
}

/// Layer accounting over image records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LayerAccounting {
    /// Every layer once.
    pub total: u64,
    /// Layers no active image uses.
    pub reclaimable: u64,
    /// Per image ID: bytes of its layers that another image uses too.
    pub shared: HashMap<String, u64>,
}

/// Sizes with each layer (by chain ID) counted once; `active` holds the IDs of images that
/// containers use.
pub(crate) fn account_layers(images: &[ImageRecord], active: &HashSet<String>) -> LayerAccounting {
    let mut users: HashMap<&str, HashSet<&str>> = HashMap::new();
    let mut size: HashMap<&str, u64> = HashMap::new();
    for image in images {
        for l in &image.layers {
            users
                .entry(l.chain_id.as_str())
                .or_default()
                .insert(image.id.as_str());
            size.insert(l.chain_id.as_str(), l.unpacked_size);
        }
    }
    let total = size.values().sum();
    let reclaimable = size
        .iter()
        .filter(|(chain, _)| !users[*chain].iter().any(|id| active.contains(*id)))
        .map(|(_, s)| s)
        .sum();
    let shared = images
        .iter()
        .map(|image| {
            let mut seen = HashSet::new();
            let bytes = image
                .layers
                .iter()
                .filter(|l| {
                    seen.insert(l.chain_id.as_str()) && users[l.chain_id.as_str()].len() > 1
                })
                .map(|l| l.unpacked_size)
                .sum();
            (image.id.clone(), bytes)
        })
        .collect();
    LayerAccounting {
        total,
        reclaimable,
        shared,
    }
}

impl Engine {
    /// Every container with the disk its writable layer holds.
    pub fn container_usage(&self) -> Result<Vec<ContainerUsage>> {
        self.list_containers()?
            .into_iter()
            .map(|c| {
                let size = self.container_size(&c).rw;
                let running = c.is_running();
                Ok(ContainerUsage {
                    status: if running {
                        "Up".to_string()
                    } else {
                        format!("{} ({})", c.state.status.as_str(), c.state.exit_code)
                    },
                    running,
                    command: c.record.config.args.join(" "),
                    names: vec![c.record.name.clone()],
                    image: c.record.image_name.clone(),
                    image_id: c.record.image_id.clone(),
                    created: c.record.created,
                    id: c.record.id,
                    size,
                    local_volumes: 0,
                })
            })
            .collect()
    }

    /// Every local volume. The hook the volume store fills in; none exist yet.
    pub fn volume_usage(&self) -> Result<Vec<VolumeUsage>> {
        Ok(Vec::new())
    }

    /// Every build cache record. The hook `build` fills in; there is no build cache yet.
    pub fn build_cache_usage(&self) -> Result<Vec<BuildCacheUsage>> {
        Ok(Vec::new())
    }

    /// How many containers use each image (by image ID). The one place that answers "is this
    /// image in use": `image prune` keeps what is listed here, `system df` counts it active.
    pub fn image_users(&self) -> Result<HashMap<String, usize>> {
        let mut users = HashMap::new();
        for c in self.container_usage()? {
            *users.entry(c.image_id).or_insert(0) += 1;
        }
        Ok(users)
    }

    /// `system df`. Read-only: it never sweeps.
    pub fn disk_usage(&self) -> Result<DiskUsage> {
        let records = self.store.images().list()?;
        let users = self.image_users()?;
        let active: HashSet<String> = records
            .iter()
            .filter(|r| users.contains_key(&r.id))
            .map(|r| r.id.clone())
            .collect();
        let acc = account_layers(&records, &active);
        let images = self
            .list_images()?
            .into_iter()
            .map(|summary| {
                let shared = acc.shared.get(&summary.record.id).copied().unwrap_or(0);
                ImageUsage {
                    shared_size: shared,
                    unique_size: summary.record.size.saturating_sub(shared),
                    containers: users.get(&summary.record.id).copied().unwrap_or(0),
                    summary,
                }
            })
            .collect();
        Ok(DiskUsage {
            images,
            image_count: records.len(),
            active_images: active.len(),
            layers_size: acc.total,
            reclaimable_images: acc.reclaimable,
            containers: self.container_usage()?,
            volumes: self.volume_usage()?,
            build_cache: self.build_cache_usage()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::LayerRef;

    fn image(id: &str, layers: &[(&str, u64)]) -> ImageRecord {
        ImageRecord {
            id: id.into(),
            names: vec![],
            digests: vec![],
            manifest_digest: String::new(),
            manifest_media_type: String::new(),
            config_digest: format!("sha256:{id}"),
            layers: layers
                .iter()
                .map(|(c, s)| LayerRef {
                    chain_id: c.to_string(),
                    diff_id: c.to_string(),
                    digest: c.to_string(),
                    size: 0,
                    media_type: String::new(),
                    unpacked_size: *s,
                })
                .collect(),
            created: None,
            added: Utc::now(),
            size: layers.iter().map(|(_, s)| s).sum(),
        }
    }

    #[test]
    fn shared_layers_count_once_in_the_total_and_as_shared_in_each_image() {
        let images = [
            image("a", &[("base", 100), ("a1", 10)]),
            image("b", &[("base", 100), ("b1", 20)]),
            image("c", &[("c1", 5)]),
        ];
        let acc = account_layers(&images, &HashSet::new());
        assert_eq!(acc.total, 135);
        assert_eq!(acc.reclaimable, 135, "nothing is in use");
        assert_eq!(acc.shared["a"], 100);
        assert_eq!(acc.shared["b"], 100);
        assert_eq!(acc.shared["c"], 0);
    }

    #[test]
    fn layers_of_an_active_image_are_not_reclaimable_even_when_shared() {
        let images = [
            image("a", &[("base", 100), ("a1", 10)]),
            image("b", &[("base", 100), ("b1", 20)]),
        ];
        let active: HashSet<String> = ["a".to_string()].into();
        let acc = account_layers(&images, &active);
        assert_eq!(acc.total, 130);
        assert_eq!(acc.reclaimable, 20, "only b's own layer is free to go");
    }

    #[test]
    fn no_images_means_nothing_to_count() {
        let acc = account_layers(&[], &HashSet::new());
        assert_eq!((acc.total, acc.reclaimable), (0, 0));
    }
}
