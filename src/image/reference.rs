//! Image references, normalised as docker does: `busybox` is `docker.io/library/busybox:latest`.
//!
//! The grammar is distribution's (github.com/distribution/reference): a registry host (a domain,
//! an IPv4 address or a bracketed IPv6 address, with an optional port), a path of lowercase
//! components, an optional tag and an optional digest.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ReferenceError {
    #[error("invalid reference format {input:?}: {reason}")]
    Invalid { input: String, reason: String },
}

/// The registry a name without a registry component belongs to.
pub const DEFAULT_REGISTRY: &str = "docker.io";
/// The tag a name without tag or digest gets.
pub const DEFAULT_TAG: &str = "latest";
/// distribution's limit on `registry/repository`.
const NAME_TOTAL_LENGTH_MAX: usize = 255;
const TAG_LENGTH_MAX: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

/// What the user typed, split without normalising: `(name, tag, digest)`.
///
/// `localhost:5000/a:1@sha256:..` gives `("localhost:5000/a", Some("1"), Some("sha256:.."))`.
/// A colon counts as a tag separator only after the last `/`, so a registry port is never
/// mistaken for a tag.
pub fn split_input(s: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    let last_component = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
    match rest[last_component..].rfind(':') {
        Some(i) => {
            let at = last_component + i;
            (&rest[..at], Some(&rest[at + 1..]), digest)
        }
        None => (rest, None, digest),
    }
}

/// Whether the first path component of a name is a registry host (docker's rule).
fn is_registry_component(first: &str) -> bool {
    first.contains('.') || first.contains(':') || first == "localhost"
}

/// A stored name without its registry host: `127.0.0.1:5000/a/b:t` → `a/b:t`; a name whose
/// first component is not a host is returned whole.
pub fn strip_registry(name: &str) -> &str {
    match name.split_once('/') {
        Some((first, rest)) if is_registry_component(first) => rest,
        _ => name,
    }
}

fn valid_tag(tag: &str) -> bool {
    let b = tag.as_bytes();
    let word = |c: &u8| c.is_ascii_alphanumeric() || *c == b'_';
    !b.is_empty()
        && b.len() <= TAG_LENGTH_MAX
        && word(&b[0])
        && b.iter().all(|c| word(c) || matches!(c, b'.' | b'-'))
}

/// A path component: lowercase alphanumerics separated by `.`, `_`, `__` or runs of `-`.
fn valid_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && matches!(b[i], b'.' | b'_' | b'-') {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if start == i || !ok {
            return false;
        }
    }
    true
}

/// A registry host: `name[.name...][:port]`, `1.2.3.4[:port]` or `[v6::addr][:port]`.
/// Host names may hold uppercase letters (DNS is case-insensitive); repositories may not.
fn valid_host(h: &str) -> bool {
    let valid_port =
        |p: &str| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit());
    let (host, port) = if let Some(rest) = h.strip_prefix('[') {
        let Some((addr, after)) = rest.split_once(']') else {
            return false;
        };
        let v6 = !addr.is_empty()
            && addr.contains(':')
            && addr
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'));
        if !v6 {
            return false;
        }
        return after.is_empty() || after.strip_prefix(':').is_some_and(valid_port);
    } else {
        match h.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (h, None),
        }
    };
    if port.is_some_and(|p| !valid_port(p)) {
        return false;
    }
    !host.is_empty()
        && host.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        })
}

