//! What keeps berth's own processes out of a container's reach (CVE-2019-5736 and its class).
//!
//! Every berth process that enters a container's namespaces (a container's first process, an
//! `exec`'s command, a healthcheck, `cp`'s helper) is a copy of berth: its memory holds the
//! caller's environment and arguments, its descriptors are berth's, and `/proc/PID/exe` is
//! berth's file, which the user may own and so could be rewritten from inside a rootless
//! container. Three rules close that:
//!
//! 1. [`hide_from_container`]: before it joins anything, the process wipes the caller's
//!    arguments and environment from its memory and becomes non-dumpable, so a container's
//!    process can neither read its memory, environment, descriptors or executable through /proc
//!    nor ptrace it (that needs CAP_SYS_PTRACE over the user namespace berth was started in,
//!    which no container has). A container's first process does the second half only after its
//!    parent has mapped its ids and attached its network (both need its /proc files): until it
//!    execs, it is alone in a PID namespace nothing else has entered.
//! 2. The last exec into the container goes through [`SealedShim`], a few-kilobyte program
//!    built from `shim/shim.c`, copied into a memfd sealed against every write, and run from
//!    there with the container's environment only. While the user's command is being loaded
//!    (including a `#!/proc/self/exe` interpreter line, the CVE's trick), `/proc/self/exe` is
//!    that sealed copy, never berth's file. runc seals a copy of all of runc; berth's copy is
//!    8 KiB instead of the whole binary, so a start costs microseconds, not megabytes.
//! 3. `--init` is the same shim (it stays PID 1), not berth: `/proc/1/exe` is the sealed copy,
//!    `/proc/1/environ` the container's environment, and it is non-dumpable.

use std::ffi::CString;
use std::io::{self, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// The shim's program text, built by build.rs.
static SHIM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/berth-shim"));

/// The descriptor the shim reports an exec failure on (see shim.c).
const SHIM_SYNC_FD: RawFd = 3;

/// Linux ≥ 6.3: ask for an executable memfd explicitly (where `vm.memfd_noexec` is 1, a memfd
/// without it is not executable).
const MFD_EXEC: libc::c_uint = 0x10;

/// Every seal: the copy's size and contents are fixed for good, and the seals too.
const SEALS: libc::c_int =
    libc::F_SEAL_SEAL | libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE;

/// What the shim does after it starts (its argv[0]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShimMode {
    /// Exec the command.
    Exec,
    /// Stay PID 1 as the container's init; the command runs as its child.
    Init,
}

impl ShimMode {
    fn argv0(self) -> &'static str {
        match self {
            ShimMode::Exec => "berth-exec",
            ShimMode::Init => "berth-init",
        }
    }
}

/// The shim in a sealed, close-on-exec memfd, made by the parent before it forks the process
/// that will run it.
#[derive(Debug)]
pub struct SealedShim {
    fd: OwnedFd,
}

impl SealedShim {
    pub fn new() -> io::Result<SealedShim> {
        let name = CString::new("berth-shim").expect("static");
        let base = libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING;
        // SAFETY: memfd_create with a valid name; the descriptor is owned right away.
        let fd = unsafe {
            let mut fd = libc::memfd_create(name.as_ptr(), base | MFD_EXEC);
            if fd < 0 && io::Error::last_os_error().raw_os_error() == Some(libc::EINVAL) {
                // Kernels before 6.3 know no MFD_EXEC; their memfds are executable.
                fd = libc::memfd_create(name.as_ptr(), base);
            }
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            OwnedFd::from_raw_fd(fd)
        };
        std::fs::File::from(fd.try_clone()?).write_all(SHIM)?;
        // SAFETY: fcntl on a descriptor we own.
        unsafe {
            if libc::fcntl(fd.as_raw_fd(), libc::F_ADD_SEALS, SEALS) != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(SealedShim { fd })
    }

    /// The seals in place (F_GET_SEALS).
    pub fn seals(&self) -> io::Result<libc::c_int> {
        // SAFETY: fcntl on a descriptor we own.
        let s = unsafe { libc::fcntl(self.fd.as_raw_fd(), libc::F_GET_SEALS) };
        if s < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(s)
        }
    }

    /// The error berth reports when it cannot make the copy: a start must not go on without it.
    pub fn unavailable(e: &io::Error) -> String {
        format!(
            "cannot make the sealed copy of berth's exec helper (memfd_create): {e}; \
             if vm.memfd_noexec is 2 on this host, set it to 0 or 1"
        )
    }

