//! The client against a hand-written HTTP/1.1 server on 127.0.0.1: every test starts its own.

use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Req {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Close the connection after this many body bytes (Content-Length still says all).
    cut_after: Option<usize>,
}

impl Resp {
    fn new(status: u16) -> Resp {
        Resp {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            cut_after: None,
        }
    }
    fn body(mut self, body: impl Into<Vec<u8>>) -> Resp {
        self.body = body.into();
        self
    }
    fn header(mut self, k: &str, v: impl Into<String>) -> Resp {
        self.headers.push((k.into(), v.into()));
        self
    }
    fn cut_after(mut self, n: usize) -> Resp {
        self.cut_after = Some(n);
        self
    }
}

struct Server {
    addr: String,
    log: Arc<Mutex<Vec<Req>>>,
    tls_probes: Arc<AtomicUsize>,
}

impl Server {
    fn requests(&self) -> Vec<Req> {
        self.log.lock().unwrap().clone()
    }
}

/// Serve `handler` on 127.0.0.1:0. Like Go's net/http (and so docker-registry), a TLS
/// ClientHello gets a plain `400 Bad Request` and a closed connection.
async fn serve(handler: impl Fn(&Req) -> Resp + Send + Sync + 'static) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let log = Arc::new(Mutex::new(Vec::new()));
    let tls_probes = Arc::new(AtomicUsize::new(0));
    let handler = Arc::new(handler);
    let (log2, probes2) = (log.clone(), tls_probes.clone());
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let (h, log, probes) = (handler.clone(), log2.clone(), probes2.clone());
            tokio::spawn(connection(sock, h, log, probes));
        }
    });
    Server {
        addr,
        log,
        tls_probes,
    }
}

async fn connection(
    mut sock: tokio::net::TcpStream,
    handler: Arc<impl Fn(&Req) -> Resp>,
    log: Arc<Mutex<Vec<Req>>>,
    tls_probes: Arc<AtomicUsize>,
) {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 8192];
    loop {
        let end = loop {
            if buf.first() == Some(&0x16) {
                tls_probes.fetch_add(1, Ordering::SeqCst);
                let _ = sock.write_all(b"HTTP/1.0 400 Bad Request\r\n\r\n").await;
                return;
            }
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break end;
            }
            match sock.read(&mut tmp).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&tmp[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_string();
        buf.drain(..end + 4);
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or("").split(' ');
        let (method, target) = (first.next().unwrap_or(""), first.next().unwrap_or(""));
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let mut req = Req {
            method: method.into(),
            target: target.into(),
            headers,
            body: Vec::new(),
        };
        let len: usize = req
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        while buf.len() < len {
            match sock.read(&mut tmp).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&tmp[..n]),
            }
        }
        req.body = buf.drain(..len).collect();
        log.lock().unwrap().push(req.clone());
        let resp = handler(&req);
        let mut out = format!(
            "HTTP/1.1 {} X\r\nContent-Length: {}\r\n",
            resp.status,
            resp.body.len()
        );
        for (k, v) in &resp.headers {
            out += &format!("{k}: {v}\r\n");
        }
        out += "\r\n";
        let mut bytes = out.into_bytes();
        let body_end = resp.cut_after.unwrap_or(resp.body.len());
        bytes.extend_from_slice(&resp.body[..body_end]);
        if sock.write_all(&bytes).await.is_err() || resp.cut_after.is_some() {
            return;
        }
    }
}

fn options(insecure: &str, auth: AuthStore) -> ClientOptions {
    ClientOptions {
        insecure_hosts: vec![insecure.to_string()],
        tls_verify: true,
        user_agent: "berth-test".into(),
        auth,
        max_retries: 3,
    }
}

fn client(host: &str, auth: AuthStore) -> RegistryClient {
    RegistryClient::new(options(host, auth)).unwrap()
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// An auth.json in a temp dir with `user:password` for `host`.
fn auth_file(host: &str, user: &str, password: &str) -> (tempfile::TempDir, AuthStore) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.json");
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    std::fs::write(
        &path,
        format!(r#"{{"auths":{{"{host}":{{"auth":"{encoded}"}}}}}}"#),
    )
    .unwrap();
    (dir, AuthStore::from_paths(vec![path]))
}

fn basic(user: &str, password: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {encoded}")
}

fn bearer_challenge(realm: &str) -> String {
    format!(r#"Bearer realm="{realm}",service="reg.test",scope="repository:a/b:pull""#)
}

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

#[tokio::test]
async fn anonymous_manifest_get_asks_for_oci_and_docker_types() {
    let body = br#"{"schemaVersion":2}"#.to_vec();
    let served = body.clone();
    let reg = serve(move |_| {
        Resp::new(200)
            .header("Content-Type", format!("{OCI_MANIFEST}; charset=utf-8"))
            .body(served.clone())
    })
    .await;
    let m = client(&reg.addr, AuthStore::default())
        .get_manifest(&reg.addr, "a/b", "t")
        .await
        .unwrap();
    assert_eq!(m.bytes, body);
    assert_eq!(m.digest, sha256(&body));
    assert_eq!(m.media_type, OCI_MANIFEST);
    let reqs = reg.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].target, "/v2/a/b/manifests/t");
    assert!(reqs[0].header("authorization").is_none());
    let accept = reqs[0].header("accept").unwrap();
    for t in [
        "application/vnd.oci.image.index.v1+json",
        OCI_MANIFEST,
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ] {
        assert!(accept.contains(t), "{accept}");
    }
}

