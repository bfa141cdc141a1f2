//! `save` and `load`: images to and from docker-archive and oci-archive tarballs.
//!
//! Loading first extracts the outer tar (plain, gzip or zstd; a file or a pipe) into a private
//! directory under the store's tmp/, under names berth makes up — the archive's own paths are
//! only keys in a map, so an archive cannot write anywhere by naming a path. Every image in it is
//! then verified and ingested through [`crate::engine::ingest`], and registered only once all of
//! them verified: a bad archive registers nothing.

pub mod docker;
pub mod oci;

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::ingest::IngestError;
use super::{Engine, EngineError};
use crate::image::reference::{Reference, ReferenceError};
use crate::layer::compress;
use crate::store::{ImageRecord, StoreError, TempDir};

#[derive(Debug, Error)]
pub enum ArchiveError {
    #[error("it is not a tar archive ({reason}); give a file made by `save`")]
    NotAnArchive { reason: String },
    #[error("the archive is truncated or corrupt: {reason}")]
    Truncated { reason: String },
    #[error(
        "it is neither a docker-archive (no manifest.json) nor an oci-archive (no index.json)"
    )]
    UnknownLayout,
    #[error("the archive lacks {name}, which {referrer} refers to; the archive is incomplete")]
    Missing { name: String, referrer: String },
    #[error("{name} in the archive is not valid: {reason}")]
    Invalid { name: String, reason: String },
    #[error("{name} in the archive hashes to {actual}; the archive is corrupt")]
    DigestMismatch { name: String, actual: String },
    #[error("the archive holds no image")]
    Empty,
    #[error("tag {tag:?} in the archive: {source}")]
    BadTag { tag: String, source: ReferenceError },
    #[error("{context}: {source}")]
    Io { context: String, source: io::Error },
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type Result<T> = std::result::Result<T, ArchiveError>;

fn io_ctx(context: impl Into<String>) -> impl FnOnce(io::Error) -> ArchiveError {
    let context = context.into();
    move |source| ArchiveError::Io { context, source }
}

/// What `save` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveFormat {
    DockerArchive,
    OciArchive,
}

impl ArchiveFormat {
    pub fn parse(s: &str) -> Option<ArchiveFormat> {
        match s {
            "docker-archive" => Some(ArchiveFormat::DockerArchive),
            "oci-archive" => Some(ArchiveFormat::OciArchive),
            _ => None,
        }
    }
}

/// One image `load` registered, with the names it got.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub id: String,
    pub names: Vec<String>,
}

/// Metadata files (manifest.json, index.json, configs, manifests) are read whole; none is
/// anywhere near this size in a real archive.
const SMALL_FILE_MAX: u64 = 64 << 20;

/// The files of an archive, extracted under made-up names.
pub(crate) struct Extracted {
    work: TempDir,
    /// Normalised archive path → the extracted file.
    files: HashMap<String, PathBuf>,
    /// Normalised path of a symlink or hardlink → normalised target.
    links: HashMap<String, String>,
}