    /// The last step into the container, prepared (everything allocated) before the point of
    /// no return: exec `program` with `argv` and `envp` through the shim in `mode`. Moves the
    /// shim's descriptor off 3, where the sync socket goes at [`ShimCall::exec`].
    pub(crate) fn prepare(
        &self,
        mode: ShimMode,
        program: &CString,
        argv: &[CString],
        envp: &[CString],
    ) -> io::Result<ShimCall> {
        let mut fd = self.fd.as_raw_fd();
        let mut moved = None;
        if fd == SHIM_SYNC_FD {
            // SAFETY: duplicating a descriptor we own; the copy is owned right away.
            let dup = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, SHIM_SYNC_FD + 1) };
            if dup < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: a fresh descriptor.
            moved = Some(unsafe { OwnedFd::from_raw_fd(dup) });
            fd = dup;
        }
        let mut strings = vec![CString::new(mode.argv0()).expect("static"), program.clone()];
        strings.extend(argv.iter().cloned());
        let envp = envp.to_vec();
        let mut args: Vec<*const libc::c_char> = strings.iter().map(|a| a.as_ptr()).collect();
        args.push(std::ptr::null());
        let mut env: Vec<*const libc::c_char> = envp.iter().map(|e| e.as_ptr()).collect();
        env.push(std::ptr::null());
        Ok(ShimCall {
            fd,
            _moved: moved,
            proc_path: CString::new(format!("/proc/self/fd/{fd}")).expect("no NUL"),
            _strings: strings,
            _envp: envp,
            args,
            env,
        })
    }
}

/// An exec through the shim, ready to go: [`ShimCall::exec`] allocates nothing.
pub(crate) struct ShimCall {
    fd: RawFd,
    _moved: Option<OwnedFd>,
    proc_path: CString,
    // The strings `args` and `env` point into (heap data: moving them moves no byte).
    _strings: Vec<CString>,
    _envp: Vec<CString>,
    args: Vec<*const libc::c_char>,
    env: Vec<*const libc::c_char>,
}

impl ShimCall {
    /// Put `sync` on descriptor 3 for the shim to report a failed exec on (see shim.c) and
    /// exec the shim. Returns only if the shim itself could not be started. Every other
    /// descriptor above 2 must be close-on-exec by now.
    pub(crate) fn exec(&self, sync: RawFd) -> io::Error {
        // SAFETY: the sync socket, inherited on 3 by the shim (which makes it close-on-exec
        // before the command runs).
        let rc = unsafe {
            if sync == SHIM_SYNC_FD {
                libc::fcntl(sync, libc::F_SETFD, 0)
            } else {
                libc::dup2(sync, SHIM_SYNC_FD)
            }
        };
        if rc < 0 {
            return io::Error::last_os_error();
        }
        let empty = c"".as_ptr();
        // SAFETY: NULL-terminated arrays of C strings that outlive the call.
        unsafe {
            libc::syscall(
                libc::SYS_execveat,
                self.fd,
                empty,
                self.args.as_ptr(),
                self.env.as_ptr(),
                libc::AT_EMPTY_PATH,
            );
        }
        let e = io::Error::last_os_error();
        if !matches!(e.raw_os_error(), Some(libc::ENOSYS | libc::EPERM)) {
            return e;
        }
        // A seccomp profile of the user's that allows execve but not execveat: the same sealed
        // file through its /proc/self/fd name (the container's own procfs).
        // SAFETY: as above.
        unsafe {
            libc::execve(
                self.proc_path.as_ptr(),
                self.args.as_ptr(),
                self.env.as_ptr(),
            )
        };
        io::Error::last_os_error()
    }
}

/// Wipe the caller's arguments and environment from this process's memory (what
/// `/proc/PID/cmdline` and `/proc/PID/environ` show) and from its libc. Only for a forked
/// child that is about to enter a container and exec; it reads no environment afterwards.
pub(crate) fn scrub_caller_memory() {
    // What berth itself reads from the environment is read before it goes.
    crate::debug::init();
    // SAFETY: clearenv in a single-threaded child; nothing reads the environment after this.
    unsafe { libc::clearenv() };
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return;
    };
    // Fields 48-51 (arg_start arg_end env_start env_end), counted after the command's `)`.
    let Some((_, rest)) = stat.rsplit_once(") ") else {
        return;
    };
    let f: Vec<usize> = rest
        .split_whitespace()
        .skip(45)
        .take(4)
        .filter_map(|v| v.parse().ok())
        .collect();
    let [arg_start, arg_end, env_start, env_end] = f[..] else {
        return;
    };
    for (start, end) in [(arg_start, arg_end), (env_start, env_end)] {
        if start > 0 && end > start {
            // SAFETY: the kernel's bounds of our own argument and environment strings, which
            // lie in our (private, writable) stack mapping; nothing uses them any more.
            unsafe { std::ptr::write_bytes(start as *mut u8, 0, end - start) };
        }
    }
}

/// No process in a container may read this one's memory, environment, descriptors or
/// executable through /proc, nor ptrace it, until it execs: non-dumpable.
pub(crate) fn set_non_dumpable() {
    // SAFETY: prctl with integer arguments, on ourselves.
    unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
}

/// Both, for a child that joins a running container: before it joins anything.
pub(crate) fn hide_from_container() {
    set_non_dumpable();
    scrub_caller_memory();
}

