//! Linux capabilities of a container process: names, the default sets (podman's, which berth
//! uses, and docker's, for `default_capabilities` in berth.conf), `--cap-add` / `--cap-drop`
//! resolution, and applying a set in the child just before `execve`.
//!
//! The default is podman's eleven (containers-common's `DefaultCapabilities` since podman 4):
//! docker's fourteen without NET_RAW (raw and packet sockets: ARP/DHCP spoofing on a bridge),
//! MKNOD and AUDIT_WRITE. `ping` works without NET_RAW through ICMP datagram sockets, which
//! the container's own `net.ipv4.ping_group_range` allows (see `rootfs::allow_ping`).
//!
//! The order of the privileged steps follows runc's `finalizeNamespace`:
//! 1. drop every capability not kept from the bounding set (needs CAP_SETPCAP, so while still root);
//! 2. `PR_SET_KEEPCAPS` so the permitted set survives the switch away from uid 0;
//! 3. setgroups / setresgid / setresuid;
//! 4. clear `PR_SET_KEEPCAPS`;
//! 5. `capset` effective, permitted and inheritable; then the ambient set.
//!
//! [`apply_for_exec`] is that sequence. Everything it touches is prepared in the parent
//! ([`ProcessCaps`] is plain bits): the child of a multi-threaded parent may only do
//! async-signal-safe work between fork and exec, so nothing here allocates, locks or prints.
//!
//! Ambient capabilities: like docker (and runc fed docker's spec) the container process gets no
//! inheritable and no ambient capabilities. Inheritable stays empty because of CVE-2022-24769
//! (an inheritable set let a non-root process gain capabilities from file capabilities it should
//! not have had). So a non-root container user ends with empty effective/permitted sets after
//! `execve` — docker's behaviour — while root gets its permitted set back from the bounding set.
//! A caller that wants podman's "non-root user keeps added caps" sets `ambient` (and
//! `inheritable`) explicitly; [`ProcessCaps::validate`] checks the kernel's rule that an ambient
//! capability must also be permitted and inheritable.

use std::fmt;
use std::fs;
use std::io;

use thiserror::Error;

/// Capability names indexed by number (`CAP_CHOWN` = 0 … `CAP_CHECKPOINT_RESTORE` = 40).
pub const CAP_NAMES: [&str; 41] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

/// The highest capability number berth knows.
pub const LAST_KNOWN_CAP: u8 = (CAP_NAMES.len() - 1) as u8;

/// Docker's default capability set for a container (moby `caps.DefaultCapabilities`).
pub const DOCKER_DEFAULT: [&str; 14] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
];

/// podman's default capability set (containers-common `DefaultCapabilities`, podman >= 4):
/// docker's without CAP_MKNOD, CAP_NET_RAW and CAP_AUDIT_WRITE.
pub const PODMAN_DEFAULT: [&str; 11] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_NET_BIND_SERVICE",
    "CAP_SETFCAP",
    "CAP_SETGID",
    "CAP_SETPCAP",
    "CAP_SETUID",
    "CAP_SYS_CHROOT",
];

#[derive(Debug, Error)]
pub enum CapsError {
    #[error(
        "unknown capability {name:?}: use one of {} or ALL (the CAP_ prefix is optional)",
        valid_names()
    )]
    Unknown { name: String },
    #[error("ambient capability {name} is not also permitted and inheritable: add it to both sets, or do not raise it")]
    AmbientNotAllowed { name: &'static str },
    #[error("cannot {step}: {source}")]
    Sys {
        step: &'static str,
        source: io::Error,
    },
    #[error("cannot read capabilities from {what}: {message}")]
    Status { what: String, message: String },
}