#[tokio::test]
async fn media_type_falls_back_to_the_body_when_content_type_is_generic() {
    let reg = serve(|_| {
        Resp::new(200)
            .header("Content-Type", "application/json")
            .body(format!(r#"{{"mediaType":"{OCI_MANIFEST}"}}"#))
    })
    .await;
    let m = client(&reg.addr, AuthStore::default())
        .get_manifest(&reg.addr, "a", "t")
        .await
        .unwrap();
    assert_eq!(m.media_type, OCI_MANIFEST);
}

#[tokio::test]
async fn manifest_fetched_by_digest_must_hash_to_it() {
    let reg = serve(|_| Resp::new(200).body("{}")).await;
    let c = client(&reg.addr, AuthStore::default());
    let wrong = format!("sha256:{}", "0".repeat(64));
    let e = c.get_manifest(&reg.addr, "x", &wrong).await.unwrap_err();
    assert!(
        matches!(&e, RegistryError::DigestMismatch { digest, actual } if *digest == wrong && *actual == sha256(b"{}")),
        "{e}"
    );
    let right = sha256(b"{}");
    let m = c.get_manifest(&reg.addr, "x", &right).await.unwrap();
    assert_eq!(m.digest, right);
    assert_eq!(reg.requests()[1].target, format!("/v2/x/manifests/{right}"));
}

#[tokio::test]
async fn manifest_by_sha512_digest_is_verified_with_sha512() {
    use sha2::Sha512;
    let reg = serve(|_| Resp::new(200).body("{}")).await;
    let digest = format!("sha512:{}", hex::encode(Sha512::digest(b"{}")));
    let m = client(&reg.addr, AuthStore::default())
        .get_manifest(&reg.addr, "x", &digest)
        .await
        .unwrap();
    assert_eq!(m.digest, sha256(b"{}"), "the digest field is always sha256");
}

#[tokio::test]
async fn oversized_manifest_is_refused() {
    let reg = serve(|_| Resp::new(200).body(vec![b' '; MAX_MANIFEST_BYTES + 1])).await;
    let e = client(&reg.addr, AuthStore::default())
        .get_manifest(&reg.addr, "x", "t")
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::ManifestTooLarge { .. }), "{e}");
}

