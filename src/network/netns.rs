//! The rootless network namespace: one long-lived holder process per user, in a user namespace
//! U (mapped like berth's own) and a network namespace R owned by U, which holds the bridges
//! of the default network and of user networks and reaches the outside through one pasta
//! (slirp4netns when pasta is missing). Holder and pasta start with the first container on a
//! bridge network and persist after the last one (so a container start only adds a veth pair);
//! they are started again when gone, and `system migrate`/`system reset` stop them.
//! Containers on bridge networks are made in U itself (their monitor joins it; their ids are
//! mapped exactly like berth's, and `--runtime` runc/crun runs in U too), each with a network
//! namespace of its own owned by U, so a process in U has CAP_NET_ADMIN over R and over every
//! such container's network namespace.
//!
//! Also the helpers for the detached processes berth keeps here (holder, DNS responders):
//! double-forked, in their own session, recorded as `pid start-time` files so a recycled pid is
//! never mistaken for ours.

use std::fs;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::runtime::userns::{self, Identity};

/// Where the holder's and the responders' pid files live.
pub fn state_dir(run_root: &Path) -> PathBuf {
    run_root.join("networks")
}

fn start_time(pid: i32) -> Option<u64> {
    crate::engine::container::process_start_time(pid)
}

/// The live process a pid file names, if it is still the one that wrote it.
pub fn read_pidfile(path: &Path) -> Option<i32> {
    let text = fs::read_to_string(path).ok()?;
    let mut w = text.split_whitespace();
    let pid: i32 = w.next()?.parse().ok()?;
    let start: u64 = w.next()?.parse().ok()?;
    (start_time(pid) == Some(start)).then_some(pid)
}

pub fn write_pidfile(path: &Path, pid: i32) -> io::Result<()> {
    let start = start_time(pid).unwrap_or(0);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    crate::store::atomic::write_replace(path, format!("{pid} {start}\n").as_bytes(), 0o600)
}

/// Stop the process a pid file names (SIGTERM, then SIGKILL after a second) and remove the
/// file. Returns only once the process is gone: a pidfd (these daemons are not our children,
/// so waitpid cannot reap them) becomes readable when it has exited, so callers such as the
/// last container's teardown never return while a responder or pasta still runs.
pub fn kill_pidfile(path: &Path) {
    if let Some(pid) = read_pidfile(path) {
        kill_and_wait(pid);
    }
    let _ = fs::remove_file(path);
}