/// Whether `d` is a digest berth can verify: `sha256:` + 64, `sha384:` + 96 or `sha512:` + 128
/// lowercase hex digits.
pub fn valid_digest(d: &str) -> bool {
    let want = match d.split_once(':') {
        Some(("sha256", hex)) => (64, hex),
        Some(("sha384", hex)) => (96, hex),
        Some(("sha512", hex)) => (128, hex),
        _ => return false,
    };
    want.1.len() == want.0
        && want
            .1
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// An image ID typed where a name was expected: docker refuses these as repository names.
fn is_hex_id(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Reference {
    /// Parse what the user typed and normalise it docker-style: a missing registry is
    /// `docker.io`, a single-component docker.io repository gets `library/`, and a name with
    /// neither tag nor digest gets `:latest`.
    pub fn parse(s: &str) -> Result<Reference, ReferenceError> {
        if s.is_empty() {
            return Err(invalid(s, "the name is empty"));
        }
        let (name, tag, digest) = split_input(s);
        if let Some(d) = digest {
            if !valid_digest(d) {
                return Err(invalid(
                    s,
                    format!(
                        "digest {d:?} is not sha256:<64 hex digits> (or sha384/sha512) in lowercase"
                    ),
                ));
            }
        }
        if let Some(t) = tag {
            if !valid_tag(t) {
                return Err(invalid(
                    s,
                    format!(
                        "tag {t:?} is invalid: a tag is up to 128 letters, digits, '_', '.' and '-', \
                         not starting with '.' or '-'"
                    ),
                ));
            }
        }
        if name.is_empty() {
            return Err(invalid(s, "the repository name is empty"));
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, path)) if is_registry_component(first) => (first, path),
            _ => (DEFAULT_REGISTRY, name),
        };
        if !valid_host(registry) {
            return Err(invalid(
                s,
                format!("registry {registry:?} is not a valid host[:port]"),
            ));
        }
        if repository.is_empty() {
            return Err(invalid(s, "the repository name is empty"));
        }
        if repository.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(invalid(s, "repository name must be lowercase"));
        }
        if let Some(bad) = repository.split('/').find(|c| !valid_component(c)) {
            return Err(invalid(
                s,
                format!(
                    "repository path component {bad:?} is invalid: use lowercase letters and \
                     digits, separated by '.', '_', '__' or '-'"
                ),
            ));
        }
        if registry.len() + 1 + repository.len() > NAME_TOTAL_LENGTH_MAX {
            return Err(invalid(
                s,
                format!("repository name must not be more than {NAME_TOTAL_LENGTH_MAX} characters"),
            ));
        }
        if is_hex_id(repository) {
            return Err(invalid(
                s,
                "a 64-digit hexadecimal string is an image ID, not a repository name",
            ));
        }
        let registry = match registry {
            "index.docker.io" => DEFAULT_REGISTRY,
            r => r,
        };
        let repository = if registry == DEFAULT_REGISTRY && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository.to_string()
        };
        let tag = match (tag, digest) {
            (None, None) => Some(DEFAULT_TAG.to_string()),
            (t, _) => t.map(String::from),
        };
        Ok(Reference {
            registry: registry.to_string(),
            repository,
            tag,
            digest: digest.map(String::from),
        })
    }

    /// Whether the user's text leaves the registry to be chosen (so registries.conf applies).
    pub fn is_short_name(s: &str) -> bool {
        let (name, _, _) = split_input(s);
        match name.split_once('/') {
            Some((first, _)) => !is_registry_component(first),
            None => true,
        }
    }

    /// Put a short name on `registry` (adding `library/` for docker.io single names).
    pub fn with_registry(short: &str, registry: &str) -> Result<Reference, ReferenceError> {
        if !Reference::is_short_name(short) {
            return Err(invalid(
                short,
                format!("it already names a registry, so it cannot be placed on {registry}"),
            ));
        }
        Reference::parse(&format!("{registry}/{short}"))
    }

    /// The same repository with `tag` and no digest.
    pub fn with_tag(&self, tag: &str) -> Result<Reference, ReferenceError> {
        if !valid_tag(tag) {
            return Err(invalid(
                &format!("{}:{tag}", self.name()),
                format!("tag {tag:?} is invalid: a tag is up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'"),
            ));
        }
        Ok(Reference {
            tag: Some(tag.to_string()),
            digest: None,
            ..self.clone()
        })
    }

    /// The same repository pinned to `digest` (any tag is kept for display).
    pub fn with_digest(&self, digest: &str) -> Result<Reference, ReferenceError> {
        if !valid_digest(digest) {
            return Err(invalid(
                &format!("{}@{digest}", self.name()),
                "the digest must be sha256:<64 lowercase hex digits>",
            ));
        }
        Ok(Reference {
            digest: Some(digest.to_string()),
            ..self.clone()
        })
    }

    /// The tag or digest to ask the registry for (digest wins).
    pub fn reference(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or(DEFAULT_TAG)
    }

    /// registry/repository, without tag or digest.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// docker's short display form: `busybox:latest`, `user/app:1`, `host:5000/x:y`.
    pub fn familiar(&self) -> String {
        let mut s = if self.registry == DEFAULT_REGISTRY {
            match self.repository.strip_prefix("library/") {
                // `library/a/b` is not what `a/b` means, so it keeps its prefix.
                Some(rest) if !rest.contains('/') => rest.to_string(),
                _ => self.repository.clone(),
            }
        } else {
            self.name()
        };
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

impl FromStr for Reference {
    type Err = ReferenceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Reference::parse(s)
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

    fn canon(s: &str) -> String {
        Reference::parse(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .to_string()
    }

    fn reason(s: &str) -> String {
        match Reference::parse(s) {
            Ok(r) => panic!("{s:?} parsed as {r}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn single_name_goes_to_docker_library_latest() {
        assert_eq!(canon("busybox"), "docker.io/library/busybox:latest");
        assert_eq!(canon("user/app"), "docker.io/user/app:latest");
        assert_eq!(
            canon("docker.io/busybox"),
            "docker.io/library/busybox:latest"
        );
        assert_eq!(
            canon("docker.io/library/busybox"),
            "docker.io/library/busybox:latest"
        );
        assert_eq!(
            canon("index.docker.io/busybox:1"),
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
        assert_eq!(canon("localhost/x"), "localhost/x:latest");
        assert_eq!(canon("[::1]:5000/x:1"), "[::1]:5000/x:1");
        assert_eq!(
            canon("Registry.Example.com/x"),
            "Registry.Example.com/x:latest"
        );
    }

    #[test]
    fn port_is_not_taken_for_a_tag() {
        let r = Reference::parse("h.io:5000/x").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.tag.as_deref()),
            ("h.io:5000", Some("latest"))
        );
        // Without a slash the colon can only be a tag: docker reads this the same way.
        let r = Reference::parse("localhost:5000").unwrap();
        assert_eq!(r.to_string(), "docker.io/library/localhost:5000");
    }

    #[test]
    fn digest_reference_keeps_no_default_tag_and_digest_wins() {
        let r = Reference::parse(&format!("127.0.0.1:5000/x@{D}")).unwrap();
        assert_eq!(r.tag, None);
        assert_eq!(r.reference(), D);
        let r = Reference::parse(&format!("quay.io/a/b:t@{D}")).unwrap();
        assert_eq!(r.to_string(), format!("quay.io/a/b:t@{D}"));
        assert_eq!(r.reference(), D);
        let r = Reference::parse(&format!("busybox@sha512:{}", "ab".repeat(64))).unwrap();
        assert_eq!(r.tag, None);
    }

    #[test]
    fn uppercase_repository_is_refused_as_lowercase_rule() {
        assert_eq!(
            reason("Foo"),
            "invalid reference format \"Foo\": repository name must be lowercase"
        );
        assert!(reason("quay.io/Team/app").contains("must be lowercase"));
    }

    #[test]
    fn tags_follow_the_distribution_grammar() {
        assert_eq!(canon("a:V1.2_x-y"), "docker.io/library/a:V1.2_x-y");
        assert_eq!(canon("a:_x"), "docker.io/library/a:_x");
        assert!(reason("a:-bad").contains("tag \"-bad\""));
        assert!(reason("a:.bad").contains("tag"));
        assert!(reason("a:").contains("tag"));
        assert!(Reference::parse(&format!("a:{}", "t".repeat(128))).is_ok());
        assert!(reason(&format!("a:{}", "t".repeat(129))).contains("tag"));
    }

    #[test]
    fn digests_must_be_a_known_algorithm_with_full_lowercase_hex() {
        assert!(reason("x@sha256:abc").contains("digest"));
        assert!(reason(&format!("x@sha256:{}", "A".repeat(64))).contains("digest"));
        assert!(reason(&format!("x@md5:{}", "a".repeat(32))).contains("digest"));
        assert!(reason("x@").contains("digest"));
        assert!(reason(&format!("x@{D}@{D}")).contains("digest"));
    }

    #[test]
    fn path_components_follow_the_distribution_grammar() {
        assert_eq!(
            canon("a__b/c.d/e-f/g--h"),
            "docker.io/a__b/c.d/e-f/g--h:latest"
        );
        for bad in [
            "", "a//b", "a/-b", "a/b-", "a/.b", "a/b..c", "a/b___c", "a/b_.c", "a b", "a/b!",
        ] {
            assert!(Reference::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn malformed_registry_hosts_are_refused() {
        assert!(reason("a..b/x").contains("registry"));
        assert!(reason("h.io:port/x").contains("registry"));
        assert!(reason("h.io:/x").contains("registry"));
        assert!(reason("-h.io/x").contains("registry"));
        assert!(reason("[zz]:5000/x").contains("registry"));
        assert!(reason("h.io/").contains("empty"));
    }

    #[test]
    fn names_longer_than_255_characters_are_refused() {
        let long = format!("quay.io/{}", "a".repeat(248));
        assert_eq!(long.len(), 256);
        assert!(reason(&long).contains("255"));
        assert!(Reference::parse(&long[..255]).is_ok());
    }

    #[test]
    fn image_id_is_not_a_repository_name() {
        assert!(reason(&"a".repeat(64)).contains("image ID"));
        assert!(Reference::parse(&"a".repeat(63)).is_ok());
    }

    #[test]
    fn short_names_are_those_without_a_registry_component() {
        assert!(Reference::is_short_name("busybox"));
        assert!(Reference::is_short_name("user/app:1"));
        assert!(Reference::is_short_name(&format!("user/app@{D}")));
        assert!(Reference::is_short_name("localhost"));
        assert!(!Reference::is_short_name("docker.io/busybox"));
        assert!(!Reference::is_short_name("localhost/x"));
        assert!(!Reference::is_short_name("h:5000/x"));
    }

    #[test]
    fn with_registry_places_short_names_and_refuses_qualified_ones() {
        assert_eq!(
            Reference::with_registry("busybox:1", "docker.io")
                .unwrap()
                .to_string(),
            "docker.io/library/busybox:1"
        );
        assert_eq!(
            Reference::with_registry("team/app", "quay.io")
                .unwrap()
                .to_string(),
            "quay.io/team/app:latest"
        );
        assert!(Reference::with_registry("quay.io/x", "docker.io").is_err());
    }

    #[test]
    fn with_tag_and_with_digest_replace_what_is_asked_for() {
        let r = Reference::parse(&format!("quay.io/a@{D}")).unwrap();
        assert_eq!(r.with_tag("v2").unwrap().to_string(), "quay.io/a:v2");
        assert!(r.with_tag("-x").is_err());
        let r = Reference::parse("quay.io/a:v1").unwrap();
        let pinned = r.with_digest(D).unwrap();
        assert_eq!(pinned.reference(), D);
        assert_eq!(pinned.to_string(), format!("quay.io/a:v1@{D}"));
        assert!(r.with_digest("sha256:00").is_err());
    }

    #[test]
    fn split_input_keeps_the_typed_name() {
        assert_eq!(
            split_input(&format!("localhost:5000/a:1@{D}")),
            ("localhost:5000/a", Some("1"), Some(D))
        );
        assert_eq!(split_input("busybox"), ("busybox", None, None));
        assert_eq!(split_input("h:5000/x"), ("h:5000/x", None, None));
    }

    #[test]
    fn familiar_form_drops_docker_io_library() {
        assert_eq!(
            Reference::parse("busybox").unwrap().familiar(),
            "busybox:latest"
        );
        assert_eq!(
            Reference::parse("user/app:1").unwrap().familiar(),
            "user/app:1"
        );
        assert_eq!(
            Reference::parse("h:5000/x:1").unwrap().familiar(),
            "h:5000/x:1"
        );
        assert_eq!(
            Reference::parse("docker.io/library/a/b")
                .unwrap()
                .familiar(),
            "library/a/b:latest"
        );
    }

    #[test]
    fn display_round_trips_through_parse() {
        for s in [
            "docker.io/library/busybox:latest",
            "quay.io/a/b:t",
            "localhost:5000/x/y/z:1.0",
        ] {
            let r: Reference = s.parse().unwrap();
            assert_eq!(r.to_string(), s);
            assert_eq!(Reference::parse(&r.to_string()).unwrap(), r);
        }
        let pinned = format!("quay.io/a/b@{D}");
        assert_eq!(canon(&pinned), pinned);
    }

    #[test]
    fn strip_registry_removes_only_a_host_component() {
        assert_eq!(strip_registry("127.0.0.1:5000/a/b:t"), "a/b:t");
        assert_eq!(strip_registry("localhost/x:1"), "x:1");
        assert_eq!(
            strip_registry("docker.io/library/busybox:latest"),
            "library/busybox:latest"
        );
        assert_eq!(strip_registry("user/app:1"), "user/app:1");
        assert_eq!(strip_registry("busybox"), "busybox");
    }
}
