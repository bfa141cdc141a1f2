//! The write side of the distribution API: blob existence checks, cross-repository mounts,
//! monolithic and chunked uploads, and manifest PUTs.

use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use reqwest::header::{
    HeaderMap, HeaderValue, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, LOCATION,
};
use reqwest::{Method, Response, StatusCode, Url};
use sha2::{Digest as _, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::{
    check_host, check_reference, check_repository, check_status, display_host, status_error,
    Access, Hasher, RegistryClient, RegistryError, Scheme,
};

/// 16 MiB: few round trips for big layers, and a lost chunk costs little to send again.
pub(super) const DEFAULT_CHUNK_SIZE: u64 = 16 << 20;

/// How often a running upload reports its progress.
const PROGRESS_TICK: std::time::Duration = std::time::Duration::from_millis(100);

/// An upload the registry has opened: where to send the bytes next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadSession {
    url: String,
    /// The repository of the mount attempt that opened it (its token scope is kept).
    mount_from: Option<String>,
}

/// What a cross-repository mount request got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobMount {
    /// 201: the blob is now in the repository.
    Mounted,
    /// 202: the registry would not mount (unknown blob, no access to the source) and opened
    /// an upload instead; pass it to [`RegistryClient::upload_blob`].
    Upload(UploadSession),
}

impl RegistryClient {
    /// HEAD /v2/<repo>/blobs/<digest>: whether the repository already has the blob.
    pub async fn blob_exists(
        &self,
        host: &str,
        repo: &str,
        digest: &str,
    ) -> Result<bool, RegistryError> {
        check_host(host)?;
        check_repository(repo)?;
        Hasher::for_digest(digest)?;
        let what = format!("blob {digest} of {}/{repo}", display_host(host));
        let path = format!("/v2/{repo}/blobs/{digest}");
        let (what, path) = (&what, &path);
        self.with_retries(move || async move {
            let resp = self
                .send_with(
                    Method::HEAD,
                    host,
                    repo,
                    path,
                    HeaderMap::new(),
                    Access::Push { mount_from: None },
                    None,
                )
                .await?;
            match resp.status() {
                StatusCode::NOT_FOUND => Ok(false),
                _ => check_status(host, repo, what, resp).await.map(|_| true),
            }
        })
        .await
    }

    /// POST /v2/<repo>/blobs/uploads/?mount=<digest>&from=<from>.
    pub async fn mount_blob(
        &self,
        host: &str,
        repo: &str,
        digest: &str,
        from: &str,
    ) -> Result<BlobMount, RegistryError> {
        check_host(host)?;
        check_repository(repo)?;
        check_repository(from)?;
        Hasher::for_digest(digest)?;
        let what = format!(
            "mounting blob {digest} from {from} into {}/{repo}",
            display_host(host)
        );
        let path = format!("/v2/{repo}/blobs/uploads/?mount={digest}&from={from}");
        let (what, path) = (&what, &path);
        self.with_retries(move || async move {
            let resp = self
                .send_with(
                    Method::POST,
                    host,
                    repo,
                    path,
                    empty_body_headers(),
                    Access::Push {
                        mount_from: Some(from),
                    },
                    None,
                )
                .await?;
            match resp.status() {
                StatusCode::CREATED => Ok(BlobMount::Mounted),
                StatusCode::ACCEPTED => Ok(BlobMount::Upload(UploadSession {
                    url: self.location(host, what, &resp)?,
                    mount_from: Some(from.to_string()),
                })),
                _ => {
                    let resp = check_status(host, repo, what, resp).await?;
                    Err(status_error(host, what, resp).await)
                }
            }
        })
        .await
    }

