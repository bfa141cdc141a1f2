//! Adding local content to the store: a layer from a tar stream (load, import, later commit),
//! then the image that references it.
//!
//! One pass over each layer: the uncompressed stream is hashed (its diff_id), unpacked with the
//! same path safety as pull, and — when berth has to make the blob itself — gzip-compressed on a
//! helper thread into the blob file. The same ordering as pull keeps the store sound:
//! everything happens under the store's ingest guard, each layer is held with its "in use" lock
//! until the image is registered, and an [`Ingest`] that is dropped before [`Ingest::register`]
//! succeeded removes the layers and blobs it added, so a failed load leaves the store as it was.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

use chrono::Utc;
use sha2::{Digest as _, Sha256};
use thiserror::Error;

use super::pull::chain_ids;
use super::{Engine, EngineError};
use crate::image::manifest::{
    sha256_digest, Descriptor, ImageConfig, ImageManifest, OCI_CONFIG, OCI_LAYER_GZIP,
    OCI_LAYER_TAR, OCI_LAYER_ZSTD, OCI_MANIFEST,
};
use crate::layer::compress::{self, Compression};
use crate::layer::unpack::{self, LayerError};
use crate::store::lock::FileLock;
use crate::store::{Driver, ImageRecord, LayerRecord, LayerRef, StoreError};

#[derive(Debug, Error)]
pub enum IngestError {
    #[error("layer {what}: {source}")]
    Layer { what: String, source: LayerError },
    #[error("layer {what}: its content hashes to {actual}, but the image config says {expected}; the archive is corrupt")]
    DiffIdMismatch {
        what: String,
        expected: String,
        actual: String,
    },
    #[error(
        "blob {expected}: its content hashes to {actual} ({size} bytes); the archive is corrupt"
    )]
    BlobMismatch {
        expected: String,
        actual: String,
        size: u64,
    },
    #[error("{context}: {source}")]
    Io { context: String, source: io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<IngestError> for EngineError {
    fn from(e: IngestError) -> Self {
        match e {
            IngestError::Store(s) => EngineError::Store(s),
            other => EngineError::PullFailed(other.to_string()),
        }
    }
}

type Result<T> = std::result::Result<T, IngestError>;

fn io_ctx(context: impl Into<String>) -> impl FnOnce(io::Error) -> IngestError {
    let context = context.into();
    move |source| IngestError::Io { context, source }
}

/// Where a layer's bytes come from.
pub enum LayerSource {
    /// A tar stream, plain or compressed: berth writes the blob (gzip) itself.
    Stream(Box<dyn Read + Send>),
    /// A blob file whose digest the caller was told (an OCI layout's blob): kept as it is once
    /// its digest verified, so a push later sends the very same bytes.
    Blob {
        path: PathBuf,
        desc: Box<Descriptor>,
    },
}

/// One load/import/commit in progress. Drop it without [`Ingest::register`] and what it added
/// goes again.
pub struct Ingest<'e> {
    engine: &'e Engine,
    _guard: FileLock,
    in_use: Vec<FileLock>,
    new_layers: Vec<String>,
    new_blobs: Vec<String>,
    done: bool,
}

impl Engine {
    /// Start adding content; holds the store's ingest guard until dropped.
    pub fn ingest(&self) -> std::result::Result<Ingest<'_>, StoreError> {
        Ok(Ingest {
            engine: self,
            _guard: self.store.ingest_guard()?,
            in_use: Vec::new(),
            new_layers: Vec::new(),
            new_blobs: Vec::new(),
            done: false,
        })
    }

    /// How layers unpack in this store, for this user (shared with pull).
    pub fn unpack_options(&self) -> unpack::UnpackOptions {
        unpack::UnpackOptions {
            whiteouts: if self.store.driver().is_layered() {
                unpack::WhiteoutFormat::Overlay
            } else {
                unpack::WhiteoutFormat::Vfs
            },
            allow_devices: !self.ident.rootless,
            ignore_chown_errors: self.ident.single_id,
        }
    }
}