fn valid_names() -> String {
    CAP_NAMES
        .iter()
        .map(|n| n.trim_start_matches("CAP_"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One capability, by number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cap(u8);

impl Cap {
    pub const SYS_ADMIN: Cap = Cap(21);
    pub const SYS_TIME: Cap = Cap(25);

    pub fn from_number(n: u8) -> Option<Cap> {
        (n <= LAST_KNOWN_CAP).then_some(Cap(n))
    }

    pub fn number(self) -> u8 {
        self.0
    }

    /// The kernel's name, e.g. `CAP_SYS_TIME`.
    pub fn name(self) -> &'static str {
        CAP_NAMES[self.0 as usize]
    }

    /// Parse `CAP_SYS_TIME`, `SYS_TIME` or `sys_time`. `ALL` is not a single capability: see
    /// [`resolve`].
    pub fn parse(name: &str) -> Result<Cap, CapsError> {
        let upper = name.trim().to_ascii_uppercase();
        let full = if upper.starts_with("CAP_") {
            upper
        } else {
            format!("CAP_{upper}")
        };
        CAP_NAMES
            .iter()
            .position(|n| *n == full)
            .map(|i| Cap(i as u8))
            .ok_or_else(|| CapsError::Unknown {
                name: name.to_string(),
            })
    }
}

impl fmt::Display for Cap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of capabilities as the kernel's 64-bit mask (bit n = capability n).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CapSet(u64);

impl CapSet {
    pub const EMPTY: CapSet = CapSet(0);

    /// Every capability berth knows (0..=40).
    pub fn all() -> CapSet {
        CapSet((1u64 << (LAST_KNOWN_CAP as u32 + 1)) - 1)
    }

    /// Docker's default set.
    pub fn docker_default() -> CapSet {
        DOCKER_DEFAULT
            .iter()
            .map(|n| Cap::parse(n).expect("DOCKER_DEFAULT holds known names"))
            .collect()
    }

    /// podman's default set, berth's default.
    pub fn podman_default() -> CapSet {
        PODMAN_DEFAULT
            .iter()
            .map(|n| Cap::parse(n).expect("PODMAN_DEFAULT holds known names"))
            .collect()
    }

    pub fn from_bits(bits: u64) -> CapSet {
        CapSet(bits)
    }

    pub fn bits(self) -> u64 {
        self.0
    }

    pub fn contains(self, cap: Cap) -> bool {
        self.0 & (1u64 << cap.0) != 0
    }

    pub fn insert(&mut self, cap: Cap) {
        self.0 |= 1u64 << cap.0;
    }

    pub fn remove(&mut self, cap: Cap) {
        self.0 &= !(1u64 << cap.0);
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn is_subset(self, other: CapSet) -> bool {
        self.0 & !other.0 == 0
    }

    pub fn intersect(self, other: CapSet) -> CapSet {
        CapSet(self.0 & other.0)
    }

    /// Limited to the capabilities numbered `0..=last` (the kernel's `cap_last_cap`).
    pub fn up_to(self, last: u8) -> CapSet {
        if last >= 63 {
            self
        } else {
            CapSet(self.0 & ((1u64 << (last as u32 + 1)) - 1))
        }
    }

    /// Known capabilities in the set, lowest number first.
    pub fn iter(self) -> impl Iterator<Item = Cap> {
        (0..=LAST_KNOWN_CAP)
            .map(Cap)
            .filter(move |c| self.contains(*c))
    }

    /// Names as docker's inspect shows them (`CAP_CHOWN`, …), lowest number first.
    pub fn names(self) -> Vec<&'static str> {
        self.iter().map(Cap::name).collect()
    }
}

impl FromIterator<Cap> for CapSet {
    fn from_iter<I: IntoIterator<Item = Cap>>(iter: I) -> Self {
        let mut set = CapSet::EMPTY;
        for c in iter {
            set.insert(c);
        }
        set
    }
}

/// One entry of a `--cap-add` / `--cap-drop` list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CapArg {
    All,
    One(Cap),
}

fn parse_list(list: &[String]) -> Result<Vec<CapArg>, CapsError> {
    list.iter()
        .map(|s| {
            if s.trim().eq_ignore_ascii_case("ALL") {
                Ok(CapArg::All)
            } else {
                Cap::parse(s).map(CapArg::One)
            }
        })
        .collect()
}

/// The capability set of a container from its flags, with docker's rules
/// (moby `caps.TweakCapabilities`):
/// - `--privileged`: every capability, the lists are ignored;
/// - `--cap-add ALL`: every capability except those in `--cap-drop`;
/// - `--cap-drop ALL`: exactly the `--cap-add` list;
/// - otherwise `default` (podman's set, or berth.conf's `default_capabilities`) minus
///   `--cap-drop`, plus `--cap-add`.
///
/// Names are validated even where docker's rule then ignores them, so a typo is never silent.
pub fn resolve(
    default: CapSet,
    add: &[String],
    drop: &[String],
    privileged: bool,
) -> Result<CapSet, CapsError> {
    let add = parse_list(add)?;
    let drop = parse_list(drop)?;
    if privileged {
        return Ok(CapSet::all());
    }
    let named = |list: &[CapArg]| -> CapSet {
        list.iter()
            .filter_map(|a| match a {
                CapArg::One(c) => Some(*c),
                CapArg::All => None,
            })
            .collect()
    };
    let (add_set, drop_set) = (named(&add), named(&drop));
    if add.contains(&CapArg::All) {
        Ok(CapSet(CapSet::all().0 & !drop_set.0))
    } else if drop.contains(&CapArg::All) {
        Ok(add_set)
    } else {
        Ok(CapSet((default.0 & !drop_set.0) | add_set.0))
    }
}

/// The highest capability the running kernel knows (`/proc/sys/kernel/cap_last_cap`), capped at
/// [`LAST_KNOWN_CAP`]. Read it in the parent: the child must not open files it does not need.
pub fn kernel_last_cap() -> Result<u8, CapsError> {
    let text = fs::read_to_string("/proc/sys/kernel/cap_last_cap").map_err(|e| CapsError::Sys {
        step: "read /proc/sys/kernel/cap_last_cap",
        source: e,
    })?;
    let n: u8 = text.trim().parse().map_err(|_| CapsError::Status {
        what: "/proc/sys/kernel/cap_last_cap".into(),
        message: format!("not a number: {:?}", text.trim()),
    })?;
    Ok(n.min(LAST_KNOWN_CAP))
}

/// The five capability sets of a process, as the OCI spec's `process.capabilities` has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessCaps {
    pub bounding: CapSet,
    pub effective: CapSet,
    pub permitted: CapSet,
    pub inheritable: CapSet,
    pub ambient: CapSet,
    /// The kernel's `cap_last_cap` ([`kernel_last_cap`]): bounding-set drops stop there, since
    /// `PR_CAPBSET_DROP` of a capability the kernel does not know fails with EINVAL.
    pub last_cap: u8,
}

