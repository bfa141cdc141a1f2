//! Running another command in a running container (`berth exec`): join every namespace of its
//! PID 1, then fork so the command is a child inside its PID namespace. The same numbered
//! handshake as process.rs, with one more process in between:
//!
//! ```text
//! caller (berth exec)            joiner (fork)                    command (clone CLONE_PARENT)
//! open /proc/PID/ns/*, /root
//! fork ───────────────────────▶  setns user, then cgroup ipc uts
//!                                net pid mnt; fchdir+chroot root
//!                                clone(CLONE_PARENT) ───────────▶ (a child of the caller, in
//! sync 1: the command's pid ◀─── PID <host pid>, exit             the container's PID ns)
//!                                                                 resolve user, terminal
//! sync 2: (tty: window size) ◀── READY [pty master] ──────────────
//!                            ─── GO ─────────────────────────────▶ rlimits, user, caps,
//!                                                                 no_new_privs, seccomp (before
//!                                                                 the user without NNP), execve
//! sync 3: EOF = exec'd       ◀── EXECFAIL (code + message) ───────
//! ```
//! CLONE_PARENT makes the caller the command's parent, so it collects the exit status itself;
//! the joiner only exists because setns(pid) applies to children, never to the caller.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::fs::MetadataExt;

use super::process::{
    become_user, exec_failed, fail, open_pty, ready_then_wait, recv, recv_with_fd,
    reported_failure, resolve_command, send, socketpair, wire_stdio, ChildFailure, Never,
    ProcessSpec, Security, SpawnError, SpawnHooks, Spawned,
};
use super::seal::{self, SealedShim, ShimMode};
use super::seccomp::SeccompAt;
use super::user::{self, ExecFailure};

pub struct ExecSpec {
    /// The container's PID 1 as the host sees it.
    pub pid: i32,
    /// The command; `init` is ignored (the container's PID 1 already reaps).
    pub process: ProcessSpec,
    pub security: Security,
    /// The container's cgroup directories: the joiner moves itself into them before joining
    /// anything (a cgroup namespace hides the way back out), so the command starts in them.
    pub cgroup_dirs: Vec<std::path::PathBuf>,
}

/// The namespaces joined, in order. The user namespace comes first so that the others, owned
/// by it, may be joined; the mount namespace last, as nsenter does, since it changes what
/// paths mean.
const NAMESPACES: &[(&str, libc::c_int)] = &[
    ("user", libc::CLONE_NEWUSER),
    ("cgroup", libc::CLONE_NEWCGROUP),
    ("ipc", libc::CLONE_NEWIPC),
    ("uts", libc::CLONE_NEWUTS),
    ("net", libc::CLONE_NEWNET),
    ("pid", libc::CLONE_NEWPID),
    ("mnt", libc::CLONE_NEWNS),
];

// Joiner/command → caller
const MSG_PID: u8 = 20;
const MSG_READY: u8 = 21;
// Caller → command
const MSG_GO: u8 = 30;

fn setup(what: &str, e: impl std::fmt::Display) -> SpawnError {
    SpawnError::Setup(format!("{what}: {e}"))
}

/// A namespace of the container that differs from ours (joining one's own user namespace is
/// an error, and joining the host's network namespace of a `--network host` container would
/// need privileges over the host).
struct Join {
    name: &'static str,
    kind: libc::c_int,
    fd: OwnedFd,
}

fn open_namespaces(pid: i32) -> Result<Vec<Join>, SpawnError> {
    let mut joins = Vec::new();
    for &(name, kind) in NAMESPACES {
        let theirs = format!("/proc/{pid}/ns/{name}");
        let ours = std::fs::metadata(format!("/proc/self/ns/{name}"))
            .map_err(|e| setup(&format!("reading /proc/self/ns/{name}"), e))?;
        let file = std::fs::File::open(&theirs)
            .map_err(|e| setup(&format!("opening the container's {name} namespace"), e))?;
        let meta = file
            .metadata()
            .map_err(|e| setup(&format!("reading {theirs}"), e))?;
        if (meta.dev(), meta.ino()) != (ours.dev(), ours.ino()) {
            joins.push(Join {
                name,
                kind,
                fd: file.into(),
            });
        }
    }
    Ok(joins)
}