/// `./a//b/` → `a/b`; `None` for a name that climbs above the archive root.
pub(crate) fn normalize(name: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for c in name.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

impl Extracted {
    fn read(input: Box<dyn Read + Send>, work: TempDir) -> Result<Extracted> {
        let (_, stream) = compress::decompressor(input).map_err(|e| ArchiveError::Truncated {
            reason: e.to_string(),
        })?;
        let mut archive = tar::Archive::new(stream);
        let mut out = Extracted {
            work,
            files: HashMap::new(),
            links: HashMap::new(),
        };
        let entries = archive.entries().map_err(|e| ArchiveError::NotAnArchive {
            reason: e.to_string(),
        })?;
        let mut seen_any = false;
        for (n, entry) in entries.enumerate() {
            let mut entry = entry.map_err(|e| {
                if seen_any {
                    ArchiveError::Truncated {
                        reason: e.to_string(),
                    }
                } else {
                    ArchiveError::NotAnArchive {
                        reason: e.to_string(),
                    }
                }
            })?;
            seen_any = true;
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let Some(name) = normalize(&raw) else {
                continue; // nothing berth reads can live above the root
            };
            let kind = entry.header().entry_type();
            if kind.is_file() {
                let local = out.work.path().join(format!("f{n}"));
                let mut f = File::create(&local)
                    .map_err(io_ctx(format!("creating {}", local.display())))?;
                let want = entry.header().size().unwrap_or(0);
                let got = io::copy(&mut entry, &mut f).map_err(|e| ArchiveError::Truncated {
                    reason: format!("{raw}: {e}"),
                })?;
                if got != want {
                    return Err(ArchiveError::Truncated {
                        reason: format!("{raw} ends after {got} of its {want} bytes"),
                    });
                }
                out.links.remove(&name);
                out.files.insert(name, local);
            } else if kind.is_symlink() || kind.is_hard_link() {
                let target = entry
                    .link_name_bytes()
                    .map(|t| String::from_utf8_lossy(&t).into_owned())
                    .unwrap_or_default();
                // A symlink is relative to its directory; a hardlink names an archive path.
                let joined = if kind.is_symlink() && !target.starts_with('/') {
                    match name.rsplit_once('/') {
                        Some((dir, _)) => format!("{dir}/{target}"),
                        None => target,
                    }
                } else {
                    target
                };
                if let Some(t) = normalize(&joined) {
                    out.files.remove(&name);
                    out.links.insert(name, t);
                }
            }
        }
        if !seen_any {
            return Err(ArchiveError::NotAnArchive {
                reason: "it holds no entries".into(),
            });
        }
        Ok(out)
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.path(name).is_some()
    }

    /// The extracted file for an archive path, following links (a few hops at most).
    pub(crate) fn path(&self, name: &str) -> Option<&Path> {
        let mut name = normalize(name)?;
        for _ in 0..16 {
            if let Some(p) = self.files.get(&name) {
                return Some(p);
            }
            name = self.links.get(&name)?.clone();
        }
        None
    }

    pub(crate) fn require(&self, name: &str, referrer: &str) -> Result<&Path> {
        self.path(name).ok_or_else(|| ArchiveError::Missing {
            name: name.into(),
            referrer: referrer.into(),
        })
    }

    pub(crate) fn read_small(&self, name: &str, referrer: &str) -> Result<Vec<u8>> {
        let path = self.require(name, referrer)?;
        let len = std::fs::metadata(path)
            .map_err(io_ctx(format!("reading {}", path.display())))?
            .len();
        if len > SMALL_FILE_MAX {
            return Err(ArchiveError::Invalid {
                name: name.into(),
                reason: format!("it is {len} bytes, too large for metadata"),
            });
        }
        std::fs::read(path).map_err(io_ctx(format!("reading {}", path.display())))
    }
}

/// An image ready to register, all its layers ingested and verified.
pub(crate) struct Verified {
    config: Vec<u8>,
    layers: Vec<crate::store::LayerRef>,
    /// An OCI layout's own manifest and media type, kept as they are.
    manifest: Option<(Vec<u8>, String)>,
    names: Vec<String>,
}

/// docker's rule for names in an archive (RepoTags, `docker load`): docker.io for a short name.
pub(crate) fn docker_name(tag: &str) -> Result<String> {
    let r = Reference::parse(tag).map_err(|source| ArchiveError::BadTag {
        tag: tag.into(),
        source,
    })?;
    Ok(r.to_string())
}

impl Engine {
    /// Load every image of a docker-archive or oci-archive read from `input`.
    pub fn load(&self, input: Box<dyn Read + Send>) -> Result<Vec<Loaded>> {
        let mut ingest = self.ingest()?;
        let extracted = Extracted::read(input, self.store.temp_dir("load")?)?;
        let images = if extracted.has("manifest.json") {
            docker::read(self, &mut ingest, &extracted)?
        } else if extracted.has("index.json") {
            oci::read(self, &mut ingest, &extracted)?
        } else {
            return Err(ArchiveError::UnknownLayout);
        };
        if images.is_empty() {
            return Err(ArchiveError::Empty);
        }
        let mut loaded = Vec::new();
        for img in images {
            let record = ingest.register(
                &img.config,
                img.layers,
                img.manifest
                    .as_ref()
                    .map(|(b, mt)| (b.as_slice(), mt.as_str())),
                img.names.clone(),
            )?;
            self.emit_image("load", &record.id, img.names.first().unwrap_or(&record.id));
            loaded.push(Loaded {
                id: record.id,
                names: img.names,
            });
        }
        ingest.finish();
        Ok(loaded)
    }

    /// Write `images` as one archive to `out`. Names are resolved before anything is written.
    pub fn save(
        &self,
        images: &[String],
        format: ArchiveFormat,
        out: &mut dyn Write,
    ) -> Result<()> {
        let mut chosen: Vec<(ImageRecord, BTreeSet<String>)> = Vec::new();
        for name in images {
            let record = self.find_image(name)?;
            let tags = names_meant(&record, name);
            match chosen.iter_mut().find(|(r, _)| r.id == record.id) {
                Some((_, t)) => t.extend(tags),
                None => chosen.push((record, tags.into_iter().collect())),
            }
        }
        match format {
            ArchiveFormat::DockerArchive => docker::write(self, &chosen, out)?,
            ArchiveFormat::OciArchive => oci::write(self, &chosen, out)?,
        }
        chosen
            .iter()
            .for_each(|(r, _)| self.emit_image("save", &r.id, r.names.first().unwrap_or(&r.id)));
        Ok(())
    }
}

/// The names an argument of `save` stands for: none for an ID (docker saves an image named by
/// ID untagged), the name itself when the image has it, otherwise every name of the image.
fn names_meant(record: &ImageRecord, arg: &str) -> Vec<String> {
    let hex = arg.trim_start_matches("sha256:");
    if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) && record.id.starts_with(hex) {
        return Vec::new();
    }
    match Reference::parse(arg).map(|r| r.to_string()) {
        Ok(n) if record.names.contains(&n) => vec![n],
        _ => record.names.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_collapses_dots_and_refuses_climbing_out() {
        assert_eq!(normalize("./a//b/").as_deref(), Some("a/b"));
        assert_eq!(
            normalize("/blobs/sha256/x").as_deref(),
            Some("blobs/sha256/x")
        );
        assert_eq!(normalize("a/../b").as_deref(), Some("b"));
        assert_eq!(normalize("../etc/passwd"), None);
        assert_eq!(normalize("a/../../b"), None);
    }

    #[test]
    fn archive_formats_are_podmans_names() {
        assert_eq!(
            ArchiveFormat::parse("docker-archive"),
            Some(ArchiveFormat::DockerArchive)
        );
        assert_eq!(
            ArchiveFormat::parse("oci-archive"),
            Some(ArchiveFormat::OciArchive)
        );
        assert_eq!(ArchiveFormat::parse("oci-dir"), None);
    }

    #[test]
    fn docker_names_default_to_docker_io() {
        assert_eq!(
            docker_name("busybox:1").unwrap(),
            "docker.io/library/busybox:1"
        );
        assert_eq!(
            docker_name("localhost:5000/a/b").unwrap(),
            "localhost:5000/a/b:latest"
        );
        assert!(docker_name("Not Valid").is_err());
    }
}
