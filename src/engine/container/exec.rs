//! `exec`: another process in a running container, with its namespaces, environment, user,
//! capabilities, no_new_privs and seccomp filter. The command is a child of this process (or,
//! with `--detach`, of a small session-leader helper forked from it), which relays its
//! input and output and signals and collects the exit code.
//!
//! No descriptor of the caller's ever reaches the command: with `-t` it gets a terminal made
//! in the container, without it pipes (stdin only with `-i`, else /dev/null), and either way
//! a session of its own. A container process holding the user's terminal could type into the
//! user's shell (TIOCSTI) or open it again as /dev/tty.
//!
//! The command joins the container's cgroup (when its backend made one) right after it is
//! spawned.

use std::io::{self, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::PathBuf;

use super::super::{Engine, EngineError, Result};
use super::start::{RawMode, SignalFd};
use super::{merge_env, read_env_file, Container};
use crate::monitor::{self, DetachMatcher, Report};
use crate::runtime::exec::{self, ExecSpec};
use crate::runtime::process::{ProcessSpec, SpawnError};
use crate::runtime::seal::dev_null_onto;
use crate::store::containers::Status;

/// What `berth exec` was asked for.
#[derive(Debug, Clone, Default)]
pub struct ExecOptions {
    pub command: Vec<String>,
    pub env: Vec<String>,
    pub env_files: Vec<PathBuf>,
    /// `user[:group]`; the container's user when absent.
    pub user: Option<String>,
    /// The container's working directory when absent.
    pub workdir: Option<String>,
    pub interactive: bool,
    pub tty: bool,
    pub detach: bool,
    pub privileged: bool,
    pub detach_keys: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecOutcome {
    /// The command exited with this code (128+N if signal N killed it).
    Exited(i32),
    /// `--detach`, or the detach keys: the command goes on without us.
    Detached,
}

fn io_err(what: &str) -> impl FnOnce(io::Error) -> EngineError + '_ {
    move |source| EngineError::Io {
        context: what.to_string(),
        source,
    }
}

/// An exec'd command joins the container's cgroup (when it has one) before it runs: by
/// writing cgroup.procs, or on a systemd host by asking systemd, when berth started outside
/// the user's manager. Best effort, as the joiner's own move before it is.
pub(crate) struct EnterCgroup<'a>(pub Option<&'a crate::cgroups::Cgroup>);

impl crate::runtime::process::SpawnHooks for EnterCgroup<'_> {
    fn before_go(&mut self, pid: i32) -> std::result::Result<(), String> {
        if let Some(cg) = self.0 {
            if let Err(e) = cg.enter(pid) {
                crate::debug::note(&format!(
                    "exec: process {pid} stays outside the container's cgroup: {e}"
                ));
            }
        }
        Ok(())
    }
}

fn spawn_error(e: SpawnError) -> EngineError {
    EngineError::Start {
        code: e.exit_code(),
        message: e.to_string(),
    }
}

