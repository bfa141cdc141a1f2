//! Creating a container process: clone into new namespaces, then a numbered handshake with the
//! child over a socketpair (crun's sync points), then exec of the user's command. No other
//! program runs except newuidmap/newgidmap.
//!
//! ```text
//! parent (the monitor)                         child (becomes the container's PID 1)
//! clone(NEWUSER|NEWNS|NEWPID|NEWUTS|NEWIPC|NEWCGROUP[|NEWNET])
//! sync 1: write uid/gid maps  ── MAPS ──────▶  become root in the new user namespace
//!                                              mount the rootfs, /proc, /dev, binds, masks
//!                                              pivot_root, hostname
//! sync 2: (cgroups, network)  ◀── READY ────
//!                             ── GO ────────▶  rlimits, [seccomp without no_new_privs],
//!                                              user, capabilities, no_new_privs, chdir,
//!                                              [seccomp with no_new_privs], close fds, execve
//! sync 3: EOF = exec'd        ◀── EXECFAIL ──  (only when exec failed: code + message)
//! ```
//! The socket is close-on-exec, so a successful exec is seen by the parent as end-of-file.

use std::ffi::CString;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use thiserror::Error;

use super::caps::{self, ProcessCaps};
use super::rlimits::{self, Rlimit};
use super::rootfs::{self, RootfsSpec};
use super::seal::{self, SealedShim, ShimCall, ShimMode};
use super::seccomp::{self, Program, SeccompAt};
use super::user::{self, ExecFailure, ExecUser};
use super::userns::Identity;

#[derive(Debug, Error)]
pub enum SpawnError {
    /// Setting the container up failed (berth's fault or the host's: exit 125).
    #[error("{0}")]
    Setup(String),
    /// The command could not be run (126/127, docker's codes).
    #[error("{}", .0.message)]
    Exec(ExecFailure),
}

impl SpawnError {
    pub fn exit_code(&self) -> i32 {
        match self {
            SpawnError::Setup(_) => 125,
            SpawnError::Exec(f) => f.code,
        }
    }
}

fn setup(what: &str, e: impl std::fmt::Display) -> SpawnError {
    SpawnError::Setup(format!("{what}: {e}"))
}

/// What the container process may do, prepared by the parent (parsing and compiling happen
/// before the clone) and applied by the child around its switch to the container user.
#[derive(Debug, Default)]
pub struct Security {
    /// The capability sets to keep (`None`: leave them as the namespace gives them).
    pub caps: Option<ProcessCaps>,
    pub no_new_privs: bool,
    /// The seccomp filter; [`SeccompAt`] says when it is installed.
    pub seccomp: Option<Program>,
    /// `--ulimit`s (and RLIMIT_NPROC for `--pids-limit` without a cgroup), set before the
    /// capabilities go.
    pub rlimits: Vec<Rlimit>,
}

impl Security {
    /// Install the filter if `at` is its place ([`SeccompAt::of`]).
    pub(crate) fn install_seccomp(&self, at: SeccompAt) -> Result<(), String> {
        match &self.seccomp {
            Some(prog) if SeccompAt::of(self.no_new_privs) == at => {
                prog.install().map_err(|e| e.to_string())
            }
            _ => Ok(()),
        }
    }

    /// `e`, with the hint that a profile of the user's own may refuse what follows an early
    /// install.
    fn explain(&self, e: impl std::fmt::Display) -> String {
        match (&self.seccomp, SeccompAt::of(self.no_new_privs)) {
            (Some(_), SeccompAt::BeforeUserSwitch) => seccomp::explain_early(e),
            _ => e.to_string(),
        }
    }
}

pub struct ProcessSpec {
    pub args: Vec<String>,
    pub env: Vec<String>,
    pub cwd: String,
    /// docker's `user[:group]`, resolved in the container.
    pub user: String,
    pub tty: bool,
    /// The container's stdin, stdout, stderr (a pty slave for all three with a tty).
    pub stdio: [RawFd; 3],
    /// `--init`: PID 1 is berth's sealed shim as a tiny init, which forwards signals to the
    /// command and reaps every orphan; the command runs as its child.
    pub init: bool,
}

pub struct ContainerSpec {
    pub rootfs: RootfsSpec,
    pub process: ProcessSpec,
    pub hostname: String,
    pub domainname: String,
    /// A new user namespace mapped like `Identity` (rootless), or none (root, `--userns=host`).
    pub userns: Option<Identity>,
    pub new_netns: bool,
    /// Another network namespace to join instead (`--network container:NAME`, `ns:PATH`).
    pub join_netns: Option<OwnedFd>,
    /// The user namespace that owns `join_netns`, joined instead of creating one (rootless: a
    /// network namespace can only be entered from the user namespace that owns it).
    pub join_userns: Option<OwnedFd>,
    /// A private cgroup namespace (`--cgroupns private`, the default), made after GO so that
    /// its root is the container's own cgroup (placed there at sync 2), not the monitor's.
    pub new_cgroupns: bool,
    /// The cgroup hierarchies mounted (read-only) at /sys/fs/cgroup inside a private cgroup
    /// namespace, where they show the container's own cgroup as their root.
    pub cgroup_mounts: Vec<CgroupMount>,
    pub security: Security,
}