fn pidfd_open(pid: i32) -> Option<OwnedFd> {
    // SAFETY: pidfd_open returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) } as i32;
    // SAFETY: a new descriptor we own.
    (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Whether the process behind `fd` exits within `ms` milliseconds.
fn exits_within(fd: &OwnedFd, ms: i32) -> bool {
    let mut p = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    loop {
        // SAFETY: one valid pollfd.
        let r = unsafe { libc::poll(&mut p, 1, ms) };
        if r < 0 && io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
            continue;
        }
        return r > 0;
    }
}

/// SIGTERM `pid`, SIGKILL it if it lingers, and wait until it has exited.
fn kill_and_wait(pid: i32) {
    let Some(fd) = pidfd_open(pid) else {
        return; // gone already
    };
    // The pidfd pins this process: check it is still the one the pid file named.
    if start_time(pid).is_none() {
        return;
    }
    let signal = |sig: i32| {
        // SAFETY: pidfd_send_signal on our pidfd; a recycled pid cannot be hit through it.
        unsafe {
            libc::syscall(
                libc::SYS_pidfd_send_signal,
                fd.as_raw_fd(),
                sig,
                std::ptr::null::<libc::siginfo_t>(),
                0,
            )
        };
    };
    signal(libc::SIGTERM);
    if exits_within(&fd, 1000) {
        return;
    }
    signal(libc::SIGKILL);
    // SIGKILL cannot be ignored; the wait only covers the kernel tearing the process down.
    exits_within(&fd, 10_000);
}

fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills two new descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both are new descriptors we own.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

fn read_byte(fd: &OwnedFd) -> io::Result<u8> {
    let mut f = fs::File::from(fd.try_clone()?);
    let mut b = [0u8; 1];
    f.read_exact(&mut b)?;
    Ok(b[0])
}

fn write_bytes(fd: &OwnedFd, b: &[u8]) -> io::Result<()> {
    fs::File::from(fd.try_clone()?).write_all(b)
}

/// Name this process `name` (what `ps` and /proc/PID/comm show): the holder and responders
/// are forks of berth, and their own names tell them apart (the tests look for leftovers so).
pub fn set_process_name(name: &str) {
    if let Ok(c) = std::ffi::CString::new(name) {
        // SAFETY: PR_SET_NAME copies at most 16 bytes from a NUL-terminated string.
        unsafe { libc::prctl(libc::PR_SET_NAME, c.as_ptr(), 0, 0, 0) };
    }
}

/// Fork a detached process (double fork: it is not our child, so nobody has to reap it) that
/// runs `body` with stdio on /dev/null and every descriptor closed but `keep`. Returns its pid.
/// The caller must be single-threaded.
pub fn spawn_daemon(keep: &[RawFd], body: impl FnOnce() -> i32) -> io::Result<i32> {
    let (pid_r, pid_w) = pipe()?;
    // SAFETY: fork in a single-threaded process.
    let first = unsafe { libc::fork() };
    if first < 0 {
        return Err(io::Error::last_os_error());
    }
    if first == 0 {
        // SAFETY: in the child: new session, then the real fork.
        unsafe { libc::setsid() };
        let second = unsafe { libc::fork() };
        if second != 0 {
            let _ = write_bytes(&pid_w, &second.to_ne_bytes());
            // SAFETY: leave without running the parent's destructors.
            unsafe { libc::_exit(0) };
        }
        drop(pid_r);
        drop(pid_w);
        detach_stdio_and_close_all_but(keep);
        let code = body();
        // SAFETY: as above.
        unsafe { libc::_exit(code) };
    }
    drop(pid_w);
    let mut st = 0;
    // SAFETY: reaping the intermediate child.
    unsafe { libc::waitpid(first, &mut st, 0) };
    let mut b = [0u8; 4];
    fs::File::from(pid_r).read_exact(&mut b)?;
    Ok(i32::from_ne_bytes(b))
}

/// In a freshly forked helper: stdio onto /dev/null and every other descriptor but `keep`
/// closed (nothing of its parent's pipes stays open in it).
pub fn detach_stdio_and_close_all_but(keep: &[RawFd]) {
    if let Ok(null) = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
    {
        for fd in 0..3 {
            // SAFETY: dup2 onto stdio.
            unsafe { libc::dup2(null.as_raw_fd(), fd) };
        }
    }
    close_all_but(keep);
}

fn close_all_but(keep: &[RawFd]) {
    let fds: Vec<RawFd> = fs::read_dir("/proc/self/fd")
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    for fd in fds {
        if fd > 2 && !keep.contains(&fd) {
            // SAFETY: closing descriptors this fresh process inherited and does not use.
            unsafe { libc::close(fd) };
        }
    }
}

/// Start a holder daemon named `name` in a new user namespace mapped like `ident` (newuidmap
/// run by us, the parent), as root of it; `inside` then finishes its set-up (e.g. a network
/// namespace) before it reports ready and waits for the signal that ends it. Returns its pid
/// once it is ready; on a failure it is killed and the error says which step failed.
pub fn spawn_mapped_daemon(
    name: &str,
    ident: &Identity,
    inside: impl FnOnce() -> Result<(), &'static str>,
) -> Result<i32, String> {
    let (ready_r, ready_w) = pipe().map_err(|e| e.to_string())?;
    let (maps_r, maps_w) = pipe().map_err(|e| e.to_string())?;
    let (why_r, why_w) = pipe().map_err(|e| e.to_string())?;
    let keep = [ready_w.as_raw_fd(), maps_r.as_raw_fd(), why_w.as_raw_fd()];
    let pid = spawn_daemon(&keep, || {
        set_process_name(name);
        // SAFETY: a new user namespace for this (single-threaded) process.
        if unsafe { libc::unshare(libc::CLONE_NEWUSER) } != 0 {
            return 1;
        }
        if write_bytes(&ready_w, b"1").is_err() || read_byte(&maps_r).is_err() {
            return 1;
        }
        // SAFETY: become root of the new namespace.
        unsafe {
            libc::setresgid(0, 0, 0);
            libc::setresuid(0, 0, 0);
        }
        if let Err(why) = inside() {
            let _ = write_bytes(&why_w, why.as_bytes());
            return 1;
        }
        if write_bytes(&ready_w, b"2").is_err() {
            return 1;
        }
        loop {
            // SAFETY: wait for the SIGTERM that ends us.
            unsafe { libc::pause() };
        }
    })
    .map_err(|e| e.to_string())?;
    drop(ready_w);
    drop(maps_r);
    drop(why_w);
    let fail = |what: String| {
        // SAFETY: killing the holder we just started.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        what
    };
    if read_byte(&ready_r).ok() != Some(b'1') {
        return Err(fail("the holder process died".into()));
    }
    userns::write_maps(pid, ident).map_err(|e| fail(e.to_string()))?;
    write_bytes(&maps_w, b"1").map_err(|e| fail(e.to_string()))?;
    if read_byte(&ready_r).ok() != Some(b'2') {
        let mut why = String::new();
        let _ = fs::File::from(why_r).read_to_string(&mut why);
        if why.is_empty() {
            why = "the holder process died".into();
        }
        return Err(fail(why));
    }
    Ok(pid)
}

/// The running holder: its pid (for /proc/PID/ns/{user,net}).
pub struct Holder {
    pub pid: i32,
}

impl Holder {
    pub fn userns_path(&self) -> String {
        format!("/proc/{}/ns/user", self.pid)
    }

    pub fn netns_path(&self) -> String {
        format!("/proc/{}/ns/net", self.pid)
    }
}

/// The holder, started (with its outward link) unless it runs already. Call with the networks
/// lock held and from the host user namespace.
pub fn ensure_holder(run_root: &Path, ident: &Identity) -> Result<Holder, String> {
    let dir = state_dir(run_root);
    if let Some(pid) = read_pidfile(&dir.join("holder.pid")) {
        let holder = Holder { pid };
        // Its pasta (or slirp4netns) was killed or crashed: R gets a new one, and the
        // containers wired into R keep their addresses.
        if read_pidfile(&dir.join("outward.pid")).is_none() {
            start_outward(&dir, &holder)?;
        }
        return Ok(holder);
    }
    kill_pidfile(&dir.join("outward.pid"));
    // A new R has no bridges and no rules: forget what was applied to the last one.
    forget_applied(run_root);
    let pid = spawn_mapped_daemon("berth-netns", ident, || {
        // It outlives the command that started it (it persists between containers): that
        // command's arguments and environment are not kept in its memory, nor is its
        // directory kept busy.
        crate::runtime::seal::scrub_caller_memory();
        let _ = std::env::set_current_dir("/");
        // SAFETY: the network namespace of the new user namespace.
        if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
            return Err("the holder could not create its network namespace");
        }
        super::netlink::Netlink::open()
            .and_then(|mut nl| nl.set_link("lo", None, None, true))
            .map_err(|_| "the holder could not create its network namespace")
    })
    .map_err(|e| format!("starting the rootless network namespace: {e}"))?;
    let fail = |what: &str| {
        // SAFETY: killing the holder we just started.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        format!("starting the rootless network namespace: {what}")
    };
    write_pidfile(&dir.join("holder.pid"), pid).map_err(|e| fail(&e.to_string()))?;
    let holder = Holder { pid };
    if let Err(e) = start_outward(&dir, &holder) {
        kill_pidfile(&dir.join("holder.pid"));
        return Err(e);
    }
    Ok(holder)
}

