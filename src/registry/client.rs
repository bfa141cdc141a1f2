//! The distribution API client: manifests and blobs, anonymous, basic and bearer-token auth,
//! retries with back-off, digest verification while streaming.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode};
use sha2::{Digest as _, Sha256};
use thiserror::Error;

use super::auth::{AuthError, AuthStore, Credentials};

const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

#[derive(Debug, Error)]
pub enum RegistryError {
    #[error("cannot reach registry {host}: {reason}")]
    Connect { host: String, reason: String },
    #[error("registry {host} gave an HTTP response to an HTTPS client: use --tls-verify=false or mark it `insecure = true` in registries.conf")]
    PlainHttp { host: String },
    #[error("{what} not found on {host}")]
    NotFound { host: String, what: String },
    #[error("{host}/{repository} requires authentication: run `berth login {host}`")]
    AuthRequired { host: String, repository: String },
    #[error("credentials for {host} were rejected for {repository}: check them with `berth login {host}`")]
    CredentialsRejected { host: String, repository: String },
    #[error("registry {host} answered {status} for {what}: {body}")]
    Status {
        host: String,
        what: String,
        status: u16,
        body: String,
    },
    #[error("getting a token from {realm} failed: {reason}")]
    Token { realm: String, reason: String },
    #[error(
        "blob {digest} does not match its digest: the registry sent content hashing to {actual}"
    )]
    DigestMismatch { digest: String, actual: String },
    #[error("blob {digest} has {actual} bytes, the manifest says {expected}")]
    SizeMismatch {
        digest: String,
        expected: u64,
        actual: u64,
    },
    #[error("writing {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
    #[error(transparent)]
    Auth(#[from] AuthError),
}

impl RegistryError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, RegistryError::NotFound { .. })
    }
    pub fn is_unauthorized(&self) -> bool {
        matches!(
            self,
            RegistryError::AuthRequired { .. } | RegistryError::CredentialsRejected { .. }
        )
    }
    fn is_transient(&self) -> bool {
        match self {
            RegistryError::Connect { .. } => true,
            RegistryError::Status { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }
}

pub struct ClientOptions {
    pub insecure_hosts: Vec<String>,
    pub tls_verify: bool,
    pub user_agent: String,
    pub auth: AuthStore,
    pub max_retries: u32,
}

pub struct FetchedManifest {
    pub bytes: Vec<u8>,
    pub media_type: String,
    pub digest: String,
}

#[derive(Clone)]
enum Authz {
    Bearer(String, Instant),
    Basic(Credentials),
}

#[derive(Default)]
struct State {
    /// "http" for hosts found to speak plain HTTP.
    scheme: HashMap<String, &'static str>,
    tokens: HashMap<(String, String), Authz>,
}

#[derive(Clone)]
pub struct RegistryClient {
    secure: reqwest::Client,
    insecure: reqwest::Client,
    opts: Arc<ClientOptions>,
    state: Arc<Mutex<State>>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// Parse `Bearer realm="…",service="…",scope="…"` (or Basic) into a scheme and parameters.
fn parse_challenge(h: &str) -> (String, HashMap<String, String>) {
    let (scheme, rest) = h.trim().split_once(' ').unwrap_or((h.trim(), ""));
    let mut params = HashMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            value = chars.by_ref().take_while(|c| *c != ',').collect();
        }
        params.insert(key.trim().to_lowercase(), value.trim().to_string());
    }
    (scheme.to_lowercase(), params)
}

impl RegistryClient {
    pub fn new(opts: ClientOptions) -> Result<Self, RegistryError> {
        let build = |verify: bool| {
            reqwest::Client::builder()
                .user_agent(opts.user_agent.clone())
                .danger_accept_invalid_certs(!verify)
                .connect_timeout(Duration::from_secs(if verify { 15 } else { 5 }))
                .read_timeout(Duration::from_secs(60))
                .build()
                .map_err(|e| RegistryError::Client(e.to_string()))
        };
        Ok(RegistryClient {
            secure: build(true)?,
            insecure: build(false)?,
            opts: Arc::new(opts),
            state: Arc::new(Mutex::new(State::default())),
        })
    }

    fn may_use_http(&self, host: &str) -> bool {
        !self.opts.tls_verify || self.opts.insecure_hosts.iter().any(|h| h == host)
    }