/// One cgroup hierarchy for the container's /sys/fs/cgroup: `subdir` "" is a cgroup2 mount
/// over the whole directory; otherwise a v1 hierarchy (`data`: its controllers) in a subdir of
/// a tmpfs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CgroupMount {
    pub fstype: String,
    pub subdir: String,
    pub data: String,
}

/// The host's hierarchies under /sys/fs/cgroup (from a /proc/self/mountinfo text) that hold
/// one of `controllers` (cgroup2: the whole tree when it is mounted there).
pub fn cgroup_mounts_of(mountinfo: &str, controllers: &[&str]) -> Vec<CgroupMount> {
    let mut out = Vec::new();
    for line in mountinfo.lines() {
        let Some((left, right)) = line.split_once(" - ") else {
            continue;
        };
        let Some(point) = left.split_whitespace().nth(4) else {
            continue;
        };
        let mut r = right.split_whitespace();
        let (Some(fstype), _, Some(opts)) = (r.next(), r.next(), r.next()) else {
            continue;
        };
        match (fstype, point) {
            ("cgroup2", "/sys/fs/cgroup") => {
                return vec![CgroupMount {
                    fstype: "cgroup2".into(),
                    subdir: String::new(),
                    data: String::new(),
                }]
            }
            ("cgroup", p) if p.starts_with("/sys/fs/cgroup/") => {
                let ctrls: Vec<&str> = opts
                    .split(',')
                    .filter(|o| controllers.contains(o))
                    .collect();
                if !ctrls.is_empty() {
                    out.push(CgroupMount {
                        fstype: "cgroup".into(),
                        subdir: p["/sys/fs/cgroup/".len()..].to_string(),
                        data: ctrls.join(","),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// Mount `list` at /sys/fs/cgroup, read-only. Best effort: a kernel that refuses (v1
/// hierarchies in a user namespace) leaves the directory as it was, and the container runs.
fn mount_cgroups(list: &[CgroupMount]) {
    use std::path::Path;
    let base = Path::new("/sys/fs/cgroup");
    let flags = libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;
    // Read-only per mount (a bind remount), never the shared superblock.
    let ro = |p: &Path| {
        rootfs::mount(
            None,
            p,
            None,
            libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY | flags,
            None,
        )
    };
    match list {
        [] => {}
        [one] if one.subdir.is_empty() => {
            if rootfs::mount(
                Some(Path::new("cgroup2")),
                base,
                Some("cgroup2"),
                flags,
                None,
            )
            .is_ok()
            {
                let _ = ro(base);
            }
        }
        _ => {
            if rootfs::mount(
                Some(Path::new("tmpfs")),
                base,
                Some("tmpfs"),
                flags,
                Some("mode=755"),
            )
            .is_err()
            {
                return;
            }
            for m in list {
                let dir = base.join(&m.subdir);
                if std::fs::create_dir_all(&dir).is_ok()
                    && rootfs::mount(
                        Some(Path::new("cgroup")),
                        &dir,
                        Some("cgroup"),
                        flags,
                        Some(&m.data),
                    )
                    .is_ok()
                {
                    let _ = ro(&dir);
                }
            }
            let _ = ro(base);
        }
    }
}

// Parent → child
const MSG_MAPS: u8 = 1;
const MSG_GO: u8 = 2;
// Child → parent
const MSG_READY: u8 = 10;
// Child → parent, also used by `exec`'s child: why it could not get to exec.
pub(crate) const MSG_SETUP_FAILED: u8 = 11;
pub(crate) const MSG_EXEC_FAILED: u8 = 12;
/// From the sealed shim (shim.c): its exec of the command failed with this errno.
pub(crate) const MSG_EXEC_ERRNO: u8 = 13;

pub(crate) fn socketpair() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: socketpair into a two-element array.
    let rc = unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC,
            0,
            fds.as_mut_ptr(),
        )
    };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: two fresh descriptors we own.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

pub(crate) fn send(fd: &OwnedFd, tag: u8, payload: &[u8]) -> io::Result<()> {
    let mut msg = Vec::with_capacity(1 + payload.len());
    msg.push(tag);
    msg.extend_from_slice(payload);
    loop {
        // SAFETY: sending from a valid buffer.
        let n = unsafe {
            libc::send(
                fd.as_raw_fd(),
                msg.as_ptr() as *const libc::c_void,
                msg.len(),
                libc::MSG_NOSIGNAL,
            )
        };
        if n >= 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Send a message carrying one descriptor (SCM_RIGHTS).
pub(crate) fn send_fd(sock: &OwnedFd, tag: u8, fd: RawFd) -> io::Result<()> {
    let mut byte = [tag];
    let mut iov = libc::iovec {
        iov_base: byte.as_mut_ptr() as *mut libc::c_void,
        iov_len: 1,
    };
    // SAFETY: building a control message for one int in a buffer sized by CMSG_SPACE.
    unsafe {
        let space = libc::CMSG_SPACE(std::mem::size_of::<RawFd>() as u32) as usize;
        let mut cbuf = vec![0u8; space];
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = cbuf.as_mut_ptr() as *mut libc::c_void;
        msg.msg_controllen = space;
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        (*cmsg).cmsg_level = libc::SOL_SOCKET;
        (*cmsg).cmsg_type = libc::SCM_RIGHTS;
        (*cmsg).cmsg_len = libc::CMSG_LEN(std::mem::size_of::<RawFd>() as u32) as usize;
        std::ptr::write_unaligned(libc::CMSG_DATA(cmsg) as *mut RawFd, fd);
        if libc::sendmsg(sock.as_raw_fd(), &msg, libc::MSG_NOSIGNAL) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// A message: its tag, its payload, and the descriptor it carried, if any.
pub(crate) type FdMessage = (u8, Vec<u8>, Option<OwnedFd>);

/// One message and the descriptor it carries, if any; `None` at end-of-file.
pub(crate) fn recv_with_fd(sock: &OwnedFd) -> io::Result<Option<FdMessage>> {
    let mut buf = vec![0u8; 4096];
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr() as *mut libc::c_void,
        iov_len: buf.len(),
    };
    // SAFETY: recvmsg into buffers we own; the control message is read only when present.
    unsafe {
        let space = libc::CMSG_SPACE(std::mem::size_of::<RawFd>() as u32) as usize;
        let mut cbuf = vec![0u8; space];
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = cbuf.as_mut_ptr() as *mut libc::c_void;
        msg.msg_controllen = space;
        let n = loop {
            let n = libc::recvmsg(sock.as_raw_fd(), &mut msg, libc::MSG_CMSG_CLOEXEC);
            if n >= 0 {
                break n;
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        };
        if n == 0 {
            return Ok(None);
        }
        let mut fd = None;
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        if !cmsg.is_null()
            && (*cmsg).cmsg_level == libc::SOL_SOCKET
            && (*cmsg).cmsg_type == libc::SCM_RIGHTS
        {
            let raw = std::ptr::read_unaligned(libc::CMSG_DATA(cmsg) as *const RawFd);
            fd = Some(OwnedFd::from_raw_fd(raw));
        }
        buf.truncate(n as usize);
        let tag = buf.remove(0);
        Ok(Some((tag, buf, fd)))
    }
}

/// One message; `None` at end-of-file.
pub(crate) fn recv(fd: &OwnedFd) -> io::Result<Option<(u8, Vec<u8>)>> {
    let mut buf = vec![0u8; 4096];
    loop {
        // SAFETY: receiving into a valid buffer.
        let n = unsafe {
            libc::recv(
                fd.as_raw_fd(),
                buf.as_mut_ptr() as *mut libc::c_void,
                buf.len(),
                0,
            )
        };
        if n > 0 {
            buf.truncate(n as usize);
            let tag = buf.remove(0);
            return Ok(Some((tag, buf)));
        }
        if n == 0 {
            return Ok(None);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// The running container process, as seen by its parent.
#[derive(Debug)]
pub struct Spawned {
    pub pid: i32,
    /// The master side of the container's terminal (made inside its /dev/pts), with `tty`.
    pub console: Option<OwnedFd>,
}

/// What the parent does at the handshake's points, for the parts of a container that live
/// outside its own process (the network backend, the cgroup). Errors end the start: the child is
/// killed and the message is the start's error.
pub trait SpawnHooks {
    /// Right after sync 1 (the child's ids are mapped), while the child mounts its rootfs:
    /// start what can run in parallel with that (e.g. the network backend for its namespace).
    fn after_maps(&mut self, _pid: i32) -> Result<(), String> {
        Ok(())
    }
    /// At sync 2, before GO: the child's namespaces and rootfs are ready and it has not run any
    /// of the user's code yet (place it in its cgroup, wait for its network).
    fn before_go(&mut self, _pid: i32) -> Result<(), String> {
        Ok(())
    }
}

/// No work at the handshake's points.
pub struct NoHooks;

impl SpawnHooks for NoHooks {}

/// Several hooks, run in order at each point (the network's, then the cgroup's).
pub struct Hooks<'a>(pub Vec<&'a mut dyn SpawnHooks>);

impl SpawnHooks for Hooks<'_> {
    fn after_maps(&mut self, pid: i32) -> Result<(), String> {
        self.0.iter_mut().try_for_each(|h| h.after_maps(pid))
    }
    fn before_go(&mut self, pid: i32) -> Result<(), String> {
        self.0.iter_mut().try_for_each(|h| h.before_go(pid))
    }
}

/// Create the container. Must be called from a single-threaded process (the monitor): the child
/// is a copy of it that allocates before exec.
pub fn spawn(spec: &ContainerSpec, hooks: &mut dyn SpawnHooks) -> Result<Spawned, SpawnError> {
    let shim = SealedShim::new().map_err(|e| SpawnError::Setup(SealedShim::unavailable(&e)))?;
    let (parent_sock, child_sock) =
        socketpair().map_err(|e| setup("creating the sync socket", e))?;
    let mut flags =
        libc::CLONE_NEWNS | libc::CLONE_NEWPID | libc::CLONE_NEWUTS | libc::CLONE_NEWIPC;
    if spec.userns.is_some() && spec.join_userns.is_none() {
        flags |= libc::CLONE_NEWUSER;
    }
    if spec.new_netns && spec.join_netns.is_none() {
        flags |= libc::CLONE_NEWNET;
    }
    let pid = match &spec.join_userns {
        None => clone_child(spec, &shim, flags, parent_sock.as_raw_fd(), &child_sock)?,
        Some(userns) => clone_in_userns(spec, &shim, flags, userns, &parent_sock, &child_sock)?,
    };
    drop(child_sock);
    crate::timing::mark("parent: cloned");
    match handshake(spec, pid, &parent_sock, hooks) {
        Ok(console) => Ok(Spawned { pid, console }),
        Err(e) => {
            // SAFETY: killing and reaping our own child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                let mut st = 0;
                libc::waitpid(pid, &mut st, 0);
            }
            Err(e)
        }
    }
}

/// A fork-like clone into new namespaces; the child runs `child_main` and never returns here.
fn clone_child(
    spec: &ContainerSpec,
    shim: &SealedShim,
    flags: i32,
    parent_sock: RawFd,
    child_sock: &OwnedFd,
) -> Result<i32, SpawnError> {
    // SAFETY: a fork-like clone (no new stack: the child continues on a copy of ours). The
    // caller is single-threaded, so the copy's allocator and locks are consistent.
    let pid = unsafe {
        libc::syscall(
            libc::SYS_clone,
            (flags | libc::SIGCHLD) as libc::c_ulong,
            0usize,
            0usize,
            0usize,
            0usize,
        )
    };
    if pid < 0 {
        return Err(setup(
            "creating the container's namespaces",
            io::Error::last_os_error(),
        ));
    }
    if pid == 0 {
        // SAFETY: the parent's end, in the child's copy of the descriptor table.
        unsafe { libc::close(parent_sock) };
        let sock = child_sock.try_clone().unwrap_or_else(|_| {
            // SAFETY: nothing to report to without a socket.
            unsafe { libc::_exit(125) }
        });
        child_main(spec, shim, sock);
    }
    Ok(pid as i32)
}

/// Clone the container inside an existing user namespace: a helper joins it (as its owner the
/// monitor may) and clones the container as the monitor's child (CLONE_PARENT), so that the
/// container's other namespaces belong to that user namespace.
fn clone_in_userns(
    spec: &ContainerSpec,
    shim: &SealedShim,
    flags: i32,
    userns: &OwnedFd,
    parent_sock: &OwnedFd,
    child_sock: &OwnedFd,
) -> Result<i32, SpawnError> {
    let (r, w) = crate::monitor::pipe().map_err(|e| setup("creating a pipe", e))?;
    // SAFETY: the monitor is single-threaded; the helper leaves through _exit.
    let helper = unsafe { libc::fork() };
    if helper < 0 {
        return Err(setup("forking", io::Error::last_os_error()));
    }
    if helper == 0 {
        drop(r);
        // SAFETY: setns on a descriptor we hold.
        let answer = if unsafe { libc::setns(userns.as_raw_fd(), libc::CLONE_NEWUSER) } != 0 {
            -io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EPERM)
        } else {
            match clone_child(
                spec,
                shim,
                flags | libc::CLONE_PARENT,
                parent_sock.as_raw_fd(),
                child_sock,
            ) {
                Ok(pid) => pid,
                Err(_) => -io::Error::last_os_error()
                    .raw_os_error()
                    .unwrap_or(libc::EPERM),
            }
        };
        let _ = (&std::fs::File::from(w)).write_all(&answer.to_le_bytes());
        // SAFETY: leave without the monitor's destructors.
        unsafe { libc::_exit(0) }
    }
    drop(w);
    let mut buf = [0u8; 4];
    let got = std::fs::File::from(r).read_exact(&mut buf);
    let mut st = 0;
    // SAFETY: reaping the helper.
    unsafe { libc::waitpid(helper, &mut st, 0) };
    got.map_err(|e| setup("joining the other container's user namespace", e))?;
    match i32::from_le_bytes(buf) {
        pid if pid > 0 => Ok(pid),
        errno => Err(setup(
            "joining the other container's namespaces",
            io::Error::from_raw_os_error(-errno),
        )),
    }
}

/// The parent's reading of a child's failure message ([`ChildFailure::report`]); `None` for
/// any other message.
pub(crate) fn reported_failure(tag: u8, payload: &[u8]) -> Option<SpawnError> {
    match tag {
        MSG_SETUP_FAILED => Some(SpawnError::Setup(
            String::from_utf8_lossy(payload).into_owned(),
        )),
        MSG_EXEC_FAILED if payload.len() >= 4 => Some(SpawnError::Exec(ExecFailure {
            code: i32::from_le_bytes([payload[0], payload[1], payload[2], payload[3]]),
            message: String::from_utf8_lossy(&payload[4..]).into_owned(),
        })),
        MSG_EXEC_ERRNO if payload.len() >= 4 => Some(SpawnError::Exec(user::exec_failure(
            &String::from_utf8_lossy(&payload[4..]),
            i32::from_le_bytes([payload[0], payload[1], payload[2], payload[3]]),
        ))),
        _ => None,
    }
}

fn handshake(
    spec: &ContainerSpec,
    pid: i32,
    sock: &OwnedFd,
    hooks: &mut dyn SpawnHooks,
) -> Result<Option<OwnedFd>, SpawnError> {
    // sync 1: the id maps.
    if let Some(ident) = &spec.userns {
        super::userns::write_maps(pid, ident).map_err(|e| setup("mapping ids", e))?;
    }
    send(sock, MSG_MAPS, &[]).map_err(|e| setup("sync 1", e))?;
    hooks.after_maps(pid).map_err(SpawnError::Setup)?;
    // sync 2: the child has its rootfs (and, with a terminal, sends us its master side).
    let console = match recv_with_fd(sock).map_err(|e| setup("sync 2", e))? {
        Some((MSG_READY, _, fd)) => fd,
        Some((t, p, _)) => {
            return Err(reported_failure(t, &p)
                .unwrap_or_else(|| setup("sync 2", format!("unexpected message {t}"))))
        }
        None => return Err(setup("sync 2", "the container process died during setup")),
    };
    if spec.process.tty && console.is_none() {
        return Err(setup("sync 2", "the container's terminal did not arrive"));
    }
    hooks.before_go(pid).map_err(SpawnError::Setup)?;
    send(sock, MSG_GO, &[]).map_err(|e| setup("sync 3", e))?;
    // sync 3: end-of-file means exec succeeded.
    match recv(sock).map_err(|e| setup("sync 3", e))? {
        None => Ok(console),
        Some((t, p)) => Err(reported_failure(t, &p)
            .unwrap_or_else(|| setup("sync 3", format!("unexpected message {t}")))),
    }
}

/// The child side. Never returns: execs or exits.
fn child_main(spec: &ContainerSpec, shim: &SealedShim, sock: OwnedFd) -> ! {
    // If the monitor dies during setup, do not linger half-built.
    // SAFETY: prctl on ourselves.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
    // The caller's arguments and environment are not the container's (seal.rs).
    seal::scrub_caller_memory();
    match child_setup(spec, shim, &sock) {
        Err(f) => f.report(&sock),
        Ok(never) => match never {},
    }
    // SAFETY: leave without running the monitor's destructors.
    unsafe { libc::_exit(125) }
}

/// Why a child (a container's, or `exec`'s) could not get to exec: its set-up failed (125), or
/// the command cannot be run (126/127).
pub(crate) enum ChildFailure {
    Setup(String),
    Exec(ExecFailure),
}

impl ChildFailure {
    /// Tell the parent over the sync socket; it reads it with [`reported_failure`].
    pub(crate) fn report(self, sock: &OwnedFd) {
        let _ = match self {
            ChildFailure::Setup(msg) => send(sock, MSG_SETUP_FAILED, msg.as_bytes()),
            ChildFailure::Exec(f) => {
                let mut p = f.code.to_le_bytes().to_vec();
                p.extend_from_slice(f.message.as_bytes());
                send(sock, MSG_EXEC_FAILED, &p)
            }
        };
    }
}

/// What a child's set-up returns when it succeeds: nothing, it has exec'd.
pub(crate) enum Never {}

pub(crate) fn fail(what: &str) -> impl FnOnce(io::Error) -> ChildFailure + '_ {
    move |e| ChildFailure::Setup(format!("{what}: {e}"))
}

/// Sync 2 from the child's side: say READY (passing the terminal's master side, if any) and
/// wait for GO. `parent` names the other side for the error when it went away.
pub(crate) fn ready_then_wait(
    sock: &OwnedFd,
    console: Option<&OwnedFd>,
    ready: u8,
    go: u8,
    parent: &str,
) -> Result<(), ChildFailure> {
    match console {
        Some(master) => send_fd(sock, ready, master.as_raw_fd()),
        None => send(sock, ready, &[]),
    }
    .map_err(fail("sync 2"))?;
    match recv(sock).map_err(fail("sync 2"))? {
        Some((t, _)) if t == go => Ok(()),
        _ => Err(ChildFailure::Setup(format!("sync 2: {parent} went away"))),
    }
}

/// A command found in the container and turned into execve's arguments, before the last
/// steps (seccomp, closing descriptors) that come between finding it and running it.
pub(crate) struct ResolvedCommand {
    program: CString,
    argv: Vec<CString>,
    envp: Vec<CString>,
}

/// Find `p.args[0]` on the container's PATH (after HOME is set from the user, as docker does)
/// and prepare argv and envp.
pub(crate) fn resolve_command(
    p: &ProcessSpec,
    exec_user: &ExecUser,
) -> Result<ResolvedCommand, ChildFailure> {
    let mut env = p.env.clone();
    if !env.iter().any(|e| e.starts_with("HOME=")) {
        env.push(format!("HOME={}", exec_user.home));
    }
    let path_env = env.iter().find_map(|e| e.strip_prefix("PATH="));
    let name = p
        .args
        .first()
        .ok_or_else(|| ChildFailure::Setup("no command specified".into()))?;
    let program = user::find_executable(name, path_env).map_err(ChildFailure::Exec)?;
    let to_c = |s: &str| {
        CString::new(s).map_err(|_| ChildFailure::Setup(format!("{s:?} contains a NUL byte")))
    };
    Ok(ResolvedCommand {
        program: CString::new(program.as_os_str().as_encoded_bytes())
            .map_err(|_| ChildFailure::Setup("the command contains a NUL byte".into()))?,
        argv: p.args.iter().map(|a| to_c(a)).collect::<Result<_, _>>()?,
        envp: env.iter().map(|a| to_c(a)).collect::<Result<_, _>>()?,
    })
}

impl ResolvedCommand {
    /// Prepare its exec through the sealed shim (seal.rs): every allocation happens here,
    /// before the seccomp filter and the point of no return.
    pub(crate) fn through(
        &self,
        shim: &SealedShim,
        mode: ShimMode,
    ) -> Result<ShimCall, ChildFailure> {
        shim.prepare(mode, &self.program, &self.argv, &self.envp)
            .map_err(fail("preparing berth's sealed exec helper"))
    }
}

fn child_setup(
    spec: &ContainerSpec,
    shim: &SealedShim,
    sock: &OwnedFd,
) -> Result<Never, ChildFailure> {
    // sync 1
    match recv(sock).map_err(fail("sync 1"))? {
        Some((MSG_MAPS, _)) => {}
        _ => return Err(ChildFailure::Setup("sync 1: the monitor went away".into())),
    }
    if spec.userns.is_some() {
        // SAFETY: credential syscalls on ourselves, root in our new user namespace.
        unsafe {
            if libc::setresgid(0, 0, 0) != 0 || libc::setresuid(0, 0, 0) != 0 {
                return Err(fail("becoming root in the user namespace")(
                    io::Error::last_os_error(),
                ));
            }
        }
    }
    // docker's umask for the container, whatever berth was started with.
    // SAFETY: umask has no preconditions.
    unsafe { libc::umask(0o022) };
    // Host supplementary groups would show up as "nogroup" in the container.
    // SAFETY: dropping all supplementary groups (allowed: setgroups is not denied with newgidmap).
    unsafe { libc::setgroups(0, std::ptr::null()) };

    if let Some(netns) = &spec.join_netns {
        // SAFETY: setns on a descriptor inherited from the monitor.
        if unsafe { libc::setns(netns.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
            return Err(fail("joining the network namespace")(
                io::Error::last_os_error(),
            ));
        }
    } else if spec.new_netns {
        // docker's containers have their loopback up, whatever else their network gives them.
        loopback_up().map_err(fail("bringing up the loopback interface"))?;
    }
    crate::timing::mark("child: maps done");
    rootfs::prepare(&spec.rootfs).map_err(fail("preparing the rootfs"))?;
    crate::timing::mark("child: mounts done");
    rootfs::pivot(&spec.rootfs.mountpoint).map_err(fail("entering the rootfs"))?;
    set_name(libc::SYS_sethostname, &spec.hostname).map_err(fail("setting the hostname"))?;
    if !spec.domainname.is_empty() {
        set_name(libc::SYS_setdomainname, &spec.domainname)
            .map_err(fail("setting the domain name"))?;
    }

    let p = &spec.process;
    let exec_user =
        user::resolve_in_container(&p.user).map_err(|e| ChildFailure::Setup(e.to_string()))?;
    if !p.cwd.is_empty() {
        // docker creates a missing working directory.
        std::fs::create_dir_all(&p.cwd).map_err(fail("creating the working directory"))?;
    }

    // The terminal is made in the container's own devpts, so that it is /dev/pts/0 inside and
    // `tty` names it; the master side goes to the monitor with the READY message.
    let console = if p.tty {
        Some(open_console().map_err(fail("creating the container's terminal"))?)
    } else {
        None
    };
    // sync 2
    ready_then_wait(
        sock,
        console.as_ref().map(|(master, _)| master),
        MSG_READY,
        MSG_GO,
        "the monitor",
    )?;
    // Our ids are mapped and the network is attached (both needed our /proc files): from
    // here until exec nothing may read or attach to us (seal.rs).
    seal::set_non_dumpable();
    // Now in its own cgroup (the monitor placed it before GO): that becomes its namespace's root.
    if spec.new_cgroupns {
        // SAFETY: unshare on ourselves.
        if unsafe { libc::unshare(libc::CLONE_NEWCGROUP) } != 0 {
            return Err(fail("creating the cgroup namespace")(
                io::Error::last_os_error(),
            ));
        }
        mount_cgroups(&spec.cgroup_mounts);
    }

    // stdio, and the terminal as controlling tty.
    let stdio = match &console {
        Some((_, slave)) => [slave.as_raw_fd(); 3],
        None => p.stdio,
    };
    wire_stdio(stdio, p.tty).map_err(ChildFailure::Setup)?;
    drop(console);

    let sec = &spec.security;
    become_user(sec, &exec_user).map_err(ChildFailure::Setup)?;
    if !p.cwd.is_empty() {
        std::env::set_current_dir(&p.cwd).map_err(fail("entering the working directory"))?;
    }

    let mode = if p.init {
        ShimMode::Init
    } else {
        ShimMode::Exec
    };
    let command = resolve_command(p, &exec_user)?.through(shim, mode)?;

    // Last (with no_new_privs): from here on only what the profile allows (the shim's exec,
    // and as the init its fork, waits and signals).
    sec.install_seccomp(SeccompAt::BeforeExec)
        .map_err(ChildFailure::Setup)?;

    // Nothing of the monitor's may leak into the container: mark every descriptor above 2
    // close-on-exec (the sync socket already is, and must stay open until exec).
    // SAFETY: close_range with CLOSE_RANGE_CLOEXEC only sets flags.
    unsafe {
        libc::syscall(
            libc::SYS_close_range,
            3u32,
            u32::MAX,
            libc::CLOSE_RANGE_CLOEXEC,
        )
    };
    crate::timing::mark("child: exec");
    Err(exec_failed(command.exec(sock.as_raw_fd())))
}

/// The shim itself could not be started (the command's own failure comes from the shim).
pub(crate) fn exec_failed(e: io::Error) -> ChildFailure {
    ChildFailure::Setup(format!("starting berth's sealed exec helper: {e}"))
}

/// Set `lo` up in the (new) network namespace we are in.
fn loopback_up() -> io::Result<()> {
    // SAFETY: an ioctl socket and SIOC[GS]IFFLAGS on a zeroed ifreq naming "lo".
    unsafe {
        let s = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
        if s < 0 {
            return Err(io::Error::last_os_error());
        }
        let sock = OwnedFd::from_raw_fd(s);
        let mut req: libc::ifreq = std::mem::zeroed();
        req.ifr_name[0] = b'l' as libc::c_char;
        req.ifr_name[1] = b'o' as libc::c_char;
        if libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFFLAGS, &mut req) < 0 {
            return Err(io::Error::last_os_error());
        }
        req.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
        if libc::ioctl(sock.as_raw_fd(), libc::SIOCSIFFLAGS, &req) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// A pseudo-terminal pair from the /dev/pts of the mount namespace we are in (a container's
/// own, after pivot_root or chroot), so that `tty` names it as the container sees it.
pub(crate) fn open_pty() -> io::Result<(OwnedFd, OwnedFd)> {
    // SAFETY: the posix_openpt/unlockpt/ptsname_r sequence on descriptors we own.
    unsafe {
        let m = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
        if m < 0 {
            return Err(io::Error::last_os_error());
        }
        let master = OwnedFd::from_raw_fd(m);
        if libc::unlockpt(m) != 0 {
            return Err(io::Error::last_os_error());
        }
        let mut name = [0 as libc::c_char; 64];
        if libc::ptsname_r(m, name.as_mut_ptr(), name.len()) != 0 {
            return Err(io::Error::last_os_error());
        }
        let s = libc::open(
            name.as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        );
        if s < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok((master, OwnedFd::from_raw_fd(s)))
    }
}

/// Open a pseudo-terminal pair in the container's /dev/pts (we are after pivot_root) and bind
/// the slave onto /dev/console.
fn open_console() -> io::Result<(OwnedFd, OwnedFd)> {
    let (master, slave) = open_pty()?;
    let name = std::fs::read_link(format!("/proc/self/fd/{}", slave.as_raw_fd()))?;
    let name = CString::new(name.as_os_str().as_encoded_bytes())
        .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: creating the mount point and a bind mount inside our own mount namespace.
    unsafe {
        let console = CString::new("/dev/console").expect("static");
        let fd = libc::open(
            console.as_ptr(),
            libc::O_CREAT | libc::O_WRONLY | libc::O_CLOEXEC | libc::O_NOFOLLOW,
            0o600,
        );
        if fd >= 0 {
            libc::close(fd);
        }
        if libc::mount(
            name.as_ptr(),
            console.as_ptr(),
            std::ptr::null(),
            libc::MS_BIND,
            std::ptr::null(),
        ) != 0
        {
            return Err(io::Error::last_os_error());
        }
        Ok((master, slave))
    }
}

fn set_name(nr: libc::c_long, name: &str) -> io::Result<()> {
    // SAFETY: the kernel reads `len` bytes from the pointer.
    let rc = unsafe { libc::syscall(nr, name.as_ptr(), name.len()) };
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// Put `stdio` on descriptors 0..2 in a session of our own (so that no terminal of the
/// caller's is ours: no /dev/tty, no TIOCSTI into it) and, with a terminal, make it our
/// controlling terminal. In a container's (or exec's) child, after sync 2.
pub(crate) fn wire_stdio(stdio: [RawFd; 3], tty: bool) -> Result<(), String> {
    for (i, fd) in stdio.iter().enumerate() {
        if *fd != i as RawFd {
            // SAFETY: dup2 onto 0..2.
            if unsafe { libc::dup2(*fd, i as RawFd) } < 0 {
                return Err(format!("setting up stdio: {}", io::Error::last_os_error()));
            }
        }
    }
    // SAFETY: a new session; with a terminal, its controlling terminal is our stdin.
    unsafe {
        libc::setsid();
        if tty && libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
            return Err(format!(
                "setting the controlling terminal: {}",
                io::Error::last_os_error()
            ));
        }
    }
    Ok(())
}

/// Switch to the container user with the rlimits, capability sets and no_new_privs of `sec`,
/// in runc's order: the rlimits while we may still raise them, the seccomp filter here if
/// no_new_privs is off ([`SeccompAt`]), the bounding set shrinks while we are still root, the
/// user switch keeps the permitted set (KEEPCAPS), then the final sets are written. With
/// no_new_privs the filter comes later, last.
pub(crate) fn become_user(sec: &Security, user: &ExecUser) -> Result<(), String> {
    rlimits::apply(&sec.rlimits)?;
    sec.install_seccomp(SeccompAt::BeforeUserSwitch)?;
    if let Some(pc) = &sec.caps {
        caps::drop_bounding(pc).map_err(|e| sec.explain(e))?;
    }
    switch_user(user).map_err(|e| sec.explain(format!("switching to the container user: {e}")))?;
    if let Some(pc) = &sec.caps {
        // SAFETY: prctl with integer arguments.
        unsafe { libc::prctl(libc::PR_SET_KEEPCAPS, 0, 0, 0, 0) };
        caps::set_process_caps(pc).map_err(|e| sec.explain(e))?;
    }
    if sec.no_new_privs {
        seccomp::set_no_new_privs().map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn switch_user(u: &ExecUser) -> io::Result<()> {
    // SAFETY: plain credential syscalls on ourselves. KEEPCAPS lets the security hook decide
    // what a non-root user keeps instead of the kernel clearing everything at setuid.
    unsafe {
        libc::prctl(libc::PR_SET_KEEPCAPS, 1, 0, 0, 0);
        let groups: Vec<libc::gid_t> = u.groups.clone();
        if libc::setgroups(groups.len(), groups.as_ptr()) != 0 {
            let e = io::Error::last_os_error();
            // Without newgidmap, setgroups is denied in the namespace: only an empty list works.
            if !(groups.is_empty() && e.raw_os_error() == Some(libc::EPERM)) {
                return Err(e);
            }
        }
        if libc::setresgid(u.gid, u.gid, u.gid) != 0 {
            return Err(io::Error::last_os_error());
        }
        if libc::setresuid(u.uid, u.uid, u.uid) != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

#[cfg(test)]
mod cgroup_mount_tests {
    use super::*;

    #[test]
    fn v1_hierarchies_with_berths_controllers_are_mounted_and_cgroup2_over_all_wins() {
        let hybrid = "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n\
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n\
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n\
37 31 0:34 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n\
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n\
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
        let m = cgroup_mounts_of(hybrid, &["memory", "cpu", "cpuacct"]);
        let got: Vec<(&str, &str)> = m
            .iter()
            .map(|m| (m.subdir.as_str(), m.data.as_str()))
            .collect();
        assert_eq!(got, [("memory", "memory"), ("cpu,cpuacct", "cpu,cpuacct")]);
        let unified = "25 20 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n";
        let m = cgroup_mounts_of(unified, &["memory"]);
        assert_eq!(m.len(), 1);
        assert_eq!(
            (m[0].fstype.as_str(), m[0].subdir.as_str()),
            ("cgroup2", "")
        );
    }
}
