//! Starting a container: the CLI double-forks a monitor, the monitor creates the container and
//! reports back over a pipe; an attached CLI relays signals and terminal resizes until the
//! monitor reports the exit.
//!
//! ```text
//! berth run ──fork, setsid──▶ monitor ──clone──▶ container
//!    ▲                            │
//!    └── S<pid> / F<code> / X<code> / D ┘   (the status pipe)
//! ```

use std::io::{self, BufRead, BufReader, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

use chrono::Utc;

use super::super::{Engine, EngineError, Result};
use super::{process_start_time, spec, Container};
use crate::monitor::log::{LogWriter, Stream};
use crate::monitor::supervise::{self, Attached, Io};
use crate::monitor::{self, DetachMatcher, Report, Source};
use crate::runtime::external;
use crate::runtime::process::{self, ContainerSpec, ProcessSpec};
use crate::runtime::seal::dev_null_onto;
use crate::runtime::{caps, seccomp};
use crate::store::containers::Status;
use crate::store::ImageRecord;

/// The monitor's healthcheck schedule: each check runs in a forked child (it execs into the
/// container and may take up to its timeout) which records the result and carries out
/// `--health-on-failure`.
struct HealthRunner<'e> {
    engine: &'e Engine,
    id: String,
    next: Instant,
    interval: Duration,
    child: Option<i32>,
}

impl supervise::Periodic for HealthRunner<'_> {
    fn next_due(&self) -> Option<Instant> {
        self.child.is_none().then_some(self.next)
    }

    fn start(&mut self) -> Option<OwnedFd> {
        // SAFETY: the monitor is single-threaded; the child leaves through _exit.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            self.next = Instant::now() + self.interval;
            return None;
        }
        if pid == 0 {
            if let Ok(c) = self.engine.find_container(&self.id) {
                self.engine.health_check_and_act(&c);
            }
            // SAFETY: leave without the monitor's destructors.
            unsafe { libc::_exit(0) }
        }
        self.child = Some(pid);
        monitor::pidfd_open(pid).ok()
    }

    fn finished(&mut self) {
        if let Some(pid) = self.child.take() {
            let mut st = 0;
            // SAFETY: reaping the check's process.
            unsafe { libc::waitpid(pid, &mut st, 0) };
        }
        self.next = Instant::now() + self.interval;
    }
}

impl Engine {
    /// One healthcheck from the monitor, and `--health-on-failure` when it made the container
    /// unhealthy.
    fn health_check_and_act(&self, c: &Container) {
        if self.run_healthcheck(c).is_err() {
            return;
        }
        let Ok(now) = self.find_container(&c.record.id) else {
            return;
        };
        if let Some(h) = &now.state.health {
            self.emit_container(
                &c.record,
                &format!("health_status: {}", h.status),
                &[("health_status", h.status.as_str())],
            );
        }
        let unhealthy = now
            .state
            .health
            .as_ref()
            .is_some_and(|h| h.status == "unhealthy");
        let action = c
            .record
            .config
            .healthcheck
            .as_ref()
            .map_or("none", |h| h.on_failure.as_str());
        if !unhealthy {
            return;
        }
        match action {
            "kill" => {
                let _ = self.kill_container(&now, "KILL");
            }
            "stop" => {
                let _ = self.stop_container(&now, None);
            }
            "restart" => {
                let _ = self
                    .store
                    .update_container_state(&c.record.id, |s| s.restart_requested = true);
                // SAFETY: signalling the container's init.
                unsafe { libc::kill(now.state.pid, libc::SIGKILL) };
            }
            _ => {}
        }
    }
}

const RESTART_FIRST_DELAY: Duration = Duration::from_millis(100);
const RESTART_MAX_DELAY: Duration = Duration::from_secs(60);
/// A run at least this long resets the back-off, as docker does.
const RESTART_RESET_AFTER: Duration = Duration::from_secs(10);

/// Whether a container whose process exited with `code` is started again: by its restart
/// policy (`policy`, with `max` tries for on-failure, 0 = unlimited, `restarts` made so far),
/// unless the user stopped it; a `restart` the user asked for always is.
fn restart_wanted(
    policy: &str,
    max: u32,
    restarts: u32,
    code: i32,
    stopped_by_user: bool,
    restart_requested: bool,
) -> bool {
    if restart_requested {
        return !stopped_by_user;
    }
    if stopped_by_user {
        return false;
    }
    match policy {
        "always" | "unless-stopped" => true,
        "on-failure" => code != 0 && (max == 0 || restarts < max),
        _ => false,
    }
}

/// docker's back-off before the next restart: the delay used last time doubled, up to a
/// minute, and back to 100 ms after a run of 10 s or more. `None`: the first restart.
fn restart_delay(previous: Option<Duration>, ran_for: Duration) -> Duration {
    match previous {
        Some(d) if ran_for < RESTART_RESET_AFTER => (d * 2).min(RESTART_MAX_DELAY),
        _ => RESTART_FIRST_DELAY,
    }
}