/// Start `spec.process` inside the running container. Must be called while berth is
/// single-threaded (the joiner is a fork of the caller that allocates). The command is our
/// child: wait for it with waitpid. `hooks.before_go` runs once the command is in the
/// container and before it runs anything of the user's (the engine moves it into the
/// container's cgroup there).
pub fn spawn(spec: &ExecSpec, hooks: &mut dyn SpawnHooks) -> Result<Spawned, SpawnError> {
    let shim = SealedShim::new().map_err(|e| SpawnError::Setup(SealedShim::unavailable(&e)))?;
    // Opened from the host's view, before anything is joined: after setns(mnt) /proc is the
    // container's, where the host pid means nothing.
    let joins = open_namespaces(spec.pid)?;
    let root = std::fs::File::open(format!("/proc/{}/root", spec.pid))
        .map_err(|e| setup("opening the container's root directory", e))?;
    let (parent_sock, child_sock) =
        socketpair().map_err(|e| setup("creating the sync socket", e))?;
    // SAFETY: the caller is single-threaded, so the child's copy of the allocator is usable.
    let joiner = unsafe { libc::fork() };
    if joiner < 0 {
        return Err(setup("forking", io::Error::last_os_error()));
    }
    if joiner == 0 {
        drop(parent_sock);
        joiner_main(spec, &shim, &joins, &root, child_sock);
    }
    drop(child_sock);
    drop(joins);
    drop(root);
    let result = handshake(spec, &parent_sock, hooks);
    // SAFETY: reaping the joiner, which exits right after reporting the command's pid.
    unsafe {
        let mut st = 0;
        libc::waitpid(joiner, &mut st, 0);
    }
    result
}

fn handshake(
    spec: &ExecSpec,
    sock: &OwnedFd,
    hooks: &mut dyn SpawnHooks,
) -> Result<Spawned, SpawnError> {
    let kill = |pid: Option<i32>| {
        if let Some(pid) = pid {
            // SAFETY: killing and reaping our own child (CLONE_PARENT made it ours).
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                let mut st = 0;
                libc::waitpid(pid, &mut st, 0);
            }
        }
    };
    // sync 1 and 2 arrive from two processes, in either order.
    let mut pid = None;
    let mut ready = None;
    while pid.is_none() || ready.is_none() {
        let msg = match recv_with_fd(sock) {
            Ok(m) => m,
            Err(e) => {
                kill(pid);
                return Err(setup("sync 2", e));
            }
        };
        match msg {
            Some((MSG_PID, p, _)) if p.len() == 4 => {
                pid = Some(i32::from_le_bytes([p[0], p[1], p[2], p[3]]))
            }
            Some((MSG_READY, _, fd)) => ready = Some(fd),
            Some((t, p, _)) => {
                kill(pid);
                return Err(reported_failure(t, &p)
                    .unwrap_or_else(|| setup("sync 2", format!("unexpected message {t}"))));
            }
            None => {
                kill(pid);
                return Err(setup(
                    "sync 2",
                    "the exec process died while entering the container",
                ));
            }
        }
    }
    let (pid, console) = (pid.expect("loop condition"), ready.expect("loop condition"));
    if spec.process.tty && console.is_none() {
        kill(Some(pid));
        return Err(setup("sync 2", "the terminal did not arrive"));
    }
    if let Some(master) = &console {
        crate::monitor::set_window_size(master.as_raw_fd(), true);
    }
    if let Err(m) = hooks.before_go(pid) {
        kill(Some(pid));
        return Err(SpawnError::Setup(m));
    }
    if let Err(e) = send(sock, MSG_GO, &[]) {
        kill(Some(pid));
        return Err(setup("sync 3", e));
    }
    // sync 3: end-of-file means exec succeeded.
    let failure = match recv(sock) {
        Ok(None) => return Ok(Spawned { pid, console }),
        Ok(Some((t, p))) => reported_failure(t, &p)
            .unwrap_or_else(|| setup("sync 3", format!("unexpected message {t}"))),
        Err(e) => setup("sync 3", e),
    };
    // The command has exited (or is about to) after reporting; reap it.
    kill(Some(pid));
    Err(failure)
}

