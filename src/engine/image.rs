//! Local image operations: lookup, list, inspect, tag, remove.

use serde_json::{json, Value};

use super::{Engine, EngineError, Result};
use crate::image::manifest::ImageConfig;
use crate::image::reference::{strip_registry, Reference};
use crate::store::ImageRecord;

/// What `rmi` did, in docker's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removal {
    Untagged(String),
    Deleted(String),
}

/// One row of `images`.
#[derive(Debug, Clone)]
pub struct ImageSummary {
    pub record: ImageRecord,
    /// Repository (without tag) and tag; `<none>` for dangling images.
    pub repository: String,
    pub tag: String,
    pub digest: String,
    pub labels: serde_json::Map<String, Value>,
}

fn split_name(name: &str) -> (String, String) {
    // The tag separator is the last ':' after the last '/'.
    let slash = name.rfind('/').map(|i| i + 1).unwrap_or(0);
    match name[slash..].rfind(':') {
        Some(i) => (
            name[..slash + i].to_string(),
            name[slash + i + 1..].to_string(),
        ),
        None => (name.to_string(), "latest".to_string()),
    }
}

fn is_id_like(s: &str) -> bool {
    let s = s.strip_prefix("sha256:").unwrap_or(s);
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Engine {
    /// Find the image a user means: full or short ID, a name (normalised docker-style), a
    /// name@digest, or a short name matching exactly one stored repository on any registry.
    pub fn find_image(&self, name: &str) -> Result<ImageRecord> {
        let images = self.store.images().list()?;
        find_in(&images, name)
    }

    pub fn image_config(&self, record: &ImageRecord) -> Result<ImageConfig> {
        let bytes = self.store.read_blob(&record.config_digest)?;
        serde_json::from_slice(&bytes).map_err(|e| EngineError::BadImage {
            image: record.id.clone(),
            reason: format!("stored config is not valid JSON: {e}"),
        })
    }

    fn raw_config(&self, record: &ImageRecord) -> Result<Value> {
        let bytes = self.store.read_blob(&record.config_digest)?;
        serde_json::from_slice(&bytes).map_err(|e| EngineError::BadImage {
            image: record.id.clone(),
            reason: format!("stored config is not valid JSON: {e}"),
        })
    }

    /// One row per name (dangling images once, as `<none>`), newest first.
    pub fn list_images(&self) -> Result<Vec<ImageSummary>> {
        let mut rows = Vec::new();
        for record in self.store.images().list()? {
            let labels = self
                .raw_config(&record)
                .ok()
                .and_then(|c| {
                    c.pointer("/config/Labels")
                        .and_then(Value::as_object)
                        .cloned()
                })
                .unwrap_or_default();
            let digest = record
                .digests
                .first()
                .and_then(|d| d.split_once('@'))
                .map(|(_, d)| d.to_string());
            let digest = digest.unwrap_or_else(|| record.manifest_digest.clone());
            if record.names.is_empty() {
                let repository = record
                    .digests
                    .first()
                    .and_then(|d| d.split_once('@'))
                    .map(|(r, _)| r.to_string())
                    .unwrap_or_else(|| "<none>".into());
                rows.push(ImageSummary {
                    record: record.clone(),
                    repository,
                    tag: "<none>".into(),
                    digest,
                    labels,
                });
                continue;
            }
            for name in &record.names {
                let (repository, tag) = split_name(name);
                rows.push(ImageSummary {
                    record: record.clone(),
                    repository,
                    tag,
                    digest: digest.clone(),
                    labels: labels.clone(),
                });
            }
        }
        Ok(rows)
    }

    /// docker's `image inspect` document.
    pub fn inspect_image(&self, name: &str) -> Result<Value> {
        let record = self.find_image(name)?;
        let config = self.raw_config(&record)?;
        let layer_dirs: Vec<String> = record
            .layers
            .iter()
            .rev()
            .map(|l| self.store.layer_diff(&l.chain_id).display().to_string())
            .collect();
        let get = |k: &str| config.get(k).cloned().unwrap_or(Value::Null);
        let mut doc = json!({
            "Id": format!("sha256:{}", record.id),
            "Digest": record.digests.first().and_then(|d| d.split_once('@')).map(|(_, d)| d.to_string())
                .unwrap_or_else(|| record.manifest_digest.clone()),
            "RepoTags": record.names,
            "RepoDigests": record.digests,
            "Parent": "",
            "Comment": config.get("comment").cloned().unwrap_or(json!("")),
            "Created": get("created"),
            "DockerVersion": config.get("docker_version").cloned().unwrap_or(json!("")),
            "Author": config.get("author").cloned().unwrap_or(json!("")),
            "Config": config.get("config").cloned().unwrap_or(json!({})),
            "Architecture": get("architecture"),
            "Os": get("os"),
            "Size": record.size,
            "VirtualSize": record.size,
            "GraphDriver": {
                "Name": self.store.driver().name(),
                "Data": {
                    "LowerDir": layer_dirs.iter().skip(1).cloned().collect::<Vec<_>>().join(":"),
                    "UpperDir": layer_dirs.first().cloned().unwrap_or_default(),
                }
            },
            "RootFS": {
                "Type": "layers",
                "Layers": record.layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>(),
            },
            "Metadata": { "LastTagTime": record.added.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true) },
            "ManifestType": record.manifest_media_type,
            "History": config.get("history").cloned().unwrap_or(json!([])),
        });
        if let Some(v) = config.get("variant") {
            doc["Variant"] = v.clone();
        }
        Ok(doc)
    }

    /// Add a name to an image.
    pub fn tag_image(&self, source: &str, target: &str) -> Result<()> {
        let record = self.find_image(source)?;
        let target = Reference::parse(target)?;
        if target.digest.is_some() {
            return Err(EngineError::BadImage {
                image: target.to_string(),
                reason: "a tag cannot contain a digest; use NAME[:TAG]".into(),
            });
        }
        let name = target.to_string();
        self.store.images().update(|images| {
            for img in images.iter_mut() {
                if img.id == record.id {
                    if !img.names.contains(&name) {
                        img.names.push(name.clone());
                    }
                } else {
                    img.names.retain(|n| n != &name);
                }
            }
            Ok(())
        })?;
        Ok(())
    }

    /// `rmi`: a name untags (and deletes once no name is left); an ID deletes the image, which
    /// needs `force` when it still has several names. Layers go when no image uses them.
    pub fn remove_image(&self, name: &str, force: bool) -> Result<Vec<Removal>> {
        let by_id = is_id_like(name);
        let removed = self.store.images().update(|images| {
            let record = find_in(images, name)?;
            let mut out = Vec::new();
            let idx = images
                .iter()
                .position(|i| i.id == record.id)
                .expect("found above");
            let untag_only = !by_id && images[idx].names.len() > 1;
            if untag_only {
                let full = resolve_name(&images[idx], name);
                images[idx].names.retain(|n| n != &full);
                out.push(Removal::Untagged(full));
                return Ok((out, None));
            }
            if by_id && images[idx].names.len() > 1 && !force {
                return Err(EngineError::ImageHasManyNames {
                    id: record.id[..12].to_string(),
                }
                .into_store());
            }
            let gone = images.remove(idx);
            for n in &gone.names {
                out.push(Removal::Untagged(n.clone()));
            }
            for d in &gone.digests {
                out.push(Removal::Untagged(d.clone()));
            }
            out.push(Removal::Deleted(format!("sha256:{}", gone.id)));
            Ok((out, Some((gone, images.clone()))))
        });
        let (out, gone) = removed.map_err(EngineError::from_store)?;
        if let Some((gone, remaining)) = gone {
            self.collect_garbage(&gone, &remaining)?;
        }
        Ok(out)
    }

    /// Remove the layers and blobs of a deleted image that no remaining image uses.
    fn collect_garbage(&self, gone: &ImageRecord, remaining: &[ImageRecord]) -> Result<()> {
        let used = |chain: &str| {
            remaining
                .iter()
                .any(|i| i.layers.iter().any(|l| l.chain_id == chain))
        };
        let blob_used = |digest: &str| {
            remaining.iter().any(|i| {
                i.config_digest == digest
                    || i.manifest_digest == digest
                    || i.digests.iter().any(|d| d.ends_with(digest))
                    || i.layers.iter().any(|l| l.digest == digest)
            })
        };
        for layer in gone.layers.iter().rev() {
            if !used(&layer.chain_id)
                && self.store.remove_layer_if_unused(&layer.chain_id)?
                && !blob_used(&layer.digest)
            {
                let _ = std::fs::remove_file(self.store.blob_path(&layer.digest));
            }
        }
        let mut small = vec![gone.config_digest.clone(), gone.manifest_digest.clone()];
        small.extend(
            gone.digests
                .iter()
                .filter_map(|d| d.split_once('@').map(|(_, d)| d.to_string())),
        );
        for digest in small {
            if !blob_used(&digest) {
                let _ = std::fs::remove_file(self.store.blob_path(&digest));
            }
        }
        Ok(())
    }
}

