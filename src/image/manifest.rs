//! OCI and Docker manifests, indexes, image configs, and platform selection.

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
pub const OCI_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub const OCI_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
pub const OCI_LAYER_NONDIST_TAR: &str = "application/vnd.oci.image.layer.nondistributable.v1.tar";
pub const OCI_LAYER_NONDIST_GZIP: &str =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
pub const DOCKER_LAYER_FOREIGN: &str = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

/// What berth sends in `Accept` when asking for a manifest.
pub const ACCEPTED_MANIFESTS: &[&str] = &[
    OCI_INDEX,
    OCI_MANIFEST,
    DOCKER_MANIFEST_LIST,
    DOCKER_MANIFEST,
];

#[derive(Debug, Error)]
pub enum ManifestError {
    #[error(
        "schema 1 manifests are not supported; ask the publisher to push a schema 2/OCI image"
    )]
    Schema1,
    #[error("the manifest is not valid JSON: {0}")]
    Json(String),
    #[error("unsupported manifest type {0:?}")]
    Unsupported(String),
    #[error("no image found for platform {want} in manifest list; available: {available} (use --platform to pick one)")]
    NoMatchingPlatform { want: String, available: String },
    #[error("invalid platform {0:?}: use os/arch[/variant], e.g. linux/arm64")]
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