impl ProcessCaps {
    /// What docker gives a container process: `kept` as bounding, effective and permitted; no
    /// inheritable (CVE-2022-24769) and no ambient capabilities, for root and non-root users alike.
    pub fn docker(kept: CapSet, last_cap: u8) -> ProcessCaps {
        let kept = kept.up_to(last_cap);
        ProcessCaps {
            bounding: kept,
            effective: kept,
            permitted: kept,
            inheritable: CapSet::EMPTY,
            ambient: CapSet::EMPTY,
            last_cap,
        }
    }

    /// Check the kernel's rules before forking, so the child cannot fail half-way on them.
    pub fn validate(&self) -> Result<(), CapsError> {
        let allowed = self.permitted.intersect(self.inheritable);
        if let Some(c) = self.ambient.iter().find(|c| !allowed.contains(*c)) {
            return Err(CapsError::AmbientNotAllowed { name: c.name() });
        }
        Ok(())
    }
}

fn sys_err(step: &'static str) -> CapsError {
    CapsError::Sys {
        step,
        source: io::Error::last_os_error(),
    }
}

fn check(rc: libc::c_long, step: &'static str) -> Result<(), CapsError> {
    if rc < 0 {
        Err(sys_err(step))
    } else {
        Ok(())
    }
}

/// Step 1: drop from the bounding set every capability not in `caps.bounding`.
pub fn drop_bounding(caps: &ProcessCaps) -> Result<(), CapsError> {
    for n in 0..=caps.last_cap.min(LAST_KNOWN_CAP) {
        if caps.bounding.contains(Cap(n)) {
            continue;
        }
        // SAFETY: prctl with integer arguments only.
        let rc = unsafe { libc::prctl(libc::PR_CAPBSET_DROP, n as libc::c_ulong, 0, 0, 0) };
        check(
            rc as libc::c_long,
            "drop a capability from the bounding set",
        )?;
    }
    Ok(())
}

