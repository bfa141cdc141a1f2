//! Registry credentials from the files podman and docker users already have, and the one file
//! `berth login` writes.
//!
//! The lookup follows containers/image where
//! the two tools differ: files are tried in order and the first one that knows the registry
//! wins; inside a file a `credHelpers` entry for the host beats `auths`, the most specific
//! `auths` key (`host/ns/repo` over `host/ns` over `host`) beats the others, and `credsStore`
//! is the last resort.

use std::ffi::OsString;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use serde_json::Value;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AuthError {
    #[error("cannot read credentials file {path}: {reason} (fix or remove the file)")]
    BadFile { path: PathBuf, reason: String },
    #[error("credential helper docker-credential-{helper} (named in {path}) is not installed: install it or remove it from the file")]
    HelperMissing { helper: String, path: PathBuf },
    #[error("cannot write credentials file {path}: {reason}")]
    WriteFile { path: PathBuf, reason: String },
    #[error("{0} (or use --authfile)")]
    RuntimeDir(#[from] crate::hostpaths::RuntimeDirError),
    #[error("invalid registry {value:?}: {reason}")]
    BadRegistry { value: String, reason: &'static str },
    #[error("credential helper docker-credential-{helper} failed for {server}: {reason}")]
    HelperFailed {
        helper: String,
        server: String,
        reason: String,
    },
}

/// A user name and a secret for one registry.
///
/// Docker's convention is kept for identity (OAuth2 refresh) tokens: the user name is
/// [`Credentials::IDENTITY_TOKEN_USER`] and the password is the token; the client then trades
/// it for an access token instead of sending it as a password.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl Credentials {
    /// The user name credential helpers and auth.json use to say "the secret is an identity token".
    pub const IDENTITY_TOKEN_USER: &'static str = "<token>";

    pub fn is_identity_token(&self) -> bool {
        self.username == Self::IDENTITY_TOKEN_USER
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// The credential files to consult, in order, and where to find credential helpers.
#[derive(Debug, Clone, Default)]
pub struct AuthStore {
    paths: Vec<PathBuf>,
    /// How many of `paths` (from the front) the user named (`--authfile`,
    /// `$REGISTRY_AUTH_FILE`): a file of theirs that cannot be read is an error; one of the
    /// default places is skipped (with a debug note), as it may be another user's or root's.
    named: usize,
    /// Directories searched for `docker-credential-*` before `$PATH`.
    helper_dirs: Vec<PathBuf>,
}

impl AuthStore {
    /// Exactly the files the user named (`--authfile`): each must be readable when it exists.
    pub fn from_paths(paths: Vec<PathBuf>) -> Self {
        AuthStore {
            named: paths.len(),
            paths,
            helper_dirs: Vec::new(),
        }
    }

    /// The files podman and docker read, in the order podman (containers/image) reads them:
    /// `$REGISTRY_AUTH_FILE` alone when it is set; otherwise `containers/auth.json` in the
    /// runtime dir (`$XDG_RUNTIME_DIR`, see [`crate::hostpaths::runtime_dir`]),
    /// `$XDG_CONFIG_HOME/containers/auth.json` (default `~/.config/...`), and
    /// `$DOCKER_CONFIG/config.json` or, without `DOCKER_CONFIG`, `~/.docker/config.json`.
    pub fn default_paths() -> Self {
        let (paths, named) = default_paths_from(
            |k| std::env::var_os(k),
            crate::hostpaths::host_uid(),
            rustix::process::geteuid().as_raw(),
        );
        AuthStore {
            paths,
            named,
            helper_dirs: Vec::new(),
        }
    }

    /// `first` (the login file, one of the default places), then the other files
    /// [`AuthStore::default_paths`] reads (a file named twice is read once): what
    /// `login --get-login` and "already logged in" checks consult.
    pub fn with_first(first: &Path) -> Self {
        let defaults = Self::default_paths();
        let mut paths = vec![first.to_path_buf()];
        paths.extend(defaults.paths.iter().filter(|p| *p != first).cloned());
        AuthStore {
            named: usize::from(defaults.named > 0 && defaults.paths[0] == first),
            paths,
            helper_dirs: Vec::new(),
        }
    }

    /// Look for `docker-credential-NAME` in `dirs` before `$PATH`.
    pub fn with_helper_dirs(mut self, dirs: Vec<PathBuf>) -> Self {
        self.helper_dirs = dirs;
        self
    }

    /// The files this store consults, in order.
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }

    /// Credentials for `host` (`docker.io` and its aliases all mean Docker Hub) and `repository`
    /// (`library/busybox`), or `None` when no file knows the registry.
    pub fn lookup(&self, host: &str, repository: &str) -> Result<Option<Credentials>, AuthError> {
        let host = normalize_registry(&host.to_ascii_lowercase());
        for (i, path) in self.paths.iter().enumerate() {
            let text = match std::fs::read(path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                // Not the user's choice, and not ours to fix: e.g. a root podman's
                // /run/containers seen by a user, or a caller's runtime dir kept by `sudo`.
                Err(e) if i >= self.named => {
                    crate::debug::note(&format!(
                        "skipping the credentials file {}: {e}",
                        path.display()
                    ));
                    continue;
                }
                Err(e) => {
                    return Err(AuthError::BadFile {
                        path: path.clone(),
                        reason: e.to_string(),
                    })
                }
            };
            // An empty file is what a failed `login` or a `touch` leaves; podman treats it as empty.
            if text.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let doc: Value = serde_json::from_slice(&text).map_err(|e| AuthError::BadFile {
                path: path.clone(),
                reason: format!("not valid JSON: {e}"),
            })?;
            if !doc.is_object() {
                return Err(AuthError::BadFile {
                    path: path.clone(),
                    reason: "the top level is not a JSON object".into(),
                });
            }
            if let Some(found) = self.lookup_in(&doc, path, &host, repository)? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    fn lookup_in(
        &self,
        doc: &Value,
        path: &Path,
        host: &str,
        repository: &str,
    ) -> Result<Option<Credentials>, AuthError> {
        let helper = doc
            .get("credHelpers")
            .and_then(Value::as_object)
            .and_then(|h| {
                h.iter()
                    .find(|(k, _)| normalize_key(k) == host)
                    .and_then(|(_, v)| v.as_str())
            })
            .filter(|s| !s.is_empty());
        if let Some(helper) = helper {
            return self.run_helper(helper, host, path);
        }
        if let Some(auths) = doc.get("auths").and_then(Value::as_object) {
            let full = format!("{host}/{repository}");
            let mut matching: Vec<(String, &Value)> = auths
                .iter()
                .map(|(k, v)| (normalize_key(k), v))
                .filter(|(key, _)| full == *key || full.starts_with(&format!("{key}/")))
                .collect();
            // Longest key first: it names the most specific namespace.
            matching.sort_by_key(|(key, _)| std::cmp::Reverse(key.len()));
            for (key, entry) in matching {
                if let Some(found) = decode_entry(entry, path, &key)? {
                    return Ok(Some(found));
                }
            }
        }
        let store = doc
            .get("credsStore")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        if let Some(store) = store {
            return self.run_helper(store, host, path);
        }
        Ok(None)
    }

    fn find_helper(&self, name: &str) -> Option<PathBuf> {
        let file = format!("docker-credential-{name}");
        let path = std::env::var_os("PATH");
        crate::hostpaths::find_in(&file, &self.helper_dirs, path.as_deref())
    }

    /// Run `docker-credential-NAME get` with the server on stdin, the protocol docker defines.
    fn run_helper(
        &self,
        helper: &str,
        host: &str,
        path: &Path,
    ) -> Result<Option<Credentials>, AuthError> {
        // Docker stores Hub credentials under its legacy index URL, so helpers know it by that.
        let server = if host == "docker.io" {
            "https://index.docker.io/v1/"
        } else {
            host
        };
        let failed = |reason: String| AuthError::HelperFailed {
            helper: helper.into(),
            server: server.into(),
            reason,
        };
        // A name with a slash would let a config file run any program on the system.
        let program = match helper.contains('/') {
            true => None,
            false => self.find_helper(helper),
        }
        .ok_or_else(|| AuthError::HelperMissing {
            helper: helper.into(),
            path: path.into(),
        })?;
        let mut child = Command::new(&program)
            .arg("get")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| failed(format!("cannot run {}: {e}", program.display())))?;
        if let Some(mut stdin) = child.stdin.take() {
            // A helper that exits without reading gives EPIPE; its exit status tells more.
            let _ = stdin.write_all(server.as_bytes());
        }
        let out = child
            .wait_with_output()
            .map_err(|e| failed(e.to_string()))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            // The helper protocol's way of saying "nothing stored for this server".
            if stdout.contains("credentials not found") {
                return Ok(None);
            }
            let stderr = String::from_utf8_lossy(&out.stderr);
            let said = [stdout.trim(), stderr.trim()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            return Err(failed(format!("it exited with {}: {said}", out.status)));
        }
        let v: Value = serde_json::from_slice(&out.stdout)
            .map_err(|e| failed(format!("its answer is not JSON: {e}")))?;
        let field = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let creds = Credentials {
            username: field("Username"),
            password: field("Secret"),
        };
        Ok((!creds.password.is_empty()).then_some(creds))
    }
}

/// The file `berth login` writes and `berth logout` edits, chosen as podman chooses it:
/// `--authfile`, else `$REGISTRY_AUTH_FILE`, else `containers/auth.json` in the runtime dir
/// ([`crate::hostpaths::runtime_dir`]: `$XDG_RUNTIME_DIR` when it is ours, else berth's own
/// per-user dir; `/run/containers/0/auth.json` for root without one).
pub fn login_file(authfile: Option<&Path>) -> Result<PathBuf, AuthError> {
    login_file_from(
        authfile,
        |k| std::env::var_os(k),
        crate::hostpaths::host_uid(),
        rustix::process::geteuid().as_raw(),
    )
}

fn login_file_from(
    authfile: Option<&Path>,
    env: impl Fn(&str) -> Option<OsString>,
    uid: u32,
    euid: u32,
) -> Result<PathBuf, AuthError> {
    if let Some(p) = authfile.map(Path::to_path_buf).or_else(|| {
        env("REGISTRY_AUTH_FILE")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    }) {
        return Ok(p);
    }
    Ok(crate::hostpaths::runtime_dir_from(env, uid, euid)?.auth_file(uid))
}

/// What the user typed after `login`/`logout`, as the key of an `auths` entry and the host to
/// talk to: `https://index.docker.io/v1/` → (`docker.io`, `docker.io`); `r.io/team` →
/// (`r.io/team`, `r.io`). A URL keeps only its host, as docker writes it; a plain name may
/// carry a namespace, as podman allows.
pub fn login_key(arg: &str) -> Result<(String, String), AuthError> {
    let bad = |reason| AuthError::BadRegistry {
        value: arg.into(),
        reason,
    };
    let trimmed = arg.trim();
    let lower = trimmed.to_ascii_lowercase();
    let (rest, is_url) = match lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    {
        Some(r) => (&trimmed[trimmed.len() - r.len()..], true),
        None => (trimmed, false),
    };
    let rest = rest.trim_end_matches('/');
    let (host, path) = match rest.split_once('/') {
        Some((h, p)) if !is_url => (h, Some(p)),
        Some((h, _)) => (h, None),
        None => (rest, None),
    };
    if host.is_empty()
        || host.bytes().any(|b| {
            matches!(b, b'?' | b'#' | b'@' | b'\\')
                || b.is_ascii_whitespace()
                || b.is_ascii_control()
        })
    {
        return Err(bad(
            "expected a registry host like quay.io or localhost:5000",
        ));
    }
    let host = normalize_registry(&host.to_ascii_lowercase());
    let key = match path {
        Some(p) => {
            let ok = p.split('/').all(|c| {
                !c.is_empty()
                    && c.bytes().all(|b| {
                        b.is_ascii_lowercase()
                            || b.is_ascii_digit()
                            || matches!(b, b'.' | b'_' | b'-')
                    })
            });
            if !ok {
                return Err(bad(
                    "a namespace after the host must be lowercase path components (no tag or digest)",
                ));
            }
            format!("{host}/{p}")
        }
        None => host.clone(),
    };
    Ok((key, host))
}

/// The one credentials file `login` writes to and `logout` removes from, in podman's format
/// (`{"auths": {"KEY": {"auth": "base64(user:password)"}}}`); every other key and entry in it is
/// kept as it was.
#[derive(Debug, Clone)]
pub struct AuthFile {
    path: PathBuf,
}

impl AuthFile {
    pub fn new(path: PathBuf) -> Self {
        AuthFile { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Save `creds` under `key` (from [`login_key`]).
    pub fn store(&self, key: &str, creds: &Credentials) -> Result<(), AuthError> {
        let mut doc = self.read()?;
        let auths = auths_mut(&mut doc);
        // The same registry spelled differently (a docker URL key) would shadow the new entry.
        auths.retain(|k, _| normalize_key(k) != key);
        let encoded = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", creds.username, creds.password));
        auths.insert(key.into(), serde_json::json!({ "auth": encoded }));
        self.write(&doc)
    }

    /// Remove the entries for `key`; whether there was one.
    pub fn remove(&self, key: &str) -> Result<bool, AuthError> {
        let mut doc = self.read()?;
        let auths = auths_mut(&mut doc);
        let before = auths.len();
        auths.retain(|k, _| normalize_key(k) != key);
        if auths.len() == before {
            return Ok(false);
        }
        self.write(&doc)?;
        Ok(true)
    }

    /// Remove every entry of `auths` (other keys, e.g. `credHelpers`, stay).
    pub fn remove_all(&self) -> Result<(), AuthError> {
        let mut doc = self.read()?;
        if doc
            .get("auths")
            .and_then(Value::as_object)
            .is_none_or(|a| a.is_empty())
        {
            return Ok(());
        }
        auths_mut(&mut doc).clear();
        self.write(&doc)
    }

    /// The document, `{}` when the file is missing or empty.
    fn read(&self) -> Result<Value, AuthError> {
        let bad = |reason: String| AuthError::BadFile {
            path: self.path.clone(),
            reason,
        };
        let text = match std::fs::read(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(bad(e.to_string())),
        };
        if text.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Object(Default::default()));
        }
        let doc: Value =
            serde_json::from_slice(&text).map_err(|e| bad(format!("not valid JSON: {e}")))?;
        if !doc.is_object() {
            return Err(bad("the top level is not a JSON object".into()));
        }
        if doc.get("auths").is_some_and(|a| !a.is_object()) {
            return Err(bad("\"auths\" is not a JSON object".into()));
        }
        Ok(doc)
    }

    fn write(&self, doc: &Value) -> Result<(), AuthError> {
        use std::os::unix::fs::DirBuilderExt;
        let fail = |e: std::io::Error| AuthError::WriteFile {
            path: self.path.clone(),
            reason: e.to_string(),
        };
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(fail)?;
        }
        let mut text = serde_json::to_vec_pretty(doc).expect("a JSON value serialises");
        text.push(b'\n');
        // 0600 from the start: the file holds passwords, so it is never readable by others,
        // not even between creation and a chmod.
        crate::store::atomic::write_atomic(&self.path, &text, 0o600).map_err(fail)
    }
}

fn auths_mut(doc: &mut Value) -> &mut serde_json::Map<String, Value> {
    let obj = doc.as_object_mut().expect("read() returns an object");
    obj.entry("auths")
        .or_insert_with(|| Value::Object(Default::default()))
        .as_object_mut()
        .expect("read() checked that auths is an object")
}

/// containers/image's `getAuthFilePaths`, with the runtime dir from berth's one rule; also how
/// many of the paths (0 or 1) the user named.
fn default_paths_from(
    env: impl Fn(&str) -> Option<OsString>,
    uid: u32,
    euid: u32,
) -> (Vec<PathBuf>, usize) {
    let var = |k: &str| env(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    // A file the user named is the only one read, as podman does.
    if let Some(named) = var("REGISTRY_AUTH_FILE") {
        return (vec![named], 1);
    }
    let home = var("HOME");
    let mut paths = Vec::new();
    match crate::hostpaths::runtime_dir_from(&env, uid, euid) {
        Ok(rd) => paths.push(rd.auth_file(uid)),
        // containers/image warns and goes on: the image may be public.
        Err(e) => crate::debug::note(&format!("no runtime-dir credentials file: {e}")),
    }
    let config = var("XDG_CONFIG_HOME").or_else(|| home.as_ref().map(|h| h.join(".config")));
    paths.extend(config.map(|c| c.join("containers/auth.json")));
    match var("DOCKER_CONFIG") {
        Some(d) => paths.push(d.join("config.json")),
        None => paths.extend(home.map(|h| h.join(".docker/config.json"))),
    }
    (paths, 0)
}

/// Docker Hub is known by several names; auth files and callers use any of them.
fn normalize_registry(host: &str) -> String {
    match host {
        "index.docker.io" | "registry-1.docker.io" => "docker.io".into(),
        other => other.into(),
    }
}

/// Turn an `auths`/`credHelpers` key into `host[/namespace]`.
///
/// A key with a scheme is docker's URL form (`https://index.docker.io/v1/`, `https://r.io/v2/`):
/// its path is an API version, not a namespace, so it is dropped, as containers/image does.
fn normalize_key(key: &str) -> String {
    let lower = key.trim().to_ascii_lowercase();
    let stripped = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let key = match stripped {
        Some(rest) => rest.split('/').next().unwrap_or(rest),
        None => lower.trim_end_matches('/'),
    };
    match key.split_once('/') {
        Some((host, ns)) => format!("{}/{ns}", normalize_registry(host)),
        None => normalize_registry(key),
    }
}

/// Credentials of one `auths` entry; `None` for an entry without any (docker writes `{}` when a
/// helper holds the secret).
fn decode_entry(entry: &Value, path: &Path, key: &str) -> Result<Option<Credentials>, AuthError> {
    let bad = |what: &str| AuthError::BadFile {
        path: path.into(),
        reason: format!("the \"auth\" entry for {key} {what}"),
    };
    let identity_token = entry
        .get("identitytoken")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    if let Some(token) = identity_token {
        return Ok(Some(Credentials {
            username: Credentials::IDENTITY_TOKEN_USER.into(),
            password: token.into(),
        }));
    }
    let Some(encoded) = entry
        .get("auth")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return Ok(None);
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| bad("is not base64"))?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad("is not UTF-8"))?;
    let (user, password) = decoded
        .split_once(':')
        .ok_or_else(|| bad("is not base64 of user:password"))?;
    Ok(Some(Credentials {
        username: user.into(),
        // Some old tools padded the secret with NULs; docker and podman strip them too.
        password: password.trim_matches('\0').into(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    fn store(files: &[&str]) -> (tempfile::TempDir, AuthStore) {
        let dir = tempfile::tempdir().unwrap();
        let paths = files
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let p = dir.path().join(format!("{i}.json"));
                std::fs::write(&p, text).unwrap();
                p
            })
            .collect();
        (dir, AuthStore::from_paths(paths))
    }

    fn user(s: &AuthStore, host: &str, repo: &str) -> Option<String> {
        s.lookup(host, repo).unwrap().map(|c| c.username)
    }

    /// A `docker-credential-NAME` script in `dir` that answers with `body` and exit status `code`.
    fn helper(dir: &Path, name: &str, body: &str, code: i32) {
        let p = dir.join(format!("docker-credential-{name}"));
        let script = format!(
            "#!/bin/sh\n[ \"$1\" = get ] || exit 9\nread server\ncat <<EOF\n{body}\nEOF\nexit {code}\n"
        );
        std::fs::write(&p, script).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn first_file_with_an_entry_wins() {
        let a = format!(
            r#"{{"auths": {{"r.io": {{"auth": "{}"}}}}}}"#,
            b64("alice:pw1")
        );
        let b = format!(
            r#"{{"auths": {{"r.io": {{"auth": "{}"}}, "s.io": {{"auth": "{}"}}}}}}"#,
            b64("bob:pw2"),
            b64("carol:pw3")
        );
        let (_d, s) = store(&[&a, &b]);
        assert_eq!(user(&s, "r.io", "x").as_deref(), Some("alice"));
        assert_eq!(s.lookup("s.io", "x").unwrap().unwrap().password, "pw3");
        assert!(s.lookup("t.io", "x").unwrap().is_none());
    }

    #[test]
    fn missing_and_empty_files_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.json");
        std::fs::write(&empty, "\n").unwrap();
        let good = dir.path().join("good.json");
        std::fs::write(
            &good,
            format!(r#"{{"auths": {{"r.io": {{"auth": "{}"}}}}}}"#, b64("u:p")),
        )
        .unwrap();
        let s = AuthStore::from_paths(vec![dir.path().join("absent.json"), empty, good]);
        assert_eq!(user(&s, "r.io", "x").as_deref(), Some("u"));
    }

    #[test]
    fn auth_entry_is_decoded_from_base64_with_colons_in_the_password() {
        let text = format!(
            r#"{{"auths": {{"r.io": {{"auth": "{}"}}}}}}"#,
            b64("me:a:b:c")
        );
        let (_d, s) = store(&[&text]);
        let c = s.lookup("r.io", "x").unwrap().unwrap();
        assert_eq!((c.username.as_str(), c.password.as_str()), ("me", "a:b:c"));
    }

    #[test]
    fn docker_hub_aliases_all_find_the_legacy_index_key() {
        let text = format!(
            r#"{{"auths": {{"https://index.docker.io/v1/": {{"auth": "{}"}}}}}}"#,
            b64("hub:1")
        );
        let (_d, s) = store(&[&text]);
        for host in ["docker.io", "registry-1.docker.io", "index.docker.io"] {
            assert_eq!(
                user(&s, host, "library/busybox").as_deref(),
                Some("hub"),
                "{host}"
            );
        }
    }

    #[test]
    fn docker_io_key_serves_registry_1_lookups() {
        let text = format!(
            r#"{{"auths": {{"docker.io": {{"auth": "{}"}}}}}}"#,
            b64("hub:1")
        );
        let (_d, s) = store(&[&text]);
        assert_eq!(
            user(&s, "registry-1.docker.io", "a/b").as_deref(),
            Some("hub")
        );
    }

    #[test]
    fn most_specific_path_key_wins() {
        let text = format!(
            r#"{{"auths": {{"r.io": {{"auth": "{}"}}, "r.io/team": {{"auth": "{}"}}, "r.io/team/app": {{"auth": "{}"}}}}}}"#,
            b64("all:1"),
            b64("team:2"),
            b64("app:3")
        );
        let (_d, s) = store(&[&text]);
        assert_eq!(user(&s, "r.io", "team/app").as_deref(), Some("app"));
        assert_eq!(user(&s, "r.io", "team/other").as_deref(), Some("team"));
        // A namespace key matches whole path components only.
        assert_eq!(user(&s, "r.io", "teamx/app").as_deref(), Some("all"));
    }

    #[test]
    fn url_keys_lose_their_api_path_and_scheme() {
        let text = format!(
            r#"{{"auths": {{"https://r.io/v2/": {{"auth": "{}"}}, "http://s.io:5000": {{"auth": "{}"}}}}}}"#,
            b64("r:1"),
            b64("s:2")
        );
        let (_d, s) = store(&[&text]);
        assert_eq!(user(&s, "r.io", "a/b").as_deref(), Some("r"));
        assert_eq!(user(&s, "s.io:5000", "a").as_deref(), Some("s"));
        assert!(
            s.lookup("s.io", "a").unwrap().is_none(),
            "the port is part of the host"
        );
    }

    #[test]
    fn identity_token_entry_is_marked_as_such() {
        let (_d, s) =
            store(&[r#"{"auths": {"r.io": {"auth": "", "identitytoken": "refresh-me"}}}"#]);
        let c = s.lookup("r.io", "x").unwrap().unwrap();
        assert!(c.is_identity_token());
        assert_eq!(c.password, "refresh-me");
    }

    #[test]
    fn corrupt_json_is_an_error_naming_the_file() {
        let (_d, s) = store(&["{nope"]);
        let e = s.lookup("r.io", "x").unwrap_err().to_string();
        assert!(e.contains("0.json") && e.contains("JSON"), "{e}");
    }

    #[test]
    fn undecodable_auth_entry_is_an_error_naming_file_and_key() {
        let (_d, s) = store(&[r#"{"auths": {"r.io": {"auth": "!!!"}}}"#]);
        let e = s.lookup("r.io", "x").unwrap_err().to_string();
        assert!(
            e.contains("base64") && e.contains("r.io") && e.contains("0.json"),
            "{e}"
        );
        let no_colon = format!(
            r#"{{"auths": {{"r.io": {{"auth": "{}"}}}}}}"#,
            b64("justuser")
        );
        let (_d, s) = store(&[&no_colon]);
        assert!(s.lookup("r.io", "x").is_err());
    }

    #[test]
    fn missing_credential_helper_is_named() {
        let (_d, s) = store(&[r#"{"credHelpers": {"r.io": "berth-test-nonexistent"}}"#]);
        let e = s.lookup("r.io", "x").unwrap_err().to_string();
        assert!(
            e.contains("docker-credential-berth-test-nonexistent"),
            "{e}"
        );
        assert!(e.contains("0.json"), "{e}");
    }

    #[test]
    fn helper_name_with_a_slash_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        // `docker-credential-sub/h` exists and is executable: only the name check stops it.
        let sub = dir.path().join("docker-credential-sub");
        std::fs::create_dir(&sub).unwrap();
        helper(&sub, "x", r#"{"Username":"u","Secret":"s"}"#, 0);
        std::fs::rename(sub.join("docker-credential-x"), sub.join("h")).unwrap();
        let conf = dir.path().join("c.json");
        std::fs::write(&conf, r#"{"credsStore": "sub/h"}"#).unwrap();
        let s = AuthStore::from_paths(vec![conf]).with_helper_dirs(vec![dir.path().into()]);
        assert!(matches!(
            s.lookup("r.io", "x"),
            Err(AuthError::HelperMissing { .. })
        ));
    }

    #[test]
    fn credential_helper_answer_is_used_and_secret_stays_out_of_debug() {
        let dir = tempfile::tempdir().unwrap();
        helper(
            dir.path(),
            "berthtest",
            r#"{"Username":"helper-user","Secret":"s3cr3t"}"#,
            0,
        );
        let conf = dir.path().join("config.json");
        std::fs::write(&conf, r#"{"credsStore": "berthtest"}"#).unwrap();
        let s = AuthStore::from_paths(vec![conf]).with_helper_dirs(vec![dir.path().into()]);
        let creds = s.lookup("r.io", "x").unwrap().unwrap();
        assert_eq!(creds.username, "helper-user");
        assert_eq!(creds.password, "s3cr3t");
        assert!(!format!("{creds:?}").contains("s3cr3t"));
    }

    #[test]
    fn credential_helper_receives_the_server_on_stdin() {
        let dir = tempfile::tempdir().unwrap();
        // The answer embeds what the helper read, so the test sees the server it was asked for.
        helper(
            dir.path(),
            "echo",
            r#"{"Username":"$server","Secret":"s"}"#,
            0,
        );
        let conf = dir.path().join("config.json");
        std::fs::write(&conf, r#"{"credsStore": "echo"}"#).unwrap();
        let s = AuthStore::from_paths(vec![conf]).with_helper_dirs(vec![dir.path().into()]);
        assert_eq!(user(&s, "r.io:5000", "x").as_deref(), Some("r.io:5000"));
        assert_eq!(
            user(&s, "docker.io", "library/x").as_deref(),
            Some("https://index.docker.io/v1/")
        );
    }

    #[test]
    fn cred_helper_for_the_host_beats_auths_and_creds_store() {
        let dir = tempfile::tempdir().unwrap();
        helper(
            dir.path(),
            "per-host",
            r#"{"Username":"per-host","Secret":"s"}"#,
            0,
        );
        helper(
            dir.path(),
            "store",
            r#"{"Username":"store","Secret":"s"}"#,
            0,
        );
        let conf = dir.path().join("config.json");
        std::fs::write(
            &conf,
            format!(
                r#"{{"credHelpers": {{"r.io": "per-host"}}, "credsStore": "store", "auths": {{"r.io": {{"auth": "{}"}}, "s.io": {{"auth": "{}"}}}}}}"#,
                b64("file:1"),
                b64("file-s:2")
            ),
        )
        .unwrap();
        let s = AuthStore::from_paths(vec![conf]).with_helper_dirs(vec![dir.path().into()]);
        assert_eq!(user(&s, "r.io", "x").as_deref(), Some("per-host"));
        assert_eq!(user(&s, "s.io", "x").as_deref(), Some("file-s"));
        assert_eq!(user(&s, "t.io", "x").as_deref(), Some("store"));
    }

    #[test]
    fn helper_without_credentials_means_none_and_a_failing_helper_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        helper(
            dir.path(),
            "empty",
            "credentials not found in native keychain",
            1,
        );
        helper(dir.path(), "broken", "keychain locked", 3);
        let none = dir.path().join("none.json");
        std::fs::write(&none, r#"{"credsStore": "empty"}"#).unwrap();
        let broken = dir.path().join("broken.json");
        std::fs::write(&broken, r#"{"credsStore": "broken"}"#).unwrap();
        let dirs = vec![dir.path().to_path_buf()];
        let s = AuthStore::from_paths(vec![none]).with_helper_dirs(dirs.clone());
        assert!(s.lookup("r.io", "x").unwrap().is_none());
        let e = AuthStore::from_paths(vec![broken])
            .with_helper_dirs(dirs)
            .lookup("r.io", "x")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("docker-credential-broken") && e.contains("keychain locked"),
            "{e}"
        );
    }

    fn env_of(vars: Vec<(&'static str, OsString)>) -> impl Fn(&str) -> Option<OsString> {
        move |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    }

    fn euid() -> u32 {
        rustix::process::geteuid().as_raw()
    }

    /// A runtime dir as logind makes it: ours, 0700.
    fn session_dir() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        d
    }

    #[test]
    fn default_paths_follow_podman_order() {
        let rt = session_dir();
        let env = env_of(vec![
            ("HOME", "/home/u".into()),
            ("XDG_RUNTIME_DIR", rt.path().into()),
            ("DOCKER_CONFIG", "/dc".into()),
        ]);
        let want = vec![
            rt.path().join("containers/auth.json"),
            PathBuf::from("/home/u/.config/containers/auth.json"),
            // DOCKER_CONFIG replaces ~/.docker, as in docker and containers/image.
            PathBuf::from("/dc/config.json"),
        ];
        assert_eq!(default_paths_from(env, 7, euid()), (want, 0));
        let without_docker_config = env_of(vec![
            ("HOME", "/home/u".into()),
            ("XDG_RUNTIME_DIR", rt.path().into()),
        ]);
        let (paths, _) = default_paths_from(without_docker_config, 7, euid());
        assert_eq!(paths[2], PathBuf::from("/home/u/.docker/config.json"));
    }

    #[test]
    fn registry_auth_file_is_the_only_file_read_and_counts_as_named() {
        let rt = session_dir();
        let env = env_of(vec![
            ("HOME", "/home/u".into()),
            ("REGISTRY_AUTH_FILE", "/etc/auth.json".into()),
            ("XDG_RUNTIME_DIR", rt.path().into()),
        ]);
        assert_eq!(
            default_paths_from(env, 7, euid()),
            (vec![PathBuf::from("/etc/auth.json")], 1)
        );
    }

    #[test]
    fn default_paths_of_root_without_runtime_dir_use_run_containers_uid_and_xdg_config_home() {
        let env = env_of(vec![
            ("HOME", "/root".into()),
            ("XDG_CONFIG_HOME", "/cfg".into()),
        ]);
        let want: Vec<PathBuf> = [
            "/run/containers/0/auth.json",
            "/cfg/containers/auth.json",
            "/root/.docker/config.json",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        assert_eq!(default_paths_from(env, 0, euid()), (want, 0));
    }

    #[test]
    fn a_user_without_runtime_dir_never_reads_run_containers_but_berths_own_dir() {
        let tmp = session_dir();
        let uid = 4_000_000_009;
        let env = env_of(vec![
            ("HOME", "/home/u".into()),
            ("TMPDIR", tmp.path().into()),
        ]);
        let (paths, _) = default_paths_from(&env, uid, euid());
        let own = tmp
            .path()
            .join(format!("berth-run-{uid}/containers/auth.json"));
        assert_eq!(paths[0], own);
        assert!(
            paths.iter().all(|p| !p.starts_with("/run/containers")),
            "{paths:?}"
        );
        assert_eq!(login_file_from(None, env, uid, euid()).unwrap(), own);
    }

    #[test]
    fn an_unreadable_default_file_is_skipped_but_a_named_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where a file is expected: unreadable for root too.
        let unreadable = dir.path().join("root-only");
        std::fs::create_dir(&unreadable).unwrap();
        let good = dir.path().join("auth.json");
        let auth = base64::engine::general_purpose::STANDARD.encode("me:pw");
        std::fs::write(
            &good,
            format!(r#"{{"auths":{{"r.io":{{"auth":"{auth}"}}}}}}"#),
        )
        .unwrap();
        let defaults = AuthStore {
            paths: vec![unreadable.clone(), good],
            named: 0,
            helper_dirs: Vec::new(),
        };
        let found = defaults.lookup("r.io", "x").unwrap().unwrap();
        assert_eq!(found.username, "me");
        let e = AuthStore::from_paths(vec![unreadable.clone()])
            .lookup("r.io", "x")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(&unreadable.display().to_string()) && !e.contains('\n'),
            "{e}"
        );
    }

    #[test]
    fn login_keys_normalise_docker_hub_urls_and_keep_namespaces() {
        let key = |s: &str| login_key(s).unwrap();
        for hub in [
            "docker.io",
            "index.docker.io",
            "https://index.docker.io/v1/",
            "registry-1.docker.io",
            "HTTPS://Index.Docker.IO/v1/",
        ] {
            assert_eq!(key(hub), ("docker.io".into(), "docker.io".into()), "{hub}");
        }
        assert_eq!(
            key("localhost:5000"),
            ("localhost:5000".into(), "localhost:5000".into())
        );
        assert_eq!(
            key("http://r.io:5000/v2/"),
            ("r.io:5000".into(), "r.io:5000".into())
        );
        assert_eq!(
            key("quay.io/team/"),
            ("quay.io/team".into(), "quay.io".into())
        );
        assert!(login_key("").is_err());
        assert!(login_key("quay.io/Team:tag").is_err());
        assert!(login_key("user@quay.io").is_err());
    }

    #[test]
    fn login_file_follows_podman_and_falls_back_when_the_runtime_dir_is_not_ours() {
        let runtime = session_dir();
        let runtime = runtime.path().to_path_buf();
        let tmp = session_dir();
        let flag = PathBuf::from("/flag.json");
        let with_all = env_of(vec![
            ("REGISTRY_AUTH_FILE", "/env.json".into()),
            ("XDG_RUNTIME_DIR", runtime.clone().into()),
        ]);
        assert_eq!(
            login_file_from(Some(&flag), &with_all, 7, euid()).unwrap(),
            flag
        );
        assert_eq!(
            login_file_from(None, &with_all, 7, euid()).unwrap(),
            PathBuf::from("/env.json")
        );
        let runtime_only = env_of(vec![("XDG_RUNTIME_DIR", runtime.clone().into())]);
        assert_eq!(
            login_file_from(None, runtime_only, 7, euid()).unwrap(),
            runtime.join("containers/auth.json")
        );
        let uid = 4_000_000_010;
        let missing = env_of(vec![
            ("XDG_RUNTIME_DIR", runtime.join("nope").into()),
            ("TMPDIR", tmp.path().into()),
        ]);
        assert_eq!(
            login_file_from(None, missing, uid, euid()).unwrap(),
            tmp.path()
                .join(format!("berth-run-{uid}/containers/auth.json"))
        );
    }

    #[test]
    fn auth_file_store_creates_a_private_file_and_dir_and_lookup_finds_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("containers/auth.json");
        let file = AuthFile::new(path.clone());
        let creds = Credentials {
            username: "me".into(),
            password: "p:w".into(),
        };
        file.store("r.io:5000", &creds).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        let found = AuthStore::from_paths(vec![path.clone()])
            .lookup("r.io:5000", "a/b")
            .unwrap();
        assert_eq!(found, Some(creds));
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, ["auth.json"], "no temp files left behind");
    }

    #[test]
    fn auth_file_store_replaces_docker_url_keys_and_keeps_the_rest() {
        let (_d, s) = store(&[&format!(
            r#"{{"auths": {{"https://index.docker.io/v1/": {{"auth": "{}"}}, "q.io": {{"auth": "{}"}}}}, "credHelpers": {{"x.io": "h"}}, "HttpHeaders": {{"X": "y"}}}}"#,
            b64("old:1"),
            b64("q:2")
        )]);
        let file = AuthFile::new(s.paths()[0].clone());
        let creds = Credentials {
            username: "new".into(),
            password: "2".into(),
        };
        file.store("docker.io", &creds).unwrap();
        let doc: Value = serde_json::from_slice(&std::fs::read(file.path()).unwrap()).unwrap();
        let keys: Vec<&String> = doc["auths"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["q.io", "docker.io"]);
        assert_eq!(doc["credHelpers"]["x.io"], "h");
        assert_eq!(doc["HttpHeaders"]["X"], "y");
        assert_eq!(user(&s, "docker.io", "library/x").as_deref(), Some("new"));
    }

    #[test]
    fn auth_file_remove_matches_any_spelling_and_remove_all_keeps_other_keys() {
        let (_d, s) = store(&[&format!(
            r#"{{"auths": {{"https://index.docker.io/v1/": {{"auth": "{}"}}, "q.io": {{"auth": "{}"}}}}, "credsStore": "desktop"}}"#,
            b64("hub:1"),
            b64("q:2")
        )]);
        let file = AuthFile::new(s.paths()[0].clone());
        assert!(file.remove("docker.io").unwrap());
        assert!(!file.remove("docker.io").unwrap());
        assert!(!file.remove("other.io").unwrap());
        file.remove_all().unwrap();
        let doc: Value = serde_json::from_slice(&std::fs::read(file.path()).unwrap()).unwrap();
        assert_eq!(doc["auths"], serde_json::json!({}));
        assert_eq!(doc["credsStore"], "desktop");
    }

    #[test]
    fn auth_file_refuses_to_overwrite_a_corrupt_file() {
        let (_d, s) = store(&["{not json"]);
        let file = AuthFile::new(s.paths()[0].clone());
        let creds = Credentials {
            username: "u".into(),
            password: "p".into(),
        };
        assert!(matches!(
            file.store("r.io", &creds),
            Err(AuthError::BadFile { .. })
        ));
        assert_eq!(std::fs::read_to_string(file.path()).unwrap(), "{not json");
    }
}
