//! Registry credentials from the files podman and docker users already have.

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
    #[error("credential helper docker-credential-{helper} is not installed (named in {path}): install it or remove it from the file")]
    HelperMissing { helper: String, path: PathBuf },
    #[error("credential helper docker-credential-{helper} failed for {server}: {reason}")]
    HelperFailed {
        helper: String,
        server: String,
        reason: String,
    },
}

#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuthStore {
    paths: Vec<PathBuf>,
}

const DOCKER_HUB_KEYS: &[&str] = &[
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "https://index.docker.io/v1/",
];

/// Strip scheme and trailing slashes from an auth.json key.
fn normalize_key(k: &str) -> String {
    let k = k
        .strip_prefix("https://")
        .or_else(|| k.strip_prefix("http://"))
        .unwrap_or(k);
    let k = k.trim_end_matches('/');
    match k {
        "index.docker.io/v1" | "index.docker.io" | "registry-1.docker.io" => "docker.io".into(),
        other => other.into(),
    }
}

fn normalize_host(h: &str) -> &str {
    if DOCKER_HUB_KEYS.contains(&h) {
        "docker.io"
    } else {
        h
    }
}

impl AuthStore {
    pub fn from_paths(paths: Vec<PathBuf>) -> Self {
        AuthStore { paths }
    }

    /// $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json, ~/.config/containers/auth.json,
    /// $DOCKER_CONFIG/config.json, ~/.docker/config.json.
    pub fn default_paths() -> Self {
        let env = |k: &str| std::env::var_os(k).map(PathBuf::from);
        let home = env("HOME");
        let mut paths = Vec::new();
        if let Some(p) = env("REGISTRY_AUTH_FILE") {
            paths.push(p);
        }
        if let Some(r) = env("XDG_RUNTIME_DIR") {
            paths.push(r.join("containers/auth.json"));
        }
        match env("XDG_CONFIG_HOME") {
            Some(c) => paths.push(c.join("containers/auth.json")),
            None => paths.extend(
                home.as_ref()
                    .map(|h| h.join(".config/containers/auth.json")),
            ),
        }
        if let Some(d) = env("DOCKER_CONFIG") {
            paths.push(d.join("config.json"));
        }
        paths.extend(home.map(|h| h.join(".docker/config.json")));
        AuthStore { paths }
    }

    /// Credentials for `host` (as the user wrote it: docker.io for Docker Hub) and `repository`.
    pub fn lookup(&self, host: &str, repository: &str) -> Result<Option<Credentials>, AuthError> {
        let host = normalize_host(host);
        for path in &self.paths {
            let text = match std::fs::read(path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(AuthError::BadFile {
                        path: path.clone(),
                        reason: e.to_string(),
                    })
                }
            };
            let doc: Value = serde_json::from_slice(&text).map_err(|e| AuthError::BadFile {
                path: path.clone(),
                reason: format!("not valid JSON: {e}"),
            })?;
            if let Some(found) = lookup_in(&doc, path, host, repository)? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }
}

fn lookup_in(
    doc: &Value,
    path: &Path,
    host: &str,
    repository: &str,
) -> Result<Option<Credentials>, AuthError> {
    if let Some(helper) = doc
        .pointer("/credHelpers")
        .and_then(Value::as_object)
        .and_then(|h| {
            h.iter()
                .find(|(k, _)| normalize_key(k) == host)
                .and_then(|(_, v)| v.as_str())
        })
    {
        return run_helper(helper, host, path).map(Some);
    }
    if let Some(auths) = doc.get("auths").and_then(Value::as_object) {
        // Most specific key first: host/ns/repo, host/ns, host.
        let full = format!("{host}/{repository}");
        let mut best: Option<(usize, &Value)> = None;
        for (k, v) in auths {
            let key = normalize_key(k);
            let hit = full == key || full.starts_with(&format!("{key}/"));
            if hit && best.is_none_or(|(len, _)| key.len() > len) {
                best = Some((key.len(), v));
            }
        }
        if let Some((_, entry)) = best {
            if let Some(encoded) = entry
                .get("auth")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
            {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(encoded.trim())
                    .map_err(|_| AuthError::BadFile {
                        path: path.into(),
                        reason: format!("the auth entry for {host} is not base64"),
                    })?;
                let decoded = String::from_utf8(decoded).map_err(|_| AuthError::BadFile {
                    path: path.into(),
                    reason: format!("the auth entry for {host} is not UTF-8"),
                })?;
                let (u, p) = decoded.split_once(':').ok_or_else(|| AuthError::BadFile {
                    path: path.into(),
                    reason: format!("the auth entry for {host} is not user:password"),
                })?;
                return Ok(Some(Credentials {
                    username: u.into(),
                    password: p.into(),
                }));
            }
            if let Some(token) = entry.get("identitytoken").and_then(Value::as_str) {
                return Ok(Some(Credentials {
                    username: "<token>".into(),
                    password: token.into(),
                }));
            }
        }
    }
    if let Some(store) = doc
        .get("credsStore")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        return run_helper(store, host, path).map(Some);
    }
    Ok(None)
}

