//! oci-archive: an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/…`) in a tar.
//! berth writes the stored blobs as they are (compressed layers, the original manifest), so an
//! image keeps its digests through save and load.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs::File;
use std::io::Write;

use super::docker::append_bytes;
use super::{io_ctx, ArchiveError, Extracted, Result, Verified};
use crate::engine::ingest::{Ingest, LayerSource};
use crate::engine::Engine;
use crate::image::manifest::{
    sha256_digest, Descriptor, ImageConfig, ImageIndex, Manifest, Platform, OCI_INDEX,
};
use crate::image::reference::Reference;
use crate::store::ImageRecord;

pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
/// containerd and docker ≥ 25 put the full name here (and only the tag in ref.name).
pub const CONTAINERD_NAME: &str = "io.containerd.image.name";
const OCI_LAYOUT: &[u8] = br#"{"imageLayoutVersion":"1.0.0"}"#;

/// Parse `index.json`.
pub fn parse_index(bytes: &[u8]) -> Result<ImageIndex> {
    serde_json::from_slice(bytes).map_err(|e| ArchiveError::Invalid {
        name: "index.json".into(),
        reason: e.to_string(),
    })
}

/// podman's rule for a ref.name annotation: a name without a registry is a local image
/// (`localhost/NAME`), and a missing tag is `latest`.
pub fn name_from_annotation(value: &str) -> Result<String> {
    let full = if Reference::is_short_name(value) {
        format!("localhost/{value}")
    } else {
        value.to_string()
    };
    let r = Reference::parse(&full).map_err(|source| ArchiveError::BadTag {
        tag: value.into(),
        source,
    })?;
    Ok(r.to_string())
}

fn blob_name(digest: &str) -> Result<String> {
    match digest.split_once(':') {
        Some(("sha256", hex)) if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(format!("blobs/sha256/{hex}"))
        }
        _ => Err(ArchiveError::Invalid {
            name: "index.json".into(),
            reason: format!("digest {digest:?} is not sha256:<64 hex digits>"),
        }),
    }
}

/// A small blob of the layout, checked against its descriptor.
fn read_verified(archive: &Extracted, desc: &Descriptor, referrer: &str) -> Result<Vec<u8>> {
    let name = blob_name(&desc.digest)?;
    let bytes = archive.read_small(&name, referrer)?;
    let actual = sha256_digest(&bytes);
    if actual != desc.digest || bytes.len() as u64 != desc.size {
        return Err(ArchiveError::DigestMismatch {
            name,
            actual: format!("{actual} ({} bytes)", bytes.len()),
        });
    }
    Ok(bytes)
}

pub(crate) fn read(
    _engine: &Engine,
    ingest: &mut Ingest<'_>,
    archive: &Extracted,
) -> Result<Vec<Verified>> {
    let index = parse_index(&archive.read_small("index.json", "the archive")?)?;
    let mut out = Vec::new();
    for entry in index.manifests.iter().filter(|d| !d.is_attestation()) {
        let annotations = entry.annotations.clone().unwrap_or_default();
        let names = match annotations
            .get(CONTAINERD_NAME)
            .or_else(|| annotations.get(REF_NAME))
        {
            Some(v) if !v.is_empty() => vec![name_from_annotation(v)?],
            _ => vec![],
        };
        let mut desc = entry.clone();
        let mut bytes = read_verified(archive, &desc, "index.json")?;
        // A multi-platform image inside the layout: take the host's platform, like pull.
        if let Manifest::Index(inner) =
            Manifest::parse(&bytes, Some(&desc.media_type)).map_err(|e| ArchiveError::Invalid {
                name: blob_name(&desc.digest).unwrap_or_default(),
                reason: e.to_string(),
            })?
        {
            desc = inner
                .select(&Platform::host())
                .map_err(|e| ArchiveError::Invalid {
                    name: blob_name(&entry.digest).unwrap_or_default(),
                    reason: e.to_string(),
                })?
                .clone();
            bytes = read_verified(archive, &desc, "an index in the archive")?;
        }
        let manifest_name = blob_name(&desc.digest)?;
        let manifest = match Manifest::parse(&bytes, Some(&desc.media_type)) {
            Ok(Manifest::Image(m)) => *m,
            Ok(Manifest::Index(_)) => {
                return Err(ArchiveError::Invalid {
                    name: manifest_name,
                    reason: "an index points at another index".into(),
                })
            }
            Err(e) => {
                return Err(ArchiveError::Invalid {
                    name: manifest_name,
                    reason: e.to_string(),
                })
            }
        };
        let media_type = manifest
            .media_type
            .clone()
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| desc.media_type.clone());
        let config = read_verified(archive, &manifest.config, &manifest_name)?;
        let parsed: ImageConfig =
            serde_json::from_slice(&config).map_err(|e| ArchiveError::Invalid {
                name: blob_name(&manifest.config.digest).unwrap_or_default(),
                reason: e.to_string(),
            })?;
        if parsed.rootfs.diff_ids.len() != manifest.layers.len() {
            return Err(ArchiveError::Invalid {
                name: manifest_name,
                reason: format!(
                    "it lists {} layers but the config has {} diff_ids",
                    manifest.layers.len(),
                    parsed.rootfs.diff_ids.len()
                ),
            });
        }
        let mut layers = Vec::new();
        let mut parent: Option<String> = None;
        for (layer, diff_id) in manifest.layers.iter().zip(&parsed.rootfs.diff_ids) {
            let name = blob_name(&layer.digest)?;
            let path = if ingest_has_blob(ingest, &layer.digest) {
                Default::default()
            } else {
                archive.require(&name, &manifest_name)?.to_path_buf()
            };
            let stored = ingest.layer(
                LayerSource::Blob {
                    path,
                    desc: Box::new(layer.clone()),
                },
                parent.as_deref(),
                Some(diff_id),
                &name,
            )?;
            parent = Some(stored.chain_id.clone());
            layers.push(stored);
        }
        out.push(Verified {
            config,
            layers,
            manifest: Some((bytes, media_type)),
            names,
        });
    }
    Ok(out)
}