/// The joiner: enter the container, start the command, report its pid. Never returns.
fn joiner_main(
    spec: &ExecSpec,
    shim: &SealedShim,
    joins: &[Join],
    root: &std::fs::File,
    sock: OwnedFd,
) -> ! {
    // SAFETY: prctl on ourselves: do not outlive the caller during setup.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
    // Before joining anything: nothing in the container may read our memory, environment,
    // descriptors or executable, or attach to us; the command inherits this (seal.rs).
    seal::hide_from_container();
    for dir in &spec.cgroup_dirs {
        // "0" is the writer. Best effort: the caller enters the command's pid again after.
        let _ = std::fs::write(dir.join("cgroup.procs"), "0");
    }
    let code = match join(joins, root) {
        Ok(()) => {
            // SAFETY: a fork-like clone; we are single-threaded. CLONE_PARENT: the command's
            // parent is the caller, which waits for it.
            let pid = unsafe {
                libc::syscall(
                    libc::SYS_clone,
                    (libc::CLONE_PARENT | libc::SIGCHLD) as libc::c_ulong,
                    0usize,
                    0usize,
                    0usize,
                    0usize,
                )
            };
            if pid == 0 {
                command_main(spec, shim, sock);
            }
            if pid < 0 {
                fail("starting the command in the container")(io::Error::last_os_error())
                    .report(&sock);
                125
            } else {
                let _ = send(&sock, MSG_PID, &(pid as i32).to_le_bytes());
                0
            }
        }
        Err(f) => {
            f.report(&sock);
            125
        }
    };
    // SAFETY: leave without running the caller's destructors.
    unsafe { libc::_exit(code) }
}

fn join(joins: &[Join], root: &std::fs::File) -> Result<(), ChildFailure> {
    for j in joins {
        // SAFETY: setns on a namespace descriptor we hold.
        if unsafe { libc::setns(j.fd.as_raw_fd(), j.kind) } != 0 {
            return Err(fail(&format!(
                "joining the container's {} namespace",
                j.name
            ))(io::Error::last_os_error()));
        }
    }
    // setns(mnt) leaves us at the namespace's root mount; the container's root is where its
    // PID 1 pivoted to, which /proc/PID/root names (as runc and nsenter do).
    // SAFETY: fchdir on a directory we hold, then chroot to it.
    unsafe {
        let dot = CString::new(".").expect("static");
        if libc::fchdir(root.as_raw_fd()) != 0 || libc::chroot(dot.as_ptr()) != 0 {
            return Err(fail("entering the container's root")(
                io::Error::last_os_error(),
            ));
        }
    }
    std::env::set_current_dir("/").map_err(fail("entering the container's root"))?;
    Ok(())
}

/// The command: inside every namespace of the container. Never returns: execs or exits.
fn command_main(spec: &ExecSpec, shim: &SealedShim, sock: OwnedFd) -> ! {
    // SAFETY: prctl on ourselves: do not linger half-built if the caller dies during setup.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
    match command_setup(spec, shim, &sock) {
        Err(f) => f.report(&sock),
        Ok(never) => match never {},
    }
    // SAFETY: leave without destructors.
    unsafe { libc::_exit(125) }
}