/// The media type of a stored blob, from its first bytes.
fn sniff_media_type(path: &Path) -> io::Result<&'static str> {
    let mut prefix = [0u8; 4];
    let mut f = File::open(path)?;
    let mut got = 0;
    while got < prefix.len() {
        match f.read(&mut prefix[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(match compress::detect(&prefix[..got]) {
        Compression::Gzip => OCI_LAYER_GZIP,
        Compression::Zstd => OCI_LAYER_ZSTD,
        Compression::None => OCI_LAYER_TAR,
    })
}

impl<'e> Ingest<'e> {
    fn store(&self) -> &'e crate::store::Store {
        &self.engine.store
    }

    /// Store one layer on top of `parent` (a chain ID). `expected_diff_id`, when the image
    /// config says it, is checked and lets an already stored layer skip unpacking. `what`
    /// names the layer in errors.
    pub fn layer(
        &mut self,
        source: LayerSource,
        parent: Option<&str>,
        expected_diff_id: Option<&str>,
        what: &str,
    ) -> Result<LayerRef> {
        let store = self.store();
        let known_chain = expected_diff_id.map(|d| chain_of(parent, d));
        if let Some(chain) = &known_chain {
            self.in_use.push(store.layer_use_lock(chain)?);
        }
        let existing = match &known_chain {
            Some(chain) => store.layer_record(chain)?,
            None => None,
        };
        // Whose blob will the image reference, when the layer is already here: for a stream,
        // the one the layer was made from (the stream itself is read and checked below); for
        // a blob the archive's manifest names, that blob, and only when it is here and known
        // to hold this layer. Otherwise the blob is read and verified like a new layer's.
        let reuse_blob = existing.as_ref().and_then(|rec| match &source {
            LayerSource::Stream(_) => store.has_blob(&rec.digest).then(|| rec.digest.clone()),
            LayerSource::Blob { desc, .. } => (store.layer_knows_digest(rec, &desc.digest)
                && store.has_blob(&desc.digest))
            .then(|| desc.digest.clone()),
        });
        if let (Some(rec), Some(digest)) = (&existing, &reuse_blob) {
            // Still read the stream: a layer that lies about its diff_id must not load.
            let diff_id = match source {
                LayerSource::Stream(r) => drain_hashing(r, what)?,
                LayerSource::Blob { .. } => rec.diff_id.clone(),
            };
            check_diff_id(what, expected_diff_id, &diff_id)?;
            let path = store.blob_path(digest);
            let size = std::fs::metadata(&path)
                .map_err(io_ctx(format!("reading {}", path.display())))?
                .len();
            return Ok(LayerRef {
                chain_id: rec.chain_id.clone(),
                diff_id: rec.diff_id.clone(),
                digest: digest.clone(),
                size,
                media_type: sniff_media_type(&path)
                    .map_err(io_ctx(format!("reading {}", path.display())))?
                    .into(),
                unpacked_size: rec.unpacked_size,
            });
        }

        let work = store.temp_dir("layer")?;
        let unpack_lock = match &known_chain {
            Some(chain) if existing.is_none() => Some(store.layer_unpack_lock(chain)?),
            _ => None,
        };
        // Another command may have committed it while we waited for the unpack lock.
        let skip_unpack = match &known_chain {
            Some(chain) => store.has_layer(chain),
            None => false,
        };
        let diff = work.path().join("diff");
        if !skip_unpack {
            match (store.driver(), parent) {
                (Driver::Vfs, Some(p)) => {
                    unpack::copy_tree(&store.layer_diff(p), &diff).map_err(|source| {
                        IngestError::Layer {
                            what: what.into(),
                            source,
                        }
                    })?
                }
                _ => std::fs::create_dir(&diff)
                    .map_err(io_ctx(format!("creating {}", diff.display())))?,
            }
        }
        let opts = self.engine.unpack_options();
        let blob_file = work.path().join("blob");

        // Read, hash, unpack (or drain) and, for a stream, compress — all in one pass.
        let (diff_id, unpacked_size, blob) = match source {
            LayerSource::Stream(r) => {
                let (_, tar) = compress::decompressor(r).map_err(|e| corrupt(what, e))?;
                let compressor = Compressor::start(&blob_file)
                    .map_err(io_ctx(format!("creating {}", blob_file.display())))?;
                let mut tee = Tee {
                    inner: tar,
                    hasher: Sha256::new(),
                    out: Some(compressor.tx.clone()),
                };
                let unpacked = consume(&mut tee, &diff, &opts, skip_unpack, what);
                tee.out = None;
                let diff_id = format!("sha256:{}", hex::encode(tee.hasher.finalize_reset()));
                let written = compressor.finish();
                let size = unpacked?;
                let (digest, blob_size) =
                    written.map_err(io_ctx(format!("writing {}", blob_file.display())))?;
                let desc = Descriptor {
                    media_type: OCI_LAYER_GZIP.into(),
                    digest,
                    size: blob_size,
                    platform: None,
                    annotations: None,
                    urls: None,
                    artifact_type: None,
                };
                (diff_id, size, (blob_file.clone(), desc))
            }
            LayerSource::Blob { path, desc } => {
                let from_store = store.has_blob(&desc.digest);
                let read_from = if from_store {
                    store.blob_path(&desc.digest)
                } else {
                    path.clone()
                };
                let f = File::open(&read_from)
                    .map_err(io_ctx(format!("opening {}", read_from.display())))?;
                let (raw, state) = HashingReader::new(io::BufReader::with_capacity(1 << 20, f));
                let (_, tar) =
                    compress::decompressor(Box::new(raw)).map_err(|e| corrupt(what, e))?;
                let mut tee = Tee {
                    inner: tar,
                    hasher: Sha256::new(),
                    out: None,
                };
                let size = consume(&mut tee, &diff, &opts, skip_unpack, what)?;
                let diff_id = format!("sha256:{}", hex::encode(tee.hasher.finalize_reset()));
                // The decoders read their input to its end (gzip looks for another member), so
                // by the end of the tar stream every byte of the blob went through the hasher;
                // trailing bytes they would not take show up as a size mismatch.
                drop(tee);
                state.verify(&desc)?;
                let media_type = if desc.media_type.is_empty() {
                    sniff_media_type(&read_from)
                        .map_err(io_ctx(format!("reading {}", read_from.display())))?
                        .to_string()
                } else {
                    desc.media_type.clone()
                };
                (
                    diff_id,
                    size,
                    (
                        if from_store { PathBuf::new() } else { path },
                        Descriptor {
                            media_type,
                            ..*desc
                        },
                    ),
                )
            }
        };
        check_diff_id(what, expected_diff_id, &diff_id)?;
        let chain_id = match known_chain {
            Some(c) => c,
            None => {
                let c = chain_of(parent, &diff_id);
                self.in_use.push(store.layer_use_lock(&c)?);
                c
            }
        };
        let (blob_path, desc) = blob;
        if !store.has_blob(&desc.digest) {
            store.commit_blob_file(&desc.digest, &blob_path)?;
            self.new_blobs.push(desc.digest.clone());
        }
        let unpacked_size = if skip_unpack {
            // The stored layer can now be reused for this blob too: it was verified above.
            store.record_layer_digest(&chain_id, &desc.digest)?;
            store
                .layer_record(&chain_id)?
                .map(|r| r.unpacked_size)
                .unwrap_or(unpacked_size)
        } else {
            // Import learns its chain only now; serialise with a concurrent unpack of it.
            let _late_lock = match unpack_lock {
                Some(_) => None,
                None => Some(store.layer_unpack_lock(&chain_id)?),
            };
            if !store.has_layer(&chain_id) {
                let record = LayerRecord {
                    chain_id: chain_id.clone(),
                    diff_id: diff_id.clone(),
                    parent: parent.map(String::from),
                    digest: desc.digest.clone(),
                    unpacked_size,
                    created: Utc::now(),
                };
                store.commit_layer(work, &record)?;
                self.new_layers.push(chain_id.clone());
            }
            unpacked_size
        };
        drop(unpack_lock);
        Ok(LayerRef {
            chain_id,
            diff_id,
            digest: desc.digest,
            size: desc.size,
            media_type: desc.media_type,
            unpacked_size,
        })
    }

    /// Whether the store already has a blob (a layer blob seen earlier in the same archive).
    pub fn store_has_blob(&self, digest: &str) -> bool {
        self.store().has_blob(digest)
    }

    /// Store a blob (manifest, config) given as bytes.
    pub fn small_blob(&mut self, bytes: &[u8]) -> Result<String> {
        let digest = sha256_digest(bytes);
        if !self.store().has_blob(&digest) {
            self.store().put_blob(&digest, bytes)?;
            self.new_blobs.push(digest.clone());
        }
        Ok(digest)
    }

    /// Register an image made of `config_bytes` and `layers`. `manifest` is the manifest to
    /// keep (an OCI layout's own); without one berth writes an OCI manifest for the layers.
    pub fn register(
        &mut self,
        config_bytes: &[u8],
        layers: Vec<LayerRef>,
        manifest: Option<(&[u8], &str)>,
        names: Vec<String>,
    ) -> std::result::Result<ImageRecord, EngineError> {
        let config: ImageConfig =
            serde_json::from_slice(config_bytes).map_err(|e| EngineError::BadImage {
                image: sha256_digest(config_bytes),
                reason: format!("the image config is not valid JSON: {e}"),
            })?;
        let config_digest = self.small_blob(config_bytes)?;
        let (manifest_bytes, media_type) = match manifest {
            Some((b, mt)) => (b.to_vec(), mt.to_string()),
            None => (
                oci_manifest(&config_digest, config_bytes.len() as u64, &layers),
                OCI_MANIFEST.to_string(),
            ),
        };
        let manifest_digest = self.small_blob(&manifest_bytes)?;
        let record = ImageRecord {
            id: config_digest.trim_start_matches("sha256:").to_string(),
            names,
            digests: vec![],
            manifest_digest,
            manifest_media_type: media_type,
            config_digest,
            size: layers.iter().map(|l| l.unpacked_size).sum(),
            layers,
            created: config
                .created
                .as_deref()
                .and_then(|c| chrono::DateTime::parse_from_rfc3339(c).ok())
                .map(|c| c.with_timezone(&Utc)),
            added: Utc::now(),
        };
        Ok(self.store().images().register(record)?)
    }

    /// Everything registered: keep what was added.
    pub fn finish(mut self) {
        self.done = true;
    }
}

impl Drop for Ingest<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        // Our own "in use" locks would keep remove_layer_if_unused from taking the layer.
        self.in_use.clear();
        for chain in self.new_layers.iter().rev() {
            let _ = self.engine.store.remove_layer_if_unused(chain);
        }
        let images = self.engine.store.images().list().unwrap_or_default();
        for digest in &self.new_blobs {
            // A blob another image took up meanwhile (a concurrent load of the same layer) stays.
            let used = images.iter().any(|i| {
                i.config_digest == *digest
                    || i.manifest_digest == *digest
                    || i.layers.iter().any(|l| l.digest == *digest)
            });
            if !used {
                let _ = std::fs::remove_file(self.engine.store.blob_path(digest));
            }
        }
    }
}

