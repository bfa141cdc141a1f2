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
    start_with(name, ip, auth, false)
}

/// [`start`] with the HTTP access log on: every request appears in [`Registry::log`].
pub fn start_logged(name: &str, ip: IpAddr) -> Registry {
    start_with(name, ip, false, true)
}

fn start_with(name: &str, ip: IpAddr, auth: bool, access_log: bool) -> Registry {
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
    if auth {
        fs::write(dir.join("htpasswd"), HTPASSWD).unwrap();
        config.push_str(&format!(
            "auth: {{ htpasswd: {{ realm: berth-it, path: {} }} }}\n",
            dir.join("htpasswd").display()
        ));
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
        credentials: auth.then_some((AUTH_USER, AUTH_PASSWORD)),
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