/// The environment of the outward link, which persists between containers: nothing of the
/// command that happened to start it.
const OUTWARD_PATH: &str = "/usr/sbin:/usr/bin:/sbin:/bin";

/// The nftables script last applied in R (or, as root, the host), so that a container whose
/// networks' rules are unchanged spawns no nft.
pub fn applied_path(run_root: &Path) -> PathBuf {
    state_dir(run_root).join("nft.applied")
}

/// Forget the applied rules (their namespace is new, or the table was deleted).
pub fn forget_applied(run_root: &Path) {
    let _ = fs::remove_file(applied_path(run_root));
}

/// Where the address the outward pasta maps to the host's loopback is recorded.
fn hostloop_path(dir: &Path) -> PathBuf {
    dir.join("hostloop")
}

/// The address at which containers on bridge networks reach the host's loopback
/// (host.containers.internal): the one the running pasta was started with, as recorded then
/// (so a container's create spawns no `pasta --help`), else what a pasta started now maps.
/// None when the outward link has no such address (slirp4netns).
pub fn host_loopback_address(run_root: &Path) -> Option<String> {
    let dir = state_dir(run_root);
    if read_pidfile(&dir.join("outward.pid")).is_some() {
        if let Ok(s) = fs::read_to_string(hostloop_path(&dir)) {
            let s = s.trim();
            return (!s.is_empty()).then(|| s.to_string());
        }
    }
    super::hostloop::outward_plan().map(|p| p.address().to_string())
}

