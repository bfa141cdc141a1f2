//! Image references, normalised as docker does: `busybox` is `docker.io/library/busybox:latest`.

use std::fmt;

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ReferenceError {
    #[error("invalid reference format {input:?}: {reason}")]
    Invalid { input: String, reason: String },
}

pub const DEFAULT_REGISTRY: &str = "docker.io";

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    pub registry: String,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

fn invalid(input: &str, reason: impl Into<String>) -> ReferenceError {
    ReferenceError::Invalid {
        input: input.to_string(),
        reason: reason.into(),
    }
}

/// Whether the first path component of a name is a registry host.
fn is_registry_component(first: &str) -> bool {
    first.contains('.') || first.contains(':') || first == "localhost"
}

fn valid_tag(tag: &str) -> bool {
    let b = tag.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// A path component: lowercase alphanumerics separated by `.`, `_`, `__` or runs of `-`.
fn valid_component(c: &str) -> bool {
    let b = c.as_bytes();
    if b.is_empty() || !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        let ch = b[i];
        if ch.is_ascii_lowercase() || ch.is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && matches!(b[i], b'.' | b'_' | b'-') {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok || start == i {
            return false;
        }
    }
    true
}

pub fn valid_digest(d: &str) -> bool {
    match d.split_once(':') {
        Some(("sha256", hex)) => {
            hex.len() == 64
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        }
        Some((alg, hex)) => {
            !alg.is_empty()
                && alg.bytes().all(|b| {
                    b.is_ascii_lowercase()
                        || b.is_ascii_digit()
                        || matches!(b, b'+' | b'.' | b'_' | b'-')
                })
                && hex.len() >= 32
                && hex.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

impl Reference {
    /// Parse and normalise docker-style.
    pub fn parse(s: &str) -> Result<Reference, ReferenceError> {
        if s.is_empty() {
            return Err(invalid(s, "the name is empty"));
        }
        if s.len() > 255 + 200 {
            return Err(invalid(s, "the name is too long"));
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => {
                if !valid_digest(d) {
                    return Err(invalid(
                        s,
                        "the digest must be sha256:<64 lowercase hex digits>",
                    ));
                }
                (r, Some(d.to_string()))
            }
            None => (s, None),
        };
        let slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (name, tag) = match rest[slash..].rfind(':') {
            Some(i) => (&rest[..slash + i], Some(rest[slash + i + 1..].to_string())),
            None => (rest, None),
        };
        if let Some(t) = &tag {
            if !valid_tag(t) {
                return Err(invalid(s, "a tag is up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'"));
            }
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, path)) if is_registry_component(first) => {
                (first.to_string(), path.to_string())
            }
            _ => (DEFAULT_REGISTRY.to_string(), name.to_string()),
        };
        let registry = if registry == "index.docker.io" {
            DEFAULT_REGISTRY.to_string()
        } else {
            registry
        };
        if registry.is_empty() {
            return Err(invalid(s, "the registry host is empty"));
        }
        if repository.is_empty() {
            return Err(invalid(s, "the repository name is empty"));
        }
        if repository.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(invalid(s, "repository name must be lowercase"));
        }
        if !repository.split('/').all(valid_component) {
            return Err(invalid(s, "repository path components are lowercase letters, digits and separators (. _ __ -)"));
        }
        let repository = if registry == DEFAULT_REGISTRY && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        let tag = if tag.is_none() && digest.is_none() {
            Some("latest".to_string())
        } else {
            tag
        };
        Ok(Reference {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// Whether the user's text leaves the registry to be chosen (so registries.conf applies).
    pub fn is_short_name(s: &str) -> bool {
        let name = s.split('@').next().unwrap_or(s);
        match name.split_once('/') {
            Some((first, _)) => !is_registry_component(first),
            None => true,
        }
    }

    /// Put a short name on `registry` (adding `library/` for docker.io single names).
    pub fn with_registry(short: &str, registry: &str) -> Result<Reference, ReferenceError> {
        Reference::parse(&format!("{registry}/{short}"))
    }

    /// The tag or digest to ask the registry for (digest wins).
    pub fn reference(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }

    /// registry/repository, without tag or digest.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// docker's short display form: `busybox:latest`, `user/app:1`, `host:5000/x:y`.
    pub fn familiar(&self) -> String {
        let repo = if self.registry == DEFAULT_REGISTRY {
            self.repository
                .strip_prefix("library/")
                .unwrap_or(&self.repository)
                .to_string()
        } else {
            self.name()
        };
        let mut s = repo;
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn single_name_goes_to_docker_library_latest() {
        assert_eq!(
            Reference::parse("busybox").unwrap().to_string(),
            "docker.io/library/busybox:latest"
        );
        assert_eq!(
            Reference::parse("user/app").unwrap().to_string(),
            "docker.io/user/app:latest"
        );
        assert_eq!(
            Reference::parse("docker.io/busybox").unwrap().to_string(),
            "docker.io/library/busybox:latest"
        );
        assert_eq!(
            Reference::parse("index.docker.io/busybox:1")
                .unwrap()
                .to_string(),
            "docker.io/library/busybox:1"
        );
    }

    #[test]
    fn registry_with_port_and_nested_path_parse() {
        let r = Reference::parse("localhost:5000/a/b:t").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_deref()),
            ("localhost:5000", "a/b", Some("t"))
        );
        let r = Reference::parse("127.0.0.1:5000/x").unwrap();
        assert_eq!(r.to_string(), "127.0.0.1:5000/x:latest");
        assert_eq!(r.reference(), "latest");
    }

    #[test]
    fn digest_reference_keeps_no_default_tag_and_digest_wins() {
        let r = Reference::parse(&format!("127.0.0.1:5000/x@{D}")).unwrap();
        assert_eq!(r.tag, None);
        assert_eq!(r.reference(), D);
        let r = Reference::parse(&format!("quay.io/a/b:t@{D}")).unwrap();
        assert_eq!(r.to_string(), format!("quay.io/a/b:t@{D}"));
        assert_eq!(r.reference(), D);
    }

    #[test]
    fn invalid_names_are_refused_with_the_reason() {
        let e = Reference::parse("Foo").unwrap_err();
        assert!(e.to_string().contains("must be lowercase"), "{e}");
        assert!(Reference::parse("a:-bad").is_err());
        assert!(Reference::parse("x@sha256:abc").is_err());
        assert!(Reference::parse("").is_err());
        assert!(Reference::parse("a//b").is_err());
        assert!(Reference::parse("a/-b").is_err());
    }

    #[test]
    fn short_names_are_those_without_a_registry_component() {
        assert!(Reference::is_short_name("busybox"));
        assert!(Reference::is_short_name("user/app:1"));
        assert!(!Reference::is_short_name("docker.io/busybox"));
        assert!(!Reference::is_short_name("localhost/x"));
        assert!(!Reference::is_short_name("h:5000/x"));
    }

    #[test]
    fn familiar_form_drops_docker_io_library() {
        assert_eq!(
            Reference::parse("busybox").unwrap().familiar(),
            "busybox:latest"
        );
        assert_eq!(
            Reference::parse("h:5000/x:1").unwrap().familiar(),
            "h:5000/x:1"
        );
    }
}