    /// https unless the host is known to speak plain HTTP. An insecure loopback registry is
    /// tried over http first: it is almost always plain, and a TLS hello sent to a plain server
    /// can hang until a timeout instead of failing fast.
    fn scheme(&self, host: &str) -> &'static str {
        if let Some(s) = self.state.lock().expect("client state").scheme.get(host) {
            return s;
        }
        if self.may_use_http(host) && is_loopback(host) {
            "http"
        } else {
            "https"
        }
    }

    fn http_for(&self, host: &str) -> &reqwest::Client {
        if self.may_use_http(host) {
            &self.insecure
        } else {
            &self.secure
        }
    }

    /// One request with auth handling (401 → challenge → retry once) and scheme fallback.
    async fn send(
        &self,
        method: Method,
        host: &str,
        repo: &str,
        path: &str,
        headers: HeaderMap,
    ) -> Result<reqwest::Response, RegistryError> {
        let scope = format!("repository:{repo}:pull");
        let mut tried_auth = false;
        loop {
            let url = format!("{}://{host}{path}", self.scheme(host));
            let mut req = self
                .http_for(host)
                .request(method.clone(), &url)
                .headers(headers.clone());
            let cached = self
                .state
                .lock()
                .expect("client state")
                .tokens
                .get(&(host.to_string(), scope.clone()))
                .cloned();
            match cached {
                Some(Authz::Bearer(t, exp)) if exp > Instant::now() => req = req.bearer_auth(t),
                Some(Authz::Basic(c)) => req = req.basic_auth(c.username, Some(c.password)),
                _ => {}
            }
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) => {
                    if self.scheme(host) == "https" && self.may_use_http(host) && !e.is_timeout() {
                        self.state
                            .lock()
                            .expect("client state")
                            .scheme
                            .insert(host.to_string(), "http");
                        continue;
                    }
                    let text = error_chain(&e);
                    if text.contains("InvalidContentType")
                        || text.contains("http response to https")
                        || text.contains("record overflow")
                        || text.contains("CorruptMessage")
                    {
                        return Err(RegistryError::PlainHttp { host: host.into() });
                    }
                    return Err(RegistryError::Connect {
                        host: host.into(),
                        reason: text,
                    });
                }
            };
            if resp.status() != StatusCode::UNAUTHORIZED {
                return Ok(resp);
            }
            let creds = self.opts.auth.lookup(host_for_auth(host), repo)?;
            if tried_auth {
                return Err(if creds.is_some() {
                    RegistryError::CredentialsRejected {
                        host: host.into(),
                        repository: repo.into(),
                    }
                } else {
                    RegistryError::AuthRequired {
                        host: host.into(),
                        repository: repo.into(),
                    }
                });
            }
            tried_auth = true;
            let challenge = resp
                .headers()
                .get(WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let (scheme, params) = parse_challenge(&challenge);
            let authz = match scheme.as_str() {
                "bearer" => {
                    self.fetch_token(host, &params, &scope, creds.as_ref())
                        .await?
                }
                _ => match creds {
                    Some(c) => Authz::Basic(c),
                    None => {
                        return Err(RegistryError::AuthRequired {
                            host: host.into(),
                            repository: repo.into(),
                        })
                    }
                },
            };
            self.state
                .lock()
                .expect("client state")
                .tokens
                .insert((host.to_string(), scope.clone()), authz);
        }
    }

    async fn fetch_token(
        &self,
        host: &str,
        params: &HashMap<String, String>,
        scope: &str,
        creds: Option<&Credentials>,
    ) -> Result<Authz, RegistryError> {
        let realm = params.get("realm").cloned().unwrap_or_default();
        let fail = |reason: String| RegistryError::Token {
            realm: realm.clone(),
            reason,
        };
        if realm.is_empty() {
            return Err(fail(format!(
                "{host} sent a Bearer challenge without a realm"
            )));
        }
        let mut query: Vec<(&str, String)> = vec![(
            "scope",
            params
                .get("scope")
                .cloned()
                .unwrap_or_else(|| scope.to_string()),
        )];
        if let Some(s) = params.get("service") {
            query.push(("service", s.clone()));
        }
        let mut req = self.http_for(host).get(&realm).query(&query);
        if let Some(c) = creds {
            req = req.basic_auth(&c.username, Some(&c.password));
        }
        let resp = req.send().await.map_err(|e| fail(error_chain(&e)))?;
        let status = resp.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(if creds.is_some() {
                RegistryError::CredentialsRejected {
                    host: host.into(),
                    repository: scope.into(),
                }
            } else {
                RegistryError::AuthRequired {
                    host: host.into(),
                    repository: scope.into(),
                }
            });
        }
        if !status.is_success() {
            return Err(fail(format!("HTTP {status}")));
        }
        let v: serde_json::Value = resp
            .json()
            .await
            .map_err(|e| fail(format!("unreadable answer: {e}")))?;
        let token = v
            .get("token")
            .or_else(|| v.get("access_token"))
            .and_then(|t| t.as_str())
            .ok_or_else(|| fail("the answer has no token".into()))?;
        let ttl = v
            .get("expires_in")
            .and_then(|e| e.as_u64())
            .unwrap_or(60)
            .max(10);
        Ok(Authz::Bearer(
            token.to_string(),
            Instant::now() + Duration::from_secs(ttl - 5),
        ))
    }

    /// `send` with retries for transient failures.
    async fn send_retrying(
        &self,
        method: Method,
        host: &str,
        repo: &str,
        path: &str,
        headers: HeaderMap,
        what: &str,
    ) -> Result<reqwest::Response, RegistryError> {
        let mut attempt = 0;
        loop {
            let err = match self
                .send(method.clone(), host, repo, path, headers.clone())
                .await
            {
                Ok(resp) if resp.status().is_success() => return Ok(resp),
                Ok(resp) => status_error(host, what, resp).await,
                Err(e) => e,
            };
            if !err.is_transient() || attempt >= self.opts.max_retries {
                return Err(err);
            }
            tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
            attempt += 1;
        }
    }

    pub async fn get_manifest(
        &self,
        host: &str,
        repo: &str,
        reference: &str,
    ) -> Result<FetchedManifest, RegistryError> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static(MANIFEST_ACCEPT));
        let what = format!("manifest {host}/{repo}:{reference}").replace(":sha256:", "@sha256:");
        let resp = self
            .send_retrying(
                Method::GET,
                host,
                repo,
                &format!("/v2/{repo}/manifests/{reference}"),
                headers,
                &what,
            )
            .await?;
        let media_type = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| RegistryError::Connect {
                host: host.into(),
                reason: error_chain(&e),
            })?
            .to_vec();
        let digest = sha256_hex(&bytes);
        if reference.starts_with("sha256:") && digest != reference {
            return Err(RegistryError::DigestMismatch {
                digest: reference.into(),
                actual: digest,
            });
        }
        Ok(FetchedManifest {
            bytes,
            media_type,
            digest,
        })
    }

    pub async fn fetch_blob(
        &self,
        host: &str,
        repo: &str,
        digest: &str,
        expected_size: Option<u64>,
        dest: &Path,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<(), RegistryError> {
        let mut attempt = 0;
        loop {
            match self
                .fetch_blob_once(host, repo, digest, expected_size, dest, progress)
                .await
            {
                Ok(()) => return Ok(()),
                Err(e) if e.is_transient() && attempt < self.opts.max_retries => {
                    tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
                    attempt += 1;
                }
                Err(e) => {
                    let _ = std::fs::remove_file(dest);
                    return Err(e);
                }
            }
        }
    }

    async fn fetch_blob_once(
        &self,
        host: &str,
        repo: &str,
        digest: &str,
        expected_size: Option<u64>,
        dest: &Path,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<(), RegistryError> {
        let io = |source| RegistryError::Io {
            path: dest.to_path_buf(),
            source,
        };
        let what = format!("blob {digest} in {host}/{repo}");
        let mut resp = self
            .send_retrying(
                Method::GET,
                host,
                repo,
                &format!("/v2/{repo}/blobs/{digest}"),
                HeaderMap::new(),
                &what,
            )
            .await?;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(dest)
            .map_err(io)?;
        progress(0);
        let mut hasher = Sha256::new();
        let mut done = 0u64;
        loop {
            let chunk = resp.chunk().await.map_err(|e| RegistryError::Connect {
                host: host.into(),
                reason: error_chain(&e),
            })?;
            let Some(chunk) = chunk else { break };
            hasher.update(&chunk);
            file.write_all(&chunk).map_err(io)?;
            done += chunk.len() as u64;
            if let Some(max) = expected_size {
                if done > max {
                    return Err(RegistryError::SizeMismatch {
                        digest: digest.into(),
                        expected: max,
                        actual: done,
                    });
                }
            }
            progress(done);
        }
        file.sync_all().map_err(io)?;
        if let Some(expected) = expected_size {
            if expected != done {
                return Err(RegistryError::SizeMismatch {
                    digest: digest.into(),
                    expected,
                    actual: done,
                });
            }
        }
        let actual = format!("sha256:{}", hex::encode(hasher.finalize()));
        if actual != digest {
            return Err(RegistryError::DigestMismatch {
                digest: digest.into(),
                actual,
            });
        }
        Ok(())
    }
}

fn is_loopback(host: &str) -> bool {
    let name = host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host);
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name == "localhost"
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// auth.json keys Docker Hub as docker.io, while the API lives at registry-1.docker.io.
fn host_for_auth(host: &str) -> &str {
    if host == "registry-1.docker.io" {
        "docker.io"
    } else {
        host
    }
}

async fn status_error(host: &str, what: &str, resp: reqwest::Response) -> RegistryError {
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    if status == StatusCode::NOT_FOUND {
        return RegistryError::NotFound {
            host: host.into(),
            what: what.into(),
        };
    }
    let body: String = body
        .chars()
        .take(200)
        .collect::<String>()
        .replace('\n', " ");
    RegistryError::Status {
        host: host.into(),
        what: what.into(),
        status: status.as_u16(),
        body,
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        let t = inner.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = inner.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    type Handler = Arc<dyn Fn(&str, &str) -> (u16, Vec<(String, String)>, Vec<u8>) + Send + Sync>;

    /// A tiny HTTP/1.1 server: `handler(request_line, headers_text)` → (status, headers, body).
    async fn serve(handler: Handler) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move {
            loop {
                let (mut sock, _) = listener.accept().await.unwrap();
                let h = handler.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut tmp = [0u8; 4096];
                    loop {
                        let n = sock.read(&mut tmp).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&tmp[..n]);
                        while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buf[..end]).to_string();
                            buf.drain(..end + 4);
                            let (line, headers) = head.split_once("\r\n").unwrap_or((&head, ""));
                            let (status, extra, body) = h(line, headers);
                            let mut out = format!(
                                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\n",
                                body.len()
                            );
                            for (k, v) in extra {
                                out += &format!("{k}: {v}\r\n");
                            }
                            out += "\r\n";
                            let mut bytes = out.into_bytes();
                            bytes.extend_from_slice(&body);
                            if sock.write_all(&bytes).await.is_err() {
                                return;
                            }
                        }
                    }
                });
            }
        });
        addr
    }

    fn client(host: &str, auth: AuthStore) -> RegistryClient {
        RegistryClient::new(ClientOptions {
            insecure_hosts: vec![host.to_string()],
            tls_verify: true,
            user_agent: "berth-test".into(),
            auth,
            max_retries: 3,
        })
        .unwrap()
    }

    #[tokio::test]
    async fn anonymous_manifest_is_fetched_over_plain_http_for_insecure_hosts() {
        let body = br#"{"schemaVersion":2}"#.to_vec();
        let b = body.clone();
        let addr = serve(Arc::new(move |line, _| {
            assert!(line.starts_with("GET /v2/a/b/manifests/t"), "{line}");
            (
                200,
                vec![(
                    "Content-Type".into(),
                    "application/vnd.oci.image.manifest.v1+json".into(),
                )],
                b.clone(),
            )
        }))
        .await;
        let m = client(&addr, AuthStore::default())
            .get_manifest(&addr, "a/b", "t")
            .await
            .unwrap();
        assert_eq!(m.bytes, body);
        assert_eq!(m.digest, sha256_hex(&body));
        assert_eq!(m.media_type, "application/vnd.oci.image.manifest.v1+json");
    }

    #[tokio::test]
    async fn manifest_by_digest_must_hash_to_it() {
        let addr = serve(Arc::new(|_, _| (200, vec![], b"{}".to_vec()))).await;
        let wrong = format!("sha256:{}", "0".repeat(64));
        let e = client(&addr, AuthStore::default())
            .get_manifest(&addr, "x", &wrong)
            .await
            .err()
            .unwrap();
        assert!(matches!(e, RegistryError::DigestMismatch { .. }), "{e}");
    }

    #[tokio::test]
    async fn bearer_challenge_gets_a_token_with_scope_and_credentials() {
        let token_addr = serve(Arc::new(|line, headers| {
            assert!(
                line.contains("scope=repository%3Aa%3Apull") && line.contains("service=reg"),
                "{line}"
            );
            assert!(
                headers.to_lowercase().contains("authorization: basic"),
                "credentials sent to the realm"
            );
            (
                200,
                vec![],
                br#"{"access_token":"tok123","expires_in":300}"#.to_vec(),
            )
        }))
        .await;
        let realm = format!("http://{token_addr}/token");
        let addr = serve(Arc::new(move |_, headers| {
            if headers.contains("Bearer tok123") {
                (200, vec![], b"{}".to_vec())
            } else {
                (
                    401,
                    vec![(
                        "WWW-Authenticate".into(),
                        format!(
                            "Bearer realm=\"{realm}\",service=\"reg\",scope=\"repository:a:pull\""
                        ),
                    )],
                    vec![],
                )
            }
        }))
        .await;
        let dir = tempfile::tempdir().unwrap();
        let auth_file = dir.path().join("auth.json");
        std::fs::write(
            &auth_file,
            format!(r#"{{"auths":{{"{addr}":{{"auth":"dTpw"}}}}}}"#),
        )
        .unwrap();
        let c = client(&addr, AuthStore::from_paths(vec![auth_file]));
        c.get_manifest(&addr, "a", "latest").await.unwrap();
    }

    #[tokio::test]
    async fn basic_challenge_without_credentials_asks_for_login() {
        let addr = serve(Arc::new(|_, _| {
            (
                401,
                vec![("WWW-Authenticate".into(), "Basic realm=\"r\"".into())],
                vec![],
            )
        }))
        .await;
        let e = client(&addr, AuthStore::default())
            .get_manifest(&addr, "a", "t")
            .await
            .err()
            .unwrap();
        assert!(
            e.is_unauthorized() && e.to_string().contains("berth login"),
            "{e}"
        );
    }

    #[tokio::test]
    async fn corrupted_blob_is_a_digest_mismatch_and_leaves_no_file() {
        let addr = serve(Arc::new(|_, _| (200, vec![], b"tampered".to_vec()))).await;
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("blob");
        let digest = sha256_hex(b"original");
        let e = client(&addr, AuthStore::default())
            .fetch_blob(&addr, "a", &digest, Some(8), &dest, &|_| {})
            .await
            .err()
            .unwrap();
        assert!(matches!(e, RegistryError::DigestMismatch { .. }), "{e}");
        assert!(!dest.exists());
    }

    #[tokio::test]
    async fn transient_503_is_retried_but_404_is_not() {
        let hits = Arc::new(AtomicUsize::new(0));
        let h = hits.clone();
        let addr = serve(Arc::new(move |line, _| {
            if line.contains("/missing") {
                h.fetch_add(100, Ordering::SeqCst);
                return (404, vec![], vec![]);
            }
            if h.fetch_add(1, Ordering::SeqCst) < 2 {
                (503, vec![], vec![])
            } else {
                (200, vec![], b"blob".to_vec())
            }
        }))
        .await;
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("blob");
        let seen = Mutex::new(0u64);
        let c = client(&addr, AuthStore::default());
        c.fetch_blob(&addr, "a", &sha256_hex(b"blob"), Some(4), &dest, &|n| {
            *seen.lock().unwrap() = n
        })
        .await
        .unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"blob");
        assert_eq!(*seen.lock().unwrap(), 4);
        assert_eq!(hits.load(Ordering::SeqCst), 3);
        let e = c.get_manifest(&addr, "missing", "t").await.err().unwrap();
        assert!(e.is_not_found(), "{e}");
        assert_eq!(hits.load(Ordering::SeqCst), 103, "404 is not retried");
    }

    #[tokio::test]
    async fn blob_redirect_is_followed() {
        let store = serve(Arc::new(|_, headers| {
            assert!(!headers.to_lowercase().contains("authorization"));
            (200, vec![], b"data".to_vec())
        }))
        .await;
        let addr = serve(Arc::new(move |_, _| {
            (
                307,
                vec![("Location".into(), format!("http://{store}/b"))],
                vec![],
            )
        }))
        .await;
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("blob");
        client(&addr, AuthStore::default())
            .fetch_blob(&addr, "a", &sha256_hex(b"data"), None, &dest, &|_| {})
            .await
            .unwrap();
        assert_eq!(std::fs::read(dest).unwrap(), b"data");
    }

    #[test]
    fn challenge_parameters_are_parsed() {
        let (s, p) = parse_challenge(
            r#"Bearer realm="https://auth.io/token",service="registry.io",scope="repository:a/b:pull,push""#,
        );
        assert_eq!(s, "bearer");
        assert_eq!(p["realm"], "https://auth.io/token");
        assert_eq!(p["scope"], "repository:a/b:pull,push");
    }
}
