//! docker-archive: `manifest.json` (`[{Config, RepoTags, Layers}]`), `repositories`, one config
//! file and one uncompressed layer tar per layer — what `docker save` writes and `docker load`
//! and `podman load` read.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs::File;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::{docker_name, io_ctx, ArchiveError, Extracted, Result, Verified};
use crate::engine::ingest::{Ingest, LayerSource};
use crate::engine::Engine;
use crate::image::manifest::{sha256_digest, ImageConfig};
use crate::image::reference::Reference;
use crate::layer::compress;
use crate::store::ImageRecord;

/// One image in `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    #[serde(rename = "Config")]
    pub config: String,
    /// docker writes `null` for an untagged image.
    #[serde(rename = "RepoTags", default)]
    pub repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers")]
    pub layers: Vec<String>,
}

/// Parse `manifest.json`.
pub fn parse_manifest(bytes: &[u8]) -> Result<Vec<ManifestEntry>> {
    serde_json::from_slice(bytes).map_err(|e| ArchiveError::Invalid {
        name: "manifest.json".into(),
        reason: e.to_string(),
    })
}

/// The hex digits a config file is named after (`<hex>.json`, `blobs/sha256/<hex>`), if any.
fn named_digest(path: &str) -> Option<&str> {
    let base = path.rsplit('/').next().unwrap_or(path);
    let stem = base.strip_suffix(".json").unwrap_or(base);
    (stem.len() == 64 && stem.bytes().all(|b| b.is_ascii_hexdigit())).then_some(stem)
}

pub(crate) fn read(
    _engine: &Engine,
    ingest: &mut Ingest<'_>,
    archive: &Extracted,
) -> Result<Vec<Verified>> {
    let entries = parse_manifest(&archive.read_small("manifest.json", "the archive")?)?;
    let mut out = Vec::new();
    for entry in entries {
        let config = archive.read_small(&entry.config, "manifest.json")?;
        let digest = sha256_digest(&config);
        if let Some(hex) = named_digest(&entry.config) {
            if digest.trim_start_matches("sha256:") != hex {
                return Err(ArchiveError::DigestMismatch {
                    name: entry.config.clone(),
                    actual: digest,
                });
            }
        }
        let parsed: ImageConfig =
            serde_json::from_slice(&config).map_err(|e| ArchiveError::Invalid {
                name: entry.config.clone(),
                reason: e.to_string(),
            })?;
        let diff_ids = &parsed.rootfs.diff_ids;
        if diff_ids.len() != entry.layers.len() {
            return Err(ArchiveError::Invalid {
                name: "manifest.json".into(),
                reason: format!(
                    "it lists {} layers for {} but the config has {} diff_ids",
                    entry.layers.len(),
                    entry.config,
                    diff_ids.len()
                ),
            });
        }
        let mut names = Vec::new();
        for tag in entry.repo_tags.iter().flatten() {
            names.push(docker_name(tag)?);
        }
        let mut layers = Vec::new();
        let mut parent: Option<String> = None;
        for (path, diff_id) in entry.layers.iter().zip(diff_ids) {
            let local = archive.require(path, "manifest.json")?;
            let file = File::open(local).map_err(io_ctx(format!("opening {path}")))?;
            let layer = ingest.layer(
                LayerSource::Stream(Box::new(io::BufReader::with_capacity(1 << 20, file))),
                parent.as_deref(),
                Some(diff_id),
                path,
            )?;
            parent = Some(layer.chain_id.clone());
            layers.push(layer);
        }
        out.push(Verified {
            config,
            layers,
            manifest: None,
            names,
        });
    }
    Ok(out)
}

/// Counts what passes through, so a layer that inflates to another length than it did in the
/// sizing pass is caught instead of silently corrupting the archive.
struct Counted<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn file_header(size: u64) -> tar::Header {
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_size(size);
    h.set_mode(0o644);
    h.set_mtime(0);
    h
}

pub(crate) fn append_bytes(
    tar: &mut tar::Builder<&mut dyn Write>,
    name: &str,
    data: &[u8],
) -> Result<()> {
    let mut h = file_header(data.len() as u64);
    tar.append_data(&mut h, name, data)
        .map_err(io_ctx(format!("writing {name} to the archive")))
}

/// The uncompressed length and diff_id of a stored layer blob (the sizing pass: a tar header
/// needs the size before the data, and layers are streamed, never held in memory).
fn measure(engine: &Engine, digest: &str) -> Result<(u64, String)> {
    let (_, mut tar) = open_layer(engine, digest)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut len = 0u64;
    loop {
        let n = tar
            .read(&mut buf)
            .map_err(io_ctx(format!("reading stored layer {digest}")))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        len += n as u64;
    }
    Ok((len, format!("sha256:{}", hex::encode(hasher.finalize()))))
}

