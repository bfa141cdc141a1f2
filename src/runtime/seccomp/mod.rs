//! Seccomp for container processes: docker's profile format, docker's default profile, a BPF
//! compiler of our own, and an on-disk cache of compiled programs.
//!
//! The runtime's use, in two halves:
//! - in the parent, before fork: `let prog = seccomp::load_cached(cache_dir, &source, caps)?`
//!   (`source` from [`profile_source`]; `caps` the container's bounding set) — parsing, compiling
//!   and file I/O all happen here;
//! - in the child, after the capabilities and the user switch, just before `execve`:
//!   [`set_no_new_privs`] (unless the process keeps CAP_SYS_ADMIN and wants setuid binaries to
//!   work) and then [`Program::install`]; without no_new_privs the install comes before the user
//!   switch instead ([`SeccompAt`]). Neither allocates, so both are safe in the child of a
//!   multi-threaded parent.
//!
//! Why not libseccomp or the seccompiler crate: libseccomp is a C dependency the static binary
//! should not need, and seccompiler has no per-arch name tables for i386/x32 (docker's x86_64
//! profile also filters those), no profile format of docker's kind, and its rule model has no
//! notion of docker's cap- and kernel-conditional groups. The compiler is ~300 lines and is tested
//! against an interpreter and the real kernel.

pub mod bpf;
pub mod cache;
pub mod profile;
mod syscalls;

use std::borrow::Cow;
use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

pub use bpf::{Program, SeccompData};
pub use cache::{compile, load_cached, load_cached_traced, CacheOutcome};
pub use profile::{Filter, Profile};

/// Docker's default profile (moby `profiles/seccomp/default.json`), in docker's JSON format.
pub const DEFAULT_PROFILE: &str = include_str!("default.json");

#[derive(Debug, Error)]
pub enum SeccompError {
    #[error("invalid seccomp profile: {0} (the file must be a docker seccomp profile in JSON)")]
    Json(String),
    #[error("invalid seccomp profile: {0}")]
    Invalid(String),
    #[error("seccomp profile {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("seccomp is not supported on this architecture ({0}): run with --security-opt seccomp=unconfined")]
    UnsupportedArch(&'static str),
    #[error("the seccomp program has {0} instructions, more than the kernel's limit of 4096: allow fewer syscalls or use fewer argument rules")]
    TooLarge(usize),
    #[error("corrupt seccomp program: {0}")]
    Corrupt(String),
    #[error(
        "cannot write the seccomp cache {path}: {source} (check permissions of the directory)"
    )]
    CacheWrite { path: PathBuf, source: io::Error },
    #[error("cannot {step}: {source}")]
    Sys {
        step: &'static str,
        source: io::Error,
    },
}

/// An architecture a filter can cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Arch {
    X86_64,
    /// i386, the 32-bit compat ABI of an x86_64 kernel.
    X86,
    /// x32: the x86_64 audit arch with the x32 bit set in the syscall number.
    X32,
    Aarch64,
    /// 32-bit arm on an arm64 kernel. No syscall table: a filter cannot cover it, so such
    /// processes get the bad-architecture action (killed).
    Arm,
}

const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
const AUDIT_ARCH_I386: u32 = 0x4000_0003;
const AUDIT_ARCH_AARCH64: u32 = 0xc000_00b7;
const AUDIT_ARCH_ARM: u32 = 0x4000_0028;
/// Set in the syscall number of an x32 process.
pub const X32_SYSCALL_BIT: u32 = 0x4000_0000;

impl Arch {
    /// The architecture berth was built for.
    pub fn native() -> Result<Arch, SeccompError> {
        if cfg!(target_arch = "x86_64") {
            Ok(Arch::X86_64)
        } else if cfg!(target_arch = "aarch64") {
            Ok(Arch::Aarch64)
        } else {
            Err(SeccompError::UnsupportedArch(std::env::consts::ARCH))
        }
    }

    /// The `AUDIT_ARCH_*` value the kernel puts in `seccomp_data.arch`.
    pub fn audit_arch(self) -> u32 {
        match self {
            Arch::X86_64 | Arch::X32 => AUDIT_ARCH_X86_64,
            Arch::X86 => AUDIT_ARCH_I386,
            Arch::Aarch64 => AUDIT_ARCH_AARCH64,
            Arch::Arm => AUDIT_ARCH_ARM,
        }
    }

    /// libseccomp's name, as profiles spell it.
    pub fn scmp_name(self) -> &'static str {
        match self {
            Arch::X86_64 => "SCMP_ARCH_X86_64",
            Arch::X86 => "SCMP_ARCH_X86",
            Arch::X32 => "SCMP_ARCH_X32",
            Arch::Aarch64 => "SCMP_ARCH_AARCH64",
            Arch::Arm => "SCMP_ARCH_ARM",
        }
    }

    /// The name `includes.arches` / `excludes.arches` use (docker's libseccomp-style names).
    pub fn profile_name(self) -> &'static str {
        match self {
            Arch::X86_64 => "amd64",
            Arch::X86 => "x86",
            Arch::X32 => "x32",
            Arch::Aarch64 => "arm64",
            Arch::Arm => "arm",
        }
    }

    pub fn from_scmp_name(name: &str) -> Option<Arch> {
        [Arch::X86_64, Arch::X86, Arch::X32, Arch::Aarch64, Arch::Arm]
            .into_iter()
            .find(|a| a.scmp_name() == name)
    }

    fn table(self) -> Option<&'static [(&'static str, u32)]> {
        match self {
            Arch::X86_64 => Some(syscalls::X86_64),
            Arch::X86 => Some(syscalls::X86),
            Arch::X32 => Some(syscalls::X32),
            Arch::Aarch64 => Some(syscalls::AARCH64),
            Arch::Arm => None,
        }
    }

    /// Whether a filter can cover this architecture (berth has its syscall table).
    pub fn supported(self) -> bool {
        self.table().is_some()
    }
}