#[tokio::test]
async fn bearer_challenge_gets_a_scoped_token_with_credentials_and_caches_it() {
    let token =
        serve(|_| Resp::new(200).body(r#"{"access_token":"tok123","expires_in":300}"#)).await;
    let realm = format!("http://{}/token", token.addr);
    let reg = serve(move |req| match req.header("authorization") {
        Some("Bearer tok123") => Resp::new(200).body("{}"),
        _ => Resp::new(401).header("WWW-Authenticate", bearer_challenge(&realm)),
    })
    .await;
    let (_dir, auth) = auth_file(&reg.addr, "u", "p");
    let c = client(&reg.addr, auth);
    c.get_manifest(&reg.addr, "a/b", "latest").await.unwrap();
    c.get_manifest(&reg.addr, "a/b", "other").await.unwrap();

    let token_reqs = token.requests();
    assert_eq!(token_reqs.len(), 1, "the token is cached for the scope");
    let t = &token_reqs[0];
    assert!(t.target.starts_with("/token?"), "{}", t.target);
    assert!(
        t.target.contains("scope=repository%3Aa%2Fb%3Apull"),
        "{}",
        t.target
    );
    assert!(t.target.contains("service=reg.test"), "{}", t.target);
    assert_eq!(t.header("authorization"), Some(basic("u", "p").as_str()));
    // anonymous, then the token, then the cached token straight away
    let auths: Vec<_> = reg
        .requests()
        .iter()
        .map(|r| r.header("authorization").map(String::from))
        .collect();
    assert_eq!(
        auths,
        vec![
            None,
            Some("Bearer tok123".into()),
            Some("Bearer tok123".into())
        ]
    );
}

#[tokio::test]
async fn anonymous_token_is_requested_without_credentials_and_token_field_is_accepted() {
    let token = serve(|_| Resp::new(200).body(r#"{"token":"anon"}"#)).await;
    let realm = format!("http://{}/token", token.addr);
    let reg = serve(move |req| match req.header("authorization") {
        Some("Bearer anon") => Resp::new(200).body("{}"),
        _ => Resp::new(401).header("WWW-Authenticate", bearer_challenge(&realm)),
    })
    .await;
    client(&reg.addr, AuthStore::default())
        .get_manifest(&reg.addr, "a/b", "t")
        .await
        .unwrap();
    assert!(token.requests()[0].header("authorization").is_none());
}

#[tokio::test]
async fn token_within_its_expiry_margin_is_fetched_again() {
    let token = serve(|_| Resp::new(200).body(r#"{"token":"short","expires_in":3}"#)).await;
    let realm = format!("http://{}/token", token.addr);
    let reg = serve(move |req| match req.header("authorization") {
        Some("Bearer short") => Resp::new(200).body("{}"),
        _ => Resp::new(401).header("WWW-Authenticate", bearer_challenge(&realm)),
    })
    .await;
    let c = client(&reg.addr, AuthStore::default());
    c.get_manifest(&reg.addr, "a/b", "t").await.unwrap();
    c.get_manifest(&reg.addr, "a/b", "t").await.unwrap();
    assert_eq!(token.requests().len(), 2);
}

#[tokio::test]
async fn identity_token_is_traded_with_an_oauth2_refresh_post() {
    let token = serve(|req| {
        let form = String::from_utf8_lossy(&req.body);
        if req.method == "POST"
            && form.contains("grant_type=refresh_token")
            && form.contains("refresh_token=idtok")
            && form.contains("scope=repository%3Aa%2Fb%3Apull")
        {
            Resp::new(200).body(r#"{"access_token":"fromrefresh"}"#)
        } else {
            Resp::new(400)
        }
    })
    .await;
    let realm = format!("http://{}/token", token.addr);
    let reg = serve(move |req| match req.header("authorization") {
        Some("Bearer fromrefresh") => Resp::new(200).body("{}"),
        _ => Resp::new(401).header("WWW-Authenticate", bearer_challenge(&realm)),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("auth.json");
    std::fs::write(
        &path,
        format!(
            r#"{{"auths":{{"{}":{{"identitytoken":"idtok"}}}}}}"#,
            reg.addr
        ),
    )
    .unwrap();
    client(&reg.addr, AuthStore::from_paths(vec![path]))
        .get_manifest(&reg.addr, "a/b", "t")
        .await
        .unwrap();
}

#[tokio::test]
async fn token_endpoint_refusing_credentials_is_credentials_rejected() {
    let token = serve(|_| Resp::new(401)).await;
    let realm = format!("http://{}/token", token.addr);
    let reg =
        serve(move |_| Resp::new(401).header("WWW-Authenticate", bearer_challenge(&realm))).await;
    let (_dir, auth) = auth_file(&reg.addr, "u", "wrong");
    let e = client(&reg.addr, auth)
        .get_manifest(&reg.addr, "a/b", "t")
        .await
        .unwrap_err();
    assert!(
        matches!(e, RegistryError::CredentialsRejected { .. }),
        "{e}"
    );
    assert!(e.is_unauthorized());
    assert!(
        e.to_string().contains(&format!("berth login {}", reg.addr)),
        "{e}"
    );
}

#[tokio::test]
async fn valid_token_without_access_is_denied_not_rejected() {
    let token = serve(|_| Resp::new(200).body(r#"{"token":"weak"}"#)).await;
    let realm = format!("http://{}/token", token.addr);
    let reg = serve(move |req| {
        let challenge = match req.header("authorization") {
            Some(_) => format!("{},error=\"insufficient_scope\"", bearer_challenge(&realm)),
            None => bearer_challenge(&realm),
        };
        Resp::new(401).header("WWW-Authenticate", challenge)
    })
    .await;
    let (_dir, auth) = auth_file(&reg.addr, "u", "p");
    let e = client(&reg.addr, auth)
        .get_manifest(&reg.addr, "a/b", "t")
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::Denied { .. }), "{e}");
    assert!(e.is_unauthorized());
}

#[tokio::test]
async fn basic_challenge_is_answered_with_stored_credentials() {
    let want = basic("alice", "s3cret");
    let reg = serve(move |req| {
        if req.header("authorization") == Some(want.as_str()) {
            Resp::new(200).body("{}")
        } else {
            Resp::new(401).header("WWW-Authenticate", "Basic realm=\"registry\"")
        }
    })
    .await;
    let (_dir, auth) = auth_file(&reg.addr, "alice", "s3cret");
    let c = client(&reg.addr, auth);
    c.get_manifest(&reg.addr, "a", "t").await.unwrap();
    c.get_manifest(&reg.addr, "a", "t").await.unwrap();
    assert_eq!(
        reg.requests().len(),
        3,
        "basic credentials are reused without a new 401"
    );
}

#[tokio::test]
async fn basic_challenge_without_credentials_asks_for_login() {
    let reg = serve(|_| Resp::new(401).header("WWW-Authenticate", "Basic realm=\"r\"")).await;
    let e = client(&reg.addr, AuthStore::default())
        .get_manifest(&reg.addr, "a", "t")
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::AuthRequired { .. }), "{e}");
    assert!(e.is_unauthorized() && !e.is_not_found());
    let text = e.to_string();
    assert!(
        text.contains(&format!("run `berth login {}`", reg.addr)),
        "{text}"
    );
    assert_eq!(reg.requests().len(), 1, "401 is not retried");
}

#[tokio::test]
async fn wrong_basic_credentials_are_rejected_without_leaking_the_password() {
    let reg = serve(|_| Resp::new(401).header("WWW-Authenticate", "Basic realm=\"r\"")).await;
    let (_dir, auth) = auth_file(&reg.addr, "alice", "hunter2");
    let c = client(&reg.addr, auth);
    let e = c.get_manifest(&reg.addr, "a", "t").await.unwrap_err();
    assert!(
        matches!(e, RegistryError::CredentialsRejected { .. }),
        "{e}"
    );
    assert!(!format!("{e} {e:?} {c:?}").contains("hunter2"));
}

#[tokio::test]
async fn cached_token_stays_out_of_debug_output() {
    let token = serve(|_| Resp::new(200).body(r#"{"token":"very-secret-token"}"#)).await;
    let realm = format!("http://{}/token", token.addr);
    let reg = serve(move |req| match req.header("authorization") {
        Some(_) => Resp::new(200).body("{}"),
        None => Resp::new(401).header("WWW-Authenticate", bearer_challenge(&realm)),
    })
    .await;
    let c = client(&reg.addr, AuthStore::default());
    c.get_manifest(&reg.addr, "a/b", "t").await.unwrap();
    assert!(!c.state().authz.is_empty(), "the token is cached");
    assert!(!format!("{c:?}").contains("very-secret-token"));
}

#[tokio::test]
async fn missing_manifest_is_not_found_naming_the_image_and_not_retried() {
    let reg = serve(|_| {
        Resp::new(404)
            .body(r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#)
    })
    .await;
    let e = client(&reg.addr, AuthStore::default())
        .get_manifest(&reg.addr, "a/b", "v1")
        .await
        .unwrap_err();
    assert!(e.is_not_found() && !e.is_unauthorized(), "{e}");
    assert_eq!(
        e.to_string(),
        format!("image {}/a/b:v1 not found", reg.addr)
    );
    assert_eq!(reg.requests().len(), 1);
}

#[tokio::test]
async fn forbidden_is_denied() {
    let reg = serve(|_| Resp::new(403)).await;
    let e = client(&reg.addr, AuthStore::default())
        .get_manifest(&reg.addr, "a/b", "v1")
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::Denied { .. }), "{e}");
    assert_eq!(reg.requests().len(), 1, "403 is not retried");
}

#[tokio::test]
async fn transient_503_is_retried_until_success() {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let reg = serve(move |_| match h.fetch_add(1, Ordering::SeqCst) {
        0 | 1 => Resp::new(503),
        _ => Resp::new(200).body("{}"),
    })
    .await;
    let started = Instant::now();
    client(&reg.addr, AuthStore::default())
        .get_manifest(&reg.addr, "a", "t")
        .await
        .unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 3);
    // 200ms then 400ms of back-off
    assert!(started.elapsed() >= Duration::from_millis(600));
}

#[tokio::test]
async fn persistent_429_gives_up_after_max_retries_with_the_registry_message() {
    let reg = serve(|_| {
        Resp::new(429).body(r#"{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}"#)
    })
    .await;
    let mut opts = options(&reg.addr, AuthStore::default());
    opts.max_retries = 2;
    let e = RegistryClient::new(opts)
        .unwrap()
        .get_manifest(&reg.addr, "a", "t")
        .await
        .unwrap_err();
    assert!(
        matches!(e, RegistryError::Status { status: 429, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("TOOMANYREQUESTS slow down"), "{e}");
    assert_eq!(reg.requests().len(), 3);
}

#[tokio::test]
async fn blob_is_streamed_to_the_file_with_progress_reported_after_bytes_land() {
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let served = data.clone();
    let reg = serve(move |_| Resp::new(200).body(served.clone())).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("blob");
    let seen = Mutex::new(Vec::new());
    client(&reg.addr, AuthStore::default())
        .fetch_blob(
            &reg.addr,
            "a/b",
            &sha256(&data),
            Some(data.len() as u64),
            &dest,
            &|n| {
                // The engine unpacks from the file while it grows: what is reported must be there.
                let on_disk = std::fs::metadata(&dest).map(|m| m.len()).unwrap_or(0);
                seen.lock().unwrap().push((n, on_disk))
            },
        )
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    let seen = seen.into_inner().unwrap();
    assert!(seen.iter().all(|(n, on_disk)| on_disk >= n), "{seen:?}");
    let seen: Vec<u64> = seen.into_iter().map(|(n, _)| n).collect();
    assert_eq!(seen.first(), Some(&0));
    assert_eq!(seen.last(), Some(&(data.len() as u64)));
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "progress only grows");
    assert_eq!(
        reg.requests()[0].target,
        format!("/v2/a/b/blobs/{}", sha256(&data))
    );
}

#[tokio::test]
async fn corrupted_blob_is_a_digest_mismatch_and_leaves_no_file() {
    let reg = serve(|_| Resp::new(200).body("tampered")).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("blob");
    let digest = sha256(b"original");
    let e = client(&reg.addr, AuthStore::default())
        .fetch_blob(&reg.addr, "a", &digest, Some(8), &dest, &|_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(&e, RegistryError::DigestMismatch { digest: d, actual } if *d == digest && *actual == sha256(b"tampered")),
        "{e}"
    );
    assert!(!dest.exists());
    assert_eq!(reg.requests().len(), 1, "a digest mismatch is not retried");
}

#[tokio::test]
async fn blob_longer_than_expected_is_a_size_mismatch_and_leaves_no_file() {
    let reg = serve(|_| Resp::new(200).body("0123456789")).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("blob");
    let e = client(&reg.addr, AuthStore::default())
        .fetch_blob(
            &reg.addr,
            "a",
            &sha256(b"0123456789"),
            Some(4),
            &dest,
            &|_| {},
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, RegistryError::SizeMismatch { expected: 4, .. }),
        "{e}"
    );
    assert!(!dest.exists());
}

#[tokio::test]
async fn missing_blob_is_not_found_and_leaves_no_file() {
    let reg = serve(|_| Resp::new(404)).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("blob");
    let digest = sha256(b"x");
    let e = client(&reg.addr, AuthStore::default())
        .fetch_blob(&reg.addr, "a", &digest, None, &dest, &|_| {})
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert!(e.to_string().contains(&digest), "{e}");
    assert!(!dest.exists());
    assert_eq!(reg.requests().len(), 1);
}

#[tokio::test]
async fn blob_retry_after_503_succeeds() {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let reg = serve(move |_| match h.fetch_add(1, Ordering::SeqCst) {
        0 => Resp::new(503),
        _ => Resp::new(200).body("blob"),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("blob");
    client(&reg.addr, AuthStore::default())
        .fetch_blob(&reg.addr, "a", &sha256(b"blob"), Some(4), &dest, &|_| {})
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), b"blob");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn interrupted_blob_resumes_with_a_range_request() {
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 241) as u8).collect();
    let served = data.clone();
    let reg = serve(move |req| match req.header("range") {
        None => Resp::new(200).body(served.clone()).cut_after(30_000),
        Some(range) => {
            let start: usize = range
                .strip_prefix("bytes=")
                .and_then(|r| r.strip_suffix('-'))
                .unwrap()
                .parse()
                .unwrap();
            Resp::new(206)
                .header(
                    "Content-Range",
                    format!("bytes {start}-{}/{}", served.len() - 1, served.len()),
                )
                .body(served[start..].to_vec())
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("blob");
    client(&reg.addr, AuthStore::default())
        .fetch_blob(
            &reg.addr,
            "a",
            &sha256(&data),
            Some(data.len() as u64),
            &dest,
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    let reqs = reg.requests();
    assert_eq!(reqs.len(), 2);
    let range = reqs[1].header("range").unwrap();
    let resumed_at: u64 = range[6..range.len() - 1].parse().unwrap();
    assert!(resumed_at > 0 && resumed_at <= 30_000, "{range}");
}

#[tokio::test]
async fn interrupted_blob_starts_over_when_the_server_ignores_range() {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 239) as u8).collect();
    let served = data.clone();
    let reg = serve(move |_| match h.fetch_add(1, Ordering::SeqCst) {
        0 => Resp::new(200).body(served.clone()).cut_after(40_000),
        _ => Resp::new(200).body(served.clone()),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("blob");
    client(&reg.addr, AuthStore::default())
        .fetch_blob(
            &reg.addr,
            "a",
            &sha256(&data),
            Some(data.len() as u64),
            &dest,
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
}

#[tokio::test]
async fn blob_redirect_to_storage_drops_the_authorization_header() {
    let storage = serve(|_| Resp::new(200).body("data")).await;
    let location = format!("http://{}/storage/blob?sig=abc", storage.addr);
    let want = basic("u", "p");
    let reg = serve(move |req| {
        if req.header("authorization") == Some(want.as_str()) {
            Resp::new(307).header("Location", location.clone())
        } else {
            Resp::new(401).header("WWW-Authenticate", "Basic realm=\"r\"")
        }
    })
    .await;
    let (_dir, auth) = auth_file(&reg.addr, "u", "p");
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("blob");
    client(&reg.addr, auth)
        .fetch_blob(&reg.addr, "a", &sha256(b"data"), Some(4), &dest, &|_| {})
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), b"data");
    let at_storage = storage.requests();
    assert_eq!(at_storage.len(), 1);
    assert_eq!(at_storage[0].target, "/storage/blob?sig=abc");
    assert!(at_storage[0].header("authorization").is_none());
    assert!(at_storage[0].header("referer").is_none());
}

#[tokio::test]
async fn insecure_host_tries_https_first_and_falls_back_to_http_quickly() {
    let reg = serve(|_| Resp::new(200).body("{}")).await;
    let c = client(&reg.addr, AuthStore::default());
    let started = Instant::now();
    c.get_manifest(&reg.addr, "a", "t").await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(reg.tls_probes.load(Ordering::SeqCst), 1);
    c.get_manifest(&reg.addr, "a", "t").await.unwrap();
    assert_eq!(
        reg.tls_probes.load(Ordering::SeqCst),
        1,
        "the scheme found is remembered"
    );
}

#[tokio::test]
async fn global_tls_verify_off_allows_http_for_any_host() {
    let reg = serve(|_| Resp::new(200).body("{}")).await;
    let c = RegistryClient::new(ClientOptions {
        tls_verify: false,
        ..ClientOptions::default()
    })
    .unwrap();
    c.get_manifest(&reg.addr, "a", "t").await.unwrap();
}

#[tokio::test]
async fn secure_host_answering_plain_http_says_how_to_allow_it() {
    let reg = serve(|_| Resp::new(200).body("{}")).await;
    let c = RegistryClient::new(ClientOptions::default()).unwrap();
    let e = c.get_manifest(&reg.addr, "a", "t").await.unwrap_err();
    assert!(matches!(e, RegistryError::PlainHttp { .. }), "{e}");
    assert!(
        e.to_string().contains("HTTP response to HTTPS client")
            && e.to_string().contains("--tls-verify=false"),
        "{e}"
    );
    assert_eq!(reg.tls_probes.load(Ordering::SeqCst), 1, "not retried");
    assert!(reg.requests().is_empty(), "never fell back to http");
}

#[tokio::test]
async fn refused_connection_names_the_host_after_retrying() {
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let mut opts = options(&addr, AuthStore::default());
    opts.max_retries = 1;
    let started = Instant::now();
    let e = RegistryClient::new(opts)
        .unwrap()
        .get_manifest(&addr, "a", "t")
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::Connect { .. }), "{e}");
    assert!(e.to_string().contains(&addr), "{e}");
    assert!(
        started.elapsed() >= FIRST_BACKOFF,
        "one retry after back-off"
    );
}

#[tokio::test]
async fn names_that_would_change_the_url_are_refused_before_any_request() {
    let reg = serve(|_| Resp::new(200).body("{}")).await;
    let c = client(&reg.addr, AuthStore::default());
    for (repo, reference) in [
        ("../etc", "t"),
        ("a/../b", "t"),
        ("A/b", "t"),
        ("a", "t?x=1"),
        ("a", "../../x"),
        ("a", "sha256:abc"),
        ("a//b", "t"),
    ] {
        let e = c
            .get_manifest(&reg.addr, repo, reference)
            .await
            .unwrap_err();
        assert!(
            matches!(e, RegistryError::InvalidName { .. }),
            "{repo} {reference}: {e}"
        );
    }
    let e = c.get_manifest("h/x", "a", "t").await.unwrap_err();
    assert!(matches!(e, RegistryError::InvalidName { .. }), "{e}");
    let dir = tempfile::tempdir().unwrap();
    let e = c
        .fetch_blob(
            &reg.addr,
            "a",
            "md5:abcd",
            None,
            &dir.path().join("b"),
            &|_| {},
        )
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::UnsupportedDigest { .. }), "{e}");
    assert!(reg.requests().is_empty());
}

#[test]
fn docker_hub_api_host_is_shown_as_docker_io() {
    let e = auth_required("registry-1.docker.io", "library/x");
    assert_eq!(
        e.to_string(),
        "docker.io/library/x requires authentication: run `berth login docker.io`"
    );
}

#[test]
fn challenge_parameters_are_parsed_with_quotes_escapes_and_bare_values() {
    let (s, p) = parse_challenge(
        r#"Bearer realm="https://auth.io/token",service="registry.io",scope="repository:a/b:pull,push",error=insufficient_scope, x="a\"b""#,
    );
    assert_eq!(s, "bearer");
    assert_eq!(p["realm"], "https://auth.io/token");
    assert_eq!(p["service"], "registry.io");
    assert_eq!(p["scope"], "repository:a/b:pull,push");
    assert_eq!(p["error"], "insufficient_scope");
    assert_eq!(p["x"], "a\"b");
    let (s, p) = parse_challenge("Basic realm=\"Registry Realm\"");
    assert_eq!(
        (s.as_str(), p["realm"].as_str()),
        ("basic", "Registry Realm")
    );
}

#[test]
fn backoff_doubles_from_200ms_and_is_capped() {
    assert_eq!(backoff(0), Duration::from_millis(200));
    assert_eq!(backoff(1), Duration::from_millis(400));
    assert_eq!(backoff(2), Duration::from_millis(800));
    assert_eq!(backoff(30), MAX_BACKOFF);
}

#[test]
fn repository_grammar_accepts_real_names() {
    for ok in [
        "library/busybox",
        "a",
        "my-org/my_app",
        "a/b/c",
        "x.y/z__w",
        "a--b",
    ] {
        assert!(check_repository(ok).is_ok(), "{ok}");
    }
    for bad in ["", "-a", "a-", "a/", "/a", "a_.b", "a___b", "UPPER"] {
        assert!(check_repository(bad).is_err(), "{bad}");
    }
}

/// The engine runs downloads on spawned tasks: the futures must be Send. Compiling is the test.
#[allow(dead_code)]
fn client_futures_are_send(c: &RegistryClient, dest: &Path) {
    fn send<T: Send>(_: T) {}
    send(c.get_manifest("h", "r", "t"));
    send(c.fetch_blob("h", "r", "sha256:0", None, dest, &|_| {}));
}

// ---- push: uploads, mounts, manifests, login checks ----

fn upload_server_location(req: &Req, path: &str) -> String {
    format!("http://{}{path}", req.header("host").unwrap_or_default())
}

#[tokio::test]
async fn chunked_upload_follows_each_location_and_ends_with_a_digest_put() {
    let data: Vec<u8> = (0..25u8).collect();
    let digest = sha256(&data);
    let reg = serve(|req| match (req.method.as_str(), req.target.as_str()) {
        ("POST", "/v2/a/blobs/uploads/") => {
            Resp::new(202).header("Location", "/v2/a/blobs/uploads/u1?_state=s0")
        }
        // An absolute Location next, then one relative to the upload's own URL.
        ("PATCH", t) if t.starts_with("/v2/a/blobs/uploads/u1") => Resp::new(202).header(
            "Location",
            upload_server_location(req, "/elsewhere/u2?_state=s1"),
        ),
        ("PATCH", t) if t.starts_with("/elsewhere/u2") => {
            Resp::new(202).header("Location", "u3?_state=s2")
        }
        ("PATCH", t) if t.starts_with("/elsewhere/u3") => {
            Resp::new(202).header("Location", "/v2/a/blobs/uploads/u4?_state=s3")
        }
        ("PUT", t) if t.starts_with("/v2/a/blobs/uploads/u4") => Resp::new(201),
        _ => Resp::new(400),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blob");
    std::fs::write(&file, &data).unwrap();
    let c = client(&reg.addr, AuthStore::default()).with_upload_chunk_size(10);
    let seen = Mutex::new(Vec::new());
    c.upload_blob(&reg.addr, "a", &digest, 25, &file, None, &|n| {
        seen.lock().unwrap().push(n)
    })
    .await
    .unwrap();

    let reqs = reg.requests();
    let patches: Vec<&Req> = reqs.iter().filter(|r| r.method == "PATCH").collect();
    let ranges: Vec<_> = patches
        .iter()
        .map(|r| r.header("content-range").unwrap_or_default())
        .collect();
    assert_eq!(ranges, ["0-9", "10-19", "20-24"]);
    let sent: Vec<u8> = patches.iter().flat_map(|r| r.body.clone()).collect();
    assert_eq!(sent, data, "the chunks are the file, in order");
    assert!(patches
        .iter()
        .all(|r| r.header("transfer-encoding").is_none()));
    let put = reqs.iter().find(|r| r.method == "PUT").unwrap();
    let encoded = digest.replace(':', "%3A");
    assert_eq!(
        put.target,
        format!("/v2/a/blobs/uploads/u4?_state=s3&digest={encoded}")
    );
    assert!(put.body.is_empty());
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.last(), Some(&25));
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
}

#[tokio::test]
async fn small_blob_goes_up_in_one_put_with_its_length() {
    let data = b"hello".to_vec();
    let digest = sha256(&data);
    let reg = serve(|req| match req.method.as_str() {
        "POST" => Resp::new(202).header("Location", upload_server_location(req, "/up/1")),
        "PUT" => Resp::new(201),
        _ => Resp::new(400),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blob");
    std::fs::write(&file, &data).unwrap();
    client(&reg.addr, AuthStore::default())
        .upload_blob(&reg.addr, "a/b", &digest, 5, &file, None, &|_| {})
        .await
        .unwrap();
    let reqs = reg.requests();
    let methods: Vec<&str> = reqs.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["POST", "PUT"]);
    assert_eq!(reqs[0].target, "/v2/a/b/blobs/uploads/");
    assert_eq!(reqs[1].body, data);
    assert_eq!(reqs[1].header("content-length"), Some("5"));
    assert_eq!(
        reqs[1].header("content-type"),
        Some("application/octet-stream")
    );
    assert!(reqs[1].target.starts_with("/up/1?digest=sha256%3A"));
}

#[tokio::test]
async fn upload_that_fails_with_a_5xx_starts_over_in_a_new_session() {
    let data = b"again".to_vec();
    let digest = sha256(&data);
    let puts = Arc::new(AtomicUsize::new(0));
    let puts2 = puts.clone();
    let reg = serve(move |req| match req.method.as_str() {
        "POST" => Resp::new(202).header("Location", "/up/x"),
        "PUT" if puts2.fetch_add(1, Ordering::SeqCst) == 0 => Resp::new(503),
        "PUT" => Resp::new(201),
        _ => Resp::new(400),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blob");
    std::fs::write(&file, &data).unwrap();
    client(&reg.addr, AuthStore::default())
        .upload_blob(&reg.addr, "a", &digest, 5, &file, None, &|_| {})
        .await
        .unwrap();
    let methods: Vec<String> = reg.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, ["POST", "PUT", "POST", "PUT"]);
    assert_eq!(reg.requests()[3].body, data, "the body is sent again whole");
}

#[tokio::test]
async fn mount_created_is_mounted_and_accepted_continues_the_upload_it_opened() {
    let mounted = format!("sha256:{}", "a".repeat(64));
    let data = b"not mountable".to_vec();
    let other = sha256(&data);
    let m2 = mounted.clone();
    let reg = serve(move |req| match req.method.as_str() {
        "POST" if req.target.contains(&format!("mount={m2}")) => Resp::new(201),
        "POST" => Resp::new(202).header("Location", "/opened/by-mount"),
        "PUT" if req.target.starts_with("/opened/by-mount?digest=") => Resp::new(201),
        _ => Resp::new(400),
    })
    .await;
    let c = client(&reg.addr, AuthStore::default());
    let got = c.mount_blob(&reg.addr, "dst", &mounted, "lib/src").await;
    assert_eq!(got.unwrap(), BlobMount::Mounted);
    assert_eq!(
        reg.requests()[0].target,
        format!("/v2/dst/blobs/uploads/?mount={mounted}&from=lib/src")
    );
    let session = match c.mount_blob(&reg.addr, "dst", &other, "lib/src").await {
        Ok(BlobMount::Upload(s)) => s,
        other => panic!("expected an upload session: {other:?}"),
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blob");
    std::fs::write(&file, &data).unwrap();
    c.upload_blob(
        &reg.addr,
        "dst",
        &other,
        data.len() as u64,
        &file,
        Some(session),
        &|_| {},
    )
    .await
    .unwrap();
    let posts = reg.requests().iter().filter(|r| r.method == "POST").count();
    assert_eq!(posts, 2, "no new session after the mount opened one");
}

#[tokio::test]
async fn push_token_asks_for_pull_push_and_pull_on_the_mount_source() {
    let token = serve(|_| Resp::new(200).body(r#"{"token":"push-tok"}"#)).await;
    let realm = format!("http://{}/token", token.addr);
    let reg = serve(move |req| match req.header("authorization") {
        Some("Bearer push-tok") => Resp::new(201),
        _ => Resp::new(401).header("WWW-Authenticate", bearer_challenge(&realm)),
    })
    .await;
    let (_dir, auth) = auth_file(&reg.addr, "u", "p");
    let digest = format!("sha256:{}", "b".repeat(64));
    client(&reg.addr, auth)
        .mount_blob(&reg.addr, "a/b", &digest, "c/d")
        .await
        .unwrap();
    let t = &token.requests()[0].target;
    assert!(t.contains("scope=repository%3Aa%2Fb%3Apull%2Cpush"), "{t}");
    assert!(t.contains("scope=repository%3Ac%2Fd%3Apull"), "{t}");
    assert!(t.contains("account=u"), "{t}");
}

#[tokio::test]
async fn blob_exists_is_a_head_that_maps_404_to_false() {
    let present = format!("sha256:{}", "c".repeat(64));
    let p2 = present.clone();
    let reg = serve(
        move |req| match (req.method.as_str(), req.target.ends_with(&p2)) {
            ("HEAD", true) => Resp::new(200),
            ("HEAD", false) => Resp::new(404),
            _ => Resp::new(400),
        },
    )
    .await;
    let c = client(&reg.addr, AuthStore::default());
    assert!(c.blob_exists(&reg.addr, "a", &present).await.unwrap());
    let absent = format!("sha256:{}", "d".repeat(64));
    assert!(!c.blob_exists(&reg.addr, "a", &absent).await.unwrap());
}

#[tokio::test]
async fn manifest_put_sends_its_media_type_and_returns_its_digest() {
    let reg = serve(|req| match req.method.as_str() {
        "PUT" => Resp::new(201),
        _ => Resp::new(400),
    })
    .await;
    let body = br#"{"schemaVersion":2}"#;
    let digest = client(&reg.addr, AuthStore::default())
        .put_manifest(
            &reg.addr,
            "a/b",
            "v1",
            "application/vnd.oci.image.manifest.v1+json",
            body,
        )
        .await
        .unwrap();
    assert_eq!(digest, sha256(body));
    let r = &reg.requests()[0];
    assert_eq!(r.target, "/v2/a/b/manifests/v1");
    assert_eq!(
        r.header("content-type"),
        Some("application/vnd.oci.image.manifest.v1+json")
    );
    assert_eq!(r.body, body);
}

fn creds(user: &str, password: &str) -> Credentials {
    Credentials {
        username: user.into(),
        password: password.into(),
    }
}

#[tokio::test]
async fn login_check_answers_a_basic_challenge_and_rejects_a_wrong_password() {
    let want = basic("alice", "right");
    let reg = serve(move |req| match req.header("authorization") {
        Some(a) if a == want => Resp::new(200),
        _ => Resp::new(401).header("WWW-Authenticate", "Basic realm=\"r\""),
    })
    .await;
    let c = client(&reg.addr, AuthStore::default());
    c.check_login(&reg.addr, &creds("alice", "right"))
        .await
        .unwrap();
    let e = c
        .check_login(&reg.addr, &creds("alice", "wrong"))
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::LoginRejected { .. }), "{e}");
    assert_eq!(
        e.to_string(),
        format!("logging in to {}: invalid username or password", reg.addr)
    );
}

#[tokio::test]
async fn login_check_gets_a_token_for_the_account_from_a_bearer_realm() {
    let want = basic("bob", "pw");
    let token = serve(move |req| match req.header("authorization") {
        Some(a) if a == want => Resp::new(200).body(r#"{"token":"t1"}"#),
        _ => Resp::new(401),
    })
    .await;
    let realm = format!("http://{}/token", token.addr);
    let reg = serve(move |req| match req.header("authorization") {
        Some("Bearer t1") => Resp::new(200),
        _ => Resp::new(401).header(
            "WWW-Authenticate",
            format!(r#"Bearer realm="{realm}",service="reg.test""#),
        ),
    })
    .await;
    let c = client(&reg.addr, AuthStore::default());
    c.check_login(&reg.addr, &creds("bob", "pw")).await.unwrap();
    let t = &token.requests()[0].target;
    assert!(
        t.contains("account=bob") && t.contains("service=reg.test"),
        "{t}"
    );
    assert!(!t.contains("scope="), "a login asks for no repository: {t}");
    let e = c
        .check_login(&reg.addr, &creds("bob", "nope"))
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::LoginRejected { .. }), "{e}");
}

#[tokio::test]
async fn login_check_against_an_open_registry_succeeds() {
    let reg = serve(|_| Resp::new(200)).await;
    client(&reg.addr, AuthStore::default())
        .check_login(&reg.addr, &creds("any", "thing"))
        .await
        .unwrap();
}
