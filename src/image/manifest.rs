//! OCI and Docker manifests, indexes, image configs, and platform selection.
//!
//! These types are for reading: berth stores the registry's original bytes (their digest is
//! the image's identity), so fields berth does not use are kept in `extra` maps only where a
//! later reader (inspect, build, run) needs them.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use thiserror::Error;

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_MANIFEST_V1: &str = "application/vnd.docker.distribution.manifest.v1+json";
pub const DOCKER_MANIFEST_V1_SIGNED: &str =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
/// OCI 1.1's placeholder config of artifacts (`{}`).
pub const OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";
pub const OCI_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub const OCI_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
pub const OCI_LAYER_NONDIST_TAR: &str = "application/vnd.oci.image.layer.nondistributable.v1.tar";
pub const OCI_LAYER_NONDIST_GZIP: &str =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
pub const OCI_LAYER_NONDIST_ZSTD: &str =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
pub const DOCKER_LAYER_FOREIGN: &str = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
/// Marks an index entry that is an attestation (SBOM, provenance), not a runnable image.
pub const ANNOTATION_REFERENCE_TYPE: &str = "vnd.docker.reference.type";

/// What berth sends in `Accept` when asking for a manifest.
pub const ACCEPTED_MANIFESTS: &[&str] = &[
    OCI_INDEX,
    OCI_MANIFEST,
    DOCKER_MANIFEST_LIST,
    DOCKER_MANIFEST,
];

/// How a layer's bytes are compressed, as its media type declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerCompression {
    None,
    Gzip,
    Zstd,
}

/// The compression a layer media type declares, or None when it is not a layer type.
pub fn layer_compression(media_type: &str) -> Option<LayerCompression> {
    match media_type {
        OCI_LAYER_TAR | OCI_LAYER_NONDIST_TAR => Some(LayerCompression::None),
        OCI_LAYER_GZIP | OCI_LAYER_NONDIST_GZIP | DOCKER_LAYER_GZIP | DOCKER_LAYER_FOREIGN => {
            Some(LayerCompression::Gzip)
        }
        OCI_LAYER_ZSTD | OCI_LAYER_NONDIST_ZSTD => Some(LayerCompression::Zstd),
        _ => None,
    }
}

/// Foreign (Docker) and non-distributable (OCI) layers may live outside the registry, at
/// the descriptor's `urls`.
pub fn is_foreign_layer(media_type: &str) -> bool {
    matches!(
        media_type,
        DOCKER_LAYER_FOREIGN
            | OCI_LAYER_NONDIST_TAR
            | OCI_LAYER_NONDIST_GZIP
            | OCI_LAYER_NONDIST_ZSTD
    )
}