fn run_helper(helper: &str, host: &str, path: &Path) -> Result<Credentials, AuthError> {
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
    let mut child = Command::new(format!("docker-credential-{helper}"))
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => AuthError::HelperMissing {
                helper: helper.into(),
                path: path.into(),
            },
            _ => failed(e.to_string()),
        })?;
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(server.as_bytes())
        .map_err(|e| failed(e.to_string()))?;
    let out = child
        .wait_with_output()
        .map_err(|e| failed(e.to_string()))?;
    if !out.status.success() {
        return Err(failed(
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
        ));
    }
    let v: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| failed(format!("unreadable answer: {e}")))?;
    Ok(Credentials {
        username: v
            .get("Username")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .into(),
        password: v
            .get("Secret")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(s.lookup("r.io", "x").unwrap().unwrap().username, "alice");
        assert_eq!(s.lookup("s.io", "x").unwrap().unwrap().password, "pw3");
        assert!(s.lookup("t.io", "x").unwrap().is_none());
    }

    #[test]
    fn docker_hub_keys_and_path_specific_keys_match() {
        let text = format!(
            r#"{{"auths": {{"https://index.docker.io/v1/": {{"auth": "{}"}}, "r.io": {{"auth": "{}"}}, "r.io/team": {{"auth": "{}"}}}}}}"#,
            b64("hub:1"),
            b64("all:2"),
            b64("team:3")
        );
        let (_d, s) = store(&[&text]);
        assert_eq!(
            s.lookup("docker.io", "library/busybox")
                .unwrap()
                .unwrap()
                .username,
            "hub"
        );
        assert_eq!(
            s.lookup("registry-1.docker.io", "library/busybox")
                .unwrap()
                .unwrap()
                .username,
            "hub"
        );
        assert_eq!(
            s.lookup("r.io", "team/app").unwrap().unwrap().username,
            "team"
        );
        assert_eq!(
            s.lookup("r.io", "teamx/app").unwrap().unwrap().username,
            "all"
        );
    }

    #[test]
    fn corrupt_file_is_an_error_naming_it() {
        let (_d, s) = store(&["{nope"]);
        let e = s.lookup("r.io", "x").unwrap_err().to_string();
        assert!(e.contains("0.json") && e.contains("JSON"), "{e}");
        let (_d, s) = store(&[r#"{"auths": {"r.io": {"auth": "!!!"}}}"#]);
        assert!(s
            .lookup("r.io", "x")
            .unwrap_err()
            .to_string()
            .contains("base64"));
    }

    #[test]
    fn missing_credential_helper_is_named() {
        let (_d, s) = store(&[r#"{"credHelpers": {"r.io": "berth-test-nonexistent"}}"#]);
        let e = s.lookup("r.io", "x").unwrap_err().to_string();
        assert!(
            e.contains("docker-credential-berth-test-nonexistent"),
            "{e}"
        );
    }

    #[test]
    fn credential_helper_answer_is_used() {
        let dir = tempfile::tempdir().unwrap();
        let helper = dir.path().join("docker-credential-berthtest");
        std::fs::write(&helper, "#!/bin/sh\nread server\necho \"{\\\"Username\\\":\\\"h-$server\\\",\\\"Secret\\\":\\\"s\\\"}\"\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
        let conf = dir.path().join("config.json");
        std::fs::write(&conf, r#"{"credsStore": "berthtest"}"#).unwrap();
        let old = std::env::var_os("PATH").unwrap_or_default();
        let path = std::env::join_paths(
            std::iter::once(dir.path().to_path_buf()).chain(std::env::split_paths(&old)),
        )
        .unwrap();
        std::env::set_var("PATH", &path);
        let creds = AuthStore::from_paths(vec![conf])
            .lookup("r.io", "x")
            .unwrap()
            .unwrap();
        assert_eq!(creds.username, "h-r.io");
        assert!(
            !format!("{creds:?}").contains("\"s\""),
            "Debug must not show the secret"
        );
    }
}
