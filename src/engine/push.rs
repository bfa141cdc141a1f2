//! `push`: send a stored image to a registry. Blobs the repository has are skipped, blobs the
//! image was pulled with from another repository of the same registry are mounted, the rest
//! are uploaded (three at a time, streamed from the store), and the manifest goes last, so a
//! tag never points at missing blobs.
//!
//! The stored manifest is pushed byte for byte unless a format or compression change asks for
//! a new one: then only media types (and recompressed layers' digests and sizes) change, and
//! the image ID (the config digest) stays.

use std::fs::File;
use std::io::{self, BufReader, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest as _, Sha256};
use thiserror::Error;

use super::pull::PullOptions;
use super::{Engine, EngineError};
use crate::image::manifest::{
    layer_compression, LayerCompression, DOCKER_CONFIG, DOCKER_LAYER_FOREIGN, DOCKER_LAYER_GZIP,
    DOCKER_MANIFEST, OCI_CONFIG, OCI_LAYER_GZIP, OCI_LAYER_NONDIST_GZIP, OCI_LAYER_NONDIST_ZSTD,
    OCI_LAYER_ZSTD, OCI_MANIFEST,
};
use crate::image::reference::Reference;
use crate::image::registries::RegistriesConf;
use crate::layer::compress;
use crate::registry::client::{BlobMount, RegistryClient, RegistryError};
use crate::store::{ImageRecord, TempDir};

/// Blobs in flight at once (podman uploads up to 6; 3 leaves room on small hosts).
const PARALLEL_UPLOADS: usize = 3;

/// Transports other tools accept in a destination; berth writes to registries only.
const OTHER_TRANSPORTS: &[&str] = &[
    "oci:",
    "oci-archive:",
    "docker-archive:",
    "docker-daemon:",
    "dir:",
    "containers-storage:",
    "sif:",
];

#[derive(Debug, Error)]
pub enum PushError {
    #[error("{image:?} does not say which registry to push to: give a fully-qualified destination, e.g. `berth push {image} REGISTRY/{image}`")]
    ShortName { image: String },
    #[error("unsupported destination {0:?}: berth pushes to registries only; give REGISTRY/NAME[:TAG] or docker://REGISTRY/NAME[:TAG]")]
    Transport(String),
    #[error("cannot push to {0}: a destination is a tag, not a digest")]
    DigestDestination(String),
    #[error("pushing {image}: layer {digest} is {what}, which Docker v2s2 manifests cannot carry: push with --format oci or --compression-format gzip")]
    NotInV2s2 {
        image: String,
        digest: String,
        what: &'static str,
    },
    #[error("pushing {image}: layer {digest} has media type {media_type:?}, which berth cannot recompress")]
    UnknownLayerType {
        image: String,
        digest: String,
        media_type: String,
    },
    #[error("pushing {image}: recompressing layer {digest}: {source}")]
    Recompress {
        image: String,
        digest: String,
        source: io::Error,
    },
    #[error("pushing {image}: the stored manifest {digest} is not valid JSON: {reason}")]
    BadManifest {
        image: String,
        digest: String,
        reason: String,
    },
    #[error("access to {destination} denied: check the name and that your account may push to it")]
    Denied { destination: String },
    #[error("pushing to {destination}: {source}")]
    Registry {
        destination: String,
        source: RegistryError,
    },
    #[error(transparent)]
    Engine(#[from] EngineError),
}

type Result<T> = std::result::Result<T, PushError>;

/// The manifest kinds `--format` chooses between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestFormat {
    Oci,
    V2s2,
}