fn open_layer(
    engine: &Engine,
    digest: &str,
) -> Result<(compress::Compression, Box<dyn Read + Send>)> {
    let path = engine.store.blob_path(digest);
    let f = File::open(&path).map_err(|_| {
        ArchiveError::Store(crate::store::StoreError::BlobMissing {
            digest: digest.into(),
        })
    })?;
    compress::decompressor(Box::new(io::BufReader::with_capacity(1 << 20, f)))
        .map_err(io_ctx(format!("reading stored layer {digest}")))
}

pub(crate) fn write(
    engine: &Engine,
    images: &[(ImageRecord, BTreeSet<String>)],
    out: &mut dyn Write,
) -> Result<()> {
    let mut tar = tar::Builder::new(out);
    let mut written: HashSet<String> = HashSet::new();
    let mut manifest = Vec::new();
    let mut repositories: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (record, tags) in images {
        let config = engine.store.read_blob(&record.config_digest)?;
        let config_name = format!("{}.json", record.id);
        append_bytes(&mut tar, &config_name, &config)?;
        let mut layer_names = Vec::new();
        for layer in &record.layers {
            let hex = layer.diff_id.trim_start_matches("sha256:");
            let name = format!("{hex}.tar");
            if written.insert(name.clone()) {
                let (size, diff_id) = measure(engine, &layer.digest)?;
                if diff_id != layer.diff_id {
                    return Err(ArchiveError::DigestMismatch {
                        name: format!("stored layer {}", layer.digest),
                        actual: format!("{diff_id} uncompressed, not {}", layer.diff_id),
                    });
                }
                let (_, data) = open_layer(engine, &layer.digest)?;
                let count = Arc::new(AtomicU64::new(0));
                let mut h = file_header(size);
                tar.append_data(
                    &mut h,
                    &name,
                    Counted {
                        inner: data.take(size),
                        count: count.clone(),
                    },
                )
                .map_err(io_ctx(format!("writing {name} to the archive")))?;
                if count.load(Ordering::Relaxed) != size {
                    return Err(ArchiveError::Io {
                        context: format!("writing {name} to the archive"),
                        source: io::Error::other("the stored layer changed while it was read"),
                    });
                }
            }
            layer_names.push(name);
        }
        let mut familiar = Vec::new();
        for t in tags {
            let r = Reference::parse(t).map_err(|source| ArchiveError::BadTag {
                tag: t.clone(),
                source,
            })?;
            let top = layer_names
                .last()
                .map(|n| n.trim_end_matches(".tar").to_string())
                .unwrap_or_default();
            let mut repo = r.clone();
            repo.tag = None;
            repositories
                .entry(repo.familiar())
                .or_default()
                .insert(r.tag.clone().unwrap_or_default(), top);
            familiar.push(r.familiar());
        }
        manifest.push(ManifestEntry {
            config: config_name,
            repo_tags: (!familiar.is_empty()).then_some(familiar),
            layers: layer_names,
        });
    }
    let manifest = serde_json::to_vec(&manifest).expect("manifest.json serializes");
    append_bytes(&mut tar, "manifest.json", &manifest)?;
    if !repositories.is_empty() {
        let repos = serde_json::to_vec(&repositories).expect("repositories serializes");
        append_bytes(&mut tar, "repositories", &repos)?;
    }
    tar.into_inner()
        .and_then(|w| w.flush())
        .map_err(io_ctx("finishing the archive"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_json_parses_docker_and_podman_shapes() {
        let docker = br#"[{"Config":"abc.json","RepoTags":["busybox:latest"],"Layers":["d1/layer.tar","d2/layer.tar"]},
                          {"Config":"def.json","RepoTags":null,"Layers":[]}]"#;
        let m = parse_manifest(docker).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(
            m[0].repo_tags.as_deref(),
            Some(&["busybox:latest".to_string()][..])
        );
        assert_eq!(m[0].layers, vec!["d1/layer.tar", "d2/layer.tar"]);
        assert_eq!(m[1].repo_tags, None);
        // podman omits RepoTags for untagged images and adds fields berth does not need.
        let podman = br#"[{"Config":"c.json","Layers":["l.tar"],"LayerSources":{}}]"#;
        assert_eq!(parse_manifest(podman).unwrap()[0].repo_tags, None);
    }

    #[test]
    fn manifest_json_that_is_not_a_list_is_reported() {
        let err = parse_manifest(br#"{"Config":"x"}"#).unwrap_err();
        assert!(err.to_string().contains("manifest.json"), "{err}");
        assert!(
            parse_manifest(br#"[{"RepoTags":[]}]"#).is_err(),
            "Config and Layers are required"
        );
    }

    #[test]
    fn config_names_carry_their_digest_in_either_layout() {
        let hex = "a".repeat(64);
        assert_eq!(named_digest(&format!("{hex}.json")), Some(hex.as_str()));
        assert_eq!(
            named_digest(&format!("blobs/sha256/{hex}")),
            Some(hex.as_str())
        );
        assert_eq!(named_digest("config.json"), None);
    }
}