impl Engine {
    /// Run `opts.command` in the running container `c`. Must be called while berth is
    /// single-threaded (it forks).
    pub fn exec_in_container(&self, c: &Container, opts: &ExecOptions) -> Result<ExecOutcome> {
        let name = &c.record.name;
        if !c.is_running() {
            return Err(EngineError::Invalid(format!(
                "container {name} is not running: start it with `berth start {name}` first"
            )));
        }
        if c.state.status == Status::Paused {
            return Err(EngineError::Invalid(format!(
                "container {name} is paused: resume it before running commands in it"
            )));
        }
        if opts.command.is_empty() {
            return Err(EngineError::Invalid(
                "no command given: name the command to run after the container".into(),
            ));
        }
        if let Some(w) = &opts.workdir {
            if !w.starts_with('/') {
                return Err(EngineError::Invalid(format!(
                    "invalid --workdir {w:?}: it must be an absolute path in the container"
                )));
            }
        }
        if let Some(u) = &opts.user {
            if u.is_empty() || u.split(':').any(|p| p.is_empty()) {
                return Err(EngineError::Invalid(format!(
                    "invalid --user {u:?}: use USER, USER:GROUP, UID or UID:GID"
                )));
            }
        }
        let cfg = &c.record.config;
        let mut env_in = Vec::new();
        for f in &opts.env_files {
            env_in.extend(read_env_file(f)?);
        }
        env_in.extend(opts.env.iter().cloned());
        let mut env = cfg.env.clone();
        if opts.tty {
            env = merge_env(&env, &["TERM=xterm".to_string()]);
        }
        let env = merge_env(&env, &env_in);
        let security = if opts.privileged {
            let mut privileged = cfg.clone();
            privileged.privileged = true;
            self.container_security(&privileged)?
        } else {
            self.container_security(cfg)?
        };
        let null = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/null")
            .map_err(io_err("opening /dev/null"))?;
        // Without a terminal: pipes, relayed here. The command's ends are closed here once it
        // runs; ours stay in the relay.
        let piped = !opts.tty && !opts.detach;
        let (mut outputs, mut child_ends) = (Vec::new(), Vec::new());
        let mut stdin_pipe = None;
        let mut stdio = [null.as_raw_fd(); 3];
        if piped {
            for (i, to) in [(1, 1), (2, 2)] {
                let (r, w) = monitor::pipe().map_err(io_err("creating a pipe"))?;
                stdio[i] = w.as_raw_fd();
                child_ends.push(w);
                outputs.push(Output { from: Some(r), to });
            }
            if opts.interactive {
                let (r, w) = monitor::pipe().map_err(io_err("creating a pipe"))?;
                stdio[0] = r.as_raw_fd();
                child_ends.push(r);
                monitor::set_nonblocking(w.as_raw_fd());
                stdin_pipe = Some(w);
            }
        }
        let spec = ExecSpec {
            pid: c.state.pid,
            process: ProcessSpec {
                args: opts.command.clone(),
                env,
                cwd: opts
                    .workdir
                    .clone()
                    .unwrap_or_else(|| cfg.working_dir.clone()),
                user: opts.user.clone().unwrap_or_else(|| cfg.user.clone()),
                tty: opts.tty,
                stdio,
                init: false,
            },
            security,
            cgroup_dirs: c
                .state
                .cgroups
                .as_ref()
                .map(|g| g.paths.values().cloned().collect())
                .unwrap_or_default(),
        };
        let _ = io::stdout().flush();
        let _ = io::stderr().flush();
        let command = opts.command.join(" ");
        self.emit_container(
            &c.record,
            &format!("exec_create: {command}"),
            &[("execID", "")],
        );
        if opts.detach {
            return exec_detached(&spec, c.state.cgroups.as_ref());
        }
        let spawned =
            exec::spawn(&spec, &mut EnterCgroup(c.state.cgroups.as_ref())).map_err(spawn_error)?;
        drop(null);
        drop(child_ends);
        let relay = Relay {
            pid: spawned.pid,
            console: spawned.console,
            stdin: opts.interactive.then_some(0),
            stdout: Some(1),
            outputs,
            stdin_pipe,
            pending: Vec::new(),
            stdin_done: false,
            detach: DetachMatcher::new(opts.detach_keys.clone()),
            console_open: true,
        };
        let _raw = if opts.tty { RawMode::enable() } else { None };
        let signals = SignalFd::new().map_err(io_err("watching signals"))?;
        let outcome = relay.run(Some(&signals));
        if let Ok(ExecOutcome::Exited(code)) = &outcome {
            self.emit_container(
                &c.record,
                "exec_die",
                &[("exitCode", code.to_string().as_str())],
            );
        }
        outcome
    }
}

