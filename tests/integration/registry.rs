//! Debian's docker-registry (distribution 2.8) as a child of the test process: plain HTTP,
//! storage in a temp dir, optionally with htpasswd basic auth (which it accepts without TLS).

use std::fs;
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

const REGISTRY_BIN: &str = "/usr/bin/docker-registry";
/// Every test process keeps its registries' storage in `<STATE>/<pid>/`.
const STATE: &str = "/tmp/berth-it-registry";

/// User and password of the htpasswd registry.
pub const AUTH_USER: &str = "berth";
pub const AUTH_PASSWORD: &str = "berth-secret";
/// `htpasswd -nbB berth berth-secret`: docker-registry only takes bcrypt hashes. Kept as a
/// constant so the tests need neither apache2-utils nor a bcrypt crate.
const HTPASSWD: &str = "berth:$2y$05$.YL/CalVZiYYvqwtECGCSe/CmkRgYo3X/4rRW6/vJM8CnOmxpODnm\n";

pub struct Registry {
    /// `host:port`, what an image reference starts with.
    pub addr: String,
    /// What the registry wrote: errors, and each request when started with [`start_logged`].
    pub log: PathBuf,
    /// The registry's filesystem storage (`docker/registry/v2/...` below it).
    pub storage: PathBuf,
    /// Basic-auth credentials, when the registry requires them.
    pub credentials: Option<(&'static str, &'static str)>,
}

impl Registry {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The Authorization header value for this registry, if it needs one.
    pub fn authorization(&self) -> Option<String> {
        use base64::Engine;
        self.credentials.map(|(u, p)| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
            )
        })
    }

    /// Where docker-registry keeps the data of blob `digest` ("sha256:...").
    pub fn blob_data_path(&self, digest: &str) -> PathBuf {
        let hex = digest.trim_start_matches("sha256:");
        self.storage.join(format!(
            "docker/registry/v2/blobs/sha256/{}/{hex}/data",
            &hex[..2]
        ))
    }
}

struct Running {
    child: Child,
    dir: PathBuf,
}

/// The registries this process started, for the exit handler.
static RUNNING: Mutex<Vec<Running>> = Mutex::new(Vec::new());

type SpawnRequest = (Command, mpsc::Sender<std::io::Result<Child>>);

/// PR_SET_PDEATHSIG fires when the *thread* that forked the child exits, and libtest runs each
/// test on a thread of its own. So every registry is forked by this one thread, which never ends.
fn spawner() -> &'static Mutex<mpsc::Sender<SpawnRequest>> {
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<SpawnRequest>>> = OnceLock::new();
    SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnRequest>();
        std::thread::Builder::new()
            .name("registry-spawner".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    let _ = reply.send(cmd.spawn());
                }
                // Only reached if every sender is gone, which a static never is; park anyway
                // so that the children keep their parent thread.
                loop {
                    std::thread::park();
                }
            })
            .unwrap();
        // SAFETY: registering a plain extern "C" function.
        unsafe { libc::atexit(stop_all) };
        Mutex::new(tx)
    })
}

/// At exit of the test process: kill the registries and remove their storage.
extern "C" fn stop_all() {
    let Ok(mut running) = RUNNING.lock() else {
        return;
    };
    for r in running.iter_mut() {
        let _ = r.child.kill();
        let _ = r.child.wait();
        let _ = fs::remove_dir_all(&r.dir);
    }
    let _ = fs::remove_dir(Path::new(STATE).join(std::process::id().to_string()));
}

