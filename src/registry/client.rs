//! The distribution API client: manifests and blobs, anonymous, basic and bearer-token auth,
//! https with podman's fallback to http for insecure registries, retries with back-off, and
//! digest verification while streaming.
//!
//! It speaks in plain strings (host, repository, reference) so that it depends on no other
//! berth module; the engine decides which endpoints to try and what a manifest means.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, RANGE,
    WWW_AUTHENTICATE,
};
use reqwest::{Method, Response, StatusCode, Url};
use sha2::{Digest as _, Sha256, Sha512};
use thiserror::Error;

use super::auth::{AuthError, AuthStore, Credentials};

/// Every manifest kind berth understands, images and indexes, OCI and Docker schema 2.
const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

/// containers/image refuses larger manifests too; a registry sending more is broken or hostile.
const MAX_MANIFEST_BYTES: usize = 4 << 20;

const FIRST_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// Tokens are dropped this long before the registry says they expire, so that a request is
/// never sent with a token that dies in flight.
const TOKEN_EXPIRY_MARGIN: Duration = Duration::from_secs(5);

#[derive(Debug, Error)]
pub enum RegistryError {
    #[error("invalid {what} {value:?}: {reason}")]
    InvalidName {
        what: &'static str,
        value: String,
        reason: &'static str,
    },
    #[error("digest {digest} uses an algorithm berth cannot verify (only sha256 and sha512)")]
    UnsupportedDigest { digest: String },
    #[error("cannot reach registry {host}: {reason} (check the name, the network, and that the registry is up)")]
    Connect { host: String, reason: String },
    #[error("registry {host} gave HTTP response to HTTPS client: use --tls-verify=false or mark the registry insecure in registries.conf")]
    PlainHttp { host: String },
    #[error("TLS connection to registry {host} failed: {reason} (for a self-signed certificate use --tls-verify=false or mark the registry insecure in registries.conf)")]
    Tls { host: String, reason: String },
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("{host}/{repository} requires authentication: run `berth login {host}`")]
    AuthRequired { host: String, repository: String },
    #[error(
        "registry {host} rejected the credentials for {repository}: run `berth login {host}` again"
    )]
    CredentialsRejected { host: String, repository: String },
    #[error("logging in to {host}: invalid username or password")]
    LoginRejected { host: String },
    #[error("access to {host}/{repository} denied: check the image name and that your account may pull it")]
    Denied { host: String, repository: String },
    #[error("registry {host} answered HTTP {status} for {what}: {message}")]
    Status {
        host: String,
        what: String,
        status: u16,
        message: String,
    },
    #[error("getting a token for {host} from {realm} failed: {reason}")]
    Token {
        host: String,
        realm: String,
        reason: String,
    },
    #[error("{digest} does not match its digest: the registry sent content hashing to {actual}")]
    DigestMismatch { digest: String, actual: String },
    #[error("blob {digest} should have {expected} bytes but the registry sent {actual}")]
    SizeMismatch {
        digest: String,
        expected: u64,
        actual: u64,
    },
    #[error("{what} is larger than {limit} bytes: refusing it")]
    ManifestTooLarge { what: String, limit: usize },
    #[error("cannot write {path}: {source}")]
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
    /// The registry answered that the image, manifest or blob does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, RegistryError::NotFound { .. })
    }

    /// The registry wants (other) credentials: the caller may try another endpoint, or ask
    /// the user to log in.
    pub fn is_unauthorized(&self) -> bool {
        matches!(
            self,
            RegistryError::AuthRequired { .. }
                | RegistryError::CredentialsRejected { .. }
                | RegistryError::LoginRejected { .. }
                | RegistryError::Denied { .. }
        )
    }

    /// Worth trying again: the network, a timeout, rate limiting or a server-side failure.
    /// Never a 4xx other than 429: asking again gets the same answer.
    fn is_transient(&self) -> bool {
        match self {
            RegistryError::Connect { .. } => true,
            RegistryError::Status { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Hosts (`host[:port]`) that may be reached over plain http, and whose certificates are
    /// not verified.
    pub insecure_hosts: Vec<String>,
    /// `false` treats every host as insecure (`--tls-verify=false`).
    pub tls_verify: bool,
    pub user_agent: String,
    pub auth: AuthStore,
    /// Retries after the first attempt for connection errors, timeouts, 429 and 5xx.
    pub max_retries: u32,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            insecure_hosts: Vec::new(),
            tls_verify: true,
            user_agent: format!("berth/{}", env!("CARGO_PKG_VERSION")),
            auth: AuthStore::default(),
            max_retries: 3,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedManifest {
    /// The body exactly as served: its hash is the manifest's identity.
    pub bytes: Vec<u8>,
    /// Content-Type without parameters, or the body's `mediaType` when the server sent none.
    pub media_type: String,
    /// `sha256:<hex>` of `bytes`.
    pub digest: String,
}

#[derive(Clone)]
enum Authz {
    Bearer { token: String, expires: Instant },
    Basic(Credentials),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Https,
    Http,
}

impl Scheme {
    fn as_str(self) -> &'static str {
        match self {
            Scheme::Https => "https",
            Scheme::Http => "http",
        }
    }
}

/// What a request needs a token to allow.
#[derive(Debug, Clone, Copy)]
enum Access<'a> {
    Pull,
    /// Pull and push on the repository, and pull on the one a blob is mounted from.
    Push {
        mount_from: Option<&'a str>,
    },
}

impl Access<'_> {
    fn scopes(&self, repo: &str) -> Vec<String> {
        match self {
            Access::Pull => vec![format!("repository:{repo}:pull")],
            Access::Push { mount_from } => {
                let mut s = vec![format!("repository:{repo}:pull,push")];
                s.extend(
                    mount_from
                        .filter(|from| *from != repo)
                        .map(|from| format!("repository:{from}:pull")),
                );
                s
            }
        }
    }
}