fn command_setup(
    spec: &ExecSpec,
    shim: &SealedShim,
    sock: &OwnedFd,
) -> Result<Never, ChildFailure> {
    let p = &spec.process;
    // The joiner's user namespace is the container's, in which our host id is mapped to root
    // (rootless) or we are root already.
    // SAFETY: credential syscalls on ourselves.
    unsafe {
        if libc::setresgid(0, 0, 0) != 0 || libc::setresuid(0, 0, 0) != 0 {
            return Err(fail("becoming root in the container")(
                io::Error::last_os_error(),
            ));
        }
        libc::umask(0o022);
        // Host supplementary groups would show up as "nogroup"; fails harmlessly where
        // setgroups is denied (no newgidmap), and the user switch sets the container's.
        libc::setgroups(0, std::ptr::null());
    }
    let exec_user =
        user::resolve_in_container(&p.user).map_err(|e| ChildFailure::Setup(e.to_string()))?;
    let console = if p.tty {
        Some(open_pty().map_err(fail("creating a terminal in the container"))?)
    } else {
        None
    };
    // sync 2
    ready_then_wait(
        sock,
        console.as_ref().map(|(master, _)| master),
        MSG_READY,
        MSG_GO,
        "berth exec",
    )?;

    let stdio = match &console {
        Some((_, slave)) => [slave.as_raw_fd(); 3],
        None => p.stdio,
    };
    wire_stdio(stdio, p.tty).map_err(ChildFailure::Setup)?;
    drop(console);

    // process.rs's order: the container's rlimits, seccomp here without no_new_privs, bounding
    // set while root, user switch keeping the permitted set, the final sets, no_new_privs, and
    // seccomp last with it.
    let sec = &spec.security;
    become_user(sec, &exec_user).map_err(ChildFailure::Setup)?;
    // docker's exec does not create a missing working directory; runc's code for it is 126.
    if let Err(e) = std::env::set_current_dir(&p.cwd) {
        let why = user::exec_failure(&p.cwd, e.raw_os_error().unwrap_or(libc::EIO));
        return Err(ChildFailure::Exec(ExecFailure {
            code: 126,
            message: format!(
                "cannot enter the working directory {}: give -w a directory that exists in the container",
                why.message
            ),
        }));
    }

    let command = resolve_command(p, &exec_user)?.through(shim, ShimMode::Exec)?;

    // berth exec blocks the signals it forwards; the command starts with none blocked and,
    // once exec'd, the caller no longer decides its fate.
    // SAFETY: signal mask and prctl changes on ourselves; close_range only sets flags.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigprocmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
        libc::prctl(libc::PR_SET_PDEATHSIG, 0);
        // Nothing of berth's may leak into the container (the sync socket is already
        // close-on-exec and must stay open until exec).
        libc::syscall(
            libc::SYS_close_range,
            3u32,
            u32::MAX,
            libc::CLOSE_RANGE_CLOEXEC,
        );
    }
    sec.install_seccomp(SeccompAt::BeforeExec)
        .map_err(ChildFailure::Setup)?;
    Err(exec_failed(command.exec(sock.as_raw_fd())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_own_namespaces_are_not_joined() {
        // Every namespace of this process is its own: nothing to join.
        let joins = open_namespaces(std::process::id() as i32).unwrap();
        assert!(
            joins.is_empty(),
            "{:?}",
            joins.iter().map(|j| j.name).collect::<Vec<_>>()
        );
    }

    #[test]
    fn the_user_namespace_is_joined_first_and_the_mount_namespace_last() {
        assert_eq!(NAMESPACES.first().map(|n| n.0), Some("user"));
        assert_eq!(NAMESPACES.last().map(|n| n.0), Some("mnt"));
    }

    #[test]
    fn a_process_that_does_not_exist_is_a_setup_error() {
        let e = open_namespaces(i32::MAX).err().expect("no such process");
        assert_eq!(e.exit_code(), 125);
    }
}