impl ManifestFormat {
    fn of(media_type: &str) -> Option<ManifestFormat> {
        match media_type {
            OCI_MANIFEST => Some(ManifestFormat::Oci),
            DOCKER_MANIFEST => Some(ManifestFormat::V2s2),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct PushOptions {
    /// `None` keeps the stored manifest's format.
    pub format: Option<ManifestFormat>,
    /// `None` keeps every layer as stored.
    pub compression: Option<LayerCompression>,
    /// Recompress layers already in `compression` too.
    pub force_compression: bool,
    /// `Some(false)` = --tls-verify=false.
    pub tls_verify: Option<bool>,
    pub authfile: Option<PathBuf>,
}

/// What happened to a blob, for progress output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    Uploaded,
    AlreadyExists,
    /// Mounted from this repository of the same registry.
    Mounted {
        from: String,
    },
}

/// Progress sink the CLI provides. Every event defaults to saying nothing.
pub trait PushReporter: Send + Sync {
    fn pushing(&self, _source: &str, _destination: &str) {}
    fn blob_start(&self, _digest: &str, _size: u64) {}
    fn blob_progress(&self, _digest: &str, _done: u64) {}
    fn blob_done(&self, _digest: &str, _outcome: &PushOutcome) {}
    fn config_done(&self, _digest: &str, _outcome: &PushOutcome) {}
    fn writing_manifest(&self) {}
}

/// The result of a push.
#[derive(Debug, Clone)]
pub struct Pushed {
    /// Where it went, `registry/repository:tag`.
    pub destination: String,
    /// The digest of the manifest the registry now serves under the tag.
    pub digest: String,
}

/// A blob to send: where its bytes are, and where the registry may already have it.
struct Upload {
    digest: String,
    size: u64,
    path: PathBuf,
    is_config: bool,
    /// A repository of the destination registry the image was pulled from.
    mount_from: Option<String>,
}

/// Where `destination` (or, without one, the image's own name) points.
pub fn destination(image: &str, destination: Option<&str>) -> Result<Reference> {
    let text = destination.unwrap_or(image);
    let text = match text.strip_prefix("docker://") {
        Some(rest) => rest,
        None if OTHER_TRANSPORTS.iter().any(|t| text.starts_with(t)) => {
            return Err(PushError::Transport(text.into()))
        }
        None => text,
    };
    if Reference::is_short_name(text) {
        return Err(PushError::ShortName { image: text.into() });
    }
    let reference = Reference::parse(text).map_err(EngineError::from)?;
    if reference.digest.is_some() {
        return Err(PushError::DigestDestination(text.into()));
    }
    Ok(reference)
}

impl Engine {
    /// Push the stored image `image` to `dest` (see [`destination`]).
    pub async fn push(
        &self,
        image: &str,
        dest: &Reference,
        opts: &PushOptions,
        rep: &dyn PushReporter,
    ) -> Result<Pushed> {
        let record = self.find_image(image)?;
        let conf = RegistriesConf::load_default().map_err(EngineError::from)?;
        let endpoints = conf.pull_endpoints(dest).map_err(EngineError::from)?;
        let endpoint = endpoints
            .last()
            .expect("pull_endpoints always ends with the primary location");
        let pull_opts = PullOptions {
            tls_verify: opts.tls_verify,
            authfile: opts.authfile.clone(),
            ..PullOptions::default()
        };
        let client = self.registry_client(endpoint, &pull_opts)?;
        let destination = dest.to_string();
        let (host, repo) = (endpoint.host.as_str(), endpoint.repository.as_str());
        let tag = dest.reference();
        rep.pushing(image, &destination);

        // Blobs are read straight from the store: keep a sweep from collecting them meanwhile.
        let _ingest = self.store.ingest_guard().map_err(EngineError::from)?;
        let work = self.store.temp_dir("push").map_err(EngineError::from)?;
        let plan = self.plan(&record, image, opts, &work)?;

        let registry_err = |source: RegistryError| match source {
            RegistryError::Denied { .. } => PushError::Denied {
                destination: destination.clone(),
            },
            source => PushError::Registry {
                destination: destination.clone(),
                source,
            },
        };
        let mounts = mount_sources(&record, dest);
        let mut uploads = Vec::new();
        for (digest, size, path, recompressed) in &plan.layers {
            if uploads.iter().any(|u: &Upload| &u.digest == digest) {
                continue;
            }
            uploads.push(Upload {
                digest: digest.clone(),
                size: *size,
                path: path.clone(),
                is_config: false,
                // A recompressed layer is new: no other repository has it.
                mount_from: mounts.clone().filter(|_| !recompressed),
            });
        }
        uploads.push(Upload {
            digest: record.config_digest.clone(),
            size: plan.config_size,
            path: self.store.blob_path(&record.config_digest),
            is_config: true,
            mount_from: mounts.clone(),
        });

        use futures_util::stream::{self, StreamExt, TryStreamExt};
        stream::iter(
            uploads
                .iter()
                .map(|u| push_blob(&client, host, repo, u, rep)),
        )
        .buffer_unordered(PARALLEL_UPLOADS)
        .try_collect::<Vec<()>>()
        .await
        .map_err(registry_err)?;

        rep.writing_manifest();
        let digest = client
            .put_manifest(host, repo, tag, &plan.media_type, &plan.manifest)
            .await
            .map_err(registry_err)?;
        self.emit_image_ref("push", &destination);
        Ok(Pushed {
            destination,
            digest,
        })
    }

    /// The manifest to push and the layer blobs it names, recompressing where asked.
    fn plan(
        &self,
        record: &ImageRecord,
        image: &str,
        opts: &PushOptions,
        work: &TempDir,
    ) -> Result<Plan> {
        let stored = self
            .store
            .read_blob(&record.manifest_digest)
            .map_err(EngineError::from)?;
        let bad = |reason: String| PushError::BadManifest {
            image: image.into(),
            digest: record.manifest_digest.clone(),
            reason,
        };
        let mut doc: Value = serde_json::from_slice(&stored).map_err(|e| bad(e.to_string()))?;
        let stored_format = ManifestFormat::of(&record.manifest_media_type);
        let format = opts.format.or(stored_format).unwrap_or(ManifestFormat::Oci);
        let config_size = doc
            .pointer("/config/size")
            .and_then(Value::as_u64)
            .ok_or_else(|| bad("it has no config size".into()))?;
        let mut changed = stored_format != Some(format);
        let descriptors = doc
            .get("layers")
            .and_then(Value::as_array)
            .cloned()
            .ok_or_else(|| bad("it has no layers list".into()))?;
        if descriptors.len() != record.layers.len() {
            return Err(bad(format!(
                "it lists {} layers but the image record has {}",
                descriptors.len(),
                record.layers.len()
            )));
        }
        let mut layers = Vec::new();
        let mut new_descriptors = Vec::new();
        for (layer, mut desc) in record.layers.iter().zip(descriptors) {
            let current = layer_compression(&layer.media_type).ok_or_else(|| {
                PushError::UnknownLayerType {
                    image: image.into(),
                    digest: layer.digest.clone(),
                    media_type: layer.media_type.clone(),
                }
            })?;
            let target = match opts.compression {
                Some(c) if c != current || opts.force_compression => Some(c),
                _ => None,
            };
            let (digest, size, path, compression) = match target {
                Some(c) => {
                    let (digest, size, path) = self.recompress(image, &layer.digest, c, work)?;
                    (digest, size, path, c)
                }
                None => (
                    layer.digest.clone(),
                    layer.size,
                    self.store.blob_path(&layer.digest),
                    current,
                ),
            };
            let foreign = matches!(
                layer.media_type.as_str(),
                DOCKER_LAYER_FOREIGN | OCI_LAYER_NONDIST_GZIP | OCI_LAYER_NONDIST_ZSTD
            );
            let media_type = match (format, compression, foreign) {
                (ManifestFormat::V2s2, LayerCompression::Gzip, false) => DOCKER_LAYER_GZIP,
                (ManifestFormat::V2s2, LayerCompression::Gzip, true) => DOCKER_LAYER_FOREIGN,
                (ManifestFormat::V2s2, c, _) => {
                    return Err(PushError::NotInV2s2 {
                        image: image.into(),
                        digest: layer.digest.clone(),
                        what: match c {
                            LayerCompression::Zstd => "zstd-compressed",
                            _ => "uncompressed",
                        },
                    })
                }
                (ManifestFormat::Oci, LayerCompression::Gzip, false) => OCI_LAYER_GZIP,
                (ManifestFormat::Oci, LayerCompression::Gzip, true) => OCI_LAYER_NONDIST_GZIP,
                (ManifestFormat::Oci, LayerCompression::Zstd, false) => OCI_LAYER_ZSTD,
                (ManifestFormat::Oci, LayerCompression::Zstd, true) => OCI_LAYER_NONDIST_ZSTD,
                // Uncompressed layers keep their (OCI) type.
                (ManifestFormat::Oci, LayerCompression::None, _) => layer.media_type.as_str(),
            };
            let recompressed = digest != layer.digest;
            if recompressed || media_type != layer.media_type {
                changed = true;
                desc["mediaType"] = media_type.into();
                desc["digest"] = digest.clone().into();
                desc["size"] = size.into();
            }
            new_descriptors.push(desc);
            layers.push((digest, size, path, recompressed));
        }
        let media_type = match format {
            ManifestFormat::Oci => OCI_MANIFEST,
            ManifestFormat::V2s2 => DOCKER_MANIFEST,
        };
        if !changed {
            return Ok(Plan {
                manifest: stored,
                media_type: record.manifest_media_type.clone(),
                config_size,
                layers,
            });
        }
        doc["layers"] = Value::Array(new_descriptors);
        doc["mediaType"] = media_type.into();
        doc["config"]["mediaType"] = match format {
            ManifestFormat::Oci => OCI_CONFIG,
            ManifestFormat::V2s2 => DOCKER_CONFIG,
        }
        .into();
        if format == ManifestFormat::V2s2 {
            // Fields schema 2 does not have; a registry may refuse a manifest carrying them.
            if let Some(obj) = doc.as_object_mut() {
                for k in ["annotations", "artifactType", "subject"] {
                    obj.remove(k);
                }
            }
            for d in doc["layers"].as_array_mut().into_iter().flatten() {
                if let Some(obj) = d.as_object_mut() {
                    obj.remove("annotations");
                }
            }
            if let Some(obj) = doc["config"].as_object_mut() {
                obj.remove("annotations");
            }
        }
        let manifest = serde_json::to_vec(&doc).expect("a JSON value serialises");
        Ok(Plan {
            manifest,
            media_type: media_type.into(),
            config_size,
            layers,
        })
    }

    /// Decompress stored blob `digest` and compress it as `to` into `work`, hashing as it
    /// goes. Returns the new digest, size and file.
    fn recompress(
        &self,
        image: &str,
        digest: &str,
        to: LayerCompression,
        work: &TempDir,
    ) -> Result<(String, u64, PathBuf)> {
        let src = self.store.blob_path(digest);
        let dst = work
            .path()
            .join(format!("{}.layer", digest.trim_start_matches("sha256:")));
        let fail = |source: io::Error| PushError::Recompress {
            image: image.into(),
            digest: digest.into(),
            source,
        };
        let (new_digest, size) = recompress_file(&src, &dst, to).map_err(fail)?;
        Ok((new_digest, size, dst))
    }
}

struct Plan {
    manifest: Vec<u8>,
    media_type: String,
    config_size: u64,
    /// Per layer: digest, size, file, and whether it was recompressed.
    layers: Vec<(String, u64, PathBuf, bool)>,
}

/// A repository on `dest`'s registry the image came from (its record's repo digests), other
/// than `dest`'s own: blobs can be mounted from there instead of uploaded.
fn mount_sources(record: &ImageRecord, dest: &Reference) -> Option<String> {
    record.digests.iter().find_map(|d| {
        let (name, _) = d.split_once('@')?;
        let (registry, repository) = name.split_once('/')?;
        (registry == dest.registry && repository != dest.repository).then(|| repository.into())
    })
}

async fn push_blob(
    client: &RegistryClient,
    host: &str,
    repo: &str,
    u: &Upload,
    rep: &dyn PushReporter,
) -> std::result::Result<(), RegistryError> {
    let done = |outcome: PushOutcome| match u.is_config {
        true => rep.config_done(&u.digest, &outcome),
        false => rep.blob_done(&u.digest, &outcome),
    };
    if client.blob_exists(host, repo, &u.digest).await? {
        done(PushOutcome::AlreadyExists);
        return Ok(());
    }
    let mut session = None;
    if let Some(from) = &u.mount_from {
        match client.mount_blob(host, repo, &u.digest, from).await? {
            BlobMount::Mounted => {
                done(PushOutcome::Mounted { from: from.clone() });
                return Ok(());
            }
            BlobMount::Upload(s) => session = Some(s),
        }
    }
    if !u.is_config {
        rep.blob_start(&u.digest, u.size);
    }
    let progress = |n: u64| {
        if !u.is_config {
            rep.blob_progress(&u.digest, n)
        }
    };
    client
        .upload_blob(host, repo, &u.digest, u.size, &u.path, session, &progress)
        .await?;
    done(PushOutcome::Uploaded);
    Ok(())
}

/// Counts and hashes what passes through to the file.
struct HashingWriter {
    file: File,
    hasher: Sha256,
    written: u64,
}

impl Write for HashingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Decompress `src` (whatever its compression) and write it to `dst` compressed as `to`.
/// Returns the digest and size of `dst`.
fn recompress_file(src: &Path, dst: &Path, to: LayerCompression) -> io::Result<(String, u64)> {
    let input = BufReader::with_capacity(1 << 20, File::open(src)?);
    let (_, mut tar) = compress::decompressor(Box::new(input))?;
    let out = HashingWriter {
        file: File::create(dst)?,
        hasher: Sha256::new(),
        written: 0,
    };
    let mut out = match to {
        LayerCompression::Gzip => {
            let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::default());
            io::copy(&mut tar, &mut gz)?;
            gz.finish()?
        }
        LayerCompression::Zstd => {
            let mut z = zstd::stream::write::Encoder::new(out, 3)?;
            io::copy(&mut tar, &mut z)?;
            z.finish()?
        }
        LayerCompression::None => {
            let mut out = out;
            io::copy(&mut tar, &mut out)?;
            out
        }
    };
    out.flush()?;
    out.file.sync_all()?;
    let digest = format!("sha256:{}", hex::encode(out.hasher.finalize()));
    Ok((digest, out.written))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destination_defaults_to_the_image_name_and_strips_docker_transport() {
        let r = destination("reg.io:5000/a/b:1", None).unwrap();
        assert_eq!(r.to_string(), "reg.io:5000/a/b:1");
        let r = destination("x", Some("docker://reg.io/c")).unwrap();
        assert_eq!(r.to_string(), "reg.io/c:latest");
    }

    #[test]
    fn short_name_destination_is_refused_with_the_fix() {
        let e = destination("busybox", None).unwrap_err().to_string();
        assert!(
            e.contains("fully-qualified") && e.contains("REGISTRY/busybox"),
            "{e}"
        );
    }

    #[test]
    fn other_transports_and_digests_are_refused() {
        assert!(matches!(
            destination("x", Some("oci:/tmp/dir")),
            Err(PushError::Transport(_))
        ));
        let d = format!("reg.io/a@sha256:{}", "a".repeat(64));
        assert!(matches!(
            destination("x", Some(&d)),
            Err(PushError::DigestDestination(_))
        ));
    }

    #[test]
    fn mount_source_is_another_repository_of_the_same_registry() {
        let record = ImageRecord {
            id: "a".into(),
            names: vec![],
            digests: vec![
                "other.io/x@sha256:1".into(),
                "reg.io/lib/src@sha256:2".into(),
            ],
            manifest_digest: String::new(),
            manifest_media_type: String::new(),
            config_digest: String::new(),
            layers: vec![],
            created: None,
            added: chrono::Utc::now(),
            size: 0,
        };
        let dest = Reference::parse("reg.io/lib/dst:1").unwrap();
        assert_eq!(mount_sources(&record, &dest).as_deref(), Some("lib/src"));
        let same = Reference::parse("reg.io/lib/src:2").unwrap();
        assert_eq!(mount_sources(&record, &same), None);
    }

    #[test]
    fn recompressing_gzip_to_zstd_keeps_the_tar_and_reports_the_new_digest() {
        let dir = tempfile::tempdir().unwrap();
        let tar: Vec<u8> = (0..200_000u32).map(|i| (i % 7) as u8).collect();
        let src = dir.path().join("src");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        std::fs::write(&src, gz.finish().unwrap()).unwrap();
        let dst = dir.path().join("dst");
        let (digest, size) = recompress_file(&src, &dst, LayerCompression::Zstd).unwrap();
        let bytes = std::fs::read(&dst).unwrap();
        assert_eq!(size, bytes.len() as u64);
        assert_eq!(
            digest,
            format!("sha256:{}", hex::encode(Sha256::digest(&bytes)))
        );
        assert_eq!(zstd::decode_all(&bytes[..]).unwrap(), tar);
    }
}