/// The number of syscall `name` on `arch` (x32 numbers include the x32 bit), or `None` when the
/// architecture has no such syscall — such names are skipped, as libseccomp does.
pub fn syscall_number(arch: Arch, name: &str) -> Option<u32> {
    let table = arch.table()?;
    table
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| table[i].1)
}

/// What `--security-opt seccomp=VALUE` selects: `None` for `unconfined`, docker's default profile
/// for an empty value or `builtin`, otherwise the contents of the file `VALUE`.
pub fn profile_source(value: Option<&str>) -> Result<Option<Cow<'static, [u8]>>, SeccompError> {
    match value {
        None | Some("") | Some("builtin") | Some("default") => {
            Ok(Some(Cow::Borrowed(DEFAULT_PROFILE.as_bytes())))
        }
        Some("unconfined") => Ok(None),
        Some(path) => std::fs::read(path)
            .map(|b| Some(Cow::Owned(b)))
            .map_err(|source| SeccompError::Read {
                path: Path::new(path).to_path_buf(),
                source,
            }),
    }
}

/// `prctl(PR_SET_NO_NEW_PRIVS)`: required before an unprivileged process may install a filter,
/// and what docker's `no-new-privileges` means. Async-signal-safe.
pub fn set_no_new_privs() -> Result<(), SeccompError> {
    // SAFETY: prctl with integer arguments only.
    let rc = unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1 as libc::c_ulong, 0, 0, 0) };
    if rc < 0 {
        return Err(SeccompError::Sys {
            step: "set no_new_privs",
            source: io::Error::last_os_error(),
        });
    }
    Ok(())
}

/// When a container's (or exec's) process installs its filter, in runc's order. Without
/// no_new_privs, loading a filter needs CAP_SYS_ADMIN in the process's user namespace, which the
/// user switch and the capability drop take away: the filter goes in first, while the process
/// is still root there, and the profile must then allow what berth does until execve
/// ([`AFTER_EARLY_INSTALL`]; docker's does). With no_new_privs, as late as possible: just before
/// execve, so that as little of berth's code as possible runs under the container's filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeccompAt {
    BeforeUserSwitch,
    BeforeExec,
}

impl SeccompAt {
    pub fn of(no_new_privs: bool) -> SeccompAt {
        if no_new_privs {
            SeccompAt::BeforeExec
        } else {
            SeccompAt::BeforeUserSwitch
        }
    }
}

/// The syscalls a container's (or exec's) process makes between an early install
/// ([`SeccompAt::BeforeUserSwitch`]) and its execve: the bounding set, the user switch, the
/// capability sets, the working directory, finding the command, marking descriptors
/// close-on-exec, reporting a failure, memory for all of it, and the sealed shim (seal.rs:
/// the sync socket onto descriptor 3, its execveat, and as `--init` its fork, signals and
/// waits). A unit test checks that docker's profile allows them.
#[rustfmt::skip]
pub const AFTER_EARLY_INSTALL: &[&str] = &[
    "prctl", "setgroups", "setresgid", "setresuid", "capset", "capget", "chdir", "newfstatat",
    "statx", "access", "faccessat", "faccessat2", "openat", "read", "close", "fstat", "brk",
    "mmap", "munmap", "mremap", "rt_sigaction", "rt_sigprocmask", "clone", "fork", "wait4",
    "close_range", "sendto", "sendmsg", "write", "getpid", "execve", "execveat", "exit_group",
    "exit", "fcntl", "dup2", "dup3", "kill", "rt_sigtimedwait",
];

/// A set-up step's error after an early install: the user's own profile may be what refused it.
pub fn explain_early(e: impl std::fmt::Display) -> String {
    format!(
        "{e} (with no-new-privileges=false the seccomp profile applies from the user switch on: it must allow {})",
        AFTER_EARLY_INSTALL.join(", ")
    )
}

/// The running kernel's version as (major, minor), for `minKernel` conditions.
pub fn kernel_version() -> (u32, u32) {
    let uname = rustix::system::uname();
    parse_kernel_version(&uname.release().to_string_lossy()).unwrap_or((0, 0))
}

pub(crate) fn parse_kernel_version(s: &str) -> Option<(u32, u32)> {
    let mut parts = s.split(|c: char| !c.is_ascii_digit());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().and_then(|m| m.parse().ok()).unwrap_or(0);
    Some((major, minor))
}

#[cfg(test)]
mod tests;
