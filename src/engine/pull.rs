//! `pull`: resolve a name, fetch the manifest for this platform, download and unpack the layers
//! it lacks — each layer streamed into its unpacker while it downloads — then register the image.
//!
//! Ordering is what keeps the store sound under SIGKILL and concurrency:
//! 1. every layer is held with a shared "in use" lock until the image is registered, so a
//!    concurrent `rmi` cannot collect it between commit and registration;
//! 2. a layer is unpacked under its exclusive unpack lock, into tmp/, and renamed into layers/
//!    only after both its compressed digest and its diff_id verified;
//! 3. the image record is written last, in one atomic replace of images.json.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

use chrono::Utc;

use super::{Engine, EngineError, Result};
use crate::image::manifest::{
    sha256_digest, Descriptor, ImageConfig, ImageManifest, Manifest, Platform,
};
use crate::image::reference::Reference;
use crate::image::registries::{Endpoint, RegistriesConf, Resolution};
use crate::layer::unpack::LayerError;
use crate::layer::{compress, unpack};
use crate::registry::auth::AuthStore;
use crate::registry::client::{ClientOptions, RegistryClient};
use crate::store::lock::FileLock;
use crate::store::{Driver, ImageRecord, LayerRecord, LayerRef};

/// How many blobs download at once (podman's default is 6; 3 keeps 2-core hosts responsive
/// while the unpackers run).
const PARALLEL_DOWNLOADS: usize = 3;

#[derive(Debug, Clone, Default)]
pub struct PullOptions {
    pub platform: Option<String>,
    /// `Some(false)` = --tls-verify=false.
    pub tls_verify: Option<bool>,
    pub authfile: Option<PathBuf>,
    /// Whether the user can answer questions (stdin is a terminal).
    pub interactive: bool,
}

/// What happened to a blob, for progress output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobOutcome {
    Downloaded,
    AlreadyExists,
}

/// Progress sink the CLI provides (bars on a terminal, lines otherwise).
/// Every event defaults to saying nothing.
pub trait PullReporter: Send + Sync {
    fn trying(&self, _reference: &str) {}
    fn blob_start(&self, _digest: &str, _size: u64) {}
    fn blob_progress(&self, _digest: &str, _done: u64) {}
    fn blob_done(&self, _digest: &str, _outcome: BlobOutcome) {}
    fn config(&self, _digest: &str) {}
    fn writing_manifest(&self) {}
    /// A short name matched several registries and the user is at a terminal: let them pick
    /// (podman's prompt). `None` tries the candidates in order.
    fn choose_candidate(&self, _name: &str, _candidates: &[String]) -> Option<usize> {
        None
    }
}

/// A reporter that says nothing (for -q and for library callers).
pub struct Silent;

impl PullReporter for Silent {}

/// Loopback registries may speak plain HTTP without being marked insecure (docker's rule for 127.0.0.0/8).
fn is_loopback_host(host: &str) -> bool {
    let name = host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host);
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name == "localhost"
        || name
            .parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

/// Compute chain IDs from diff IDs (OCI image spec: ChainID(L0) = DiffID(L0),
/// ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln))).
pub fn chain_ids(diff_ids: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(diff_ids.len());
    for d in diff_ids {
        let next = match out.last() {
            None => d.clone(),
            Some(prev) => sha256_digest(format!("{prev} {d}").as_bytes()),
        };
        out.push(next);
    }
    out
}

impl Engine {
    pub(super) fn registry_client(
        &self,
        endpoint: &Endpoint,
        opts: &PullOptions,
    ) -> Result<RegistryClient> {
        let auth = match &opts.authfile {
            Some(p) => AuthStore::from_paths(vec![p.clone()]),
            None => AuthStore::default_paths(),
        };
        let mut insecure_hosts = Vec::new();
        if endpoint.insecure || is_loopback_host(&endpoint.host) {
            insecure_hosts.push(endpoint.host.clone());
        }
        Ok(RegistryClient::new(ClientOptions {
            insecure_hosts,
            tls_verify: opts.tls_verify.unwrap_or(true),
            user_agent: format!("berth/{}", env!("CARGO_PKG_VERSION")),
            auth,
            max_retries: 4,
        })?)
    }