/// `--detach`: a helper in a session of its own starts the command, says whether it started,
/// and stays its parent until it exits (draining its terminal, with `-t`).
fn exec_detached(spec: &ExecSpec, cgroup: Option<&crate::cgroups::Cgroup>) -> Result<ExecOutcome> {
    let (status_r, status_w) = monitor::pipe().map_err(io_err("creating a pipe"))?;
    // SAFETY: berth is single-threaded here (the caller's contract); the helper leaves only
    // through _exit.
    let helper = unsafe { libc::fork() };
    if helper < 0 {
        return Err(io_err("forking the exec helper")(io::Error::last_os_error()));
    }
    if helper == 0 {
        drop(status_r);
        // SAFETY: a session of its own, so the terminal's signals never reach it.
        unsafe { libc::setsid() };
        dev_null_onto(&[0, 1, 2]);
        let mut status = std::fs::File::from(status_w);
        match exec::spawn(spec, &mut EnterCgroup(cgroup)) {
            Ok(spawned) => {
                let _ = status.write_all(Report::Started(spawned.pid).encode().as_bytes());
                drop(status);
                let relay = Relay {
                    pid: spawned.pid,
                    console: spawned.console,
                    stdin: None,
                    stdout: None,
                    outputs: Vec::new(),
                    stdin_pipe: None,
                    pending: Vec::new(),
                    stdin_done: false,
                    detach: DetachMatcher::new(Vec::new()),
                    console_open: true,
                };
                let _ = relay.run(None);
            }
            Err(e) => {
                let report = Report::Failed(e.exit_code(), e.to_string());
                let _ = status.write_all(report.encode().as_bytes());
            }
        }
        // SAFETY: leave without destructors.
        unsafe { libc::_exit(0) }
    }
    drop(status_w);
    let mut line = String::new();
    let read = io::BufRead::read_line(
        &mut io::BufReader::new(std::fs::File::from(status_r)),
        &mut line,
    );
    // The helper is in its own session and outlives us; it is re-parented when we exit.
    match (read, Report::decode(line.trim_end())) {
        (_, Some(Report::Started(_))) => Ok(ExecOutcome::Detached),
        (_, Some(Report::Failed(code, message))) => Err(EngineError::Start { code, message }),
        (Err(e), _) => Err(io_err("reading from the exec helper")(e)),
        _ => Err(EngineError::Invalid(
            "the exec helper exited without reporting whether the command started".into(),
        )),
    }
}

/// One of the command's output pipes (no terminal) and our descriptor it is copied to.
struct Output {
    /// Our end; closed once the command closed its end, or once `to` cannot take more (the
    /// command then gets SIGPIPE, as it would writing there itself).
    from: Option<OwnedFd>,
    to: RawFd,
}

/// Between the command and whoever waits for it: the terminal's output and input (with
/// `-t`) or the command's pipes (without), forwarded signals, and the exit status.
struct Relay {
    /// The command, our child.
    pid: i32,
    /// The terminal's master side (`-t`).
    console: Option<OwnedFd>,
    /// Our input (`-i`), copied to the terminal or to `stdin_pipe`.
    stdin: Option<RawFd>,
    /// Where the terminal's output goes (none: read and dropped, so the command never blocks).
    stdout: Option<RawFd>,
    /// Without a terminal: the command's stdout and stderr.
    outputs: Vec<Output>,
    /// Without a terminal, with `-i`: the command's stdin (non-blocking), and what it has not
    /// taken yet. Closed once our input ends and all of it was taken.
    stdin_pipe: Option<OwnedFd>,
    pending: Vec<u8>,
    stdin_done: bool,
    detach: DetachMatcher,
    /// False once the terminal's last user closed it (reads fail with EIO from then on).
    console_open: bool,
}

/// Where each descriptor of one poll round sits in the pollfd array.
#[derive(Default)]
struct Slots {
    signals: Option<usize>,
    console: Option<usize>,
    outputs: Vec<(usize, usize)>,
    stdin: Option<usize>,
    stdin_pipe: Option<usize>,
}