/// An OCI image manifest for a config and layers.
pub fn oci_manifest(config_digest: &str, config_size: u64, layers: &[LayerRef]) -> Vec<u8> {
    let desc = |media_type: &str, digest: &str, size: u64| Descriptor {
        media_type: media_type.into(),
        digest: digest.into(),
        size,
        platform: None,
        annotations: None,
        urls: None,
        artifact_type: None,
    };
    let m = ImageManifest {
        schema_version: 2,
        media_type: Some(OCI_MANIFEST.into()),
        artifact_type: None,
        config: desc(OCI_CONFIG, config_digest, config_size),
        layers: layers
            .iter()
            .map(|l| desc(&l.media_type, &l.digest, l.size))
            .collect(),
        subject: None,
        annotations: None,
    };
    serde_json::to_vec(&m).expect("manifest serializes")
}

fn chain_of(parent: Option<&str>, diff_id: &str) -> String {
    match parent {
        None => diff_id.to_string(),
        Some(p) => chain_ids(&[p.to_string(), diff_id.to_string()])[1].clone(),
    }
}

fn check_diff_id(what: &str, expected: Option<&str>, actual: &str) -> Result<()> {
    match expected {
        Some(e) if e != actual => Err(IngestError::DiffIdMismatch {
            what: what.into(),
            expected: e.into(),
            actual: actual.into(),
        }),
        _ => Ok(()),
    }
}