    /// Pull `name` and return the registered image.
    pub async fn pull(
        &self,
        name: &str,
        opts: &PullOptions,
        rep: &dyn PullReporter,
    ) -> Result<ImageRecord> {
        let conf = RegistriesConf::load_default()?;
        let candidates = match conf.resolve(name, opts.interactive)? {
            Resolution::Qualified(r) | Resolution::Alias(r) => vec![r],
            Resolution::Candidates(c) if opts.interactive && c.len() > 1 => {
                let names: Vec<String> = c.iter().map(|r| r.to_string()).collect();
                match rep.choose_candidate(name, &names) {
                    Some(i) if i < c.len() => vec![c[i].clone()],
                    _ => c,
                }
            }
            Resolution::Candidates(c) => c,
        };
        let want = match &opts.platform {
            Some(p) => Platform::parse(p)?,
            None => Platform::host(),
        };
        let mut failures = Vec::new();
        for candidate in &candidates {
            rep.trying(&candidate.to_string());
            let endpoints = conf.pull_endpoints(candidate)?;
            for endpoint in &endpoints {
                match self.pull_from(candidate, endpoint, &want, opts, rep).await {
                    Ok(record) => {
                        self.emit_image_ref("pull", &candidate.to_string());
                        return Ok(record);
                    }
                    Err(EngineError::Registry(e)) if candidates.len() + endpoints.len() > 2 => {
                        failures.push(format!("{}: {e}", endpoint.host));
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Err(EngineError::PullFailed(format!(
            "pulling {name} failed from every registry tried: {}",
            failures.join("; ")
        )))
    }

    async fn pull_from(
        &self,
        reference: &Reference,
        endpoint: &Endpoint,
        want: &Platform,
        opts: &PullOptions,
        rep: &dyn PullReporter,
    ) -> Result<ImageRecord> {
        let client = self.registry_client(endpoint, opts)?;
        let _ingest = self.store.ingest_guard()?;
        let (host, repo) = (endpoint.host.as_str(), endpoint.repository.as_str());
        let top = client
            .get_manifest(host, repo, reference.reference())
            .await?;
        let repo_digest = top.digest.clone();
        let (manifest_bytes, manifest_digest, media_type, index_bytes) =
            match Manifest::parse(&top.bytes, Some(&top.media_type))? {
                Manifest::Image(_) => (
                    top.bytes.clone(),
                    top.digest.clone(),
                    top.media_type.clone(),
                    None,
                ),
                Manifest::Index(index) => {
                    let chosen = index.select(want)?;
                    let m = client.get_manifest(host, repo, &chosen.digest).await?;
                    (m.bytes, m.digest, m.media_type, Some(top.bytes.clone()))
                }
            };
        let manifest: ImageManifest = match Manifest::parse(&manifest_bytes, Some(&media_type))? {
            Manifest::Image(m) => *m,
            Manifest::Index(_) => {
                return Err(EngineError::BadImage {
                    image: reference.to_string(),
                    reason: "a manifest list points at another manifest list".into(),
                })
            }
        };

        let config_bytes = self
            .fetch_small_blob(&client, host, repo, &manifest.config)
            .await?;
        rep.config(&manifest.config.digest);
        let config: ImageConfig =
            serde_json::from_slice(&config_bytes).map_err(|e| EngineError::BadImage {
                image: reference.to_string(),
                reason: format!(
                    "image config {} is not valid JSON: {e}",
                    manifest.config.digest
                ),
            })?;
        let diff_ids = config.rootfs.diff_ids.clone();
        if diff_ids.len() != manifest.layers.len() {
            return Err(EngineError::BadImage {
                image: reference.to_string(),
                reason: format!(
                    "the manifest lists {} layers but the config has {} diff_ids",
                    manifest.layers.len(),
                    diff_ids.len()
                ),
            });
        }
        let chains = chain_ids(&diff_ids);

        // Keep every layer of this image alive until the record is written.
        let mut in_use: Vec<FileLock> = Vec::new();
        for chain in &chains {
            in_use.push(self.store.layer_use_lock(chain)?);
        }
        let jobs: Vec<LayerJob> = manifest
            .layers
            .iter()
            .zip(diff_ids.iter())
            .zip(chains.iter())
            .enumerate()
            .map(|(i, ((desc, diff_id), chain))| LayerJob {
                image: reference.to_string(),
                desc: desc.clone(),
                diff_id: diff_id.clone(),
                chain_id: chain.clone(),
                parent: i.checked_sub(1).map(|p| chains[p].clone()),
            })
            .collect();
        let unpacked_sizes = self.fetch_layers(&client, host, repo, jobs, rep).await?;

        rep.writing_manifest();
        let layers: Vec<LayerRef> = manifest
            .layers
            .iter()
            .zip(diff_ids.iter().zip(chains.iter()))
            .zip(unpacked_sizes)
            .map(|((desc, (diff_id, chain)), unpacked)| LayerRef {
                chain_id: chain.clone(),
                diff_id: diff_id.clone(),
                digest: desc.digest.clone(),
                size: desc.size,
                media_type: desc.media_type.clone(),
                unpacked_size: unpacked,
            })
            .collect();
        let id = manifest
            .config
            .digest
            .trim_start_matches("sha256:")
            .to_string();
        let names = match reference.tag.as_deref() {
            Some(_) if reference.digest.is_none() => vec![reference.to_string()],
            _ => vec![],
        };
        let record = ImageRecord {
            id,
            names,
            digests: vec![format!("{}@{}", reference.name(), repo_digest)],
            manifest_digest: manifest_digest.clone(),
            manifest_media_type: media_type,
            config_digest: manifest.config.digest.clone(),
            size: layers.iter().map(|l| l.unpacked_size).sum(),
            layers,
            added: Utc::now(),
            created: config
                .created
                .as_deref()
                .and_then(|c| chrono::DateTime::parse_from_rfc3339(c).ok())
                .map(|c| c.with_timezone(&Utc)),
        };
        self.store
            .put_blob(&manifest.config.digest, &config_bytes)?;
        self.store.put_blob(&manifest_digest, &manifest_bytes)?;
        if let Some(index) = index_bytes {
            self.store.put_blob(&repo_digest, &index)?;
        }
        let record = self.store.images().register(record)?;
        drop(in_use);
        Ok(record)
    }

    /// Configs are small: download to a temp file, verify, keep in memory.
    async fn fetch_small_blob(
        &self,
        client: &RegistryClient,
        host: &str,
        repo: &str,
        desc: &Descriptor,
    ) -> Result<Vec<u8>> {
        if let Ok(bytes) = self.store.read_blob(&desc.digest) {
            return Ok(bytes);
        }
        let work = self.store.temp_dir("blob")?;
        let path = work.path().join("blob");
        client
            .fetch_blob(host, repo, &desc.digest, Some(desc.size), &path, &|_| {})
            .await?;
        std::fs::read(&path).map_err(|e| EngineError::Io {
            context: format!("reading {}", path.display()),
            source: e,
        })
    }

    /// Download and unpack the layers that are missing, a few at a time. Returns the unpacked
    /// size of every layer, in order.
    async fn fetch_layers(
        &self,
        client: &RegistryClient,
        host: &str,
        repo: &str,
        jobs: Vec<LayerJob>,
        rep: &dyn PullReporter,
    ) -> Result<Vec<u64>> {
        use futures_util::stream::{self, StreamExt, TryStreamExt};
        // vfs layers are snapshots of their parent, so they are built in order.
        let parallel = if self.store.driver().is_layered() {
            PARALLEL_DOWNLOADS
        } else {
            1
        };
        stream::iter(
            jobs.into_iter()
                .map(|job| self.fetch_layer(client, host, repo, job, rep)),
        )
        .buffered(parallel)
        .try_collect()
        .await
    }

    async fn fetch_layer(
        &self,
        client: &RegistryClient,
        host: &str,
        repo: &str,
        job: LayerJob,
        rep: &dyn PullReporter,
    ) -> Result<u64> {
        let digest = job.desc.digest.clone();
        // A stored layer is reused only for a blob known to hold it: a manifest may name any
        // digest next to a config whose diff_ids match what is already here.
        if let Some(rec) = self.store.layer_record(&job.chain_id)? {
            if self.store.layer_knows_digest(&rec, &digest) {
                rep.blob_done(&digest, BlobOutcome::AlreadyExists);
                return Ok(rec.unpacked_size);
            }
        }
        let lock_path = self.store.lock_path(&format!(
            "unpack-{}",
            job.chain_id.trim_start_matches("sha256:")
        ));
        let _unpacking = blocking(move || {
            FileLock::exclusive(&lock_path).map_err(|source| crate::store::StoreError::Io {
                path: lock_path,
                source,
            })
        })
        .await?;
        if let Some(rec) = self.store.layer_record(&job.chain_id)? {
            if !self.store.layer_knows_digest(&rec, &digest) {
                return self
                    .verify_other_blob(client, host, repo, &job, &rec, rep)
                    .await;
            }
            rep.blob_done(&digest, BlobOutcome::AlreadyExists);
            return Ok(rec.unpacked_size);
        }
        rep.blob_start(&digest, job.desc.size);
        let work = self.store.temp_dir("layer")?;
        let diff = work.path().join("diff");
        if let (Driver::Vfs, Some(parent)) = (self.store.driver(), &job.parent) {
            let src = self.store.layer_diff(parent);
            let dst = diff.clone();
            blocking(move || unpack::copy_tree(&src, &dst))
                .await
                .map_err(|source| EngineError::Layer {
                    image: job.image.clone(),
                    digest: digest.clone(),
                    source,
                })?;
        } else {
            std::fs::create_dir(&diff).map_err(|e| EngineError::Io {
                context: format!("creating {}", diff.display()),
                source: e,
            })?;
        }
        let opts = self.unpack_options();

        let have_blob = self.store.has_blob(&digest);
        let blob_file = if have_blob {
            self.store.blob_path(&digest)
        } else {
            work.path().join("blob")
        };
        let summary = if have_blob {
            rep.blob_progress(&digest, job.desc.size);
            let (d, o, f) = (diff.clone(), opts, blob_file.clone());
            blocking(move || unpack_file(&f, &d, &o)).await
        } else {
            // Create the file first so the unpacker can follow it while the download fills it.
            File::create(&blob_file).map_err(|e| EngineError::Io {
                context: format!("creating {}", blob_file.display()),
                source: e,
            })?;
            let growth = Arc::new(Growth::default());
            let reader =
                FollowReader::open(&blob_file, growth.clone()).map_err(|e| EngineError::Io {
                    context: format!("opening {}", blob_file.display()),
                    source: e,
                })?;
            let (d, o) = (diff.clone(), opts.clone());
            let unpacker =
                tokio::task::spawn_blocking(move || unpack_reader(Box::new(reader), &d, &o));
            let progress = |n: u64| {
                growth.advance(n);
                rep.blob_progress(&digest, n);
            };
            let downloaded = client
                .fetch_blob(
                    host,
                    repo,
                    &digest,
                    Some(job.desc.size),
                    &blob_file,
                    &progress,
                )
                .await;
            growth.finish(downloaded.as_ref().map(|_| ()).map_err(|e| e.to_string()));
            let streamed = unpacker.await.expect("unpack task panicked");
            downloaded?;
            match streamed {
                Ok(s) => Ok(s),
                // The download restarted under the unpacker (a retry): unpack the finished file.
                Err(_) if growth.restarted() => {
                    let d = diff.clone();
                    let f = blob_file.clone();
                    let _ = crate::store::remove_tree(&d);
                    std::fs::create_dir(&d).map_err(|e| EngineError::Io {
                        context: format!("creating {}", d.display()),
                        source: e,
                    })?;
                    blocking(move || unpack_file(&f, &d, &opts)).await
                }
                Err(e) => Err(e),
            }
        };
        let summary = summary.map_err(|source| EngineError::Layer {
            image: job.image.clone(),
            digest: digest.clone(),
            source,
        })?;
        if summary.diff_id != job.diff_id {
            return Err(EngineError::DiffIdMismatch {
                image: job.image,
                digest,
                expected: job.diff_id,
                actual: summary.diff_id,
            });
        }
        if !have_blob {
            self.store.commit_blob_file(&digest, &blob_file)?;
        }
        let record = LayerRecord {
            chain_id: job.chain_id.clone(),
            diff_id: job.diff_id.clone(),
            parent: job.parent.clone(),
            digest: digest.clone(),
            unpacked_size: summary.size,
            created: Utc::now(),
        };
        self.store.commit_layer(work, &record)?;
        rep.blob_done(&digest, BlobOutcome::Downloaded);
        Ok(summary.size)
    }
}

impl Engine {
    /// The layer is stored, but was made from another blob than the one the manifest names:
    /// fetch that blob (or take it from the store), check that it decompresses to the layer's
    /// diff_id, keep it for push and save, and remember the pairing. Called under the layer's
    /// unpack lock.
    async fn verify_other_blob(
        &self,
        client: &RegistryClient,
        host: &str,
        repo: &str,
        job: &LayerJob,
        rec: &LayerRecord,
        rep: &dyn PullReporter,
    ) -> Result<u64> {
        let digest = job.desc.digest.clone();
        rep.blob_start(&digest, job.desc.size);
        let work = self.store.temp_dir("blob")?;
        let have_blob = self.store.has_blob(&digest);
        let blob_file = if have_blob {
            self.store.blob_path(&digest)
        } else {
            let path = work.path().join("blob");
            let progress = |n: u64| rep.blob_progress(&digest, n);
            client
                .fetch_blob(host, repo, &digest, Some(job.desc.size), &path, &progress)
                .await?;
            path
        };
        let f = blob_file.clone();
        let diff_id = blocking(move || diff_id_of_file(&f))
            .await
            .map_err(|source| EngineError::Layer {
                image: job.image.clone(),
                digest: digest.clone(),
                source,
            })?;
        if diff_id != job.diff_id {
            return Err(EngineError::DiffIdMismatch {
                image: job.image.clone(),
                digest,
                expected: job.diff_id.clone(),
                actual: diff_id,
            });
        }
        if !have_blob {
            self.store.commit_blob_file(&digest, &blob_file)?;
        }
        self.store.record_layer_digest(&rec.chain_id, &digest)?;
        crate::debug::note(&format!(
            "pull: blob {digest} verified to hold layer {} (stored from {})",
            rec.diff_id, rec.digest
        ));
        rep.blob_done(&digest, BlobOutcome::Downloaded);
        Ok(rec.unpacked_size)
    }
}

struct LayerJob {
    image: String,
    desc: Descriptor,
    diff_id: String,
    chain_id: String,
    parent: Option<String>,
}

type LayerResult = std::result::Result<unpack::UnpackSummary, LayerError>;

/// Unpack a pulled blob. Its digest is checked (as it downloads, or when it was stored) and so
/// is the diff_id of what it inflates to, before the layer is committed.
fn unpack_reader(
    r: Box<dyn Read + Send>,
    diff: &Path,
    opts: &unpack::UnpackOptions,
) -> LayerResult {
    let (_, tar) = compress::decompressor_verified(r).map_err(|e| LayerError::Corrupt {
        reason: e.to_string(),
    })?;
    unpack::unpack(tar, diff, opts)
}

fn unpack_file(file: &Path, diff: &Path, opts: &unpack::UnpackOptions) -> LayerResult {
    let f = File::open(file).map_err(|e| LayerError::Corrupt {
        reason: format!("{}: {e}", file.display()),
    })?;
    unpack_reader(
        Box::new(io::BufReader::with_capacity(1 << 20, f)),
        diff,
        opts,
    )
}

/// The diff_id of a (possibly compressed) blob file: the sha256 of its decompressed stream.
fn diff_id_of_file(file: &Path) -> std::result::Result<String, LayerError> {
    use sha2::{Digest as _, Sha256};
    let corrupt = |e: io::Error| LayerError::Corrupt {
        reason: format!("{}: {e}", file.display()),
    };
    let f = File::open(file).map_err(corrupt)?;
    let (_, mut tar) = compress::decompressor(Box::new(io::BufReader::with_capacity(1 << 20, f)))
        .map_err(corrupt)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match tar.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(corrupt(e)),
        }
    }
    Ok(format!("sha256:{}", hex::encode(hasher.finalize())))
}

async fn blocking<T: Send + 'static, E: Send + 'static>(
    f: impl FnOnce() -> std::result::Result<T, E> + Send + 'static,
) -> std::result::Result<T, E> {
    tokio::task::spawn_blocking(f)
        .await
        .expect("blocking task panicked")
}

/// How far a download has got, shared between the downloader and the unpacker that follows it.
#[derive(Default)]
struct Growth {
    state: Mutex<GrowthState>,
    cv: Condvar,
}

#[derive(Default)]
struct GrowthState {
    written: u64,
    finished: Option<std::result::Result<(), String>>,
    restarted: bool,
}

impl Growth {
    fn advance(&self, n: u64) {
        let mut s = self.state.lock().expect("growth lock");
        if n < s.written {
            s.restarted = true;
        }
        s.written = n;
        self.cv.notify_all();
    }

    fn finish(&self, r: std::result::Result<(), String>) {
        let mut s = self.state.lock().expect("growth lock");
        s.finished = Some(r);
        self.cv.notify_all();
    }

    fn restarted(&self) -> bool {
        self.state.lock().expect("growth lock").restarted
    }
}

/// Reads a file that another task is still writing, blocking until bytes arrive; EOF only once
/// the download has finished successfully.
struct FollowReader {
    file: File,
    pos: u64,
    growth: Arc<Growth>,
}

impl FollowReader {
    fn open(path: &Path, growth: Arc<Growth>) -> io::Result<Self> {
        Ok(FollowReader {
            file: File::open(path)?,
            pos: 0,
            growth,
        })
    }
}

impl Read for FollowReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut s = self.growth.state.lock().expect("growth lock");
        loop {
            if s.restarted {
                return Err(io::Error::other("the download restarted"));
            }
            if self.pos < s.written {
                let n = (s.written - self.pos).min(buf.len() as u64) as usize;
                drop(s);
                let got = self.file.read_at(&mut buf[..n], self.pos)?;
                self.pos += got as u64;
                return Ok(got);
            }
            match &s.finished {
                Some(Ok(())) => {
                    // The final size may exceed the last progress report.
                    drop(s);
                    let got = self.file.read_at(buf, self.pos)?;
                    self.pos += got as u64;
                    return Ok(got);
                }
                Some(Err(e)) => return Err(io::Error::other(e.clone())),
                None => s = self.growth.cv.wait(s).expect("growth lock"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_ids_follow_the_oci_formula() {
        let d = vec!["sha256:aa".to_string(), "sha256:bb".to_string()];
        let c = chain_ids(&d);
        assert_eq!(c[0], "sha256:aa");
        assert_eq!(c[1], sha256_digest(b"sha256:aa sha256:bb"));
    }

    #[test]
    fn loopback_registries_are_recognised() {
        assert!(is_loopback_host("127.0.0.1:5000"));
        assert!(is_loopback_host("localhost:5000"));
        assert!(is_loopback_host("[::1]:5000"));
        assert!(!is_loopback_host("registry.example.com:5000"));
        assert!(!is_loopback_host("10.0.0.1"));
    }

    #[test]
    fn follow_reader_reads_bytes_as_they_arrive_and_ends_after_finish() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"").unwrap();
        let growth = Arc::new(Growth::default());
        let mut reader = FollowReader::open(&p, growth.clone()).unwrap();
        let writer = {
            let (p, g) = (p.clone(), growth.clone());
            std::thread::spawn(move || {
                use std::io::Write;
                let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
                for i in 0..5u64 {
                    f.write_all(b"abcd").unwrap();
                    g.advance((i + 1) * 4);
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                g.finish(Ok(()));
            })
        };
        let mut out = Vec::new();
        reader.read_to_end(&mut out).unwrap();
        writer.join().unwrap();
        assert_eq!(out, b"abcdabcdabcdabcdabcd");
    }

    #[test]
    fn follow_reader_fails_when_the_download_fails() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"xx").unwrap();
        let growth = Arc::new(Growth::default());
        growth.advance(2);
        growth.finish(Err("digest mismatch".into()));
        let mut reader = FollowReader::open(&p, growth).unwrap();
        let mut out = Vec::new();
        let err = reader.read_to_end(&mut out).unwrap_err();
        assert!(err.to_string().contains("digest mismatch"));
    }
}
