//! Resource limits of a container's processes (`--ulimit`, and RLIMIT_NPROC standing in for
//! `--pids-limit` when no cgroup can apply it): docker's names and syntax, parsed at create time
//! in the CLI; applied with setrlimit by the container's process (and every `exec`'d one)
//! before it switches to the container user, and written to config.json's `process.rlimits`.
//!
//! An unprivileged process cannot raise a hard limit (that takes CAP_SYS_RESOURCE in the
//! host's user namespace, which no rootless container has): [`check_raisable`] refuses such a
//! request at create time with a one-line error, and [`apply`] says the same at start if the
//! limits berth runs with have shrunk since.

use std::io;

use serde::{Deserialize, Serialize};

/// setrlimit's resource type (glibc's).
type Resource = libc::__rlimit_resource_t;

/// docker's `--ulimit` names and the resources they stand for, as docker's go-units has them.
const NAMES: &[(&str, Resource, &str)] = &[
    ("as", libc::RLIMIT_AS, "RLIMIT_AS"),
    ("core", libc::RLIMIT_CORE, "RLIMIT_CORE"),
    ("cpu", libc::RLIMIT_CPU, "RLIMIT_CPU"),
    ("data", libc::RLIMIT_DATA, "RLIMIT_DATA"),
    ("fsize", libc::RLIMIT_FSIZE, "RLIMIT_FSIZE"),
    ("locks", libc::RLIMIT_LOCKS, "RLIMIT_LOCKS"),
    ("memlock", libc::RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK"),
    ("msgqueue", libc::RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE"),
    ("nice", libc::RLIMIT_NICE, "RLIMIT_NICE"),
    ("nofile", libc::RLIMIT_NOFILE, "RLIMIT_NOFILE"),
    ("nproc", libc::RLIMIT_NPROC, "RLIMIT_NPROC"),
    ("rss", libc::RLIMIT_RSS, "RLIMIT_RSS"),
    ("rtprio", libc::RLIMIT_RTPRIO, "RLIMIT_RTPRIO"),
    ("rttime", libc::RLIMIT_RTTIME, "RLIMIT_RTTIME"),
    ("sigpending", libc::RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING"),
    ("stack", libc::RLIMIT_STACK, "RLIMIT_STACK"),
];

/// One `--ulimit NAME=SOFT[:HARD]`, as docker's `HostConfig.Ulimits` shows it: -1 is unlimited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
pub struct Ulimit {
    pub name: String,
    pub soft: i64,
    pub hard: i64,
}

/// A limit ready for setrlimit (`RLIM_INFINITY` for unlimited).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rlimit {
    pub resource: Resource,
    pub soft: u64,
    pub hard: u64,
}

fn entry(name: &str) -> Option<&'static (&'static str, Resource, &'static str)> {
    NAMES.iter().find(|(n, _, _)| *n == name)
}

fn names() -> String {
    NAMES
        .iter()
        .map(|(n, _, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A value: a number of the resource's unit, or -1 / `unlimited`.
fn parse_value(v: &str) -> Option<i64> {
    match v {
        "unlimited" | "-1" => Some(-1),
        _ if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => v.parse().ok(),
        _ => None,
    }
}

/// The limit as setrlimit takes it: -1 is infinity.
fn raw(v: i64) -> u64 {
    if v < 0 {
        libc::RLIM_INFINITY
    } else {
        v as u64
    }
}

/// Parse docker's `NAME=SOFT[:HARD]` (HARD defaults to SOFT).
pub fn parse(arg: &str) -> Result<Ulimit, String> {
    let usage =
        "use NAME=SOFT[:HARD] with a number or -1/unlimited, e.g. --ulimit nofile=1024:2048";
    let (name, values) = arg
        .split_once('=')
        .ok_or_else(|| format!("invalid --ulimit {arg:?}: {usage}"))?;
    if entry(name).is_none() {
        return Err(format!(
            "invalid --ulimit {arg:?}: unknown limit {name:?}; use one of {}",
            names()
        ));
    }
    let mut parts = values.split(':');
    let soft_s = parts.next().unwrap_or_default();
    let hard_s = parts.next();
    if parts.next().is_some() {
        return Err(format!(
            "invalid --ulimit {arg:?}: too many values; {usage}"
        ));
    }
    let value = |s: &str| {
        parse_value(s)
            .ok_or_else(|| format!("invalid --ulimit {arg:?}: {s:?} is not a limit; {usage}"))
    };
    let soft = value(soft_s)?;
    let hard = match hard_s {
        Some(h) => value(h)?,
        None => soft,
    };
    if raw(soft) > raw(hard) {
        return Err(format!(
            "invalid --ulimit {arg:?}: the soft limit is above the hard limit; give SOFT <= HARD"
        ));
    }
    Ok(Ulimit {
        name: name.to_string(),
        soft,
        hard,
    })
}

/// Parse every `--ulimit`; a name given twice keeps its last value (as docker does).
pub fn parse_all(args: &[String]) -> Result<Vec<Ulimit>, String> {
    let mut out: Vec<Ulimit> = Vec::new();
    for a in args {
        let u = parse(a)?;
        out.retain(|o| o.name != u.name);
        out.push(u);
    }
    Ok(out)
}

impl Ulimit {
    /// The setrlimit form. Names were checked by [`parse`]; an unknown one (a hand-edited
    /// record) is `None`.
    pub fn rlimit(&self) -> Option<Rlimit> {
        entry(&self.name).map(|(_, resource, _)| Rlimit {
            resource: *resource,
            soft: raw(self.soft),
            hard: raw(self.hard),
        })
    }

    /// The OCI runtime spec's `process.rlimits` entry.
    pub fn oci(&self) -> Option<serde_json::Value> {
        let (_, _, oci) = entry(&self.name)?;
        Some(serde_json::json!({"type": oci, "soft": raw(self.soft), "hard": raw(self.hard)}))
    }

    fn display(v: i64) -> String {
        if v < 0 {
            "unlimited".into()
        } else {
            v.to_string()
        }
    }
}

fn current(resource: Resource) -> io::Result<(u64, u64)> {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit into a struct we own.
    if unsafe { libc::getrlimit(resource, &mut r) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((r.rlim_cur, r.rlim_max))
}

/// capability(7)'s number.
const CAP_SYS_RESOURCE: u32 = 24;

/// Whether this process may raise hard limits: CAP_SYS_RESOURCE in its effective set (root
/// usually has it; a rootless berth never does, and some sandboxes take it from root too).
fn may_raise() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        .is_some_and(|eff| eff & (1 << CAP_SYS_RESOURCE) != 0)
}

/// Refuse limits the container's process could not set, naming the limit and the fix: hard
/// limits above the ones berth has, unless it may raise them (the container's process inherits
/// them, and no container of a rootless user has CAP_SYS_RESOURCE over the host); and `nofile`
/// above the kernel's `fs.nr_open`, which nobody may exceed.
pub fn check_raisable(ulimits: &[Ulimit]) -> Result<(), String> {
    let privileged = may_raise();
    for u in ulimits {
        let Some(r) = u.rlimit() else { continue };
        if r.resource == libc::RLIMIT_NOFILE {
            let nr_open = std::fs::read_to_string("/proc/sys/fs/nr_open")
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok());
            if let Some(max) = nr_open.filter(|max| r.hard > *max) {
                return Err(format!(
                    "--ulimit nofile={}:{} is above the kernel's maximum of {max} open files (fs.nr_open): ask for at most {max}",
                    Ulimit::display(u.soft),
                    Ulimit::display(u.hard)
                ));
            }
        }
        if privileged {
            continue;
        }
        let (_, hard) =
            current(r.resource).map_err(|e| format!("reading the limit {}: {e}", u.name))?;
        if r.hard > hard {
            let have = if hard == libc::RLIM_INFINITY {
                "unlimited".to_string()
            } else {
                hard.to_string()
            };
            return Err(format!(
                "--ulimit {}={}:{} is above your hard limit of {have} for {}: raising it needs CAP_SYS_RESOURCE, which berth does not have; ask for at most {have} (or raise your own hard limit first, e.g. in /etc/security/limits.conf)",
                u.name,
                Ulimit::display(u.soft),
                Ulimit::display(u.hard),
                u.name
            ));
        }
    }
    Ok(())
}

/// setrlimit each limit, in the container's process before it drops its capabilities.
/// Async-signal-safe except for the error path (which formats a message and then exits).
pub fn apply(limits: &[Rlimit]) -> Result<(), String> {
    for l in limits {
        let r = libc::rlimit {
            rlim_cur: l.soft,
            rlim_max: l.hard,
        };
        // SAFETY: setrlimit from a struct we own.
        if unsafe { libc::setrlimit(l.resource, &r) } != 0 {
            let e = io::Error::last_os_error();
            let name = NAMES
                .iter()
                .find(|(_, res, _)| *res == l.resource)
                .map_or("?", |(n, _, _)| n);
            let hint = if e.raw_os_error() == Some(libc::EPERM) {
                let have = current(l.resource).map_or(0, |(_, h)| h);
                format!(
                    ": it is above the hard limit berth runs with ({}), and raising that needs CAP_SYS_RESOURCE: ask for less with --ulimit {name}",
                    if have == libc::RLIM_INFINITY {
                        "unlimited".to_string()
                    } else {
                        have.to_string()
                    }
                )
            } else {
                format!(": {e}")
            };
            return Err(format!("cannot set the limit {name}{hint}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_and_hard_parse_and_hard_defaults_to_soft() {
        assert_eq!(
            parse("nofile=100:200").unwrap(),
            Ulimit {
                name: "nofile".into(),
                soft: 100,
                hard: 200
            }
        );
        let u = parse("nproc=64").unwrap();
        assert_eq!((u.soft, u.hard), (64, 64));
    }

    #[test]
    fn minus_one_and_unlimited_mean_infinity() {
        let u = parse("core=-1").unwrap();
        assert_eq!((u.soft, u.hard), (-1, -1));
        let u = parse("memlock=1024:unlimited").unwrap();
        assert_eq!((u.soft, u.hard), (1024, -1));
        let r = u.rlimit().unwrap();
        assert_eq!(
            (r.resource, r.soft, r.hard),
            (libc::RLIMIT_MEMLOCK, 1024, libc::RLIM_INFINITY)
        );
        assert_eq!(
            u.oci().unwrap(),
            serde_json::json!({"type": "RLIMIT_MEMLOCK", "soft": 1024u64, "hard": u64::MAX})
        );
    }

    #[test]
    fn every_docker_name_is_known() {
        for n in [
            "core",
            "cpu",
            "data",
            "fsize",
            "locks",
            "memlock",
            "msgqueue",
            "nice",
            "nofile",
            "nproc",
            "rss",
            "rtprio",
            "rttime",
            "sigpending",
            "stack",
            "as",
        ] {
            assert!(parse(&format!("{n}=1")).is_ok(), "{n}");
        }
    }

    #[test]
    fn bad_names_values_and_orders_are_one_line_errors() {
        for (arg, needle) in [
            ("nofiles=1", "unknown limit \"nofiles\""),
            ("NOFILE=1", "unknown limit"),
            ("nofile", "use NAME=SOFT[:HARD]"),
            ("nofile=", "is not a limit"),
            ("nofile=abc", "\"abc\" is not a limit"),
            ("nofile=-2", "\"-2\" is not a limit"),
            ("nofile=1.5", "is not a limit"),
            ("nofile=1:2:3", "too many values"),
            ("nofile=200:100", "soft limit is above the hard limit"),
            ("nofile=unlimited:100", "soft limit is above the hard limit"),
            ("nofile=99999999999999999999", "is not a limit"),
        ] {
            let e = parse(arg).unwrap_err();
            assert!(e.contains(needle), "{arg}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
        assert!(parse("nofile=100:unlimited").is_ok());
    }

    #[test]
    fn a_name_given_twice_keeps_the_last_value() {
        let all = parse_all(&["nofile=1".into(), "core=0".into(), "nofile=5:6".into()]).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1], parse("nofile=5:6").unwrap());
    }

    #[test]
    fn a_hard_limit_above_ours_is_refused_with_the_limit_we_have() {
        let (_, hard) = current(libc::RLIMIT_NOFILE).unwrap();
        if may_raise() {
            // Root with CAP_SYS_RESOURCE may raise it (up to fs.nr_open).
            return;
        }
        let over = Ulimit {
            name: "nofile".into(),
            soft: 1,
            hard: hard as i64 + 1,
        };
        let e = check_raisable(&[over]).unwrap_err();
        assert!(e.contains(&format!("hard limit of {hard}")), "{e}");
        let within = Ulimit {
            name: "nofile".into(),
            soft: 1,
            hard: hard as i64,
        };
        check_raisable(&[within]).unwrap();
    }

    #[test]
    fn nofile_above_the_kernels_nr_open_is_refused() {
        let max: i64 = std::fs::read_to_string("/proc/sys/fs/nr_open")
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let e = check_raisable(&[parse(&format!("nofile=1:{}", max + 1)).unwrap()]).unwrap_err();
        assert!(e.contains("fs.nr_open"), "{e}");
    }

    #[test]
    fn docker_json_names_the_fields_name_soft_hard() {
        let v = serde_json::to_value(parse("nofile=1:2").unwrap()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"Name": "nofile", "Soft": 1, "Hard": 2})
        );
    }
}