/// The stored name a user's text refers to on this image.
fn resolve_name(record: &ImageRecord, typed: &str) -> String {
    if let Ok(r) = Reference::parse(typed) {
        let full = r.to_string();
        if record.names.contains(&full) {
            return full;
        }
    }
    let wanted = short_forms(typed);
    record
        .names
        .iter()
        .find(|n| wanted.iter().any(|w| strip_registry(n) == *w))
        .cloned()
        .unwrap_or_else(|| typed.to_string())
}

/// "busybox" → ["busybox:latest", "library/busybox:latest"].
fn short_forms(typed: &str) -> Vec<String> {
    let (repo, tag) = split_name(typed);
    vec![format!("{repo}:{tag}"), format!("library/{repo}:{tag}")]
}

pub(crate) fn find_in(images: &[ImageRecord], name: &str) -> Result<ImageRecord> {
    let not_known = || EngineError::ImageNotKnown(name.to_string());
    if name.is_empty() {
        return Err(not_known());
    }
    // By ID (full, short, with or without "sha256:").
    if is_id_like(name) {
        let hex = name.strip_prefix("sha256:").unwrap_or(name);
        let hits: Vec<_> = images.iter().filter(|i| i.id.starts_with(hex)).collect();
        match hits.len() {
            1 => return Ok(hits[0].clone()),
            0 => {}
            _ => {
                return Err(EngineError::AmbiguousImage {
                    name: name.into(),
                    candidates: hits
                        .iter()
                        .map(|i| i.id[..12].to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                })
            }
        }
    }
    if let Ok(r) = Reference::parse(name) {
        if let Some(d) = &r.digest {
            let want = format!("{}@{}", r.name(), d);
            if let Some(i) = images
                .iter()
                .find(|i| i.digests.contains(&want) || i.manifest_digest == *d)
            {
                return Ok(i.clone());
            }
        } else {
            let full = r.to_string();
            if let Some(i) = images.iter().find(|i| i.names.contains(&full)) {
                return Ok(i.clone());
            }
        }
    }
    // A short name matches that repository on any registry, if only one image has it.
    if !name.contains('@') && !crate::image::reference::Reference::is_short_name(name) {
        return Err(not_known());
    }
    let wanted = short_forms(name);
    let hits: Vec<(&ImageRecord, &String)> = images
        .iter()
        .flat_map(|i| i.names.iter().map(move |n| (i, n)))
        .filter(|(_, n)| wanted.iter().any(|w| strip_registry(n) == *w))
        .collect();
    let mut ids: Vec<&str> = hits.iter().map(|(i, _)| i.id.as_str()).collect();
    ids.dedup();
    match ids.len() {
        0 => Err(not_known()),
        1 => Ok(hits[0].0.clone()),
        _ => Err(EngineError::AmbiguousImage {
            name: name.into(),
            candidates: hits
                .iter()
                .map(|(_, n)| n.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

impl EngineError {
    /// Carry an engine error through a store update closure.
    fn into_store(self) -> crate::store::StoreError {
        crate::store::StoreError::Aborted(Box::new(self))
    }

    fn from_store(e: crate::store::StoreError) -> EngineError {
        match e {
            crate::store::StoreError::Aborted(inner) => match inner.downcast::<EngineError>() {
                Ok(engine) => *engine,
                Err(other) => EngineError::PullFailed(other.to_string()),
            },
            other => EngineError::Store(other),
        }
    }
}

impl From<EngineError> for crate::store::StoreError {
    fn from(e: EngineError) -> Self {
        e.into_store()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn rec(id: &str, names: &[&str]) -> ImageRecord {
        ImageRecord {
            id: id.into(),
            names: names.iter().map(|s| s.to_string()).collect(),
            digests: vec![],
            manifest_digest: "sha256:m".into(),
            manifest_media_type: String::new(),
            config_digest: format!("sha256:{id}"),
            layers: vec![],
            created: None,
            added: Utc::now(),
            size: 0,
        }
    }

    #[test]
    fn lookup_by_short_id_full_name_and_short_name_on_any_registry() {
        let a = "a".repeat(64);
        let b = format!("b{}", "0".repeat(63));
        let images = vec![
            rec(&a, &["127.0.0.1:5000/busybox:latest"]),
            rec(&b, &["docker.io/library/alpine:3"]),
        ];
        assert_eq!(find_in(&images, "aaaa").unwrap().id, a);
        assert_eq!(find_in(&images, &format!("sha256:{a}")).unwrap().id, a);
        assert_eq!(find_in(&images, "busybox").unwrap().id, a);
        assert_eq!(find_in(&images, "127.0.0.1:5000/busybox").unwrap().id, a);
        assert_eq!(find_in(&images, "alpine:3").unwrap().id, b);
        assert!(matches!(
            find_in(&images, "alpine").unwrap_err(),
            EngineError::ImageNotKnown(_)
        ));
    }

    #[test]
    fn short_name_in_two_registries_is_ambiguous() {
        let images = vec![
            rec(&"a".repeat(64), &["r1.io/x:latest"]),
            rec(&"b".repeat(64), &["r2.io/x:latest"]),
        ];
        let err = find_in(&images, "x").unwrap_err();
        assert!(err.to_string().contains("r1.io/x:latest"), "{err}");
    }

    #[test]
    fn name_split_keeps_registry_port() {
        assert_eq!(
            split_name("127.0.0.1:5000/a/b:t"),
            ("127.0.0.1:5000/a/b".into(), "t".into())
        );
        assert_eq!(
            split_name("127.0.0.1:5000/a"),
            ("127.0.0.1:5000/a".into(), "latest".into())
        );
    }
}