/// Remove what killed test processes (no exit handler ran) left under STATE.
fn sweep_stale_state() {
    let Ok(rd) = fs::read_dir(STATE) else { return };
    for e in rd.flatten() {
        let alive = e
            .file_name()
            .to_str()
            .and_then(|p| p.parse::<u32>().ok())
            .is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
        if !alive {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}

fn free_port(ip: IpAddr) -> u16 {
    TcpListener::bind((ip, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Start a registry on `ip` (a free port), with htpasswd auth when `auth` is set, and wait
/// until it answers `GET /v2/`.
pub fn start(name: &str, ip: IpAddr, auth: bool) -> Registry {
    let auth = if auth { Auth::Htpasswd } else { Auth::None };
    start_with(name, ip, auth, false)
}

/// [`start`] with the HTTP access log on: every request appears in [`Registry::log`].
pub fn start_logged(name: &str, ip: IpAddr) -> Registry {
    start_with(name, ip, Auth::None, true)
}

enum Auth {
    None,
    Htpasswd,
    /// docker-registry's `auth: token:` section, as YAML flow mapping content.
    Token(String),
}

fn start_with(name: &str, ip: IpAddr, auth: Auth, access_log: bool) -> Registry {
    static SWEPT: OnceLock<()> = OnceLock::new();
    SWEPT.get_or_init(sweep_stale_state);
    let dir = Path::new(STATE)
        .join(std::process::id().to_string())
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let port = free_port(ip);
    let addr = match ip {
        IpAddr::V4(_) => format!("{ip}:{port}"),
        IpAddr::V6(_) => format!("[{ip}]:{port}"),
    };
    let mut config = format!(
        "version: 0.1\n\
         log: {{ level: error, accesslog: {{ disabled: {quiet} }} }}\n\
         storage: {{ filesystem: {{ rootdirectory: {storage} }}, delete: {{ enabled: true }} }}\n\
         http: {{ addr: \"{addr}\" }}\n",
        storage = dir.join("data").display(),
        quiet = !access_log,
    );
    let htpasswd = matches!(auth, Auth::Htpasswd);
    match auth {
        Auth::None => {}
        Auth::Htpasswd => {
            fs::write(dir.join("htpasswd"), HTPASSWD).unwrap();
            config.push_str(&format!(
                "auth: {{ htpasswd: {{ realm: berth-it, path: {} }} }}\n",
                dir.join("htpasswd").display()
            ));
        }
        Auth::Token(token) => config.push_str(&format!("auth: {{ token: {{ {token} }} }}\n")),
    }
    fs::write(dir.join("config.yml"), config).unwrap();

    let log = fs::File::create(dir.join("registry.log")).unwrap();
    let mut cmd = Command::new(REGISTRY_BIN);
    cmd.arg("serve")
        .arg(dir.join("config.yml"))
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log);
    let parent = std::process::id() as i32;
    // SAFETY: prctl and getppid are async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            // The parent may have died before the prctl: then nobody would kill us.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
    let (tx, rx) = mpsc::channel();
    spawner().lock().unwrap().send((cmd, tx)).unwrap();
    let child = rx.recv().unwrap().unwrap_or_else(|e| {
        panic!("cannot start {REGISTRY_BIN} (apt-get install docker-registry): {e}")
    });
    let index = {
        let mut running = RUNNING.lock().unwrap();
        running.push(Running {
            child,
            dir: dir.clone(),
        });
        running.len() - 1
    };

    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        // Any HTTP answer (a 401 from the auth registry too) means it is serving.
        match ureq::get(&format!("http://{addr}/v2/"))
            .timeout(Duration::from_secs(2))
            .call()
        {
            Ok(_) | Err(ureq::Error::Status(..)) => break,
            Err(ureq::Error::Transport(_)) => {}
        }
        let exited = RUNNING.lock().unwrap()[index].child.try_wait().unwrap();
        let log = || fs::read_to_string(dir.join("registry.log")).unwrap_or_default();
        if let Some(status) = exited {
            panic!("docker-registry on {addr} exited ({status}):\n{}", log());
        }
        assert!(
            Instant::now() < deadline,
            "docker-registry did not answer on {addr}:\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Registry {
        addr,
        log: dir.join("registry.log"),
        storage: dir.join("data"),
        credentials: htpasswd.then_some((AUTH_USER, AUTH_PASSWORD)),
    }
}

pub fn loopback() -> IpAddr {
    IpAddr::V4(Ipv4Addr::LOCALHOST)
}

/// The first global IPv4 address of this host: a registry there is not on loopback, so berth
/// must refuse plain HTTP to it unless told otherwise.
pub fn non_loopback_ip() -> IpAddr {
    let out = Command::new("ip")
        .args(["-4", "-o", "addr", "show", "scope", "global"])
        .output()
        .expect("`ip` is missing (package iproute2)");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .skip_while(|w| *w != "inet")
        .nth(1)
        .and_then(|cidr| cidr.split('/').next()?.parse().ok())
        .expect(
            "this test needs a non-loopback IPv4 address on the host (none found by `ip -4 addr`)",
        )
}

/// Every manifest type berth pushes, for `Accept`.
const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json";

impl Registry {
    /// GET a manifest: its digest (Docker-Content-Digest), Content-Type and JSON body.
    pub fn manifest(&self, repo: &str, reference: &str) -> (String, String, serde_json::Value) {
        let mut req = ureq::get(&self.url(&format!("/v2/{repo}/manifests/{reference}")))
            .set("Accept", MANIFEST_ACCEPT);
        if let Some(auth) = self.authorization() {
            req = req.set("Authorization", &auth);
        }
        let resp = req
            .call()
            .unwrap_or_else(|e| panic!("GET manifest {repo}:{reference} from {}: {e}", self.addr));
        let digest = resp
            .header("Docker-Content-Digest")
            .unwrap_or("")
            .to_string();
        let media_type = resp.header("Content-Type").unwrap_or("").to_string();
        let body = serde_json::from_reader(resp.into_reader()).unwrap();
        (digest, media_type, body)
    }
}

/// A registry that wants bearer tokens, and the token server it trusts: a thread of this
/// process that signs RS256 JWTs with a key made by the openssl CLI. It grants every requested
/// action to berth/berth-secret and answers 401 to anyone else.
pub struct TokenRegistry {
    pub registry: Registry,
    /// `http://127.0.0.1:PORT/token`
    pub realm: String,
}

const TOKEN_SERVICE: &str = "berth-it-registry";
const TOKEN_ISSUER: &str = "berth-it-token-server";

pub fn start_token_auth(name: &str) -> TokenRegistry {
    let dir = Path::new(STATE)
        .join(std::process::id().to_string())
        .join(format!("{name}-token"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let (key, cert) = (dir.join("key.pem"), dir.join("cert.pem"));
    let status = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=berth-it-token"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .expect("openssl is needed for the token-auth tests");
    assert!(status.success(), "openssl req failed");
    let kid = libtrust_key_id(&cert);
    let listener = TcpListener::bind((loopback(), 0)).unwrap();
    let realm = format!("http://{}/token", listener.local_addr().unwrap());
    std::thread::Builder::new()
        .name("token-server".into())
        .spawn(move || {
            for conn in listener.incoming().flatten() {
                serve_token(conn, &key, &kid);
            }
        })
        .unwrap();
    let auth = format!(
        "realm: \"{realm}\", service: {TOKEN_SERVICE}, issuer: {TOKEN_ISSUER}, rootcertbundle: {}",
        cert.display()
    );
    let registry = start_with(name, loopback(), Auth::Token(auth), false);
    TokenRegistry { registry, realm }
}

/// The key ID docker-registry derives from a trusted certificate (libtrust's format): base32
/// of the first 240 bits of the SHA-256 of the DER public key, in groups of four.
fn libtrust_key_id(cert: &Path) -> String {
    use sha2::Digest;
    let pubkey = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "openssl x509 -in '{}' -pubkey -noout | openssl pkey -pubin -outform DER",
            cert.display()
        ))
        .output()
        .unwrap();
    assert!(pubkey.status.success(), "openssl pkey failed");
    let hash = sha2::Sha256::digest(&pubkey.stdout);
    let encoded = base32(&hash[..30]);
    encoded
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(":")
}

fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0);
    for b in bytes {
        buf = (buf << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buf >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// One HTTP/1.1 request to the token server, answered and closed.
fn serve_token(mut conn: std::net::TcpStream, key: &Path, kid: &str) {
    use std::io::{BufRead, BufReader, Write};
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut authorization = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("authorization") {
                authorization = Some(v.trim().to_string());
            }
        }
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("");
    let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
    let mut scopes = Vec::new();
    for pair in query.split('&') {
        if let Some(("scope", v)) = pair.split_once('=') {
            scopes.push(percent_decode(v));
        }
    }
    let want = {
        use base64::Engine;
        let pair = format!("{AUTH_USER}:{AUTH_PASSWORD}");
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    };
    let (status, body) = if authorization.as_deref() == Some(want.as_str()) {
        (
            "200 OK",
            format!(
                "{{\"token\":\"{}\",\"expires_in\":300}}",
                sign(key, kid, &scopes)
            ),
        )
    } else {
        (
            "401 Unauthorized",
            "{\"details\":\"bad credentials\"}".to_string(),
        )
    };
    let _ = write!(
        conn,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A JWT granting every action of every `repository:NAME:ACTIONS` scope.
fn sign(key: &Path, kid: &str, scopes: &[String]) -> String {
    use std::io::Write;
    let access: Vec<serde_json::Value> = scopes
        .iter()
        .flat_map(|s| s.split(' '))
        .filter_map(|s| {
            let mut parts = s.splitn(3, ':');
            let (kind, name, actions) = (parts.next()?, parts.next()?, parts.next()?);
            Some(serde_json::json!({
                "type": kind, "name": name, "actions": actions.split(',').collect::<Vec<_>>()
            }))
        })
        .collect();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": kid});
    let claims = serde_json::json!({
        "iss": TOKEN_ISSUER, "sub": AUTH_USER, "aud": TOKEN_SERVICE,
        "exp": now + 300, "nbf": now - 10, "iat": now - 10,
        "jti": format!("{:016x}", rand::random::<u64>()), "access": access,
    });
    let signing_input = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let mut child = Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(signing_input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "openssl dgst -sign failed");
    format!("{signing_input}.{}", b64url(&out.stdout))
}