/// Makes a request body; called again for every time the request is sent.
type MakeBody<'a> = dyn Fn() -> reqwest::Body + Send + Sync + 'a;

fn is_absolute(path: &str) -> bool {
    path.starts_with("https://") || path.starts_with("http://")
}

/// `host[:port]` of an absolute URL.
fn url_host(url: &str) -> Option<String> {
    let u = Url::parse(url).ok()?;
    Some(match (u.host_str()?, u.port()) {
        (h, Some(p)) => format!("{h}:{p}"),
        (h, None) => h.to_string(),
    })
}

#[derive(Default)]
struct State {
    /// The scheme that worked for each host, so the https probe happens once per host.
    schemes: HashMap<String, Scheme>,
    /// What to send per (host, scope); a bearer token past its expiry is never sent.
    authz: HashMap<(String, String), Authz>,
}

/// A client for one or more registries; clones share connections and cached tokens.
#[derive(Clone)]
pub struct RegistryClient {
    verified: reqwest::Client,
    unverified: reqwest::Client,
    opts: Arc<ClientOptions>,
    state: Arc<Mutex<State>>,
    /// Blobs up to this size go up in one PUT, larger ones in PATCH chunks of this size.
    upload_chunk_size: u64,
}

// The engine downloads layers from several tasks at once with one client.
const _: fn() = || {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    shareable::<RegistryClient>();
};

impl fmt::Debug for RegistryClient {
    // Tokens and credentials stay out: Debug output ends up in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryClient")
            .field("insecure_hosts", &self.opts.insecure_hosts)
            .field("tls_verify", &self.opts.tls_verify)
            .field("max_retries", &self.opts.max_retries)
            .field("auth", &self.opts.auth)
            .finish_non_exhaustive()
    }
}

impl RegistryClient {
    pub fn new(opts: ClientOptions) -> Result<Self, RegistryError> {
        let build = |verify: bool| {
            reqwest::Client::builder()
                .user_agent(opts.user_agent.clone())
                .danger_accept_invalid_certs(!verify)
                // The connect timeout covers the TLS handshake too, which bounds how long the
                // https probe of an insecure registry can hang before falling back to http.
                .connect_timeout(Duration::from_secs(if verify { 30 } else { 10 }))
                .read_timeout(Duration::from_secs(60))
                // Blob storage must not learn which registry and repository sent the client.
                .referer(false)
                .build()
                .map_err(|e| RegistryError::Client(e.to_string()))
        };
        Ok(RegistryClient {
            verified: build(true)?,
            unverified: build(false)?,
            opts: Arc::new(opts),
            state: Arc::new(Mutex::new(State::default())),
            upload_chunk_size: push::DEFAULT_CHUNK_SIZE,
        })
    }

    /// Upload blobs larger than `bytes` in chunks of `bytes` (default 16 MiB).
    pub fn with_upload_chunk_size(mut self, bytes: u64) -> Self {
        self.upload_chunk_size = bytes.max(1);
        self
    }