fn ingest_has_blob(ingest: &Ingest<'_>, digest: &str) -> bool {
    ingest.store_has_blob(digest)
}

pub(crate) fn write(
    engine: &Engine,
    images: &[(ImageRecord, BTreeSet<String>)],
    out: &mut dyn Write,
) -> Result<()> {
    let mut tar = tar::Builder::new(out);
    let mut written: HashSet<String> = HashSet::new();
    let mut manifests = Vec::new();
    append_bytes(&mut tar, "oci-layout", OCI_LAYOUT)?;
    for (record, tags) in images {
        let manifest = engine.store.read_blob(&record.manifest_digest)?;
        let mut blobs = vec![record.manifest_digest.clone(), record.config_digest.clone()];
        blobs.extend(record.layers.iter().map(|l| l.digest.clone()));
        for digest in blobs {
            let name = blob_name(&digest)?;
            if !written.insert(name.clone()) {
                continue;
            }
            let path = engine.store.blob_path(&digest);
            let mut f = File::open(&path).map_err(|_| {
                ArchiveError::Store(crate::store::StoreError::BlobMissing {
                    digest: digest.clone(),
                })
            })?;
            tar.append_file(&name, &mut f)
                .map_err(io_ctx(format!("writing {name} to the archive")))?;
        }
        let entry = |name: Option<&String>| Descriptor {
            media_type: record.manifest_media_type.clone(),
            digest: record.manifest_digest.clone(),
            size: manifest.len() as u64,
            platform: None,
            annotations: name.map(|n| BTreeMap::from([(REF_NAME.to_string(), n.clone())])),
            urls: None,
            artifact_type: None,
        };
        if tags.is_empty() {
            manifests.push(entry(None));
        }
        for t in tags {
            manifests.push(entry(Some(t)));
        }
    }
    let index = ImageIndex {
        schema_version: 2,
        media_type: Some(OCI_INDEX.into()),
        artifact_type: None,
        manifests,
        subject: None,
        annotations: None,
    };
    let index = serde_json::to_vec(&index).expect("index.json serializes");
    append_bytes(&mut tar, "index.json", &index)?;
    tar.into_inner()
        .and_then(|w| w.flush())
        .map_err(io_ctx("finishing the archive"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_json_parses_with_ref_name_annotations() {
        let hex = "b".repeat(64);
        let index = format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json",
               "digest":"sha256:{hex}","size":7,
               "annotations":{{"org.opencontainers.image.ref.name":"localhost/app:1"}}}}]}}"#
        );
        let idx = parse_index(index.as_bytes()).unwrap();
        assert_eq!(idx.manifests.len(), 1);
        let ann = idx.manifests[0].annotations.as_ref().unwrap();
        assert_eq!(ann[REF_NAME], "localhost/app:1");
        assert_eq!(
            blob_name(&idx.manifests[0].digest).unwrap(),
            format!("blobs/sha256/{hex}")
        );
    }

    #[test]
    fn index_json_without_manifests_is_invalid() {
        let err = parse_index(br#"{"schemaVersion":2}"#).unwrap_err();
        assert!(err.to_string().contains("index.json"), "{err}");
    }

    #[test]
    fn blob_names_refuse_digests_that_could_name_other_paths() {
        assert!(blob_name("sha256:../../etc/passwd").is_err());
        assert!(blob_name("md5:abc").is_err());
    }

    #[test]
    fn annotation_names_follow_podmans_rules() {
        assert_eq!(name_from_annotation("app:1").unwrap(), "localhost/app:1");
        assert_eq!(name_from_annotation("app").unwrap(), "localhost/app:latest");
        assert_eq!(
            name_from_annotation("docker.io/library/busybox:latest").unwrap(),
            "docker.io/library/busybox:latest"
        );
        assert_eq!(
            name_from_annotation("127.0.0.1:5000/busybox:latest").unwrap(),
            "127.0.0.1:5000/busybox:latest"
        );
    }
}