    /// Upload the `size` bytes of `file` as blob `digest`: in one PUT when it fits a chunk,
    /// else in PATCH chunks (each to the Location the previous answer gave) and a final PUT.
    /// `session` continues an upload a mount request opened. `progress(bytes_sent)` is called
    /// as the bytes go out. A transient failure starts the upload over in a new session.
    #[allow(clippy::too_many_arguments)]
    pub async fn upload_blob(
        &self,
        host: &str,
        repo: &str,
        digest: &str,
        size: u64,
        file: &Path,
        session: Option<UploadSession>,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<(), RegistryError> {
        check_host(host)?;
        check_repository(repo)?;
        Hasher::for_digest(digest)?;
        let what = format!("uploading blob {digest} to {}/{repo}", display_host(host));
        let mut session = session;
        let mut attempt = 0;
        loop {
            let result = self
                .upload_once(
                    host,
                    repo,
                    digest,
                    size,
                    file,
                    session.take(),
                    &what,
                    progress,
                )
                .await;
            match result {
                Err(e) if e.is_transient() && attempt < self.opts.max_retries => {
                    tokio::time::sleep(super::backoff(attempt)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn upload_once(
        &self,
        host: &str,
        repo: &str,
        digest: &str,
        size: u64,
        file: &Path,
        session: Option<UploadSession>,
        what: &str,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<(), RegistryError> {
        let session = match session {
            Some(s) => s,
            None => self.start_upload(host, repo, what).await?,
        };
        let from = session.mount_from.clone();
        let access = Access::Push {
            mount_from: from.as_deref(),
        };
        let sent = Arc::new(AtomicU64::new(0));
        let mut url = session.url;
        let monolithic = size <= self.upload_chunk_size;
        if !monolithic {
            let mut offset = 0;
            while offset < size {
                let len = (size - offset).min(self.upload_chunk_size);
                let mut headers = octet_headers(len);
                let range = HeaderValue::from_str(&format!("{offset}-{}", offset + len - 1))
                    .expect("numbers make a valid header");
                headers.insert(CONTENT_RANGE, range);
                let body = FileSlice::new(file, offset, len, &sent);
                let make = body.maker();
                let request = self.send_with(
                    Method::PATCH,
                    host,
                    repo,
                    &url,
                    headers,
                    access,
                    Some(&make),
                );
                let resp = report_while(request, &sent, progress).await?;
                if resp.status() != StatusCode::ACCEPTED {
                    let resp = check_status(host, repo, what, resp).await?;
                    return Err(status_error(host, what, resp).await);
                }
                url = self.location(host, what, &resp)?;
                offset += len;
            }
        }
        let mut put_url = Url::parse(&url).map_err(|_| bad_location(host, what, &url))?;
        put_url.query_pairs_mut().append_pair("digest", digest);
        let (headers, body) = if monolithic {
            (
                octet_headers(size),
                Some(FileSlice::new(file, 0, size, &sent)),
            )
        } else {
            (empty_body_headers(), None)
        };
        let make = body.as_ref().map(FileSlice::maker);
        let request = self.send_with(
            Method::PUT,
            host,
            repo,
            put_url.as_str(),
            headers,
            access,
            make.as_ref().map(|m| m as &super::MakeBody<'_>),
        );
        let resp = report_while(request, &sent, progress).await?;
        if resp.status() != StatusCode::CREATED {
            let resp = check_status(host, repo, what, resp).await?;
            return Err(status_error(host, what, resp).await);
        }
        progress(size);
        Ok(())
    }

    async fn start_upload(
        &self,
        host: &str,
        repo: &str,
        what: &str,
    ) -> Result<UploadSession, RegistryError> {
        let path = format!("/v2/{repo}/blobs/uploads/");
        let resp = self
            .send_with(
                Method::POST,
                host,
                repo,
                &path,
                empty_body_headers(),
                Access::Push { mount_from: None },
                None,
            )
            .await?;
        if resp.status() != StatusCode::ACCEPTED {
            let resp = check_status(host, repo, what, resp).await?;
            return Err(status_error(host, what, resp).await);
        }
        Ok(UploadSession {
            url: self.location(host, what, &resp)?,
            mount_from: None,
        })
    }

    /// PUT /v2/<repo>/manifests/<tag> with `media_type` as Content-Type. Returns the digest
    /// of `bytes`, which is what the registry files the manifest under.
    pub async fn put_manifest(
        &self,
        host: &str,
        repo: &str,
        tag: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<String, RegistryError> {
        check_host(host)?;
        check_repository(repo)?;
        check_reference(tag)?;
        let what = format!("manifest {}/{repo}:{tag}", display_host(host));
        let path = format!("/v2/{repo}/manifests/{tag}");
        let content_type =
            HeaderValue::from_str(media_type).map_err(|_| RegistryError::InvalidName {
                what: "media type",
                value: media_type.into(),
                reason: "not a valid header value",
            })?;
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, content_type);
        headers.insert(CONTENT_LENGTH, HeaderValue::from(bytes.len() as u64));
        let body = bytes.to_vec();
        let make = move || reqwest::Body::from(body.clone());
        let (what, path, headers, make) = (&what, &path, &headers, &make);
        self.with_retries(move || async move {
            let resp = self
                .send_with(
                    Method::PUT,
                    host,
                    repo,
                    path,
                    headers.clone(),
                    Access::Push { mount_from: None },
                    Some(make),
                )
                .await?;
            let resp = check_status(host, repo, what, resp).await?;
            if resp.status() != StatusCode::CREATED && resp.status() != StatusCode::OK {
                return Err(status_error(host, what, resp).await);
            }
            Ok(())
        })
        .await?;
        Ok(format!("sha256:{}", hex::encode(Sha256::digest(bytes))))
    }

    /// The absolute URL a 202's Location names; a relative one is resolved against the
    /// registry's own URL.
    fn location(&self, host: &str, what: &str, resp: &Response) -> Result<String, RegistryError> {
        let raw = resp
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if raw.is_empty() {
            return Err(RegistryError::Status {
                host: display_host(host).into(),
                what: what.into(),
                status: resp.status().as_u16(),
                message: "the answer has no Location header for the upload".into(),
            });
        }
        let scheme = self
            .state()
            .schemes
            .get(host)
            .copied()
            .unwrap_or(Scheme::Https);
        // The upload's URL as this request reached it; a relative Location is relative to it.
        let base = match resp.url().scheme() {
            "http" | "https" => resp.url().clone(),
            _ => Url::parse(&format!("{}://{host}/", scheme.as_str()))
                .map_err(|_| bad_location(host, what, raw))?,
        };
        base.join(raw)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(String::from)
            .ok_or_else(|| bad_location(host, what, raw))
    }
}

fn bad_location(host: &str, what: &str, location: &str) -> RegistryError {
    RegistryError::Status {
        host: display_host(host).into(),
        what: what.into(),
        status: 202,
        message: format!("the upload Location {location:?} is not a usable URL"),
    }
}

fn empty_body_headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(CONTENT_LENGTH, HeaderValue::from(0u64));
    h
}

fn octet_headers(len: u64) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    // Set by hand: a streamed body has no length of its own, and registries (and the
    // distribution spec for PATCH) want Content-Length rather than chunked encoding.
    h.insert(CONTENT_LENGTH, HeaderValue::from(len));
    h
}

/// Drive `request`, reporting `sent` every tick while it runs and once when it ends.
async fn report_while<T>(
    request: impl std::future::Future<Output = T>,
    sent: &AtomicU64,
    progress: &(dyn Fn(u64) + Send + Sync),
) -> T {
    tokio::pin!(request);
    let mut tick = tokio::time::interval(PROGRESS_TICK);
    loop {
        tokio::select! {
            out = &mut request => {
                progress(sent.load(Ordering::Relaxed));
                return out;
            }
            _ = tick.tick() => progress(sent.load(Ordering::Relaxed)),
        }
    }
}

/// `len` bytes of a file from `offset`, streamed from disk (a layer is never read into memory
/// whole). Bodies made from it count the bytes they hand out into `sent`, which so says how far
/// the whole blob has got.
struct FileSlice {
    path: PathBuf,
    offset: u64,
    len: u64,
    sent: Arc<AtomicU64>,
}

impl FileSlice {
    fn new(path: &Path, offset: u64, len: u64, sent: &Arc<AtomicU64>) -> Self {
        FileSlice {
            path: path.to_path_buf(),
            offset,
            len,
            sent: sent.clone(),
        }
    }

    fn maker(&self) -> impl Fn() -> reqwest::Body + Send + Sync + '_ {
        move || {
            // A resend (after a 401) starts at the slice's beginning again.
            self.sent.store(self.offset, Ordering::Relaxed);
            file_stream(self.path.clone(), self.offset, self.len, self.sent.clone())
        }
    }
}

fn file_stream(path: PathBuf, offset: u64, len: u64, counter: Arc<AtomicU64>) -> reqwest::Body {
    let state = (None::<tokio::fs::File>, 0u64);
    let stream = futures_util::stream::try_unfold(state, move |(file, done)| {
        let (path, counter) = (path.clone(), counter.clone());
        async move {
            if done >= len {
                return Ok::<_, std::io::Error>(None);
            }
            let mut file = match file {
                Some(f) => f,
                None => {
                    let mut f = tokio::fs::File::open(&path).await?;
                    f.seek(SeekFrom::Start(offset)).await?;
                    f
                }
            };
            let mut buf = vec![0u8; (len - done).min(256 << 10) as usize];
            let n = file.read(&mut buf).await?;
            if n == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!("{} ended before its expected size", path.display()),
                ));
            }
            buf.truncate(n);
            counter.fetch_add(n as u64, Ordering::Relaxed);
            Ok(Some((buf, (Some(file), done + n as u64))))
        }
    });
    reqwest::Body::wrap_stream(stream)
}
