//! Docker's seccomp profile format and its resolution against a container.
//!
//! A profile is resolved the way moby's `setupSeccomp` does it: the architectures come from
//! `architectures` or from the `archMap` entry of the native architecture (native plus its
//! sub-architectures); a syscall group is kept when its `includes` hold (every listed capability
//! is in the container's bounding set, the native arch is listed, the kernel is at least
//! `minKernel`) and its `excludes` do not (any listed capability present, native arch listed, or
//! kernel at least `minKernel`).

use serde::{Deserialize, Deserializer};

use super::{Arch, SeccompError};
use crate::runtime::caps::{Cap, CapSet};

pub const SECCOMP_RET_KILL_PROCESS: u32 = 0x8000_0000;
pub const SECCOMP_RET_KILL_THREAD: u32 = 0x0000_0000;
pub const SECCOMP_RET_TRAP: u32 = 0x0003_0000;
pub const SECCOMP_RET_ERRNO: u32 = 0x0005_0000;
pub const SECCOMP_RET_TRACE: u32 = 0x7ff0_0000;
pub const SECCOMP_RET_LOG: u32 = 0x7ffc_0000;
pub const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;

const EPERM: u32 = 1;

/// `null` in a profile means the same as the field being absent.
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A profile as written (docker's `Seccomp` type).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    #[serde(default)]
    pub default_action: String,
    #[serde(default)]
    pub default_errno_ret: Option<u32>,
    #[serde(default, deserialize_with = "null_default")]
    pub architectures: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub arch_map: Vec<ArchMapEntry>,
    #[serde(default, deserialize_with = "null_default")]
    pub syscalls: Vec<SyscallGroup>,
    #[serde(default, deserialize_with = "null_default")]
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArchMapEntry {
    pub architecture: String,
    #[serde(default, deserialize_with = "null_default")]
    pub sub_architectures: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyscallGroup {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub names: Vec<String>,
    pub action: String,
    #[serde(default)]
    pub errno_ret: Option<u32>,
    #[serde(default, deserialize_with = "null_default")]
    pub args: Vec<ArgRule>,
    #[serde(default, deserialize_with = "null_default")]
    pub includes: Conditions,
    #[serde(default, deserialize_with = "null_default")]
    pub excludes: Conditions,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conditions {
    #[serde(default, deserialize_with = "null_default")]
    pub caps: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub arches: Vec<String>,
    #[serde(default)]
    pub min_kernel: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArgRule {
    pub index: u32,
    pub value: u64,
    #[serde(default)]
    pub value_two: u64,
    pub op: String,
}

/// A comparison of one 64-bit syscall argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Ne,
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
    /// `(arg & value) == value_two`.
    MaskedEq,
}

impl CmpOp {
    const ALL: [(&'static str, CmpOp); 7] = [
        ("SCMP_CMP_NE", CmpOp::Ne),
        ("SCMP_CMP_LT", CmpOp::Lt),
        ("SCMP_CMP_LE", CmpOp::Le),
        ("SCMP_CMP_EQ", CmpOp::Eq),
        ("SCMP_CMP_GE", CmpOp::Ge),
        ("SCMP_CMP_GT", CmpOp::Gt),
        ("SCMP_CMP_MASKED_EQ", CmpOp::MaskedEq),
    ];

    fn parse(s: &str) -> Result<CmpOp, SeccompError> {
        Self::ALL
            .iter()
            .find(|(n, _)| *n == s)
            .map(|(_, op)| *op)
            .ok_or_else(|| {
                SeccompError::Invalid(format!(
                    "unknown argument operator {s:?}: use one of {}",
                    Self::ALL.map(|(n, _)| n).join(", ")
                ))
            })
    }
}

/// One resolved argument condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArgCmp {
    pub index: u8,
    pub op: CmpOp,
    pub value: u64,
    pub value_two: u64,
}

/// One resolved rule: when every `args` condition holds for one of `names`, return `ret`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub names: Vec<String>,
    pub args: Vec<ArgCmp>,
    /// The `SECCOMP_RET_*` value.
    pub ret: u32,
}

/// A profile resolved for one container: what the BPF compiler turns into a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// Returned when no rule matches.
    pub default_ret: u32,
    /// Architectures the filter covers, native first; others get KILL_PROCESS.
    pub arches: Vec<Arch>,
    /// In profile order.
    pub rules: Vec<Rule>,
    /// `SECCOMP_FILTER_FLAG_*` for the `seccomp(2)` call.
    pub flags: u32,
}

const ACTIONS: [&str; 9] = [
    "SCMP_ACT_KILL",
    "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_KILL_PROCESS",
    "SCMP_ACT_TRAP",
    "SCMP_ACT_ERRNO",
    "SCMP_ACT_TRACE",
    "SCMP_ACT_ALLOW",
    "SCMP_ACT_LOG",
    "SCMP_ACT_NOTIFY",
];

/// The `SECCOMP_RET_*` value of an action name; `errno` is the ERRNO/TRACE data (EPERM when the
/// profile gives none, as runc does).
fn action_ret(name: &str, errno: Option<u32>) -> Result<u32, SeccompError> {
    let data = errno.unwrap_or(EPERM) & 0xffff;
    Ok(match name {
        "SCMP_ACT_KILL" | "SCMP_ACT_KILL_THREAD" => SECCOMP_RET_KILL_THREAD,
        "SCMP_ACT_KILL_PROCESS" => SECCOMP_RET_KILL_PROCESS,
        "SCMP_ACT_TRAP" => SECCOMP_RET_TRAP,
        "SCMP_ACT_ERRNO" => SECCOMP_RET_ERRNO | data,
        "SCMP_ACT_TRACE" => SECCOMP_RET_TRACE | data,
        "SCMP_ACT_ALLOW" => SECCOMP_RET_ALLOW,
        "SCMP_ACT_LOG" => SECCOMP_RET_LOG,
        "SCMP_ACT_NOTIFY" => {
            return Err(SeccompError::Invalid(
                "SCMP_ACT_NOTIFY needs a seccomp agent (listenerPath), which berth does not support: use SCMP_ACT_ERRNO or SCMP_ACT_TRACE".into(),
            ))
        }
        "" => {
            return Err(SeccompError::Invalid(
                "a syscall rule has no action: set \"action\", e.g. \"SCMP_ACT_ALLOW\"".into(),
            ))
        }
        other => {
            return Err(SeccompError::Invalid(format!(
                "unknown action {other:?}: use one of {}",
                ACTIONS.join(", ")
            )))
        }
    })
}

fn filter_flag(name: &str) -> Result<u32, SeccompError> {
    match name {
        "SECCOMP_FILTER_FLAG_TSYNC" => Ok(1),
        "SECCOMP_FILTER_FLAG_LOG" => Ok(2),
        "SECCOMP_FILTER_FLAG_SPEC_ALLOW" => Ok(4),
        other => Err(SeccompError::Invalid(format!(
            "unknown filter flag {other:?}: use SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG or SECCOMP_FILTER_FLAG_SPEC_ALLOW"
        ))),
    }
}

fn parse_min_kernel(s: &str) -> Result<(u32, u32), SeccompError> {
    let bad = || {
        SeccompError::Invalid(format!(
            "minKernel {s:?} is not a kernel version like \"4.8\""
        ))
    };
    let (major, minor) = s.split_once('.').unwrap_or((s, "0"));
    Ok((
        major.parse().map_err(|_| bad())?,
        minor.parse().map_err(|_| bad())?,
    ))
}

fn has_cap(bounding: CapSet, name: &str) -> bool {
    Cap::parse(name).is_ok_and(|c| bounding.contains(c))
}

impl Profile {
    /// Parse a profile in docker's JSON format.
    pub fn parse(src: &[u8]) -> Result<Profile, SeccompError> {
        let p: Profile =
            serde_json::from_slice(src).map_err(|e| SeccompError::Json(e.to_string()))?;
        if !p.architectures.is_empty() && !p.arch_map.is_empty() {
            return Err(SeccompError::Invalid(
                "both \"architectures\" and \"archMap\" are set: use one of them".into(),
            ));
        }
        Ok(p)
    }

    /// Docker's default profile.
    pub fn docker_default() -> Profile {
        Profile::parse(super::DEFAULT_PROFILE.as_bytes()).expect("the built-in profile parses")
    }

    /// A profile with neither a default action nor rules disables seccomp (docker's rule).
    pub fn is_disabled(&self) -> bool {
        self.default_action.is_empty() && self.syscalls.is_empty()
    }

    /// Resolve for a container whose bounding set is `bounding`, on `native`, kernel `kernel`.
    pub fn resolve(
        &self,
        bounding: CapSet,
        native: Arch,
        kernel: (u32, u32),
    ) -> Result<Filter, SeccompError> {
        if self.default_action.is_empty() {
            return Err(SeccompError::Invalid(
                "no \"defaultAction\": set one, e.g. \"SCMP_ACT_ERRNO\"".into(),
            ));
        }
        let default_ret = action_ret(&self.default_action, self.default_errno_ret)?;
        let mut arches = vec![native];
        let mut add_arch = |name: &str| -> Result<(), SeccompError> {
            if !name.starts_with("SCMP_ARCH_") {
                return Err(SeccompError::Invalid(format!(
                    "unknown architecture {name:?}: use libseccomp names like SCMP_ARCH_X86_64"
                )));
            }
            // Architectures berth has no table for cannot run here anyway (an x86_64 kernel
            // never reports a MIPS syscall), except 32-bit arm: see `Arch::Arm`.
            if let Some(a) = Arch::from_scmp_name(name).filter(|a| a.supported()) {
                if !arches.contains(&a) {
                    arches.push(a);
                }
            }
            Ok(())
        };
        if !self.architectures.is_empty() {
            for a in &self.architectures {
                add_arch(a)?;
            }
        } else if let Some(entry) = self
            .arch_map
            .iter()
            .find(|e| e.architecture == native.scmp_name())
        {
            for a in &entry.sub_architectures {
                add_arch(a)?;
            }
        }
        let native_name = native.profile_name();
        let mut rules = Vec::new();
        for (i, group) in self.syscalls.iter().enumerate() {
            let names = match (&group.name, group.names.is_empty()) {
                (Some(_), false) => {
                    return Err(SeccompError::Invalid(format!(
                        "syscall rule {i} has both \"name\" and \"names\": use one of them"
                    )))
                }
                (Some(n), true) => vec![n.clone()],
                (None, _) => group.names.clone(),
            };
            let ret = action_ret(&group.action, group.errno_ret)?;
            let args = group
                .args
                .iter()
                .map(|a| {
                    if a.index > 5 {
                        return Err(SeccompError::Invalid(format!(
                            "argument index {} of {names:?} is out of range: syscalls have arguments 0 to 5",
                            a.index
                        )));
                    }
                    Ok(ArgCmp {
                        index: a.index as u8,
                        op: CmpOp::parse(&a.op)?,
                        value: a.value,
                        value_two: a.value_two,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let ex = &group.excludes;
            if ex.arches.iter().any(|a| a == native_name)
                || ex.caps.iter().any(|c| has_cap(bounding, c))
            {
                continue;
            }
            if let Some(k) = &ex.min_kernel {
                if kernel >= parse_min_kernel(k)? {
                    continue;
                }
            }
            let inc = &group.includes;
            if (!inc.arches.is_empty() && !inc.arches.iter().any(|a| a == native_name))
                || !inc.caps.iter().all(|c| has_cap(bounding, c))
            {
                continue;
            }
            if let Some(k) = &inc.min_kernel {
                if kernel < parse_min_kernel(k)? {
                    continue;
                }
            }
            rules.push(Rule { names, args, ret });
        }
        let flags = self
            .flags
            .iter()
            .map(|f| filter_flag(f))
            .try_fold(0, |acc, f| f.map(|f| acc | f))?;
        Ok(Filter {
            default_ret,
            arches,
            rules,
            flags,
        })
    }
}