/// How the starting command stays connected to the container.
#[derive(Debug, Clone)]
pub enum Attach {
    Detached,
    Foreground {
        /// Forward our stdin (`-i`).
        stdin: bool,
        /// Forward signals we receive to the container (`--sig-proxy`, docker's default).
        sig_proxy: bool,
        detach_keys: Vec<u8>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartOutcome {
    Running { pid: i32 },
    Exited(i32),
    Detached,
}

/// The terminal in raw mode while attached to a `-t` container; restored on drop.
pub(crate) struct RawMode {
    saved: libc::termios,
}

impl RawMode {
    pub(crate) fn enable() -> Option<RawMode> {
        // SAFETY: tcgetattr/tcsetattr on stdin with valid termios structs.
        unsafe {
            if libc::isatty(0) != 1 {
                return None;
            }
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut t) != 0 {
                return None;
            }
            let saved = t;
            libc::cfmakeraw(&mut t);
            libc::tcsetattr(0, libc::TCSANOW, &t);
            Some(RawMode { saved })
        }
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        // SAFETY: restoring the attributes we read.
        unsafe { libc::tcsetattr(0, libc::TCSANOW, &self.saved) };
    }
}

pub(crate) const PROXIED_SIGNALS: &[i32] = &[
    libc::SIGINT,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGWINCH,
];

/// Signals delivered through a descriptor while attached; the old mask is restored on drop.
pub(crate) struct SignalFd {
    pub(crate) fd: OwnedFd,
    old: libc::sigset_t,
}

impl SignalFd {
    pub(crate) fn new() -> io::Result<SignalFd> {
        // SAFETY: building a signal set, blocking it, and opening a signalfd for it.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            for s in PROXIED_SIGNALS {
                libc::sigaddset(&mut set, *s);
            }
            let mut old: libc::sigset_t = std::mem::zeroed();
            libc::sigprocmask(libc::SIG_BLOCK, &set, &mut old);
            let fd = libc::signalfd(-1, &set, libc::SFD_CLOEXEC);
            if fd < 0 {
                libc::sigprocmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
                return Err(io::Error::last_os_error());
            }
            Ok(SignalFd {
                fd: OwnedFd::from_raw_fd(fd),
                old,
            })
        }
    }

    pub(crate) fn read(&self) -> Option<i32> {
        // SAFETY: reading one signalfd_siginfo.
        unsafe {
            let mut info: libc::signalfd_siginfo = std::mem::zeroed();
            let n = libc::read(
                self.fd.as_raw_fd(),
                &mut info as *mut _ as *mut libc::c_void,
                std::mem::size_of::<libc::signalfd_siginfo>(),
            );
            (n == std::mem::size_of::<libc::signalfd_siginfo>() as isize)
                .then_some(info.ssi_signo as i32)
        }
    }
}

impl Drop for SignalFd {
    fn drop(&mut self) {
        // SAFETY: restoring the previous mask.
        unsafe { libc::sigprocmask(libc::SIG_SETMASK, &self.old, std::ptr::null_mut()) };
    }
}

impl Engine {
    fn image_of(&self, c: &Container) -> Result<ImageRecord> {
        self.store
            .images()
            .list()?
            .into_iter()
            .find(|i| i.id == c.record.image_id)
            .ok_or_else(|| {
                EngineError::Invalid(format!(
                    "the image of container {} ({}) is no longer in the store: pull it again",
                    c.record.name, c.record.image_name
                ))
            })
    }