    /// GET /v2/<repo>/manifests/<reference> with Accept for OCI manifest+index and Docker
    /// schema2 manifest+list. When `reference` is a digest, the body must hash to it.
    /// Returns the bytes exactly as served.
    pub async fn get_manifest(
        &self,
        host: &str,
        repo: &str,
        reference: &str,
    ) -> Result<FetchedManifest, RegistryError> {
        check_host(host)?;
        check_repository(repo)?;
        let by_digest = check_reference(reference)?;
        let expected = by_digest
            .then(|| Hasher::for_digest(reference))
            .transpose()?;
        let separator = if by_digest { '@' } else { ':' };
        let what = format!("image {}/{repo}{separator}{reference}", display_host(host));
        let path = format!("/v2/{repo}/manifests/{reference}");
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static(MANIFEST_ACCEPT));
        let (what, path, headers) = (&what, &path, &headers);
        let (bytes, content_type) = self
            .with_retries(move || async move {
                let resp = self
                    .send(Method::GET, host, repo, path, headers.clone())
                    .await?;
                let resp = check_status(host, repo, what, resp).await?;
                let content_type = resp
                    .headers()
                    .get(CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| v.split(';').next().unwrap_or(v).trim().to_string())
                    .unwrap_or_default();
                let bytes = read_limited(host, what, resp, MAX_MANIFEST_BYTES).await?;
                Ok((bytes, content_type))
            })
            .await?;
        if let Some(mut hasher) = expected {
            hasher.update(&bytes);
            let actual = hasher.finish();
            if actual != reference {
                return Err(RegistryError::DigestMismatch {
                    digest: reference.into(),
                    actual,
                });
            }
        }
        let media_type = media_type_of(&content_type, &bytes);
        let digest = format!("sha256:{}", hex::encode(Sha256::digest(&bytes)));
        Ok(FetchedManifest {
            bytes,
            media_type,
            digest,
        })
    }

    /// Check `creds` against `host` the way `docker login` does: GET /v2/; a `Basic`
    /// challenge is answered with the credentials, a `Bearer` one by asking the token realm
    /// for a token (with `account=`) and sending it. A registry without auth accepts anything.
    pub async fn check_login(&self, host: &str, creds: &Credentials) -> Result<(), RegistryError> {
        check_host(host)?;
        let what = format!("the API root of {}", display_host(host));
        let headers = HeaderMap::new();
        let (what, headers) = (&what, &headers);
        self.with_retries(move || async move {
            let resp = self
                .attempt(&Method::GET, host, "/v2/", headers, None, None)
                .await?;
            if resp.status().is_success() {
                return Ok(());
            }
            if resp.status() != StatusCode::UNAUTHORIZED {
                return Err(status_error(host, what, resp).await);
            }
            let (kind, params) = challenge_of(&resp);
            let authz = match kind.as_str() {
                "bearer" => match self.fetch_token(host, "", &params, &[], Some(creds)).await {
                    Err(RegistryError::CredentialsRejected { .. }) => {
                        return Err(RegistryError::LoginRejected {
                            host: display_host(host).into(),
                        })
                    }
                    other => other?,
                },
                _ => Authz::Basic(creds.clone()),
            };
            let resp = self
                .attempt(&Method::GET, host, "/v2/", headers, Some(&authz), None)
                .await?;
            match resp.status() {
                s if s.is_success() => Ok(()),
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                    Err(RegistryError::LoginRejected {
                        host: display_host(host).into(),
                    })
                }
                _ => Err(status_error(host, what, resp).await),
            }
        })
        .await
    }

    /// Stream blob `digest` into `dest` (created or truncated), calling `progress(bytes_so_far)`
    /// as chunks arrive.
    ///
    /// `progress(n)` comes once the first `n` bytes are in the file, so a reader may follow the
    /// file as it grows; an `n` smaller than the one before means the download started over
    /// and the file was truncated. The size (when `expected_size` is given) and the digest are
    /// checked while streaming, and the file is fsynced before returning; on any error the
    /// file is removed. A connection lost mid-blob resumes with a Range request where the
    /// server allows it. Redirects to blob storage are followed; reqwest drops the
    /// Authorization header when a redirect leaves the registry's host and port.
    pub async fn fetch_blob(
        &self,
        host: &str,
        repo: &str,
        digest: &str,
        expected_size: Option<u64>,
        dest: &Path,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<(), RegistryError> {
        check_host(host)?;
        check_repository(repo)?;
        let hasher = Hasher::for_digest(digest)?;
        let mut download = BlobDownload {
            host,
            repo,
            digest,
            expected_size,
            what: format!("blob {digest} of {}/{repo}", display_host(host)),
            path: format!("/v2/{repo}/blobs/{digest}"),
            dest,
            fresh: hasher.clone(),
            hasher,
            done: 0,
            progress,
        };
        let result = self.download(&mut download).await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(dest).await;
        }
        result
    }

    async fn download(&self, d: &mut BlobDownload<'_>) -> Result<(), RegistryError> {
        // Plain synchronous writes: they land in the page cache at once, which is what lets the
        // engine unpack from the file while it grows (tokio's File would still hold them).
        let mut file = std::fs::File::create(d.dest).map_err(|e| d.io(e))?;
        (d.progress)(0);
        let mut attempt = 0;
        loop {
            match self.stream_blob(d, &mut file).await {
                Ok(()) => break,
                Err(e) if e.is_transient() && attempt < self.opts.max_retries => {
                    tokio::time::sleep(backoff(attempt)).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
        if let Some(expected) = d.expected_size {
            if d.done != expected {
                return Err(RegistryError::SizeMismatch {
                    digest: d.digest.into(),
                    expected,
                    actual: d.done,
                });
            }
        }
        let actual = d.hasher.clone().finish();
        if actual != d.digest {
            return Err(RegistryError::DigestMismatch {
                digest: d.digest.into(),
                actual,
            });
        }
        // fsync can take a while on a large layer: keep it off the async workers.
        tokio::task::spawn_blocking(move || file.sync_all())
            .await
            .map_err(|e| d.io(std::io::Error::other(e)))?
            .map_err(|e| d.io(e))
    }

    /// One attempt at the (rest of the) blob: resumes at `d.done` when possible.
    async fn stream_blob(
        &self,
        d: &mut BlobDownload<'_>,
        file: &mut std::fs::File,
    ) -> Result<(), RegistryError> {
        let mut headers = HeaderMap::new();
        if d.done > 0 {
            let range = HeaderValue::from_str(&format!("bytes={}-", d.done))
                .expect("a number is a valid header value");
            headers.insert(RANGE, range);
        }
        let mut resp = self
            .send(Method::GET, d.host, d.repo, &d.path, headers)
            .await?;
        if d.done > 0 && !resumes_at(&resp, d.done) {
            if resp.status() == StatusCode::RANGE_NOT_SATISFIABLE {
                resp = self
                    .send(Method::GET, d.host, d.repo, &d.path, HeaderMap::new())
                    .await?;
            }
            match resp.status() {
                StatusCode::OK => d.restart(file)?,
                StatusCode::PARTIAL_CONTENT => {
                    return Err(RegistryError::Status {
                        host: display_host(d.host).into(),
                        what: d.what.clone(),
                        status: 206,
                        message: format!("the content range does not start at byte {}", d.done),
                    })
                }
                _ => {}
            }
        }
        let mut resp = check_status(d.host, d.repo, &d.what, resp).await?;
        while let Some(chunk) = resp.chunk().await.map_err(|e| classify(d.host, &e))? {
            let total = d.done + chunk.len() as u64;
            if let Some(expected) = d.expected_size.filter(|max| total > *max) {
                return Err(RegistryError::SizeMismatch {
                    digest: d.digest.into(),
                    expected,
                    actual: total,
                });
            }
            d.hasher.update(&chunk);
            file.write_all(&chunk).map_err(|e| d.io(e))?;
            d.done = total;
            (d.progress)(total);
        }
        Ok(())
    }

    async fn with_retries<T, F, Fut>(&self, mut op: F) -> Result<T, RegistryError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, RegistryError>>,
    {
        let mut attempt = 0;
        loop {
            match op().await {
                Err(e) if e.is_transient() && attempt < self.opts.max_retries => {
                    tokio::time::sleep(backoff(attempt)).await;
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    /// One request with the auth dance: anonymous (or with what is cached for the scope),
    /// and on 401 the challenge's answer, then once more.
    async fn send(
        &self,
        method: Method,
        host: &str,
        repo: &str,
        path: &str,
        headers: HeaderMap,
    ) -> Result<Response, RegistryError> {
        self.send_with(method, host, repo, path, headers, Access::Pull, None)
            .await
    }

    /// [`RegistryClient::send`] for any access, with a body made afresh for every attempt (a
    /// 401 or the http fallback sends the request again). `path` may also be an absolute URL
    /// (an upload's Location).
    #[allow(clippy::too_many_arguments)]
    async fn send_with(
        &self,
        method: Method,
        host: &str,
        repo: &str,
        path: &str,
        headers: HeaderMap,
        access: Access<'_>,
        body: Option<&MakeBody<'_>>,
    ) -> Result<Response, RegistryError> {
        let scopes = access.scopes(repo);
        let key = (host.to_string(), scopes.join(" "));
        let cached = self.cached_authz(&key);
        let resp = self
            .attempt(&method, host, path, &headers, cached.as_ref(), body)
            .await?;
        if resp.status() != StatusCode::UNAUTHORIZED {
            return Ok(resp);
        }
        self.state().authz.remove(&key);
        let (kind, params) = challenge_of(&resp);
        let creds = self.credentials(host, repo).await?;
        let authz = match kind.as_str() {
            "bearer" => {
                self.fetch_token(host, repo, &params, &scopes, creds.as_ref())
                    .await?
            }
            _ => match creds.clone() {
                Some(c) if !c.is_identity_token() => Authz::Basic(c),
                _ => return Err(auth_required(host, repo)),
            },
        };
        let resp = self
            .attempt(&method, host, path, &headers, Some(&authz), body)
            .await?;
        if resp.status() == StatusCode::UNAUTHORIZED {
            let (_, params) = challenge_of(&resp);
            // Docker Hub answers a valid token for a repository the account cannot see with
            // insufficient_scope: the credentials are fine, the access is not.
            let insufficient =
                params.get("error").map(String::as_str) == Some("insufficient_scope");
            return Err(match (creds.is_some(), insufficient) {
                (false, _) => auth_required(host, repo),
                (true, true) => RegistryError::Denied {
                    host: display_host(host).into(),
                    repository: repo.into(),
                },
                (true, false) => credentials_rejected(host, repo),
            });
        }
        self.state().authz.insert(key, authz);
        Ok(resp)
    }

    /// Send once over the host's scheme. A host not yet seen is tried over https; an insecure
    /// one falls back to http when https fails at the connection level, as podman does.
    async fn attempt(
        &self,
        method: &Method,
        host: &str,
        path: &str,
        headers: &HeaderMap,
        authz: Option<&Authz>,
        body: Option<&MakeBody<'_>>,
    ) -> Result<Response, RegistryError> {
        if is_absolute(path) {
            return self
                .request(method, Scheme::Https, host, path, headers, authz, body)
                .send()
                .await
                .map_err(|e| classify(host, &e));
        }
        let known = self.state().schemes.get(host).copied();
        let scheme = known.unwrap_or(Scheme::Https);
        let first = self
            .request(method, scheme, host, path, headers, authz, body)
            .send()
            .await;
        let https_err = match first {
            Ok(resp) => {
                if known.is_none() {
                    self.state().schemes.insert(host.into(), scheme);
                }
                return Ok(resp);
            }
            Err(e) if known.is_none() && self.allows_insecure(host) => classify(host, &e),
            Err(e) => return Err(classify(host, &e)),
        };
        match self
            .request(method, Scheme::Http, host, path, headers, authz, body)
            .send()
            .await
        {
            // A TLS server answers plain http with 400: then https was right and failed.
            Ok(resp) if resp.status() != StatusCode::BAD_REQUEST => {
                self.state().schemes.insert(host.into(), Scheme::Http);
                Ok(resp)
            }
            Ok(_) => Err(https_err),
            Err(e) => Err(match https_err {
                RegistryError::PlainHttp { .. } => classify(host, &e),
                other => other,
            }),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn request(
        &self,
        method: &Method,
        scheme: Scheme,
        host: &str,
        path: &str,
        headers: &HeaderMap,
        authz: Option<&Authz>,
        body: Option<&MakeBody<'_>>,
    ) -> reqwest::RequestBuilder {
        let url = if is_absolute(path) {
            path.to_string()
        } else {
            format!("{}://{host}{path}", scheme.as_str())
        };
        // Credentials go to the registry only, never to another host a Location points at.
        let authz = authz.filter(|_| !is_absolute(path) || url_host(path).as_deref() == Some(host));
        let mut req = self
            .http_for(host)
            .request(method.clone(), url)
            .headers(headers.clone());
        if let Some(make) = body {
            req = req.body(make());
        }
        match authz {
            Some(Authz::Bearer { token, .. }) => req.bearer_auth(token),
            Some(Authz::Basic(c)) => req.basic_auth(&c.username, Some(&c.password)),
            None => req,
        }
    }

    /// Trade the challenge for a token: GET the realm with basic credentials (or none), or
    /// POST an identity token as an OAuth2 refresh token.
    async fn fetch_token(
        &self,
        host: &str,
        repo: &str,
        params: &HashMap<String, String>,
        scopes: &[String],
        creds: Option<&Credentials>,
    ) -> Result<Authz, RegistryError> {
        let realm_text = params.get("realm").cloned().unwrap_or_default();
        let fail = |reason: String| RegistryError::Token {
            host: host.into(),
            realm: realm_text.clone(),
            reason,
        };
        let (realm, realm_host) = Url::parse(&realm_text)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .and_then(|u| {
                let host = match (u.host_str()?, u.port()) {
                    (h, Some(p)) => format!("{h}:{p}"),
                    (h, None) => h.to_string(),
                };
                Some((u, host))
            })
            .ok_or_else(|| fail("the Bearer challenge has no usable realm URL".into()))?;
        let client = self.http_for(&realm_host);
        let service = params.get("service").map(String::as_str);
        let joined = scopes.join(" ");
        let req = match creds {
            Some(c) if c.is_identity_token() => {
                let mut form = vec![
                    ("grant_type", "refresh_token"),
                    ("refresh_token", c.password.as_str()),
                    ("client_id", "berth"),
                ];
                form.extend((!joined.is_empty()).then_some(("scope", joined.as_str())));
                form.extend(service.map(|s| ("service", s)));
                client.post(realm).form(&form)
            }
            _ => {
                let mut query: Vec<(&str, &str)> =
                    scopes.iter().map(|s| ("scope", s.as_str())).collect();
                query.extend(service.map(|s| ("service", s)));
                // docker sends the account so that token servers can log and rate-limit by it.
                query.extend(creds.map(|c| ("account", c.username.as_str())));
                let req = client.get(realm).query(&query);
                match creds {
                    Some(c) => req.basic_auth(&c.username, Some(&c.password)),
                    None => req,
                }
            }
        };
        let resp = req.send().await.map_err(|e| classify(&realm_host, &e))?;
        let status = resp.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(match creds {
                Some(_) => credentials_rejected(host, repo),
                None => auth_required(host, repo),
            });
        }
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            return Err(status_error(&realm_host, "a token", resp).await);
        }
        if !status.is_success() {
            let message = registry_message(&resp.text().await.unwrap_or_default());
            return Err(fail(format!("HTTP {status}: {message}")));
        }
        let body = read_limited(&realm_host, "the token answer", resp, 1 << 20).await?;
        let v: serde_json::Value =
            serde_json::from_slice(&body).map_err(|_| fail("the answer is not JSON".into()))?;
        let token = ["token", "access_token"]
            .iter()
            .find_map(|k| v.get(k).and_then(|t| t.as_str()).filter(|t| !t.is_empty()))
            .ok_or_else(|| fail("the answer has neither token nor access_token".into()))?;
        // The distribution spec's default lifetime when expires_in is absent.
        let lifetime =
            Duration::from_secs(v.get("expires_in").and_then(|e| e.as_u64()).unwrap_or(60));
        Ok(Authz::Bearer {
            token: token.to_string(),
            expires: Instant::now() + lifetime.saturating_sub(TOKEN_EXPIRY_MARGIN),
        })
    }

    /// Credential helpers are programs: run the lookup off the async workers.
    async fn credentials(
        &self,
        host: &str,
        repo: &str,
    ) -> Result<Option<Credentials>, RegistryError> {
        let (auth, host_owned, repo_owned) =
            (self.opts.auth.clone(), host.to_string(), repo.to_string());
        let found = tokio::task::spawn_blocking(move || auth.lookup(&host_owned, &repo_owned))
            .await
            .map_err(|e| RegistryError::Client(format!("credential lookup stopped: {e}")))?;
        Ok(found?)
    }

    fn cached_authz(&self, key: &(String, String)) -> Option<Authz> {
        let mut state = self.state();
        match state.authz.get(key) {
            Some(Authz::Bearer { expires, .. }) if *expires <= Instant::now() => {
                state.authz.remove(key);
                None
            }
            other => other.cloned(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The maps stay consistent even if a holder panicked: every update is one insert/remove.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn allows_insecure(&self, host: &str) -> bool {
        !self.opts.tls_verify
            || self
                .opts
                .insecure_hosts
                .iter()
                .any(|h| h.eq_ignore_ascii_case(host))
    }

    fn http_for(&self, host: &str) -> &reqwest::Client {
        if self.allows_insecure(host) {
            &self.unverified
        } else {
            &self.verified
        }
    }
}

/// The state of one blob download, kept across attempts so that a retry can resume.
struct BlobDownload<'a> {
    host: &'a str,
    repo: &'a str,
    digest: &'a str,
    expected_size: Option<u64>,
    what: String,
    path: String,
    dest: &'a Path,
    fresh: Hasher,
    hasher: Hasher,
    done: u64,
    progress: &'a (dyn Fn(u64) + Send + Sync),
}

impl BlobDownload<'_> {
    fn io(&self, source: std::io::Error) -> RegistryError {
        RegistryError::Io {
            path: self.dest.to_path_buf(),
            source,
        }
    }

    /// The server ignored the Range request: start the file and the hash over.
    fn restart(&mut self, file: &mut std::fs::File) -> Result<(), RegistryError> {
        file.set_len(0).map_err(|e| self.io(e))?;
        file.rewind().map_err(|e| self.io(e))?;
        self.hasher = self.fresh.clone();
        self.done = 0;
        (self.progress)(0);
        Ok(())
    }
}

/// Whether `resp` is a 206 carrying the blob from byte `offset` on.
fn resumes_at(resp: &Response, offset: u64) -> bool {
    resp.status() == StatusCode::PARTIAL_CONTENT
        && resp
            .headers()
            .get(CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("bytes "))
            .and_then(|v| v.split('-').next())
            .and_then(|start| start.trim().parse::<u64>().ok())
            == Some(offset)
}

#[derive(Clone)]
enum Hasher {
    Sha256(Sha256),
    Sha512(Sha512),
}

impl Hasher {
    /// A hasher for `digest`'s algorithm, after checking that `digest` is well formed (it ends
    /// up in a URL path).
    fn for_digest(digest: &str) -> Result<Hasher, RegistryError> {
        let invalid = |reason| RegistryError::InvalidName {
            what: "digest",
            value: digest.into(),
            reason,
        };
        let (algorithm, hex) = digest
            .split_once(':')
            .ok_or_else(|| invalid("expected algorithm:hex"))?;
        let (hasher, len) = match algorithm {
            "sha256" => (Hasher::Sha256(Sha256::new()), 64),
            "sha512" => (Hasher::Sha512(Sha512::new()), 128),
            _ if is_digest_algorithm(algorithm) => {
                return Err(RegistryError::UnsupportedDigest {
                    digest: digest.into(),
                })
            }
            _ => return Err(invalid("expected algorithm:hex")),
        };
        if hex.len() != len || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(invalid("the hex part has the wrong length or characters"));
        }
        Ok(hasher)
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    fn finish(self) -> String {
        match self {
            Hasher::Sha256(h) => format!("sha256:{}", hex::encode(h.finalize())),
            Hasher::Sha512(h) => format!("sha512:{}", hex::encode(h.finalize())),
        }
    }
}

/// The OCI grammar for an algorithm: `[a-z0-9]+([+._-][a-z0-9]+)*`.
fn is_digest_algorithm(s: &str) -> bool {
    !s.is_empty()
        && s.split(['+', '.', '_', '-']).all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Names end up in URLs: anything that could change the URL's meaning is refused up front.
fn check_host(host: &str) -> Result<(), RegistryError> {
    let bad = host.is_empty()
        || host.bytes().any(|b| {
            matches!(b, b'/' | b'?' | b'#' | b'@' | b'\\')
                || b.is_ascii_whitespace()
                || b.is_ascii_control()
        });
    if bad {
        return Err(RegistryError::InvalidName {
            what: "registry host",
            value: host.into(),
            reason: "expected host[:port]",
        });
    }
    Ok(())
}

/// The distribution spec's repository grammar: lowercase components separated by `/`, each
/// `[a-z0-9]+` joined by `.`, `_`, `__` or runs of `-`.
fn check_repository(repo: &str) -> Result<(), RegistryError> {
    let component_ok = |c: &str| {
        let bytes = c.as_bytes();
        let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        let separator = |b: u8| matches!(b, b'.' | b'_' | b'-');
        !bytes.is_empty()
            && alnum(bytes[0])
            && alnum(bytes[bytes.len() - 1])
            && bytes.iter().all(|b| alnum(*b) || separator(*b))
            && !c.contains("..")
            && !c.contains("___")
            && !c.contains("._")
            && !c.contains("_.")
    };
    if repo.len() > 255 || !repo.split('/').all(component_ok) {
        return Err(RegistryError::InvalidName {
            what: "repository",
            value: repo.into(),
            reason: "expected lowercase path components like library/busybox",
        });
    }
    Ok(())
}

/// A tag (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`) or a digest; returns whether it is a digest.
fn check_reference(reference: &str) -> Result<bool, RegistryError> {
    if reference.contains(':') {
        Hasher::for_digest(reference)?;
        return Ok(true);
    }
    let bytes = reference.as_bytes();
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let ok = !bytes.is_empty()
        && bytes.len() <= 128
        && word(&bytes[0])
        && bytes.iter().all(|b| word(b) || *b == b'.' || *b == b'-');
    if !ok {
        return Err(RegistryError::InvalidName {
            what: "tag",
            value: reference.into(),
            reason: "expected letters, digits, '_', '.' and '-', at most 128",
        });
    }
    Ok(false)
}

/// What users call the host: the Docker Hub API lives at registry-1.docker.io, but people log
/// in to and pull from docker.io.
fn display_host(host: &str) -> &str {
    if host.eq_ignore_ascii_case("registry-1.docker.io") {
        "docker.io"
    } else {
        host
    }
}

fn auth_required(host: &str, repo: &str) -> RegistryError {
    RegistryError::AuthRequired {
        host: display_host(host).into(),
        repository: repo.into(),
    }
}

fn credentials_rejected(host: &str, repo: &str) -> RegistryError {
    RegistryError::CredentialsRejected {
        host: display_host(host).into(),
        repository: repo.into(),
    }
}

fn backoff(attempt: u32) -> Duration {
    FIRST_BACKOFF
        .saturating_mul(1u32 << attempt.min(16))
        .min(MAX_BACKOFF)
}

fn challenge_of(resp: &Response) -> (String, HashMap<String, String>) {
    let header = resp
        .headers()
        .get(WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    parse_challenge(header)
}

/// Parse `Bearer realm="…",service="…",scope="…"` (or `Basic realm=…`) into the lowercased
/// scheme and its parameters.
fn parse_challenge(h: &str) -> (String, HashMap<String, String>) {
    let h = h.trim();
    let (scheme, rest) = h.split_once(' ').unwrap_or((h, ""));
    let mut params = HashMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.trim().is_empty() {
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

/// Pass a success through; turn anything else into the error that says what happened.
async fn check_status(
    host: &str,
    repo: &str,
    what: &str,
    resp: Response,
) -> Result<Response, RegistryError> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    Err(match status {
        StatusCode::NOT_FOUND => RegistryError::NotFound { what: what.into() },
        StatusCode::UNAUTHORIZED => auth_required(host, repo),
        StatusCode::FORBIDDEN => RegistryError::Denied {
            host: display_host(host).into(),
            repository: repo.into(),
        },
        _ => status_error(host, what, resp).await,
    })
}

async fn status_error(host: &str, what: &str, resp: Response) -> RegistryError {
    let status = resp.status().as_u16();
    let body = resp.text().await.unwrap_or_default();
    RegistryError::Status {
        host: display_host(host).into(),
        what: what.into(),
        status,
        message: registry_message(&body),
    }
}

/// The distribution spec's `{"errors":[{"code","message"}]}` as one line, or the start of
/// whatever else the server sent.
fn registry_message(body: &str) -> String {
    let from_json = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            let errors = v.get("errors")?.as_array()?;
            let parts: Vec<String> = errors
                .iter()
                .map(|e| {
                    let field = |k| e.get(k).and_then(|x| x.as_str()).unwrap_or_default();
                    format!("{} {}", field("code"), field("message"))
                        .trim()
                        .to_string()
                })
                .filter(|s| !s.is_empty())
                .collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        });
    let text = from_json.unwrap_or_else(|| body.split_whitespace().collect::<Vec<_>>().join(" "));
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None if text.is_empty() => "no details given".into(),
        None => text,
    }
}

async fn read_limited(
    host: &str,
    what: &str,
    mut resp: Response,
    limit: usize,
) -> Result<Vec<u8>, RegistryError> {
    let too_large = || RegistryError::ManifestTooLarge {
        what: what.into(),
        limit,
    };
    let announced = resp
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(announced.unwrap_or(0) as usize);
    while let Some(chunk) = resp.chunk().await.map_err(|e| classify(host, &e))? {
        if bytes.len() + chunk.len() > limit {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// The manifest's media type: the Content-Type unless it is missing or generic, in which case
/// the body's own `mediaType` field says more.
fn media_type_of(content_type: &str, body: &[u8]) -> String {
    let generic = matches!(
        content_type,
        "" | "application/json" | "text/plain" | "application/octet-stream"
    );
    if generic {
        let declared = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("mediaType")?.as_str().map(String::from));
        if let Some(declared) = declared {
            return declared;
        }
    }
    content_type.to_string()
}

/// Name a transport failure the way a user can act on it.
fn classify(host: &str, e: &reqwest::Error) -> RegistryError {
    let text = error_chain(e);
    let lower = text.to_ascii_lowercase();
    let host = display_host(host).to_string();
    if e.is_timeout() {
        return RegistryError::Connect {
            host,
            reason: format!("timed out ({text})"),
        };
    }
    // rustls reading a plain-http answer where a TLS record should be.
    if lower.contains("invalidcontenttype")
        || lower.contains("corrupt message")
        || lower.contains("record overflow")
        || lower.contains("http response to https")
    {
        return RegistryError::PlainHttp { host };
    }
    if lower.contains("certificate") || lower.contains("unknownissuer") {
        return RegistryError::Tls { host, reason: text };
    }
    RegistryError::Connect { host, reason: text }
}

/// The causes of `e`, outermost first, without reqwest's and hyper's generic wrappers
/// ("error sending request for url (…)", "client error (Connect)") when something more
/// specific follows.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut src = e.source();
    while let Some(inner) = src {
        let t = inner.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        src = inner.source();
    }
    let generic =
        |p: &String| p.starts_with("error sending request") || p.starts_with("client error (");
    let specific: Vec<&String> = parts.iter().filter(|p| !generic(p)).collect();
    if specific.is_empty() {
        parts.join(": ")
    } else {
        specific
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(": ")
    }
}

mod push;
pub use push::{BlobMount, UploadSession};

#[cfg(test)]
mod tests;