#[derive(Debug, Error)]
pub enum ManifestError {
    #[error(
        "schema 1 manifests are not supported; ask the publisher to push a schema 2/OCI image"
    )]
    Schema1,
    #[error("the manifest is not valid: {0}")]
    Json(String),
    #[error(
        "unsupported manifest type {0:?}: berth pulls OCI and Docker schema 2 images and indexes"
    )]
    Unsupported(String),
    #[error("unsupported manifest schemaVersion {0}: only 2 is defined for OCI and Docker schema 2 manifests")]
    SchemaVersion(u64),
    #[error("no image found for platform {want} in manifest list; available: {available} (use --platform to pick one)")]
    NoMatchingPlatform { want: String, available: String },
    #[error("invalid platform {0:?}: use os/arch[/variant], e.g. linux/arm64 or linux/arm/v7")]
    BadPlatform(String),
    #[error("invalid digest {0:?}: expected sha256:<64 lowercase hex digits>")]
    BadDigest(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Platform {
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub architecture: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(
        rename = "os.version",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub os_version: Option<String>,
    #[serde(
        rename = "os.features",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub os_features: Option<Vec<String>>,
}

const KNOWN_OSES: &[&str] = &[
    "linux", "windows", "darwin", "freebsd", "netbsd", "openbsd", "illumos", "solaris", "android",
];

/// Variants an architecture can run, best first (containers/image's compatibility table).
fn compatible_variants(arch: &str) -> &'static [&'static str] {
    match arch {
        "arm" => &["v8", "v7", "v6", "v5"],
        "arm64" => &["v8"],
        _ => &[],
    }
}

/// Go's name for an architecture and the variant that name implies.
fn normalize_arch(arch: &str) -> (String, Option<&'static str>) {
    match arch.to_ascii_lowercase().as_str() {
        "x86_64" | "x86-64" | "amd64" => ("amd64".into(), None),
        "aarch64" | "arm64" => ("arm64".into(), None),
        "armhf" => ("arm".into(), Some("v7")),
        "armel" => ("arm".into(), Some("v6")),
        "i386" | "i686" | "x86" | "386" => ("386".into(), None),
        other => (other.into(), None),
    }
}

/// Variants as containerd writes them: `8` is `v8`; amd64's `v1` is the baseline, no variant.
fn normalize_variant(arch: &str, variant: Option<&str>) -> Option<String> {
    let v = variant?.to_ascii_lowercase();
    let v = match (arch, v.as_str()) {
        ("amd64", "v1") | (_, "") => return None,
        ("arm64", "8" | "v8.0") => "v8".to_string(),
        (_, digits) if digits.bytes().all(|b| b.is_ascii_digit()) => format!("v{digits}"),
        _ => v,
    };
    Some(v)
}

fn normalize_os(os: &str) -> String {
    match os.to_ascii_lowercase().as_str() {
        "macos" => "darwin".into(),
        other => other.into(),
    }
}

impl Platform {
    /// `os/arch[/variant]`; `os` or `arch` alone (`linux`, `arm64`) fill the rest from the host,
    /// as docker's --platform does. Architecture aliases are normalised to Go's names.
    pub fn parse(s: &str) -> Result<Platform, ManifestError> {
        let parts: Vec<&str> = s.split('/').collect();
        if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.trim().is_empty()) {
            return Err(ManifestError::BadPlatform(s.into()));
        }
        let (os, arch, variant) = match parts.as_slice() {
            [one] if KNOWN_OSES.contains(&one.to_ascii_lowercase().as_str()) => {
                let host = Platform::host();
                (*one, host.architecture, host.variant)
            }
            [one] => (std::env::consts::OS, one.to_string(), None),
            [os, arch] => (*os, arch.to_string(), None),
            [os, arch, variant] => (*os, arch.to_string(), Some(variant.to_string())),
            _ => return Err(ManifestError::BadPlatform(s.into())),
        };
        let valid = |x: &str| {
            x.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        };
        if !valid(os) || !valid(&arch) || !variant.as_deref().is_none_or(valid) {
            return Err(ManifestError::BadPlatform(s.into()));
        }
        let (architecture, implied) = normalize_arch(&arch);
        let variant = normalize_variant(&architecture, variant.as_deref().or(implied));
        Ok(Platform {
            os: normalize_os(os),
            architecture,
            variant,
            os_version: None,
            os_features: None,
        })
    }

    /// The platform berth runs on, in Go's names (what images are published under).
    pub fn host() -> Platform {
        let little_endian = cfg!(target_endian = "little");
        let (architecture, variant) = match std::env::consts::ARCH {
            "x86_64" => ("amd64", None),
            "x86" => ("386", None),
            "aarch64" => ("arm64", Some("v8")),
            "arm" => ("arm", Some("v7")),
            "powerpc64" if little_endian => ("ppc64le", None),
            "powerpc64" => ("ppc64", None),
            "mips64" if little_endian => ("mips64le", None),
            "mips" if little_endian => ("mipsle", None),
            "loongarch64" => ("loong64", None),
            "s390x" => ("s390x", None),
            "riscv64" => ("riscv64", None),
            other => (other, None),
        };
        Platform {
            os: std::env::consts::OS.into(),
            architecture: architecture.into(),
            variant: variant.map(String::from),
            os_version: None,
            os_features: None,
        }
    }

    /// The platforms an image may be for to run here, best first: the wanted variant, then
    /// older compatible variants, then no variant at all (containers/image's order).
    pub fn wanted_order(&self) -> Vec<Platform> {
        let os = normalize_os(&self.os);
        let (arch, implied) = normalize_arch(&self.architecture);
        let wanted = normalize_variant(&arch, self.variant.as_deref().or(implied));
        let compat = compatible_variants(&arch);
        let mut variants: Vec<Option<String>> = match &wanted {
            Some(w) => {
                let mut v: Vec<Option<String>> = match compat.iter().position(|c| c == w) {
                    Some(i) => compat[i..].iter().map(|c| Some(c.to_string())).collect(),
                    None => vec![Some(w.clone())],
                };
                v.push(None);
                v
            }
            None => std::iter::once(None)
                .chain(compat.iter().map(|c| Some(c.to_string())))
                .collect(),
        };
        variants.dedup();
        variants
            .into_iter()
            .map(|variant| Platform {
                os: os.clone(),
                architecture: arch.clone(),
                variant,
                os_version: None,
                os_features: None,
            })
            .collect()
    }

    /// Whether an image for `candidate` is exactly this platform, after normalising names
    /// (`aarch64` is `arm64`, arm64's variant `8` is `v8`).
    pub fn same_as(&self, candidate: &Platform) -> bool {
        let (a, ai) = normalize_arch(&self.architecture);
        let (b, bi) = normalize_arch(&candidate.architecture);
        normalize_os(&self.os) == normalize_os(&candidate.os)
            && a == b
            && normalize_variant(&a, self.variant.as_deref().or(ai))
                == normalize_variant(&b, candidate.variant.as_deref().or(bi))
    }

    /// Whether an image for `candidate` runs here (`self` being what is wanted).
    pub fn matches(&self, candidate: &Platform) -> bool {
        self.wanted_order().iter().any(|w| w.same_as(candidate))
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    #[serde(default)]
    pub media_type: String,
    pub digest: String,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urls: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
}

impl Descriptor {
    /// An index entry that describes an attestation (BuildKit's SBOM/provenance manifests)
    /// rather than an image: they carry platform unknown/unknown and a reference-type
    /// annotation.
    pub fn is_attestation(&self) -> bool {
        let unknown = self
            .platform
            .as_ref()
            .is_some_and(|p| p.os == "unknown" && p.architecture == "unknown");
        let tagged = self
            .annotations
            .as_ref()
            .is_some_and(|a| a.contains_key(ANNOTATION_REFERENCE_TYPE));
        unknown || tagged
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageManifest {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    pub config: Descriptor,
    pub layers: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Box<Descriptor>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageIndex {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    pub manifests: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Box<Descriptor>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

impl ImageIndex {
    /// The manifest for `want`: the best entry in [`Platform::wanted_order`], skipping
    /// attestations.
    pub fn select(&self, want: &Platform) -> Result<&Descriptor, ManifestError> {
        let images: Vec<&Descriptor> = self
            .manifests
            .iter()
            .filter(|d| !d.is_attestation())
            .collect();
        for candidate in want.wanted_order() {
            if let Some(d) = images
                .iter()
                .find(|d| d.platform.as_ref().is_some_and(|p| candidate.same_as(p)))
            {
                return Ok(d);
            }
        }
        // An index with one entry and no platform (as `oci-archive`s and single-image OCI
        // layouts often are) is for whatever platform the image is.
        if let [only] = images.as_slice() {
            if only.platform.is_none() {
                return Ok(only);
            }
        }
        let available: Vec<String> = images
            .iter()
            .filter_map(|d| d.platform.as_ref())
            .map(|p| p.to_string())
            .collect();
        Err(ManifestError::NoMatchingPlatform {
            want: want.to_string(),
            available: if available.is_empty() {
                "none".into()
            } else {
                available.join(", ")
            },
        })
    }
}

/// The `config` object of an image config: defaults for containers run from the image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerConfig {
    #[serde(rename = "User", default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(rename = "Env", default, skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<String>>,
    #[serde(rename = "Cmd", default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    #[serde(
        rename = "Entrypoint",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub entrypoint: Option<Vec<String>>,
    #[serde(
        rename = "WorkingDir",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub working_dir: Option<String>,
    #[serde(rename = "Labels", default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(
        rename = "ExposedPorts",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(rename = "Volumes", default, skip_serializing_if = "Option::is_none")]
    pub volumes: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(
        rename = "StopSignal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub stop_signal: Option<String>,
    /// Docker's other keys (Healthcheck, Shell, OnBuild, ArgsEscaped, ...), kept for inspect
    /// and build.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootFs {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty_layer: Option<bool>,
}

/// The image config (OCI image-spec config.md, which docker's format is a superset of).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageConfig {
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(
        rename = "os.version",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub os_version: Option<String>,
    #[serde(
        rename = "os.features",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub os_features: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<ContainerConfig>,
    #[serde(default)]
    pub rootfs: RootFs,
    #[serde(default)]
    pub history: Vec<History>,
    /// Docker's legacy keys (container_config, docker_version, ...), kept for inspect.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl ImageConfig {
    /// The platform the config says the image is for.
    pub fn platform(&self) -> Platform {
        Platform {
            os: self.os.clone(),
            architecture: self.architecture.clone(),
            variant: self.variant.clone(),
            os_version: self.os_version.clone(),
            os_features: self.os_features.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Manifest {
    Image(Box<ImageManifest>),
    Index(ImageIndex),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Image,
    Index,
}

fn kind_of_media_type(mt: &str) -> Result<Option<Kind>, ManifestError> {
    Ok(match mt {
        OCI_MANIFEST | DOCKER_MANIFEST => Some(Kind::Image),
        OCI_INDEX | DOCKER_MANIFEST_LIST => Some(Kind::Index),
        DOCKER_MANIFEST_V1 | DOCKER_MANIFEST_V1_SIGNED => return Err(ManifestError::Schema1),
        _ => None,
    })
}

impl Manifest {
    /// Decide by the `mediaType` field, then the served content type, then the shape
    /// (`manifests` is an index, `layers` an image). Schema 1 is refused.
    pub fn parse(bytes: &[u8], content_type: Option<&str>) -> Result<Manifest, ManifestError> {
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| ManifestError::Json(e.to_string()))?;
        if !v.is_object() {
            return Err(ManifestError::Json("it is not a JSON object".into()));
        }
        match v.get("schemaVersion").and_then(|s| s.as_u64()) {
            Some(1) => return Err(ManifestError::Schema1),
            Some(2) | None => {}
            Some(n) => return Err(ManifestError::SchemaVersion(n)),
        }
        let field = v.get("mediaType").and_then(|m| m.as_str());
        let kind = match field {
            Some(mt) => match kind_of_media_type(mt)? {
                Some(k) => Some(k),
                None => return Err(ManifestError::Unsupported(mt.to_string())),
            },
            None => None,
        };
        let kind = match kind {
            Some(k) => Some(k),
            None => match content_type.map(|c| c.split(';').next().unwrap_or(c).trim()) {
                // Registries serve plain JSON types for manifests without mediaType.
                Some(ct) => kind_of_media_type(ct)?,
                None => None,
            },
        };
        let kind = match kind {
            Some(k) => k,
            None if v.get("manifests").is_some() => Kind::Index,
            None if v.get("layers").is_some() => Kind::Image,
            None if v.get("fsLayers").is_some() => return Err(ManifestError::Schema1),
            None => {
                return Err(ManifestError::Unsupported(
                    content_type.unwrap_or("(no mediaType)").to_string(),
                ))
            }
        };
        let json = |e: serde_json::Error| ManifestError::Json(e.to_string());
        Ok(match kind {
            Kind::Index => Manifest::Index(serde_json::from_value(v).map_err(json)?),
            Kind::Image => Manifest::Image(Box::new(serde_json::from_value(v).map_err(json)?)),
        })
    }
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// Split and check a digest; only sha256 is accepted for storage.
pub fn validate_digest(d: &str) -> Result<(&str, &str), ManifestError> {
    match d.split_once(':') {
        Some(("sha256", hex))
            if hex.len() == 64
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) =>
        {
            Ok(("sha256", hex))
        }
        _ => Err(ManifestError::BadDigest(d.into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn desc(p: Option<(&str, &str, Option<&str>)>, fill: char) -> serde_json::Value {
        let mut d = json!({"mediaType": OCI_MANIFEST, "digest": format!("sha256:{}", fill.to_string().repeat(64)), "size": 1});
        if let Some((os, arch, v)) = p {
            d["platform"] = json!({"os": os, "architecture": arch});
            if let Some(v) = v {
                d["platform"]["variant"] = v.into();
            }
        }
        d
    }

    fn index(entries: Vec<serde_json::Value>) -> ImageIndex {
        let bytes = serde_json::to_vec(
            &json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}),
        )
        .unwrap();
        match Manifest::parse(&bytes, None).unwrap() {
            Manifest::Index(i) => i,
            other => panic!("{other:?}"),
        }
    }

    fn p(s: &str) -> Platform {
        Platform::parse(s).unwrap()
    }

    fn picked(idx: &ImageIndex, want: &str) -> String {
        idx.select(&p(want))
            .unwrap_or_else(|e| panic!("{want}: {e}"))
            .digest[7..8]
            .to_string()
    }

    #[test]
    fn platform_parse_normalises_arch_names_and_keeps_typed_variant() {
        assert_eq!(p("linux/arm64").to_string(), "linux/arm64");
        assert_eq!(p("linux/aarch64/8").to_string(), "linux/arm64/v8");
        assert_eq!(p("linux/x86_64").to_string(), "linux/amd64");
        assert_eq!(p("linux/amd64/v1").to_string(), "linux/amd64");
        assert_eq!(p("Linux/AMD64").to_string(), "linux/amd64");
        assert_eq!(p("linux/arm/v7").to_string(), "linux/arm/v7");
        assert_eq!(p("linux/armhf").to_string(), "linux/arm/v7");
        assert_eq!(p("linux/i686").to_string(), "linux/386");
        assert_eq!(p("macos/arm64").os, "darwin");
    }

    #[test]
    fn platform_parse_fills_a_lone_os_or_arch_from_the_host() {
        assert_eq!(p("linux").architecture, Platform::host().architecture);
        let a = p("s390x");
        assert_eq!(
            (a.os.as_str(), a.architecture.as_str()),
            (std::env::consts::OS, "s390x")
        );
    }

    #[test]
    fn malformed_platforms_are_refused() {
        for bad in [
            "",
            "/",
            "linux/",
            "linux//v7",
            "a/b/c/d",
            "linux/amd 64",
            "linux/$x",
        ] {
            let e = Platform::parse(bad).unwrap_err().to_string();
            assert!(e.contains("os/arch[/variant]"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn host_platform_uses_go_names() {
        let h = Platform::host();
        let (arch, variant) = match std::env::consts::ARCH {
            "x86_64" => ("amd64", None),
            "aarch64" => ("arm64", Some("v8")),
            other => (other, h.variant.as_deref()),
        };
        assert_eq!(
            (h.architecture.as_str(), h.variant.as_deref()),
            (arch, variant)
        );
        assert_eq!(h.os, std::env::consts::OS);
    }

    #[test]
    fn platform_display_is_os_arch_and_variant() {
        let pl = Platform {
            os: "linux".into(),
            architecture: "arm".into(),
            variant: Some("v7".into()),
            ..Default::default()
        };
        assert_eq!(pl.to_string(), "linux/arm/v7");
        assert_eq!(p("linux/amd64").to_string(), "linux/amd64");
    }

    #[test]
    fn arm64_without_variant_matches_v8_both_ways() {
        let idx = index(vec![desc(Some(("linux", "arm64", None)), 'a')]);
        assert_eq!(picked(&idx, "linux/arm64/v8"), "a");
        let idx = index(vec![desc(Some(("linux", "arm64", Some("v8"))), 'b')]);
        assert_eq!(picked(&idx, "linux/arm64"), "b");
        assert_eq!(picked(&idx, "linux/aarch64"), "b");
    }

    #[test]
    fn index_selects_the_wanted_platform_and_skips_attestations() {
        let mut att = desc(Some(("unknown", "unknown", None)), 'f');
        att["annotations"] = json!({"vnd.docker.reference.type": "attestation-manifest"});
        let idx = index(vec![
            att,
            desc(Some(("linux", "amd64", None)), 'a'),
            desc(Some(("linux", "arm64", None)), 'b'),
            desc(Some(("linux", "ppc64le", None)), 'c'),
        ]);
        assert_eq!(picked(&idx, "linux/amd64"), "a");
        assert_eq!(picked(&idx, "linux/arm64/v8"), "b");
        assert_eq!(picked(&idx, "linux/ppc64le"), "c");
    }

    #[test]
    fn attestation_is_skipped_even_when_it_claims_a_platform() {
        let mut att = desc(Some(("linux", "amd64", None)), 'f');
        att["annotations"] = json!({"vnd.docker.reference.type": "attestation-manifest"});
        let idx = index(vec![att, desc(Some(("linux", "amd64", None)), 'a')]);
        assert_eq!(picked(&idx, "linux/amd64"), "a");
    }

    #[test]
    fn arm_prefers_the_exact_variant_then_older_ones() {
        let idx = index(vec![
            desc(Some(("linux", "arm", Some("v6"))), '6'),
            desc(Some(("linux", "arm", Some("v7"))), '7'),
        ]);
        assert_eq!(picked(&idx, "linux/arm/v7"), "7");
        assert_eq!(picked(&idx, "linux/arm/v6"), "6");
        let only_v6 = index(vec![desc(Some(("linux", "arm", Some("v6"))), '6')]);
        assert_eq!(picked(&only_v6, "linux/arm/v7"), "6");
        // A v7 image does not run on v6 hardware.
        assert!(only_v6.select(&p("linux/arm/v5")).is_err());
    }

    #[test]
    fn other_os_or_arch_never_matches() {
        let idx = index(vec![
            desc(Some(("windows", "amd64", None)), 'w'),
            desc(Some(("linux", "386", None)), 'i'),
        ]);
        let e = idx.select(&p("linux/amd64")).unwrap_err().to_string();
        assert!(e.contains("windows/amd64, linux/386"), "{e}");
    }

    #[test]
    fn index_without_match_lists_available_platforms() {
        let idx = index(vec![
            desc(Some(("linux", "amd64", None)), 'a'),
            desc(Some(("linux", "arm64", Some("v8"))), 'b'),
        ]);
        let e = idx.select(&p("linux/s390x")).unwrap_err().to_string();
        assert_eq!(
            e,
            "no image found for platform linux/s390x in manifest list; available: \
             linux/amd64, linux/arm64/v8 (use --platform to pick one)"
        );
    }

    #[test]
    fn single_entry_without_platform_is_taken() {
        let idx = index(vec![desc(None, 'a')]);
        assert_eq!(picked(&idx, "linux/riscv64"), "a");
        let two = index(vec![desc(None, 'a'), desc(None, 'b')]);
        assert!(two
            .select(&p("linux/amd64"))
            .unwrap_err()
            .to_string()
            .contains("available: none"));
    }

    fn image_json() -> serde_json::Value {
        json!({"schemaVersion": 2, "config": desc(None, 'c'), "layers": [desc(None, 'l')]})
    }

    #[test]
    fn manifest_kind_comes_from_media_type_field_first() {
        let mut m = image_json();
        m["mediaType"] = DOCKER_MANIFEST.into();
        let bytes = serde_json::to_vec(&m).unwrap();
        // The field wins over a content type that says otherwise.
        match Manifest::parse(&bytes, Some(OCI_INDEX)).unwrap() {
            Manifest::Image(i) => assert_eq!(i.layers.len(), 1),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn manifest_kind_falls_back_to_content_type_then_shape() {
        let bytes = serde_json::to_vec(&image_json()).unwrap();
        assert!(matches!(
            Manifest::parse(
                &bytes,
                Some("application/vnd.oci.image.manifest.v1+json; charset=utf-8")
            )
            .unwrap(),
            Manifest::Image(_)
        ));
        assert!(matches!(
            Manifest::parse(&bytes, Some("application/json")).unwrap(),
            Manifest::Image(_)
        ));
        assert!(matches!(
            Manifest::parse(&bytes, None).unwrap(),
            Manifest::Image(_)
        ));
        let idx = serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": []})).unwrap();
        assert!(matches!(
            Manifest::parse(&idx, None).unwrap(),
            Manifest::Index(_)
        ));
        assert!(matches!(
            Manifest::parse(&idx, Some(DOCKER_MANIFEST_LIST)).unwrap(),
            Manifest::Index(_)
        ));
    }

    #[test]
    fn schema1_is_refused_by_version_media_type_or_shape() {
        for (bytes, ct) in [
            (
                &br#"{"schemaVersion": 1, "name": "x", "fsLayers": []}"#[..],
                None,
            ),
            (&br#"{"name": "x"}"#[..], Some(DOCKER_MANIFEST_V1_SIGNED)),
            (
                &br#"{"mediaType": "application/vnd.docker.distribution.manifest.v1+json"}"#[..],
                None,
            ),
            (&br#"{"name": "x", "fsLayers": []}"#[..], None),
        ] {
            let e = Manifest::parse(bytes, ct).unwrap_err();
            assert!(matches!(e, ManifestError::Schema1), "{e}");
            assert!(e.to_string().contains("schema 2/OCI"));
        }
    }

    #[test]
    fn unknown_or_malformed_manifests_are_refused() {
        assert!(matches!(
            Manifest::parse(b"nope", None),
            Err(ManifestError::Json(_))
        ));
        assert!(matches!(
            Manifest::parse(b"[]", None),
            Err(ManifestError::Json(_))
        ));
        assert!(matches!(
            Manifest::parse(br#"{"schemaVersion": 3, "layers": []}"#, None),
            Err(ManifestError::SchemaVersion(3))
        ));
        let e = Manifest::parse(
            br#"{"schemaVersion": 2, "mediaType": "application/x-helm", "layers": []}"#,
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("application/x-helm"), "{e}");
        assert!(matches!(
            Manifest::parse(br#"{"schemaVersion": 2}"#, None),
            Err(ManifestError::Unsupported(_))
        ));
        // An image manifest without its config is not an image.
        assert!(matches!(
            Manifest::parse(br#"{"schemaVersion": 2, "layers": []}"#, None),
            Err(ManifestError::Json(_))
        ));
    }

    #[test]
    fn oci_1_1_fields_are_read() {
        let mut m = image_json();
        m["artifactType"] = "application/vnd.example+type".into();
        m["subject"] = desc(None, 's');
        m["layers"][0]["urls"] = json!(["https://example.com/blob"]);
        let bytes = serde_json::to_vec(&m).unwrap();
        let Manifest::Image(i) = Manifest::parse(&bytes, Some(OCI_MANIFEST)).unwrap() else {
            panic!()
        };
        assert_eq!(
            i.artifact_type.as_deref(),
            Some("application/vnd.example+type")
        );
        assert!(i.subject.is_some());
        assert_eq!(
            i.layers[0].urls.as_ref().unwrap()[0],
            "https://example.com/blob"
        );
    }

    #[test]
    fn docker_image_config_reads_with_exact_json_names_and_keeps_extras() {
        let cfg = json!({
            "architecture": "arm", "os": "linux", "variant": "v7",
            "created": "2024-01-02T03:04:05Z", "author": "me",
            "config": {
                "User": "1000:1000", "Env": ["PATH=/bin"], "Cmd": ["sh"], "Entrypoint": ["/init"],
                "WorkingDir": "/w", "Labels": {"a": "b"}, "ExposedPorts": {"80/tcp": {}},
                "Volumes": {"/data": {}}, "StopSignal": "SIGTERM",
                "Healthcheck": {"Test": ["CMD", "true"]}
            },
            "rootfs": {"type": "layers", "diff_ids": [format!("sha256:{}", "d".repeat(64))]},
            "history": [
                {"created": "2024-01-02T03:04:05Z", "created_by": "/bin/sh -c #(nop) CMD", "empty_layer": true, "comment": "c", "author": "a"}
            ],
            "docker_version": "24.0.0"
        });
        let c: ImageConfig = serde_json::from_value(cfg).unwrap();
        let inner = c.config.as_ref().unwrap();
        assert_eq!(inner.user.as_deref(), Some("1000:1000"));
        assert_eq!(
            inner.entrypoint.as_deref(),
            Some(&["/init".to_string()][..])
        );
        assert_eq!(inner.working_dir.as_deref(), Some("/w"));
        assert!(inner.exposed_ports.as_ref().unwrap().contains_key("80/tcp"));
        assert!(inner.volumes.as_ref().unwrap().contains_key("/data"));
        assert_eq!(inner.stop_signal.as_deref(), Some("SIGTERM"));
        assert!(inner.extra.contains_key("Healthcheck"));
        assert_eq!(c.rootfs.kind, "layers");
        assert_eq!(c.rootfs.diff_ids.len(), 1);
        assert_eq!(c.history[0].empty_layer, Some(true));
        assert_eq!(
            c.history[0].created_by.as_deref(),
            Some("/bin/sh -c #(nop) CMD")
        );
        assert_eq!(c.extra["docker_version"], "24.0.0");
        assert_eq!(c.platform().to_string(), "linux/arm/v7");
        // Writing it back uses the same names.
        let back = serde_json::to_value(&c).unwrap();
        assert_eq!(back["config"]["WorkingDir"], "/w");
        assert_eq!(back["rootfs"]["type"], "layers");
        assert_eq!(back["docker_version"], "24.0.0");
    }

    #[test]
    fn minimal_oci_config_reads_with_defaults() {
        let c: ImageConfig = serde_json::from_str(
            r#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#,
        )
        .unwrap();
        assert!(c.config.is_none() && c.history.is_empty() && c.created.is_none());
    }

    #[test]
    fn layer_media_types_declare_their_compression() {
        assert_eq!(
            layer_compression(OCI_LAYER_TAR),
            Some(LayerCompression::None)
        );
        assert_eq!(
            layer_compression(DOCKER_LAYER_GZIP),
            Some(LayerCompression::Gzip)
        );
        assert_eq!(
            layer_compression(DOCKER_LAYER_FOREIGN),
            Some(LayerCompression::Gzip)
        );
        assert_eq!(
            layer_compression(OCI_LAYER_ZSTD),
            Some(LayerCompression::Zstd)
        );
        assert_eq!(
            layer_compression(OCI_LAYER_NONDIST_ZSTD),
            Some(LayerCompression::Zstd)
        );
        assert_eq!(layer_compression(OCI_CONFIG), None);
        assert!(is_foreign_layer(DOCKER_LAYER_FOREIGN) && is_foreign_layer(OCI_LAYER_NONDIST_GZIP));
        assert!(!is_foreign_layer(OCI_LAYER_GZIP));
    }

    #[test]
    fn digests_are_validated_and_computed() {
        assert_eq!(
            sha256_digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let d = sha256_digest(b"x");
        assert_eq!(validate_digest(&d).unwrap(), ("sha256", &d[7..]));
        assert!(validate_digest(&format!("sha256:{}", "A".repeat(64))).is_err());
        assert!(validate_digest(&format!("sha256:{}", "a".repeat(63))).is_err());
        assert!(validate_digest(&format!("sha512:{}", "a".repeat(128))).is_err());
        assert!(validate_digest("md5:00").is_err());
        assert!(validate_digest("nocolon").is_err());
        let e = validate_digest("sha256:../../etc").unwrap_err().to_string();
        assert!(e.contains("sha256:<64 lowercase hex digits>"), "{e}");
    }
}