fn corrupt(what: &str, e: io::Error) -> IngestError {
    IngestError::Layer {
        what: what.into(),
        source: LayerError::Corrupt {
            reason: e.to_string(),
        },
    }
}

/// Unpack the stream into `diff`, or only read it to its end when the layer is already stored.
fn consume(
    tee: &mut (dyn Read + Send),
    diff: &Path,
    opts: &unpack::UnpackOptions,
    skip_unpack: bool,
    what: &str,
) -> Result<u64> {
    if skip_unpack {
        io::copy(tee, &mut io::sink()).map_err(|e| corrupt(what, e))?;
        return Ok(0);
    }
    let summary = unpack::unpack(tee, diff, opts).map_err(|source| IngestError::Layer {
        what: what.into(),
        source,
    })?;
    Ok(summary.size)
}

/// The diff_id of a (possibly compressed) layer stream, read to its end.
fn drain_hashing(r: Box<dyn Read + Send>, what: &str) -> Result<String> {
    let (_, mut tar) = compress::decompressor(r).map_err(|e| corrupt(what, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = tar.read(&mut buf).map_err(|e| corrupt(what, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(format!("sha256:{}", hex::encode(hasher.finalize())))
}

/// Hashes the uncompressed stream and hands each chunk to the compressor.
struct Tee {
    inner: Box<dyn Read + Send>,
    hasher: Sha256,
    out: Option<SyncSender<Vec<u8>>>,
}

impl Read for Tee {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        if let (Some(tx), true) = (&self.out, n > 0) {
            tx.send(buf[..n].to_vec())
                .map_err(|_| io::Error::other("the layer compressor stopped"))?;
        }
        Ok(n)
    }
}

/// Hashes and counts the raw bytes of a blob as they are read (on the decompressor's thread;
/// the result is read back through the shared state).
struct HashingReader<R> {
    inner: R,
    state: Arc<Mutex<RawHash>>,
}

#[derive(Default)]
struct RawHash {
    hasher: Sha256,
    count: u64,
}

impl<R> HashingReader<R> {
    fn new(inner: R) -> (Self, Arc<Mutex<RawHash>>) {
        let state = Arc::new(Mutex::new(RawHash::default()));
        (
            HashingReader {
                inner,
                state: state.clone(),
            },
            state,
        )
    }
}

trait Verify {
    fn verify(&self, desc: &Descriptor) -> Result<()>;
}

impl Verify for Arc<Mutex<RawHash>> {
    fn verify(&self, desc: &Descriptor) -> Result<()> {
        let mut s = self.lock().expect("hash lock");
        let actual = format!("sha256:{}", hex::encode(s.hasher.finalize_reset()));
        if actual != desc.digest || s.count != desc.size {
            return Err(IngestError::BlobMismatch {
                expected: desc.digest.clone(),
                actual,
                size: s.count,
            });
        }
        Ok(())
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut s = self.state.lock().expect("hash lock");
        s.hasher.update(&buf[..n]);
        s.count += n as u64;
        Ok(n)
    }
}

/// Counts and hashes what the gzip encoder writes: the blob's digest and size.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    count: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// gzip on its own thread, so compressing and unpacking use both cores.
struct Compressor {
    tx: SyncSender<Vec<u8>>,
    handle: JoinHandle<io::Result<(String, u64)>>,
}

impl Compressor {
    fn start(path: &Path) -> io::Result<Compressor> {
        let file = File::create(path)?;
        let (tx, rx) = sync_channel::<Vec<u8>>(16);
        let handle = thread::spawn(move || {
            let sink = HashingWriter {
                inner: BufWriter::with_capacity(1 << 20, file),
                hasher: Sha256::new(),
                count: 0,
            };
            // Level 1: layers from load/import are written once and read rarely; speed wins.
            let mut gz = flate2::write::GzEncoder::new(sink, flate2::Compression::fast());
            for chunk in rx {
                gz.write_all(&chunk)?;
            }
            let mut sink = gz.finish()?;
            sink.flush()?;
            let file = sink.inner.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            Ok((
                format!("sha256:{}", hex::encode(sink.hasher.finalize())),
                sink.count,
            ))
        });
        Ok(Compressor { tx, handle })
    }

    /// Close the stream and wait for the blob's digest and size.
    fn finish(self) -> io::Result<(String, u64)> {
        drop(self.tx);
        self.handle.join().expect("compressor thread panicked")
    }
}