/// Connect R to the outside: pasta, or slirp4netns without it.
fn start_outward(dir: &Path, holder: &Holder) -> Result<(), String> {
    let pidfile = dir.join("outward.pid");
    let raw_pidfile = dir.join("pasta.raw.pid");
    let _ = fs::remove_file(hostloop_path(dir));
    let Ok(pasta) = crate::hostpaths::helper("pasta") else {
        let slirp = crate::hostpaths::helper("slirp4netns").map_err(|_| {
            "neither pasta nor slirp4netns is installed: install the passt package (apt-get install passt)".to_string()
        })?;
        let child = Command::new(slirp)
            .env_clear()
            .env("PATH", OUTWARD_PATH)
            .current_dir("/")
            .args(["--configure", "--mtu=65520", "--disable-host-loopback"])
            .arg(format!("--userns-path={}", holder.userns_path()))
            .args(["--netns-type=path", &holder.netns_path(), "tap0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting slirp4netns: {e}"))?;
        // Started without host loopback: no address for host.containers.internal.
        let _ = fs::write(hostloop_path(dir), "");
        return write_pidfile(&pidfile, child.id() as i32).map_err(|e| e.to_string());
    };
    let plan = super::hostloop::outward_plan();
    let pasta = Command::new(pasta)
        .env_clear()
        .env("PATH", OUTWARD_PATH)
        .current_dir("/")
        .args([
            "--config-net",
            "--quiet",
            "-t",
            "none",
            "-u",
            "none",
            "-T",
            "none",
            "-U",
            "none",
        ])
        // How containers on user networks reach the host's loopback (their /etc/hosts names
        // the address).
        .args(plan.as_ref().map(|p| p.pasta_args()).unwrap_or_default())
        .args([
            "--netns",
            &holder.netns_path(),
            "--userns",
            &holder.userns_path(),
        ])
        .arg("--pid")
        .arg(&raw_pidfile)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output();
    match pasta {
        Ok(out) if out.status.success() => {
            let pid: i32 = fs::read_to_string(&raw_pidfile)
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .ok_or("pasta did not write its pid")?;
            let _ = fs::remove_file(&raw_pidfile);
            let address = plan.map(|p| p.address().to_string()).unwrap_or_default();
            let _ = fs::write(hostloop_path(dir), address);
            write_pidfile(&pidfile, pid).map_err(|e| e.to_string())
        }
        Ok(out) => Err(format!(
            "pasta could not connect the rootless network namespace: {} (is /dev/net/tun usable by you?)",
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Err(format!("starting pasta: {e}")),
    }
}

/// Stop the holder and its outward link (R and its bridges vanish with it).
pub fn stop_holder(run_root: &Path) {
    let dir = state_dir(run_root);
    kill_pidfile(&dir.join("outward.pid"));
    kill_pidfile(&dir.join("holder.pid"));
    forget_applied(run_root);
}

/// Join the user namespace at `path` unless this process is in it already. Irreversible: the
/// caller (a container's monitor) stays in it, as its root.
pub fn join_userns(path: &str) -> io::Result<()> {
    let target = fs::metadata(path)?;
    let own = fs::metadata("/proc/self/ns/user")?;
    use std::os::unix::fs::MetadataExt;
    if target.ino() == own.ino() && target.dev() == own.dev() {
        return Ok(());
    }
    let f = fs::File::open(path)?;
    // SAFETY: setns on a descriptor we opened; the caller is single-threaded.
    if unsafe { libc::setns(f.as_raw_fd(), libc::CLONE_NEWUSER) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: become root of the joined namespace (its id 0 is the invoking user).
    unsafe {
        libc::setresgid(0, 0, 0);
        libc::setresuid(0, 0, 0);
    }
    Ok(())
}