impl Platform {
    pub fn parse(s: &str) -> Result<Platform, ManifestError> {
        let parts: Vec<&str> = s.split('/').collect();
        if parts.len() < 2 || parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
            return Err(ManifestError::BadPlatform(s.into()));
        }
        let (architecture, default_variant) = normalize_arch(parts[1]);
        let variant = parts.get(2).map(|v| v.to_string()).or(default_variant);
        Ok(Platform {
            os: parts[0].to_lowercase(),
            architecture,
            variant,
            os_version: None,
            os_features: None,
        })
    }

    pub fn host() -> Platform {
        let (architecture, variant) = match std::env::consts::ARCH {
            "x86_64" => ("amd64", None),
            "aarch64" => ("arm64", Some("v8")),
            "arm" => ("arm", Some("v7")),
            "powerpc64" => ("ppc64le", None),
            "s390x" => ("s390x", None),
            "riscv64" => ("riscv64", None),
            "x86" => ("386", None),
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

    /// containerd's matching: same os and arch; arm64 without a variant is v8; a wanted variant
    /// must match when the candidate names one.
    pub fn matches(&self, candidate: &Platform) -> bool {
        if self.os != candidate.os {
            return false;
        }
        let (want_arch, want_default) = normalize_arch(&self.architecture);
        let (have_arch, have_default) = normalize_arch(&candidate.architecture);
        if want_arch != have_arch {
            return false;
        }
        let want_v = self.variant.clone().or(want_default);
        let have_v = candidate.variant.clone().or(have_default);
        match (want_v, have_v) {
            (Some(w), Some(h)) => w == h,
            _ => true,
        }
    }
}

/// Go's architecture names, with the variant an alias implies.
fn normalize_arch(a: &str) -> (String, Option<String>) {
    match a.to_lowercase().as_str() {
        "x86_64" | "x86-64" | "amd64" => ("amd64".into(), None),
        "aarch64" | "arm64" => ("arm64".into(), Some("v8".into())),
        "armhf" => ("arm".into(), Some("v7".into())),
        "armel" => ("arm".into(), Some("v6".into())),
        "i386" | "i686" | "x86" => ("386".into(), None),
        other => (other.into(), None),
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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageManifest {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    pub config: Descriptor,
    pub layers: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageIndex {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    pub manifests: Vec<Descriptor>,
}

impl ImageIndex {
    fn is_attestation(d: &Descriptor) -> bool {
        let unknown = d
            .platform
            .as_ref()
            .is_some_and(|p| p.os == "unknown" && p.architecture == "unknown");
        let tagged = d
            .annotations
            .as_ref()
            .is_some_and(|a| a.contains_key("vnd.docker.reference.type"));
        unknown || tagged
    }

    /// The manifest for `want`, skipping attestations.
    pub fn select(&self, want: &Platform) -> Result<&Descriptor, ManifestError> {
        let images: Vec<&Descriptor> = self
            .manifests
            .iter()
            .filter(|d| !Self::is_attestation(d))
            .collect();
        if let Some(d) = images
            .iter()
            .find(|d| d.platform.as_ref().is_some_and(|p| want.matches(p)))
        {
            return Ok(d);
        }
        // An index entry without a platform is taken to be for any platform (single-image index).
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

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageConfig {
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Manifest {
    Image(Box<ImageManifest>),
    Index(ImageIndex),
}

impl Manifest {
    /// Decide by the `mediaType` field, then the served content type, then the shape.
    pub fn parse(bytes: &[u8], content_type: Option<&str>) -> Result<Manifest, ManifestError> {
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| ManifestError::Json(e.to_string()))?;
        if v.get("schemaVersion").and_then(|s| s.as_u64()) == Some(1) {
            return Err(ManifestError::Schema1);
        }
        let ct = content_type.map(|c| c.split(';').next().unwrap_or(c).trim());
        let mt = v
            .get("mediaType")
            .and_then(|m| m.as_str())
            .or(ct)
            .unwrap_or("");
        let kind = match mt {
            OCI_MANIFEST | DOCKER_MANIFEST => "image",
            OCI_INDEX | DOCKER_MANIFEST_LIST => "index",
            DOCKER_MANIFEST_V1 | DOCKER_MANIFEST_V1_SIGNED => return Err(ManifestError::Schema1),
            _ if v.get("manifests").is_some() => "index",
            _ if v.get("layers").is_some() => "image",
            other => return Err(ManifestError::Unsupported(other.to_string())),
        };
        let json = |e: serde_json::Error| ManifestError::Json(e.to_string());
        Ok(if kind == "index" {
            Manifest::Index(serde_json::from_value(v).map_err(json)?)
        } else {
            Manifest::Image(Box::new(serde_json::from_value(v).map_err(json)?))
        })
    }
}

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

    fn desc(p: Option<(&str, &str, Option<&str>)>) -> serde_json::Value {
        let mut d = serde_json::json!({"mediaType": OCI_MANIFEST, "digest": format!("sha256:{}", "a".repeat(64)), "size": 1});
        if let Some((os, arch, v)) = p {
            d["platform"] = serde_json::json!({"os": os, "architecture": arch});
            if let Some(v) = v {
                d["platform"]["variant"] = v.into();
            }
        }
        d
    }

    fn index(entries: Vec<serde_json::Value>) -> ImageIndex {
        let bytes = serde_json::to_vec(
            &serde_json::json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}),
        )
        .unwrap();
        match Manifest::parse(&bytes, None).unwrap() {
            Manifest::Index(i) => i,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn platform_parse_and_display_normalise_arch_names() {
        assert_eq!(
            Platform::parse("linux/arm64").unwrap().to_string(),
            "linux/arm64/v8"
        );
        assert_eq!(
            Platform::parse("linux/x86_64").unwrap().to_string(),
            "linux/amd64"
        );
        assert_eq!(
            Platform::parse("linux/arm/v7").unwrap().to_string(),
            "linux/arm/v7"
        );
        assert!(Platform::parse("linux").is_err());
    }

    #[test]
    fn index_selects_host_and_arm64_without_variant_and_skips_attestations() {
        let mut att = desc(Some(("unknown", "unknown", None)));
        att["annotations"] =
            serde_json::json!({"vnd.docker.reference.type": "attestation-manifest"});
        let idx = index(vec![
            att,
            desc(Some(("linux", "amd64", None))),
            desc(Some(("linux", "arm64", None))),
        ]);
        assert_eq!(
            idx.select(&Platform::parse("linux/amd64").unwrap())
                .unwrap()
                .platform
                .as_ref()
                .unwrap()
                .architecture,
            "amd64"
        );
        assert_eq!(
            idx.select(&Platform::parse("linux/arm64/v8").unwrap())
                .unwrap()
                .platform
                .as_ref()
                .unwrap()
                .architecture,
            "arm64"
        );
    }

    #[test]
    fn index_without_match_lists_available_platforms() {
        let idx = index(vec![
            desc(Some(("linux", "amd64", None))),
            desc(Some(("linux", "arm64", Some("v8")))),
        ]);
        let e = idx
            .select(&Platform::parse("linux/s390x").unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("linux/s390x")
                && e.contains("linux/amd64, linux/arm64/v8")
                && e.contains("--platform"),
            "{e}"
        );
    }

    #[test]
    fn manifest_kind_comes_from_media_type_content_type_or_shape() {
        let img = serde_json::json!({"schemaVersion": 2, "config": desc(None), "layers": []});
        let bytes = serde_json::to_vec(&img).unwrap();
        assert!(matches!(
            Manifest::parse(&bytes, Some(DOCKER_MANIFEST)).unwrap(),
            Manifest::Image(_)
        ));
        assert!(matches!(
            Manifest::parse(&bytes, None).unwrap(),
            Manifest::Image(_)
        ));
        let s1 = br#"{"schemaVersion": 1, "name": "x"}"#;
        assert!(matches!(
            Manifest::parse(s1, None).unwrap_err(),
            ManifestError::Schema1
        ));
        assert!(Manifest::parse(b"nope", None).is_err());
    }

    #[test]
    fn digests_are_validated_and_computed() {
        assert_eq!(
            sha256_digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(validate_digest(&sha256_digest(b"x")).is_ok());
        assert!(validate_digest("sha256:ABC").is_err());
        assert!(validate_digest("md5:00").is_err());
    }
}