impl Relay {
    fn run(mut self, signals: Option<&SignalFd>) -> Result<ExecOutcome> {
        let pidfd = monitor::pidfd_open(self.pid).map_err(io_err("watching the command"))?;
        if let Some(c) = &self.console {
            monitor::set_nonblocking(c.as_raw_fd());
        }
        for o in &self.outputs {
            if let Some(f) = &o.from {
                monitor::set_nonblocking(f.as_raw_fd());
            }
        }
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let mut fds = vec![pollfd(pidfd.as_raw_fd(), libc::POLLIN)];
            let mut at = Slots::default();
            let add = |fds: &mut Vec<libc::pollfd>, fd: RawFd, events: libc::c_short| {
                fds.push(pollfd(fd, events));
                fds.len() - 1
            };
            if let Some(s) = signals {
                at.signals = Some(add(&mut fds, s.fd.as_raw_fd(), libc::POLLIN));
            }
            if let (Some(c), true) = (&self.console, self.console_open) {
                at.console = Some(add(&mut fds, c.as_raw_fd(), libc::POLLIN));
            }
            for (i, o) in self.outputs.iter().enumerate() {
                if let Some(f) = &o.from {
                    at.outputs
                        .push((i, add(&mut fds, f.as_raw_fd(), libc::POLLIN)));
                }
            }
            let input_goes_somewhere = self.console.is_some() || self.stdin_pipe.is_some();
            if let (Some(fd), true, true) =
                (self.stdin, input_goes_somewhere, self.pending.is_empty())
            {
                at.stdin = Some(add(&mut fds, fd, libc::POLLIN));
            }
            if let (Some(p), false) = (&self.stdin_pipe, self.pending.is_empty()) {
                at.stdin_pipe = Some(add(&mut fds, p.as_raw_fd(), libc::POLLOUT));
            }
            // SAFETY: polling an array of valid pollfds.
            let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, -1) };
            if n < 0 {
                continue;
            }
            let ready = |slot: Option<usize>| slot.is_some_and(|i| fds[i].revents != 0);
            if let (true, Some(s)) = (ready(at.signals), signals) {
                self.forward_signal(s);
            }
            if ready(at.console) {
                self.pump_output(&mut buf);
            }
            for &(i, slot) in &at.outputs {
                if fds[slot].revents != 0 {
                    self.pump_pipe(i, &mut buf);
                }
            }
            if ready(at.stdin) && self.pump_input(&mut buf) {
                self.hold_terminal();
                return Ok(ExecOutcome::Detached);
            }
            if ready(at.stdin_pipe) {
                self.feed_stdin_pipe();
            }
            if fds[0].revents != 0 {
                let mut status = 0;
                // SAFETY: reaping our child.
                unsafe { libc::waitpid(self.pid, &mut status, 0) };
                // What it wrote just before it exited is still in the terminal or the pipes.
                while self.pump_output(&mut buf) {}
                for i in 0..self.outputs.len() {
                    while self.pump_pipe(i, &mut buf) {}
                }
                return Ok(ExecOutcome::Exited(monitor::exit_code(status)));
            }
        }
    }

    /// Copy what output pipe `i` has; whether more may follow right away.
    fn pump_pipe(&mut self, i: usize, buf: &mut [u8]) -> bool {
        let o = &mut self.outputs[i];
        let Some(from) = &o.from else {
            return false;
        };
        match monitor::read_fd(from.as_raw_fd(), buf) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => false,
            Ok(0) | Err(_) => {
                o.from = None;
                false
            }
            Ok(n) => {
                if monitor::write_all_fd(o.to, &buf[..n]).is_err() {
                    o.from = None;
                    return false;
                }
                true
            }
        }
    }

    /// Give the command's stdin pipe what it can take of `pending`; close it once our input
    /// has ended and everything was taken.
    fn feed_stdin_pipe(&mut self) {
        let Some(p) = &self.stdin_pipe else {
            self.pending.clear();
            return;
        };
        while !self.pending.is_empty() {
            // SAFETY: writing from a valid buffer to a non-blocking pipe we hold.
            let n = unsafe {
                libc::write(
                    p.as_raw_fd(),
                    self.pending.as_ptr() as *const libc::c_void,
                    self.pending.len(),
                )
            };
            if n >= 0 {
                self.pending.drain(..n as usize);
                continue;
            }
            match io::Error::last_os_error().kind() {
                io::ErrorKind::Interrupted => continue,
                io::ErrorKind::WouldBlock => return,
                // The command closed its stdin: nothing more goes to it.
                _ => {
                    self.pending.clear();
                    self.stdin_pipe = None;
                    self.stdin = None;
                    return;
                }
            }
        }
        if self.stdin_done {
            self.stdin_pipe = None;
        }
    }

    fn forward_signal(&self, signals: &SignalFd) {
        // SAFETY: reading one signalfd_siginfo into a zeroed struct.
        let info = unsafe {
            let mut info: libc::signalfd_siginfo = std::mem::zeroed();
            let n = libc::read(
                signals.fd.as_raw_fd(),
                &mut info as *mut _ as *mut libc::c_void,
                std::mem::size_of::<libc::signalfd_siginfo>(),
            );
            if n != std::mem::size_of::<libc::signalfd_siginfo>() as isize {
                return;
            }
            info
        };
        let sig = info.ssi_signo as i32;
        if sig == libc::SIGWINCH {
            if let Some(c) = &self.console {
                monitor::set_window_size(c.as_raw_fd(), true);
            }
            return;
        }
        // The command is in a session of its own: what our terminal sent (Ctrl-C, Ctrl-\)
        // reaches it only through us.
        // SAFETY: signalling our own child.
        unsafe { libc::kill(self.pid, sig) };
    }

    /// Copy what the terminal has; whether more may follow right away.
    fn pump_output(&mut self, buf: &mut [u8]) -> bool {
        let (Some(c), true) = (&self.console, self.console_open) else {
            return false;
        };
        match monitor::read_fd(c.as_raw_fd(), buf) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => false,
            Ok(0) | Err(_) => {
                self.console_open = false;
                false
            }
            Ok(n) => {
                if let Some(out) = self.stdout {
                    if monitor::write_all_fd(out, &buf[..n]).is_err() {
                        self.stdout = None;
                    }
                }
                true
            }
        }
    }

    /// Copy our input to the terminal (whether the detach keys were typed) or to the
    /// command's stdin pipe.
    fn pump_input(&mut self, buf: &mut [u8]) -> bool {
        let Some(fd) = self.stdin else {
            return false;
        };
        let got = monitor::read_fd(fd, buf);
        if let Some(c) = &self.console {
            return match got {
                // The terminal stays: the command sees end-of-input only if it is told (^D).
                Ok(0) | Err(_) => {
                    self.stdin = None;
                    false
                }
                Ok(n) => {
                    let (pass, hit) = self.detach.feed(&buf[..n]);
                    let _ = monitor::write_all_fd(c.as_raw_fd(), &pass);
                    hit
                }
            };
        }
        match got {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Ok(0) | Err(_) => {
                self.stdin = None;
                self.stdin_done = true;
            }
            Ok(n) => self.pending.extend_from_slice(&buf[..n]),
        }
        self.feed_stdin_pipe();
        false
    }

    /// After the detach keys: a helper in a session of its own keeps the terminal's master
    /// open and drained, so the command neither gets a hangup nor blocks on output. It exits
    /// when the terminal's last user closes it.
    fn hold_terminal(&mut self) {
        let Some(master) = self.console.take() else {
            return;
        };
        // SAFETY: berth is single-threaded; the helper leaves only through _exit.
        if unsafe { libc::fork() } == 0 {
            // SAFETY: as in exec_detached.
            unsafe { libc::setsid() };
            dev_null_onto(&[0, 1, 2]);
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                let mut p = pollfd(master.as_raw_fd(), libc::POLLIN);
                // SAFETY: polling one descriptor we hold.
                unsafe { libc::poll(&mut p, 1, -1) };
                match monitor::read_fd(master.as_raw_fd(), &mut buf) {
                    Ok(0) => break,
                    Err(e) if e.kind() != io::ErrorKind::WouldBlock => break,
                    _ => {}
                }
            }
            // SAFETY: leave without destructors.
            unsafe { libc::_exit(0) }
        }
    }
}

fn pollfd(fd: RawFd, events: libc::c_short) -> libc::pollfd {
    libc::pollfd {
        fd,
        events,
        revents: 0,
    }
}