#[repr(C)]
struct CapUserHeader {
    version: u32,
    pid: libc::c_int,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct CapUserData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;

/// Step 5: set effective, permitted and inheritable (`capset`, version 3), then the ambient set
/// (cleared, then each capability raised).
pub fn set_process_caps(caps: &ProcessCaps) -> Result<(), CapsError> {
    let mut header = CapUserHeader {
        version: LINUX_CAPABILITY_VERSION_3,
        pid: 0,
    };
    let half = |set: CapSet, hi: bool| -> u32 {
        if hi {
            (set.0 >> 32) as u32
        } else {
            set.0 as u32
        }
    };
    let data = [false, true].map(|hi| CapUserData {
        effective: half(caps.effective, hi),
        permitted: half(caps.permitted, hi),
        inheritable: half(caps.inheritable, hi),
    });
    // SAFETY: header and a two-element data array of the v3 layout, both live for the call.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_capset,
            &mut header as *mut CapUserHeader,
            data.as_ptr(),
        )
    };
    check(rc, "set the process capabilities (capset)")?;
    // SAFETY: prctl with integer arguments only.
    let rc = unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
            0,
            0,
            0,
        )
    };
    check(rc as libc::c_long, "clear the ambient capabilities")?;
    for n in 0..=caps.last_cap.min(LAST_KNOWN_CAP) {
        if !caps.ambient.contains(Cap(n)) {
            continue;
        }
        // SAFETY: prctl with integer arguments only.
        let rc = unsafe {
            libc::prctl(
                libc::PR_CAP_AMBIENT,
                libc::PR_CAP_AMBIENT_RAISE as libc::c_ulong,
                n as libc::c_ulong,
                0,
                0,
            )
        };
        check(rc as libc::c_long, "raise an ambient capability")?;
    }
    Ok(())
}

/// Apply `caps` to the calling process without changing its user (the process stays uid 0).
pub fn apply(caps: &ProcessCaps) -> Result<(), CapsError> {
    drop_bounding(caps)?;
    set_process_caps(caps)
}

/// Switch to `uid`/`gid`/`groups` and apply `caps`, in runc's order (see the module docs). Call it
/// in the container's child process as root (of its user namespace), just before seccomp and
/// `execve`. Raw syscalls, not the glibc wrappers: glibc's set*id broadcast to other threads is
/// pointless in a single-threaded child and not async-signal-safe.
pub fn apply_for_exec(
    caps: &ProcessCaps,
    uid: u32,
    gid: u32,
    groups: &[u32],
) -> Result<(), CapsError> {
    drop_bounding(caps)?;
    // SAFETY: prctl with integer arguments only.
    let rc = unsafe { libc::prctl(libc::PR_SET_KEEPCAPS, 1 as libc::c_ulong, 0, 0, 0) };
    check(
        rc as libc::c_long,
        "keep capabilities across setuid (PR_SET_KEEPCAPS)",
    )?;
    // SAFETY: a pointer/length pair to a live slice of gid_t-sized values.
    let rc = unsafe { libc::syscall(libc::SYS_setgroups, groups.len(), groups.as_ptr()) };
    check(rc, "set the supplementary groups")?;
    // SAFETY: integer arguments only.
    let rc = unsafe { libc::syscall(libc::SYS_setresgid, gid, gid, gid) };
    check(rc, "set the group id")?;
    // SAFETY: integer arguments only.
    let rc = unsafe { libc::syscall(libc::SYS_setresuid, uid, uid, uid) };
    check(rc, "set the user id")?;
    // SAFETY: prctl with integer arguments only.
    let rc = unsafe { libc::prctl(libc::PR_SET_KEEPCAPS, 0 as libc::c_ulong, 0, 0, 0) };
    check(rc as libc::c_long, "clear PR_SET_KEEPCAPS")?;
    set_process_caps(caps)
}

