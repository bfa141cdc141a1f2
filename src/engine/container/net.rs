//! The container's network backend around its start: pasta or slirp4netns is started against
//! the new namespaces right after the id maps (it sets up while the container mounts its
//! rootfs) and waited for before the user's code runs; it is stopped when the container exits.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::network::{pasta, slirp, NetworkMode};
use crate::runtime::process::SpawnHooks;
use crate::store::containers::PortMapping;

enum Pending {
    Pasta(pasta::Starting),
    Slirp(slirp::Starting),
}

/// A running network backend.
pub enum Backend {
    /// pasta's background process (not our child: it daemonized).
    Pasta(i32),
    Slirp(slirp::Running),
}

impl Backend {
    /// The backend's pid, recorded in the container's state.
    pub fn pid(&self) -> i32 {
        match self {
            Backend::Pasta(pid) => *pid,
            Backend::Slirp(r) => r.child.id() as i32,
        }
    }

    /// Stop the backend and wait until it is gone.
    pub fn stop(self) {
        match self {
            Backend::Pasta(pid) => stop_backend(pid, 0),
            Backend::Slirp(mut r) => r.stop(),
        }
    }
}

/// Whether `pid` is still a network backend berth started: pasta (which re-executes itself as
/// passt or passt.avx2, so its command name starts with "pas") or slirp4netns, started at
/// `start` (clock ticks since boot; 0 when not recorded).
fn is_backend(pid: i32, start: u64) -> bool {
    if pid <= 0 {
        return false;
    }
    // "PID (COMM) STATE ...": an exited backend that is not reaped yet (a zombie) is gone.
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let named = stat.split_once(" (").is_some_and(|(_, rest)| {
        rest.rsplit_once(") ").is_some_and(|(comm, tail)| {
            (comm.starts_with("pas") || comm == "slirp4netns") && !tail.starts_with('Z')
        })
    });
    named && (start == 0 || super::process_start_time(pid) == Some(start))
}

/// Stop a backend recorded in a container's state, if it is still that process (the pid may
/// have been reused since), and wait until it is gone. pasta is never our child, and after a
/// killed monitor neither is slirp4netns: nobody else would stop them.
pub fn stop_backend(pid: i32, start: u64) {
    if !is_backend(pid, start) {
        return;
    }
    // SAFETY: signalling the backend this container started (checked just above).
    unsafe { libc::kill(pid, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(2);
    while is_backend(pid, start) {
        if Instant::now() > deadline {
            // SAFETY: as above.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// The monitor's hooks for a container with a network backend.
pub struct NetHooks {
    mode: NetworkMode,
    ports: Vec<PortMapping>,
    dir: PathBuf,
    pending: Option<Pending>,
    /// The backend once the container is set up.
    pub running: Option<Backend>,
}

impl NetHooks {
    pub fn new(mode: NetworkMode, ports: Vec<PortMapping>, dir: PathBuf) -> NetHooks {
        NetHooks {
            mode,
            ports,
            dir,
            pending: None,
            running: None,
        }
    }
}

impl SpawnHooks for NetHooks {
    fn after_maps(&mut self, pid: i32) -> Result<(), String> {
        self.pending = match &self.mode {
            NetworkMode::Pasta(opts) => Some(Pending::Pasta(
                pasta::start(pid, &self.ports, opts, &self.dir).map_err(|e| e.to_string())?,
            )),
            NetworkMode::Slirp4netns(opts) => Some(Pending::Slirp(
                slirp::start(pid, opts, &self.dir).map_err(|e| e.to_string())?,
            )),
            _ => None,
        };
        Ok(())
    }

    fn before_go(&mut self, _pid: i32) -> Result<(), String> {
        self.running = match self.pending.take() {
            None => None,
            Some(Pending::Pasta(p)) => Some(Backend::Pasta(p.wait().map_err(|e| e.to_string())?)),
            Some(Pending::Slirp(s)) => Some(Backend::Slirp(
                s.wait(&self.ports).map_err(|e| e.to_string())?,
            )),
        };
        Ok(())
    }
}

impl Drop for NetHooks {
    /// A start that failed between the hooks leaves no backend behind.
    fn drop(&mut self) {
        match self.pending.take() {
            Some(Pending::Pasta(p)) => p.abandon(),
            Some(Pending::Slirp(s)) => s.abandon(),
            None => {}
        }
        if let Some(b) = self.running.take() {
            b.stop();
        }
    }
}