/// /dev/null onto `fds` (a helper's stdio: no terminal of the caller's goes with it).
pub fn dev_null_onto(fds: &[RawFd]) {
    let null = std::ffi::CString::new("/dev/null").expect("static");
    // SAFETY: opening /dev/null and duplicating it onto our own standard descriptors.
    unsafe {
        let fd = libc::open(null.as_ptr(), libc::O_RDWR);
        if fd >= 0 {
            for &t in fds {
                libc::dup2(fd, t);
            }
            if !fds.contains(&fd) {
                libc::close(fd);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shim_is_a_small_static_elf() {
        assert_eq!(&SHIM[..4], b"\x7fELF");
        assert!(SHIM.len() < 64 * 1024, "{} bytes", SHIM.len());
    }

    #[test]
    fn the_sealed_copy_refuses_every_write_and_resize() {
        let shim = SealedShim::new().unwrap();
        assert_eq!(shim.seals().unwrap() & SEALS, SEALS);
        let file = std::fs::File::from(shim.fd.try_clone().unwrap());
        assert!((&file).write_all(b"x").is_err(), "write refused");
        assert!(file.set_len(1).is_err(), "shrink refused");
        assert!(file.set_len(SHIM.len() as u64 + 1).is_err(), "grow refused");
        // Reopened through /proc (what a container would try with /proc/PID/exe), it still
        // takes no byte.
        let path = format!("/proc/self/fd/{}", shim.fd.as_raw_fd());
        if let Ok(mut reopened) = std::fs::OpenOptions::new().write(true).open(&path) {
            assert!(
                reopened.write_all(b"x").is_err(),
                "write through /proc refused"
            );
            assert!(
                reopened.set_len(0).is_err(),
                "truncate through /proc refused"
            );
        }
        // SAFETY: F_ADD_SEALS on our own descriptor: the seal seal forbids removing or adding.
        let more = unsafe { libc::fcntl(shim.fd.as_raw_fd(), libc::F_ADD_SEALS, 0) };
        assert!(more < 0);
    }

    /// Run the shim in a forked child: `mode`, `program`, `argv`, with a socketpair on the
    /// shim's descriptor 3. Returns (exit status, what the shim sent).
    fn run_shim(mode: ShimMode, program: &str, argv: &[&str]) -> (i32, Vec<u8>) {
        let shim = SealedShim::new().unwrap();
        let (ours, theirs) = super::super::process::socketpair().unwrap();
        let program = CString::new(program).unwrap();
        let argv: Vec<CString> = argv.iter().map(|a| CString::new(*a).unwrap()).collect();
        let envp = [CString::new("FROM_TEST=1").unwrap()];
        let call = shim.prepare(mode, &program, &argv, &envp).unwrap();
        // SAFETY: the child only execs or _exits and allocates nothing (other test threads may
        // hold the allocator's lock): the call was prepared before the fork.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            let e = call.exec(theirs.as_raw_fd());
            // SAFETY: leave the forked test process at once.
            unsafe { libc::_exit(100 + e.raw_os_error().unwrap_or(0).min(50)) };
        }
        drop(theirs);
        let mut got = Vec::new();
        while let Ok(Some((tag, payload))) = super::super::process::recv(&ours) {
            got.push(tag);
            got.extend(payload);
        }
        let mut status = 0;
        // SAFETY: reaping our child.
        unsafe { libc::waitpid(pid, &mut status, 0) };
        (status, got)
    }

    #[test]
    fn the_shim_execs_the_command_and_the_socket_sees_only_end_of_file() {
        let (status, said) = run_shim(ShimMode::Exec, "/bin/sh", &["sh", "-c", "exit 3"]);
        assert!(libc::WIFEXITED(status), "{status}");
        assert_eq!(libc::WEXITSTATUS(status), 3);
        assert!(said.is_empty(), "{said:?}");
    }

    #[test]
    fn the_shim_reports_a_failed_exec_with_errno_and_name() {
        let (status, said) = run_shim(ShimMode::Exec, "/no/such/prog", &["prog"]);
        assert_eq!(libc::WEXITSTATUS(status), 127);
        assert_eq!(said[0], super::super::process::MSG_EXEC_ERRNO);
        assert_eq!(
            i32::from_le_bytes([said[1], said[2], said[3], said[4]]),
            libc::ENOENT
        );
        assert_eq!(&said[5..], b"prog");
    }

    #[test]
    fn the_init_exits_with_the_commands_status_and_128_plus_a_signal() {
        let (status, said) = run_shim(ShimMode::Init, "/bin/sh", &["sh", "-c", "exit 7"]);
        assert_eq!(libc::WEXITSTATUS(status), 7, "{said:?}");
        let (status, _) = run_shim(ShimMode::Init, "/bin/sh", &["sh", "-c", "kill -9 $$"]);
        assert_eq!(libc::WEXITSTATUS(status), 128 + 9);
    }
}