/// The capability lines of a `/proc/<pid>/status` file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatusCaps {
    pub inheritable: CapSet,
    pub permitted: CapSet,
    pub effective: CapSet,
    pub bounding: CapSet,
    pub ambient: CapSet,
}

/// Parse `CapInh/CapPrm/CapEff/CapBnd/CapAmb` from the text of a `/proc/<pid>/status` file.
pub fn parse_status(text: &str) -> Result<StatusCaps, CapsError> {
    let field = |key: &str| -> Result<CapSet, CapsError> {
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(':')))
            .ok_or_else(|| CapsError::Status {
                what: "process status".into(),
                message: format!("no {key} line"),
            })?;
        u64::from_str_radix(line.trim(), 16)
            .map(CapSet)
            .map_err(|_| CapsError::Status {
                what: "process status".into(),
                message: format!("{key} is not a hex mask: {:?}", line.trim()),
            })
    };
    Ok(StatusCaps {
        inheritable: field("CapInh")?,
        permitted: field("CapPrm")?,
        effective: field("CapEff")?,
        bounding: field("CapBnd")?,
        ambient: field("CapAmb")?,
    })
}

/// The capability sets of process `pid` (`None`: the calling process).
pub fn read_status(pid: Option<u32>) -> Result<StatusCaps, CapsError> {
    let path = match pid {
        Some(p) => format!("/proc/{p}/status"),
        None => "/proc/self/status".to_string(),
    };
    let text = fs::read_to_string(&path).map_err(|e| CapsError::Status {
        what: path.clone(),
        message: e.to_string(),
    })?;
    parse_status(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn names_and_numbers_match_the_kernel_header() {
        assert_eq!(Cap::parse("CAP_CHOWN").unwrap().number(), 0);
        assert_eq!(Cap::parse("CAP_SYS_ADMIN").unwrap(), Cap::SYS_ADMIN);
        assert_eq!(Cap::parse("CAP_SYS_TIME").unwrap(), Cap::SYS_TIME);
        assert_eq!(Cap::parse("CAP_AUDIT_READ").unwrap().number(), 37);
        assert_eq!(Cap::parse("CAP_PERFMON").unwrap().number(), 38);
        assert_eq!(Cap::parse("CAP_BPF").unwrap().number(), 39);
        assert_eq!(Cap::parse("CAP_CHECKPOINT_RESTORE").unwrap().number(), 40);
        for (i, name) in CAP_NAMES.iter().enumerate() {
            assert_eq!(Cap::from_number(i as u8).unwrap().name(), *name);
        }
        assert_eq!(Cap::from_number(41), None);
    }

    #[test]
    fn cap_parse_accepts_short_lowercase_and_prefixed_forms() {
        for form in [
            "CAP_SYS_TIME",
            "SYS_TIME",
            "sys_time",
            "cap_sys_time",
            " Sys_Time ",
        ] {
            assert_eq!(Cap::parse(form).unwrap(), Cap::SYS_TIME, "{form}");
        }
    }

    #[test]
    fn unknown_capability_error_names_it_and_lists_valid_ones() {
        let msg = Cap::parse("SYS_TIMEY").unwrap_err().to_string();
        assert!(msg.contains("\"SYS_TIMEY\""), "{msg}");
        assert!(
            msg.contains("SYS_TIME,") && msg.contains("CHECKPOINT_RESTORE"),
            "{msg}"
        );
        assert!(!msg.contains('\n'));
        let msg = resolve(
            CapSet::podman_default(),
            &strings(&["NET_ADMIN", "bogus"]),
            &[],
            false,
        )
        .unwrap_err()
        .to_string();
        assert!(msg.contains("\"bogus\""), "{msg}");
    }

    #[test]
    fn docker_default_set_has_the_fourteen_docker_capabilities() {
        let set = CapSet::docker_default();
        assert_eq!(set.iter().count(), 14);
        assert_eq!(
            set.bits(),
            0xa80425fb,
            "docker's CapEff mask in a default container"
        );
        assert!(!set.contains(Cap::SYS_ADMIN));
    }

    #[test]
    fn podman_default_set_is_dockers_without_mknod_net_raw_and_audit_write() {
        let set = CapSet::podman_default();
        assert_eq!(set.iter().count(), 11);
        assert_eq!(
            set.bits(),
            0x800405fb,
            "podman's CapEff mask in a default container"
        );
        let mut docker = CapSet::docker_default();
        for name in ["MKNOD", "NET_RAW", "AUDIT_WRITE"] {
            docker.remove(Cap::parse(name).unwrap());
        }
        assert_eq!(set, docker);
    }

    #[test]
    fn resolve_without_flags_is_the_given_default_set() {
        for default in [CapSet::podman_default(), CapSet::docker_default()] {
            assert_eq!(resolve(default, &[], &[], false).unwrap(), default);
        }
    }

    #[test]
    fn cap_add_net_raw_extends_the_podman_default() {
        let set = resolve(CapSet::podman_default(), &strings(&["NET_RAW"]), &[], false).unwrap();
        assert!(set.contains(Cap::parse("NET_RAW").unwrap()));
        assert_eq!(set.iter().count(), 12);
    }

    #[test]
    fn resolve_drops_then_adds() {
        let set = resolve(
            CapSet::docker_default(),
            &strings(&["sys_time", "CAP_NET_ADMIN"]),
            &strings(&["MKNOD"]),
            false,
        )
        .unwrap();
        assert!(set.contains(Cap::SYS_TIME));
        assert!(set.contains(Cap::parse("NET_ADMIN").unwrap()));
        assert!(!set.contains(Cap::parse("MKNOD").unwrap()));
        assert!(set.contains(Cap::parse("CHOWN").unwrap()));
    }

    #[test]
    fn resolve_drop_all_keeps_only_the_added() {
        let set = resolve(
            CapSet::podman_default(),
            &strings(&["CHOWN"]),
            &strings(&["all"]),
            false,
        )
        .unwrap();
        assert_eq!(set.names(), vec!["CAP_CHOWN"]);
    }

    #[test]
    fn resolve_add_all_removes_the_dropped() {
        let set = resolve(
            CapSet::podman_default(),
            &strings(&["ALL"]),
            &strings(&["SYS_ADMIN"]),
            false,
        )
        .unwrap();
        assert_eq!(set.iter().count(), 40);
        assert!(!set.contains(Cap::SYS_ADMIN));
    }

    #[test]
    fn privileged_gets_every_capability_regardless_of_lists() {
        let set = resolve(CapSet::podman_default(), &[], &strings(&["ALL"]), true).unwrap();
        assert_eq!(set, CapSet::all());
        assert_eq!(set.iter().count(), 41);
    }

    #[test]
    fn docker_process_caps_have_no_inheritable_or_ambient_and_respect_the_kernel_limit() {
        let pc = ProcessCaps::docker(CapSet::all(), 37);
        assert_eq!(pc.bounding.iter().count(), 38);
        assert!(pc.inheritable.is_empty() && pc.ambient.is_empty());
        pc.validate().unwrap();
    }

    #[test]
    fn ambient_capability_must_be_permitted_and_inheritable() {
        let mut pc = ProcessCaps::docker(CapSet::docker_default(), LAST_KNOWN_CAP);
        pc.ambient.insert(Cap::parse("CHOWN").unwrap());
        let msg = pc.validate().unwrap_err().to_string();
        assert!(msg.contains("CAP_CHOWN"), "{msg}");
        pc.inheritable.insert(Cap::parse("CHOWN").unwrap());
        pc.validate().unwrap();
    }

    #[test]
    fn parse_status_reads_the_capability_masks() {
        let text = "Name:\tsh\nUmask:\t0022\nCapInh:\t0000000000000000\nCapPrm:\t00000000a80425fb\n\
                    CapEff:\t00000000a80425fb\nCapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\n";
        let st = parse_status(text).unwrap();
        assert_eq!(st.effective, CapSet::docker_default());
        assert_eq!(st.permitted, CapSet::docker_default());
        assert_eq!(st.bounding, CapSet::all());
        assert!(st.inheritable.is_empty() && st.ambient.is_empty());
        assert!(parse_status("CapInh:\tzz\n").is_err());
    }

    /// Forks a child that applies `caps` (with `apply_for_exec` when `uid` is given), reports
    /// success over a pipe and waits; the parent reads the child's /proc status meanwhile. The
    /// child only makes syscalls: the test harness is multi-threaded.
    fn caps_of_child(caps: &ProcessCaps, uid: Option<u32>) -> (StatusCaps, u32) {
        let mut ready = [0i32; 2];
        let mut release = [0i32; 2];
        // SAFETY: two-element arrays for pipe(2).
        unsafe {
            assert_eq!(libc::pipe(ready.as_mut_ptr()), 0);
            assert_eq!(libc::pipe(release.as_mut_ptr()), 0);
        }
        // SAFETY: the child only calls async-signal-safe syscalls and _exit.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0);
        if pid == 0 {
            let ok = match uid {
                Some(u) => apply_for_exec(caps, u, u, &[u]).is_ok(),
                None => apply(caps).is_ok(),
            };
            let b = [ok as u8];
            // SAFETY: plain fd syscalls on the inherited pipes.
            unsafe {
                libc::write(ready[1], b.as_ptr().cast(), 1);
                let mut x = [0u8; 1];
                libc::read(release[0], x.as_mut_ptr().cast(), 1);
                libc::_exit(0);
            }
        }
        let mut b = [0u8; 1];
        // SAFETY: plain fd syscalls on our pipes.
        unsafe {
            libc::close(ready[1]);
            libc::close(release[0]);
            assert_eq!(libc::read(ready[0], b.as_mut_ptr().cast(), 1), 1);
        }
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let child_uid: u32 = status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|r| r.split_whitespace().nth(1))
            .unwrap()
            .parse()
            .unwrap();
        let mut ws = 0;
        // A byte, not EOF, releases the child: children forked by tests running in parallel
        // hold copies of this pipe's write end.
        // SAFETY: plain fd syscalls on our pipes, then reaping our child.
        unsafe {
            libc::write(release[1], b.as_ptr().cast(), 1);
            libc::close(release[1]);
            libc::close(ready[0]);
            assert_eq!(libc::waitpid(pid, &mut ws, 0), pid);
        }
        assert_eq!(b[0], 1, "applying capabilities failed in the child");
        (parse_status(&status).unwrap(), child_uid)
    }

    fn is_root() -> bool {
        // SAFETY: geteuid has no preconditions.
        unsafe { libc::geteuid() == 0 }
    }

    #[test]
    fn apply_docker_default_sets_effective_and_bounding_in_a_real_process() {
        if !is_root() {
            eprintln!("skipped: needs root to drop bounding capabilities");
            return;
        }
        let last = kernel_last_cap().unwrap();
        let pc = ProcessCaps::docker(CapSet::docker_default(), last);
        let (st, uid) = caps_of_child(&pc, None);
        assert_eq!(uid, 0);
        assert_eq!(st.effective, CapSet::docker_default());
        assert_eq!(st.permitted, CapSet::docker_default());
        assert_eq!(st.bounding, CapSet::docker_default());
        assert!(st.inheritable.is_empty() && st.ambient.is_empty());
    }

    #[test]
    fn apply_for_exec_keeps_the_set_across_the_switch_to_a_non_root_user() {
        if !is_root() {
            eprintln!("skipped: needs root to change user");
            return;
        }
        let last = kernel_last_cap().unwrap();
        let kept = resolve(
            CapSet::podman_default(),
            &strings(&["NET_ADMIN"]),
            &strings(&["CHOWN"]),
            false,
        )
        .unwrap();
        let pc = ProcessCaps::docker(kept, last);
        let (st, uid) = caps_of_child(&pc, Some(4242));
        assert_eq!(uid, 4242);
        assert_eq!(st.effective, kept);
        assert_eq!(st.bounding, kept);
    }
}
