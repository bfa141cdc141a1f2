//! Debian's docker-registry on a free loopback port, for the whole test process.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub struct Registry {
    pub addr: String,
    pub storage: PathBuf,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Start a registry that dies with this process. It is spawned from a thread that never ends,
/// because PR_SET_PDEATHSIG fires when the spawning *thread* exits, and test threads do.
pub fn start() -> Registry {
    let dir = PathBuf::from(format!("/tmp/berth-it-registry-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let config = dir.join("config.yml");
    std::fs::write(
        &config,
        format!(
            "version: 0.1\nlog: {{ level: error }}\nstorage: {{ filesystem: {{ rootdirectory: {}/data }}, delete: {{ enabled: true }} }}\nhttp: {{ addr: 127.0.0.1:{port} }}\n",
            dir.display()
        ),
    )
    .unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut cmd = Command::new("docker-registry");
        cmd.arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: prctl is async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = cmd.spawn().map_err(|e| e.to_string());
        tx.send(child.as_ref().map(|_| ()).map_err(|e| e.clone()))
            .unwrap();
        loop {
            std::thread::park();
        }
    });
    rx.recv().unwrap().unwrap_or_else(|e| {
        panic!("cannot start docker-registry (apt-get install docker-registry): {e}")
    });
    let addr = format!("127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while ureq::get(&format!("http://{addr}/v2/")).call().is_err() {
        assert!(
            Instant::now() < deadline,
            "docker-registry did not answer on {addr}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Remove the storage at exit of the process is not possible from a static; a new run of the
    // same pid is unlikely, and the directory is cleared at start above.
    Registry {
        addr,
        storage: dir.join("data"),
    }
}