    /// Start `c` under a new monitor. Must be called while berth is single-threaded.
    pub fn start_container(&self, c: &Container, attach: Attach) -> Result<StartOutcome> {
        // Until the monitor reports the container running (or failed to start), no other
        // command may start or remove it: look at it again under the lock.
        let lifecycle = self.store.lifecycle_lock(&c.record.id)?;
        let c = &self.find_container(&c.record.id)?;
        if c.is_running() {
            return Ok(StartOutcome::Running { pid: c.state.pid });
        }
        c.check_usable()?;
        let image = self.image_of(c)?;
        // A create killed before it finished: finish it now.
        self.complete_userdata(c, &image)?;
        // Published ports must still be free: the backend would fail on them after the
        // container is half-made.
        if !c.record.config.ports.is_empty() {
            let mut ports = c.record.config.ports.clone();
            crate::network::ports::assign_and_check(&mut ports, self.ident.rootless)
                .map_err(|e| EngineError::Invalid(e.to_string()))?;
        }
        // The user starts it: an earlier stop no longer holds back the restart policy.
        self.store
            .update_container_state(&c.record.id, |s| s.stopped_by_user = false)?;
        let io_err = |what: &str| {
            let what = what.to_string();
            move |e: io::Error| EngineError::Io {
                context: what,
                source: e,
            }
        };
        crate::timing::mark("start: checked");
        let (status_r, status_w) = monitor::pipe().map_err(io_err("creating a pipe"))?;
        let (alive_r, alive_w) = monitor::pipe().map_err(io_err("creating a pipe"))?;
        let alive_w = std::fs::File::from(alive_w);
        let _ = io::stdout().flush();
        let _ = io::stderr().flush();

        // SAFETY: berth is single-threaded here (the caller's contract), so the child may
        // allocate; it leaves only through _exit. One fork, not the classic two: the monitor
        // is in a session of its own, and when this command exits it is re-parented; a
        // command that outlives it (start -a) reaps it below.
        let monitor_pid = unsafe { libc::fork() };
        if monitor_pid < 0 {
            return Err(io_err("forking the monitor")(io::Error::last_os_error()));
        }
        if monitor_pid == 0 {
            // The lock stays with this command; nothing the monitor forks may inherit it.
            drop(lifecycle);
            // SAFETY: a new session, so the terminal's signals never reach the monitor.
            unsafe { libc::setsid() };
            drop(status_r);
            drop(alive_w);
            let attached = match &attach {
                Attach::Detached => None,
                Attach::Foreground {
                    stdin, detach_keys, ..
                } => Some((*stdin, detach_keys.clone(), alive_r)),
            };
            self.monitor_main(c, &image, attached, status_w);
        }
        drop(status_w);
        drop(alive_r);
        let mut reports = BufReader::new(std::fs::File::from(status_r));
        let first = read_report(&mut reports);
        // The monitor has recorded the outcome (running, or gone): the transition is over.
        drop(lifecycle);
        let pid = match first? {
            Report::Started(pid) => pid,
            Report::Failed(code, message) => return Err(EngineError::Start { code, message }),
            Report::Exited(code) => return Ok(StartOutcome::Exited(code)),
            Report::Detached => return Ok(StartOutcome::Detached),
        };
        let Attach::Foreground { sig_proxy, .. } = attach else {
            drop(alive_w);
            return Ok(StartOutcome::Running { pid });
        };
        let _raw = if c.record.config.tty {
            RawMode::enable()
        } else {
            None
        };
        let signals = SignalFd::new().map_err(io_err("watching signals"))?;
        let status_fd = reports.get_ref().as_raw_fd();
        loop {
            let mut fds = [
                libc::pollfd {
                    fd: status_fd,
                    events: libc::POLLIN,
                    revents: 0,
                },
                libc::pollfd {
                    fd: signals.fd.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            // SAFETY: polling two valid descriptors.
            let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
            if n < 0 {
                continue;
            }
            if fds[1].revents != 0 {
                if let Some(sig) = signals.read() {
                    if sig == libc::SIGWINCH {
                        // The monitor reads the new size from the terminal it shares with us.
                        let _ = (&alive_w).write_all(b"W");
                    } else if sig_proxy {
                        // SAFETY: signalling the container's init.
                        unsafe { libc::kill(pid, sig) };
                    }
                }
            }
            if fds[0].revents != 0 {
                let report = read_report(&mut reports)?;
                drop(alive_w);

                return Ok(match report {
                    Report::Exited(code) => StartOutcome::Exited(code),
                    Report::Detached => StartOutcome::Detached,
                    Report::Failed(code, message) => {
                        return Err(EngineError::Start { code, message })
                    }
                    Report::Started(pid) => StartOutcome::Running { pid },
                });
            }
        }
    }

    /// The monitor process. Never returns.
    fn monitor_main(
        &self,
        c: &Container,
        image: &ImageRecord,
        attached: Option<(bool, Vec<u8>, OwnedFd)>,
        status: OwnedFd,
    ) -> ! {
        // SAFETY: plain signal disposition changes in our own process.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_IGN);
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigprocmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
        }
        if attached.is_none() {
            dev_null_onto(&[0, 1, 2]);
        }
        let mut status = Some(std::fs::File::from(status));
        let id = c.record.id.clone();
        let mut attached = attached;
        let mut backoff: Option<Duration> = None;
        // References to the namespaces of the last run: see monitor_run.
        let mut ns_refs: Vec<OwnedFd> = Vec::new();
        // A cgroup an earlier monitor of this container left (v2: removed by `rm` or here).
        if let Ok(Some(old)) = self.store.update_container_state(&id, |s| s.cgroups.take()) {
            let _ = old.remove();
        }
        // The cgroup this monitor is in with the container (systemd, v2), reused on restart.
        let mut cgroup: Option<crate::cgroups::Cgroup> = None;
        let (code, failure) = loop {
            let began = Instant::now();
            ns_refs.clear();
            let (code, failure) = match self.monitor_run(
                c,
                image,
                attached.take(),
                status.as_mut(),
                &mut ns_refs,
                &mut cgroup,
            ) {
                Ok(code) => (code, None),
                Err((code, message)) => (code, Some(message)),
            };
            // A run that ended normally has recorded its exit already (monitor_run, with the
            // reserve on a full disk); one that failed to start records it here, with why.
            if let Some(m) = &failure {
                self.store.allow_reserve();
                let recorded = self.store.update_container_state(&id, |s| {
                    s.status = Status::Exited;
                    s.exit_code = code;
                    s.pid = 0;
                    s.finished_at = Some(Utc::now());
                    s.error = m.clone();
                });
                if matches!(recorded, Err(crate::store::StoreError::NoSpace { .. })) {
                    self.note_exit(&id, code);
                }
            }
            if !self.should_restart(c, code) {
                break (code, failure);
            }
            // The attached CLI gets the first exit, as docker's client does; the monitor
            // carries on alone.
            if let Some(mut st) = status.take() {
                dev_null_onto(&[0, 1, 2]);
                let report = match failure {
                    Some(m) => Report::Failed(code, m),
                    None => Report::Exited(code),
                };
                let _ = st.write_all(report.encode().as_bytes());
            }
            let delay = restart_delay(backoff, began.elapsed());
            backoff = Some(delay);
            let _ = self.store.update_container_state(&id, |s| {
                s.status = Status::Restarting;
                s.restart_count += 1;
            });
            self.emit_container(&c.record, "restart", &[]);
            if !self.wait_unless_stopped(&id, delay) {
                let _ = self.store.update_container_state(&id, |s| {
                    s.status = Status::Exited;
                });
                break (code, None);
            }
        };
        dev_null_onto(&[0, 1, 2]);
        let net_leftover = crate::network::bridge::container_stopped(self, c);
        // The exit is recorded and the network released: the CLI gets the exit now, and the
        // removal of a `--rm` container is off its path. Commands that meet the container
        // between here and its removal wait for the removal (`being_removed`), so once
        // `run --rm` has returned the container is gone for every command.
        if let Some(mut st) = status {
            let report = match failure {
                Some(m) => Report::Failed(code, m),
                None => Report::Exited(code),
            };
            let _ = st.write_all(report.encode().as_bytes());
        }
        let trash = self.auto_remove(c);
        crate::timing::mark("monitor: removed");
        // Only now the container's namespaces go (unmounting its rootfs is the kernel's work
        // when the last reference closes), and the directory left to delete is the monitor's
        // last job.
        ns_refs.clear();
        if let Some(l) = net_leftover {
            l.finish();
        }
        if let Some(t) = trash {
            let _ = self.delete_trash(&t);
        }
        // SAFETY: leave without destructors.
        unsafe { libc::_exit(0) }
    }

    /// Whether the restart policy brings the container back after it exited with `code`.
    /// `stop`/`kill` by the user never count as a failure.
    fn should_restart(&self, c: &Container, code: i32) -> bool {
        let cfg = &c.record.config;
        let Ok(state) = self.store.container_state(&c.record.id) else {
            return false;
        };
        if state.restart_requested {
            let _ = self
                .store
                .update_container_state(&c.record.id, |s| s.restart_requested = false);
        }
        restart_wanted(
            &cfg.restart_policy,
            cfg.restart_max,
            state.restart_count,
            code,
            state.stopped_by_user,
            state.restart_requested,
        )
    }

    /// Sleep `delay`, unless the user stops the container meanwhile (false then).
    fn wait_unless_stopped(&self, id: &str, delay: Duration) -> bool {
        let end = Instant::now() + delay;
        loop {
            if self
                .store
                .container_state(id)
                .map(|s| s.stopped_by_user)
                .unwrap_or(true)
            {
                return false;
            }
            let now = Instant::now();
            if now >= end {
                return true;
            }
            std::thread::sleep((end - now).min(Duration::from_millis(50)));
        }
    }

    /// `--rm`: the container disappears (record and directory) before the exit is reported;
    /// what is left to delete is returned, to be deleted once the CLI has its answer.
    fn auto_remove(&self, c: &Container) -> Option<std::path::PathBuf> {
        if !c.record.config.auto_remove {
            return None;
        }
        let now = self.find_container(&c.record.id).ok()?;
        let trash = self.unlink_container(&now).ok().flatten();
        self.store.forget_container_locks(&c.record.id);
        self.forget_exit(&c.record.id);
        // docker's --rm also removes the container's anonymous volumes.
        let _ = self.remove_anonymous_volumes(&now.record.config.mounts);
        trash
    }

    /// Create the container and supervise it; the exit code, or why it could not start.
    fn monitor_run(
        &self,
        c: &Container,
        image: &ImageRecord,
        attached: Option<(bool, Vec<u8>, OwnedFd)>,
        mut status: Option<&mut std::fs::File>,
        ns_refs: &mut Vec<OwnedFd>,
        cgroup: &mut Option<crate::cgroups::Cgroup>,
    ) -> std::result::Result<i32, (i32, String)> {
        crate::timing::mark("monitor: begin");
        let setup = |e: io::Error| (125, e.to_string());
        let cfg = &c.record.config;
        let null = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/null")
            .map_err(setup)?;
        // The container's ends (closed here once it runs) and ours.
        let mut child_ends: Vec<OwnedFd> = Vec::new();
        let (stdio, mut sources, mut container_stdin) = if cfg.tty {
            // The terminal is created inside the container; it arrives with `spawned`.
            ([null.as_raw_fd(); 3], Vec::new(), None)
        } else {
            let (out_r, out_w) = monitor::pipe().map_err(setup)?;
            let (err_r, err_w) = monitor::pipe().map_err(setup)?;
            let (stdin_fd, stdin_keep) = if cfg.open_stdin {
                let (in_r, in_w) = monitor::pipe().map_err(setup)?;
                let fd = in_r.as_raw_fd();
                child_ends.push(in_r);
                (fd, Some(in_w))
            } else {
                (null.as_raw_fd(), None)
            };
            let fds = [stdin_fd, out_w.as_raw_fd(), err_w.as_raw_fd()];
            child_ends.push(out_w);
            child_ends.push(err_w);
            let sources = vec![
                Source {
                    fd: out_r,
                    stream: Stream::Stdout,
                    open: true,
                },
                Source {
                    fd: err_r,
                    stream: Stream::Stderr,
                    open: true,
                },
            ];
            (fds, sources, stdin_keep)
        };
        // User networks: the holder (rootless) and the wiring done at the handshake.
        let mut net_plan =
            crate::network::bridge::prepare(self, c).map_err(|message| (125, message))?;
        // Published ports on bridge networks: their host side is bound now, before the
        // container exists, so a port taken meanwhile fails the start with the clear error.
        let listeners = match &net_plan {
            Some(_) if !cfg.ports.is_empty() => {
                Some(crate::network::forward::bind(&cfg.ports).map_err(|e| (125, e.to_string()))?)
            }
            _ => None,
        };
        let mode = crate::network::NetworkMode::parse(&cfg.network)
            .unwrap_or(crate::network::NetworkMode::None);
        let (join_netns, mut join_userns) = self
            .network_to_join(&mode)
            .map_err(|e| (125, e.to_string()))?;
        // Rootless, a container gets berth's mapping unless it joins a namespace or has
        // `--userns=host`. On a bridge network the monitor is in the network holder's user
        // namespace already, and the container is made in it. Otherwise, with berth's own
        // runtime, it is cloned inside the per-user namespace holder's, with no id-mapping
        // helper to run; an external runtime gets a namespace of its own.
        let mapped_here =
            self.ident.rootless && !cfg.userns_host && join_userns.is_none() && net_plan.is_none();
        if mapped_here && cfg.runtime.is_none() {
            join_userns = crate::runtime::holder::userns(&self.paths.run_root, &self.ident);
        }
        let mut net_hooks = super::net::NetHooks::new(
            mode,
            cfg.ports.clone(),
            self.store.container_dir(&c.record.id),
        );
        let spec = ContainerSpec {
            rootfs: spec::rootfs_spec(self, &c.record, image),
            process: ProcessSpec {
                args: cfg.args.clone(),
                env: cfg.env.clone(),
                cwd: cfg.working_dir.clone(),
                user: cfg.user.clone(),
                tty: cfg.tty,
                stdio,
                init: cfg.init,
            },
            hostname: cfg.hostname.clone(),
            domainname: cfg.domainname.clone(),
            userns: (mapped_here && join_userns.is_none()).then(|| self.ident.clone()),
            new_netns: cfg.network != "host",
            join_netns,
            join_userns,
            new_cgroupns: cfg.cgroupns != "host",
            // A container in a cgroup of its own sees it at /sys/fs/cgroup (`cat
            // /sys/fs/cgroup/memory.max`), as in docker.
            cgroup_mounts: if cfg.cgroupns != "host"
                && matches!(
                    cfg.cgroup_manager,
                    crate::cgroups::Kind::V1
                        | crate::cgroups::Kind::V2
                        | crate::cgroups::Kind::Systemd
                ) {
                process::cgroup_mounts_of(
                    &std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default(),
                    crate::cgroups::v1::CONTROLLERS_MOUNTED,
                )
            } else {
                Vec::new()
            },
            security: self
                .container_security(cfg)
                .map_err(|e| (125, e.to_string()))?,
        };
        crate::timing::mark("monitor: spawn");
        let mut cgroup_hooks = super::limits::CgroupHooks::new(&c.record, cgroup.take());
        let spawned = match &cfg.runtime {
            None => {
                let net: &mut dyn process::SpawnHooks = match net_plan.as_mut() {
                    Some(plan) => plan,
                    None => &mut net_hooks,
                };
                process::spawn(&spec, &mut process::Hooks(vec![net, &mut cgroup_hooks]))
            }
            Some(runtime) => crate::hostpaths::program(runtime)
                .map_err(|e| process::SpawnError::Setup(e.to_string()))
                .and_then(|program| {
                    let dir = self.store.container_dir(&c.record.id);
                    external::spawn(&external::ExternalSpec {
                        runtime: program,
                        state_root: self.paths.run_root.join("oci-runtime"),
                        bundle: dir.join("userdata"),
                        id: c.record.id.clone(),
                        rootfs: spec.rootfs.clone(),
                        userns: spec.userns.clone(),
                        stdio,
                        user: cfg.user.clone(),
                        config: spec::external_config(self, &c.record, image),
                    })
                    // The external runtime has started the process already: its cgroup follows.
                    .and_then(|sp| match cgroup_hooks.place(sp.pid) {
                        Ok(()) => Ok(sp),
                        Err(m) => {
                            // SAFETY: killing the process we just started.
                            unsafe { libc::kill(sp.pid, libc::SIGKILL) };
                            Err(process::SpawnError::Setup(m))
                        }
                    })
                }),
        };
        let spawned = match spawned {
            Ok(s) => s,
            Err(e) => {
                // A cgroup the monitor is in stays recorded, for `rm` (and a restart).
                *cgroup = cgroup_hooks.undo();
                if let Some(cg) = cgroup.clone() {
                    let _ = self
                        .store
                        .update_container_state(&c.record.id, |s| s.cgroups = Some(cg));
                }
                return Err((e.exit_code(), e.to_string()));
            }
        };
        drop(child_ends);
        // The forwarder of the published ports, towards the container's address; it goes
        // with the container (dropped when this run ends).
        let forwarder = match (
            listeners,
            net_plan.as_ref().and_then(|p| p.forward_target()),
        ) {
            (Some(l), Some((ip, ns))) => Some(
                crate::network::forward::Forwarder::spawn(l, ip, ns.as_deref()).map_err(|e| {
                    // SAFETY: killing the process we just started.
                    unsafe { libc::kill(spawned.pid, libc::SIGKILL) };
                    (
                        125,
                        format!("starting the forwarder of the published ports: {e}"),
                    )
                })?,
            ),
            _ => None,
        };
        // Only berth's own runtime fills volumes from the image.
        if cfg.runtime.is_none() {
            self.mark_volumes_copied_up(&spec.rootfs.user_binds, &cfg.mounts);
        }
        // Hold the container's mount and network namespaces: when its last process exits the
        // kernel then has nothing to tear down before telling us (unmounting the rootfs and
        // dismantling the network namespace happen when the monitor exits, after the exit has
        // been reported).
        for ns in ["mnt", "net", "ipc", "uts"] {
            if let Ok(f) = std::fs::File::open(format!("/proc/{}/ns/{ns}", spawned.pid)) {
                ns_refs.push(f.into());
            }
        }
        let mut console_fd = None;
        if let Some(master) = spawned.console {
            monitor::set_window_size(master.as_raw_fd(), attached.is_some());
            console_fd = Some(master.as_raw_fd());
            container_stdin = Some(master.try_clone().map_err(setup)?);
            sources.push(Source {
                fd: master,
                stream: Stream::Stdout,
                open: true,
            });
        }
        drop(null);
        let pid = spawned.pid;
        // SAFETY: getpid has no preconditions.
        let me = unsafe { libc::getpid() };
        let stopped_meanwhile = self
            .store
            .update_container_state(&c.record.id, |s| {
                s.status = Status::Running;
                s.pid = pid;
                s.pid_start = process_start_time(pid).unwrap_or(0);
                s.monitor_pid = me;
                s.monitor_start = process_start_time(me).unwrap_or(0);
                s.started_at = Some(Utc::now());
                s.finished_at = None;
                s.exit_code = 0;
                s.error.clear();
                s.restart_requested = false;
                s.network_pid = net_hooks.running.as_ref().map_or(0, |b| b.pid());
                s.oom_killed = false;
                s.cgroups = cgroup_hooks.created.take();
                s.network_start = process_start_time(s.network_pid).unwrap_or(0);
                s.health =
                    cfg.healthcheck
                        .as_ref()
                        .map(|_| crate::store::containers::HealthState {
                            status: "starting".into(),
                            ..Default::default()
                        });
                s.stopped_by_user
            })
            .map_err(|e| {
                // The record is gone (removed by force while the start command was killed):
                // nothing berth started may outlive it.
                // SAFETY: killing the process we just started.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                (125, e.to_string())
            })?;
        // A stop that came while a restart was starting this process: honour it.
        if stopped_meanwhile && status.is_none() {
            // SAFETY: killing the process we just started.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        self.forget_exit(&c.record.id);
        crate::timing::mark("monitor: running");
        self.emit_container(&c.record, "start", &[]);
        if let Some(st) = status.as_mut() {
            let _ = st.write_all(Report::Started(pid).encode().as_bytes());
        }

        let log_path = self.store.container_dir(&c.record.id).join("ctr.log");
        let mut log = LogWriter::open(&log_path).ok();
        let attached = attached.map(|(stdin, keys, alive)| Attached {
            stdin: stdin.then_some(0),
            stdout: 1,
            stderr: 2,
            alive,
            detach: DetachMatcher::new(keys),
        });
        let io = Io {
            sources,
            container_stdin,
            tty: cfg.tty,
            console: console_fd,
            listener: monitor::attach::listen(&self.store.container_dir(&c.record.id)).ok(),
        };
        let mut health = cfg.healthcheck.clone().map(|hc| HealthRunner {
            engine: self,
            id: c.record.id.clone(),
            next: Instant::now() + Duration::from_millis(hc.interval_ms),
            interval: Duration::from_millis(hc.interval_ms),
            child: None,
        });
        let periodic = health.as_mut().map(|h| h as &mut dyn supervise::Periodic);
        let outcome = supervise::supervise(pid, io, attached, &mut log, periodic, |by_keys| {
            dev_null_onto(&[0, 1, 2]);
            if by_keys {
                if let Some(st) = status.as_mut() {
                    let _ = st.write_all(Report::Detached.encode().as_bytes());
                }
            }
        });
        crate::timing::mark("monitor: exited");
        drop(forwarder);
        self.store.allow_reserve();
        let code = monitor::exit_code(outcome.status);
        // The backend goes with the container, before its state says exited.
        if let Some(b) = net_hooks.running.take() {
            b.stop();
        }
        // Read (OOM) before the state says exited; v1's is removed and recreated by a
        // restart, one the monitor is in is kept for the restart.
        let (oom, kept) = self.finish_cgroup(&c.record);
        *cgroup = kept;
        // Before the state says exited, so that `stop` (which waits for that) reports after it.
        self.emit_die(&c.record, code);
        let recorded = self.store.update_container_state(&c.record.id, |s| {
            s.status = Status::Exited;
            s.exit_code = code;
            s.oom_killed = oom;
            s.pid = 0;
            s.network_pid = 0;
            s.network_start = 0;
            s.finished_at = Some(Utc::now());
        });
        if matches!(recorded, Err(crate::store::StoreError::NoSpace { .. })) {
            self.note_exit(&c.record.id, code);
        }
        Ok(code)
    }
}

impl Engine {
    /// The namespaces a `container:NAME` or `ns:PATH` container joins: the network namespace,
    /// and (rootless) the user namespace that owns it.
    fn network_to_join(
        &self,
        mode: &crate::network::NetworkMode,
    ) -> Result<(Option<OwnedFd>, Option<OwnedFd>)> {
        use crate::network::NetworkMode;
        let open = |p: &std::path::Path, what: &str| -> Result<OwnedFd> {
            std::fs::File::open(p).map(OwnedFd::from).map_err(|e| {
                EngineError::Invalid(format!("cannot open {what} {}: {e}", p.display()))
            })
        };
        match mode {
            NetworkMode::Container(name) => {
                let other = self.find_container(name)?;
                if !other.is_running() || other.state.pid <= 0 {
                    return Err(EngineError::Invalid(format!(
                        "cannot join the network of container {name}: it is not running; start it first"
                    )));
                }
                let proc = std::path::PathBuf::from(format!("/proc/{}/ns", other.state.pid));
                let net = open(&proc.join("net"), "the network namespace")?;
                let user = if self.ident.rootless {
                    Some(open(&proc.join("user"), "the user namespace")?)
                } else {
                    None
                };
                Ok((Some(net), user))
            }
            NetworkMode::Path(p) => Ok((Some(open(p, "the network namespace")?), None)),
            _ => Ok((None, None)),
        }
    }

    /// The capability set containers created now start from: berth.conf's
    /// `default_capabilities`, or podman's set.
    pub fn configured_default_caps(&self) -> Result<caps::CapSet> {
        crate::config::load(&self.paths.config_dir)
            .map(|c| c.default_caps())
            .map_err(|e| EngineError::Invalid(e.to_string()))
    }

    /// The capability set of a container's processes: its recorded default set (see
    /// `ContainerConfig::default_caps`) with its --cap-add/--cap-drop/--privileged.
    pub fn container_caps(
        &self,
        cfg: &crate::store::containers::ContainerConfig,
    ) -> Result<caps::CapSet> {
        let invalid = |e: &dyn std::fmt::Display| EngineError::Invalid(e.to_string());
        let default = match &cfg.default_caps {
            Some(names) => names
                .iter()
                .map(|n| caps::Cap::parse(n))
                .collect::<std::result::Result<caps::CapSet, _>>()
                .map_err(|e| invalid(&e))?,
            None => self.configured_default_caps()?,
        };
        let kept = caps::resolve(default, &cfg.cap_add, &cfg.cap_drop, cfg.privileged)
            .map_err(|e| invalid(&e))?;
        if cfg.privileged {
            // podman's rule: everything berth itself may pass on (its bounding set), not every
            // capability the kernel knows: a sandbox that took one away from berth would
            // otherwise make every --privileged container fail at capset.
            let own = caps::read_status(None).map_err(|e| invalid(&e))?;
            return Ok(kept.intersect(own.bounding));
        }
        Ok(kept)
    }

    /// Capabilities, no_new_privs and the seccomp program for a container: its capability set
    /// ([`Engine::container_caps`]) and docker's defaults with its --privileged/--security-opt
    /// changes. The compiled filter comes from the store's cache when this profile and set
    /// were seen before.
    pub fn container_security(
        &self,
        cfg: &crate::store::containers::ContainerConfig,
    ) -> Result<process::Security> {
        let invalid = |e: &dyn std::fmt::Display| EngineError::Invalid(e.to_string());
        let kept = self.container_caps(cfg)?;
        let last = caps::kernel_last_cap().map_err(|e| invalid(&e))?;
        let pc = caps::ProcessCaps::docker(kept, last);
        pc.validate().map_err(|e| invalid(&e))?;
        let opts = SecurityOpts::parse(&cfg.security_opt)?;
        let seccomp = if cfg.privileged {
            None
        } else {
            match seccomp::profile_source(opts.seccomp.as_deref()).map_err(|e| invalid(&e))? {
                None => None,
                Some(src) => {
                    seccomp::load_cached(self.store.root(), &src, kept).map_err(|e| invalid(&e))?
                }
            }
        };
        Ok(process::Security {
            caps: Some(pc),
            no_new_privs: opts.no_new_privs.unwrap_or(!cfg.privileged),
            seccomp,
            rlimits: super::limits::process_ulimits(cfg)
                .iter()
                .filter_map(|u| u.rlimit())
                .collect(),
        })
    }
}

/// docker's `--security-opt` values berth understands.
#[derive(Debug, Default, PartialEq)]
pub struct SecurityOpts {
    pub seccomp: Option<String>,
    pub no_new_privs: Option<bool>,
}

impl SecurityOpts {
    pub fn parse(opts: &[String]) -> Result<SecurityOpts> {
        let mut out = SecurityOpts::default();
        for o in opts {
            let (k, v) = o.split_once(['=', ':']).unwrap_or((o.as_str(), ""));
            match k {
                "seccomp" if !v.is_empty() => out.seccomp = Some(v.to_string()),
                "no-new-privileges" => {
                    out.no_new_privs = Some(match v {
                        "" | "true" => true,
                        "false" => false,
                        _ => {
                            return Err(EngineError::Invalid(format!(
                                "invalid --security-opt {o:?}: use no-new-privileges[=true|false]"
                            )))
                        }
                    })
                }
                // SELinux and AppArmor are not on this host's kernels' path; docker accepts
                // label/apparmor options where they cannot apply, and so does berth.
                "label" | "apparmor" => {}
                _ => {
                    return Err(EngineError::Invalid(format!(
                        "invalid --security-opt {o:?}: use seccomp=PROFILE|unconfined or no-new-privileges"
                    )))
                }
            }
        }
        Ok(out)
    }
}

fn read_report(r: &mut BufReader<std::fs::File>) -> Result<Report> {
    let mut line = String::new();
    r.read_line(&mut line).map_err(|e| EngineError::Io {
        context: "reading from the container monitor".into(),
        source: e,
    })?;
    Report::decode(line.trim_end()).ok_or_else(|| {
        EngineError::Invalid(
            "the container monitor exited without reporting (see the container's state with `berth inspect`)".into(),
        )
    })
}

#[cfg(test)]
mod restart_tests {
    use super::*;

    #[test]
    fn restart_policies_decide_as_docker_and_a_user_stop_always_wins() {
        // (policy, max, restarts so far, exit code) -> restarted
        for (policy, max, done, code, want) in [
            ("no", 0, 0, 1, false),
            ("", 0, 0, 1, false),
            ("always", 0, 50, 0, true),
            ("unless-stopped", 0, 0, 0, true),
            ("on-failure", 0, 99, 1, true),
            ("on-failure", 0, 0, 0, false),
            ("on-failure", 3, 2, 1, true),
            ("on-failure", 3, 3, 1, false),
        ] {
            assert_eq!(
                restart_wanted(policy, max, done, code, false, false),
                want,
                "{policy}:{max} after {done} with {code}"
            );
            assert!(!restart_wanted(policy, max, done, code, true, false));
        }
        // `berth restart`: started again whatever the policy, unless stopped meanwhile.
        assert!(restart_wanted("no", 0, 0, 0, false, true));
        assert!(!restart_wanted("always", 0, 0, 0, true, true));
    }

    #[test]
    fn restart_back_off_doubles_to_a_minute_and_resets_after_ten_seconds_of_running() {
        let quick = Duration::from_millis(50);
        let mut d = None;
        let mut seen = Vec::new();
        for _ in 0..12 {
            let next = restart_delay(d, quick);
            seen.push(next.as_millis());
            d = Some(next);
        }
        assert_eq!(
            seen,
            [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000]
        );
        assert_eq!(
            restart_delay(d, Duration::from_secs(10)),
            RESTART_FIRST_DELAY
        );
        assert_eq!(restart_delay(d, Duration::from_secs(9)), RESTART_MAX_DELAY);
    }
}
