//! `top`: a container's processes read from the host's /proc, so it works with images that
//! have no `ps`. A process belongs to the container when its PID namespace is the init's.
//! PIDs, PPIDs and users are shown as the container sees them (podman's view): the innermost
//! entry of `NSpid`, and uids mapped back through the container's uid_map.

use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;

use super::super::{Engine, EngineError, Result};
use super::Container;

/// podman's descriptors, in podman's default order.
pub const DEFAULT_DESCRIPTORS: &[&str] = &[
    "user", "pid", "ppid", "pcpu", "etime", "tty", "time", "args",
];

/// A descriptor berth knows: its name(s) and column header.
struct Descriptor {
    names: &'static [&'static str],
    header: &'static str,
}

const DESCRIPTORS: &[Descriptor] = &[
    Descriptor {
        names: &["pid"],
        header: "PID",
    },
    Descriptor {
        names: &["ppid"],
        header: "PPID",
    },
    Descriptor {
        names: &["user", "euser", "uname"],
        header: "USER",
    },
    Descriptor {
        names: &["uid", "euid"],
        header: "UID",
    },
    Descriptor {
        names: &["group", "egroup", "gname"],
        header: "GROUP",
    },
    Descriptor {
        names: &["gid", "egid"],
        header: "GID",
    },
    Descriptor {
        names: &["args", "cmd", "command"],
        header: "COMMAND",
    },
    Descriptor {
        names: &["comm", "ucomm"],
        header: "COMMAND",
    },
    Descriptor {
        names: &["pcpu", "%cpu", "c"],
        header: "%CPU",
    },
    Descriptor {
        names: &["etime"],
        header: "ELAPSED",
    },
    Descriptor {
        names: &["time", "cputime"],
        header: "TIME",
    },
    Descriptor {
        names: &["tty", "tt"],
        header: "TTY",
    },
    Descriptor {
        names: &["nice", "ni"],
        header: "NI",
    },
    Descriptor {
        names: &["vsz", "vsize"],
        header: "VSZ",
    },
    Descriptor {
        names: &["rss", "rssize"],
        header: "RSS",
    },
    Descriptor {
        names: &["stat", "state", "s"],
        header: "STATE",
    },
];

fn descriptor(name: &str) -> Option<&'static Descriptor> {
    DESCRIPTORS.iter().find(|d| d.names.contains(&name))
}

/// Turn `top`'s trailing arguments into descriptor names: podman's descriptors (`pid user
/// args`, or comma lists), or docker's ps options: `-o LIST`, `-eo LIST`, `-ef`, `aux`.
pub fn parse_descriptors(args: &[String]) -> Result<Vec<String>> {
    let bad = |what: &str| {
        EngineError::Invalid(format!(
            "unknown top descriptor {what:?}: use podman's descriptors (pid, ppid, user, group, args, comm, pcpu, etime, time, tty, nice, vsz, rss, …) or ps's -o LIST, -eo LIST, -ef, aux"
        ))
    };
    let mut out = Vec::new();
    let mut it = args.iter().peekable();
    while let Some(a) = it.next() {
        let list: String = if a == "aux" {
            "user,pid,pcpu,vsz,rss,tty,stat,time,args".into()
        } else if let Some(flags) = a.strip_prefix('-') {
            // ps's short options: e/A (every process — the container's are all there is),
            // f (full format), o LIST (the rest of this word or the next one).
            let mut list = String::new();
            for (i, c) in flags.char_indices() {
                match c {
                    'e' | 'A' | 'a' | 'x' => {}
                    'f' => list.push_str(",user,pid,ppid,pcpu,etime,tty,time,args"),
                    'o' => {
                        let rest = &flags[i + 1..];
                        let value = if rest.is_empty() {
                            it.next().ok_or_else(|| bad(a))?.clone()
                        } else {
                            rest.to_string()
                        };
                        list.push(',');
                        list.push_str(&value);
                        break;
                    }
                    _ => return Err(bad(a)),
                }
            }
            list
        } else {
            a.clone()
        };
        for d in list.split(',').map(str::trim).filter(|d| !d.is_empty()) {
            // ps allows `pid=HEADER`; the header is ignored, the descriptor kept.
            let d = d.split_once('=').map_or(d, |(n, _)| n).to_ascii_lowercase();
            if descriptor(&d).is_none() {
                return Err(bad(&d));
            }
            out.push(d);
        }
    }
    if out.is_empty() {
        out = DEFAULT_DESCRIPTORS.iter().map(|s| s.to_string()).collect();
    }
    Ok(out)
}

/// One process as read from /proc.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProcessInfo {
    /// The host's pid and the container's.
    pub host_pid: i32,
    pub pid: i32,
    pub host_ppid: i32,
    /// The parent's pid in the container (0 when the parent is outside it).
    pub ppid: i32,
    pub user: String,
    pub uid: u32,
    pub group: String,
    pub gid: u32,
    pub comm: String,
    pub args: String,
    pub state: String,
    pub tty_nr: i32,
    pub nice: i64,
    pub vsz_kib: u64,
    pub rss_kib: u64,
    /// CPU time and age, in seconds.
    pub cpu_secs: f64,
    pub elapsed_secs: f64,
}

/// The container's processes and their columns.
#[derive(Debug, Clone, PartialEq)]
pub struct TopTable {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn clock_ticks() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as f64
    } else {
        100.0
    }
}

fn uptime_secs() -> f64 {
    fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

fn pid_ns(pid: i32) -> Option<PathBuf> {
    fs::read_link(format!("/proc/{pid}/ns/pid")).ok()
}

/// `inside outside count` lines: map a host id into the container.
fn map_id(map: &[(u32, u32, u32)], host: u32) -> u32 {
    map.iter()
        .find(|(_, outside, count)| host >= *outside && host - outside < *count)
        .map_or(host, |(inside, outside, _)| inside + (host - outside))
}

fn read_id_map(path: &str) -> Vec<(u32, u32, u32)> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let v: Vec<u32> = l
                .split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect();
            (v.len() == 3).then(|| (v[0], v[1], v[2]))
        })
        .collect()
}

/// name by id from the container's /etc/passwd or /etc/group.
fn read_names(path: &str) -> HashMap<u32, String> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            Some((f.get(2)?.parse().ok()?, f.first()?.to_string()))
        })
        .collect()
}

fn status_field<'a>(status: &'a str, key: &str) -> Option<&'a str> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .map(str::trim)
}

fn read_process(pid: i32, ticks: f64, uptime: f64) -> Option<ProcessInfo> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (head, rest) = stat.rsplit_once(") ")?;
    let comm = head.split_once(" (")?.1.to_string();
    // `rest` starts at field 3 (state).
    let f: Vec<&str> = rest.split_whitespace().collect();
    let num = |i: usize| f.get(i).and_then(|x| x.parse::<i64>().ok()).unwrap_or(0);
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let nspid = status_field(&status, "NSpid")
        .and_then(|s| s.split_whitespace().last()?.parse().ok())
        .unwrap_or(pid);
    let first_id = |key: &str| {
        status_field(&status, key)
            .and_then(|s| s.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0)
    };
    let cmdline = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let args: Vec<String> = cmdline
        .split(|&b| b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    // SAFETY: sysconf has no preconditions.
    let page_kib = (unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(4096) as u64) / 1024;
    let start = num(19) as f64 / ticks;
    Some(ProcessInfo {
        host_pid: pid,
        pid: nspid,
        host_ppid: num(1) as i32,
        ppid: 0,
        uid: first_id("Uid"),
        gid: first_id("Gid"),
        user: String::new(),
        group: String::new(),
        args: if args.is_empty() {
            format!("[{comm}]")
        } else {
            args.join(" ")
        },
        comm,
        state: f.first().map(|s| s.to_string()).unwrap_or_default(),
        tty_nr: num(4) as i32,
        nice: num(16),
        vsz_kib: num(20) as u64 / 1024,
        rss_kib: num(21) as u64 * page_kib,
        cpu_secs: (num(11) + num(12)) as f64 / ticks,
        elapsed_secs: (uptime - start).max(0.0),
    })
}

/// Go's time.Duration text, rounded to what is worth reading: 1h2m3s, 4.5s, 0s.
fn go_duration(secs: f64) -> String {
    let total = secs.max(0.0);
    let whole = total.floor() as u64;
    let (h, m, s) = (whole / 3600, whole / 60 % 60, whole % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if h > 0 || m > 0 {
        out.push_str(&format!("{m}m{s}s"));
    } else if total >= 0.001 {
        let text = format!("{:.3}", total);
        out.push_str(text.trim_end_matches('0').trim_end_matches('.'));
        out.push('s');
    } else {
        out.push_str("0s");
    }
    out
}

fn tty_name(tty_nr: i32) -> String {
    if tty_nr == 0 {
        return "?".into();
    }
    let major = (tty_nr >> 8) & 0xfff;
    let minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
    match major {
        136..=143 => format!("pts/{}", (major - 136) * 256 + minor),
        4 if minor < 64 => format!("tty{minor}"),
        4 => format!("ttyS{}", minor - 64),
        _ => format!("{major}:{minor}"),
    }
}

fn column(p: &ProcessInfo, d: &str) -> String {
    match descriptor(d).map_or("", |d| d.names[0]) {
        "pid" => p.pid.to_string(),
        "ppid" => p.ppid.to_string(),
        "user" => p.user.clone(),
        "uid" => p.uid.to_string(),
        "group" => p.group.clone(),
        "gid" => p.gid.to_string(),
        "args" => p.args.clone(),
        "comm" => p.comm.clone(),
        "pcpu" => {
            let pct = if p.elapsed_secs > 0.0 {
                p.cpu_secs / p.elapsed_secs * 100.0
            } else {
                0.0
            };
            format!("{pct:.3}")
        }
        "etime" => go_duration(p.elapsed_secs),
        "time" => go_duration(p.cpu_secs),
        "tty" => tty_name(p.tty_nr),
        "nice" => p.nice.to_string(),
        "vsz" => p.vsz_kib.to_string(),
        "rss" => p.rss_kib.to_string(),
        "stat" => p.state.clone(),
        _ => String::new(),
    }
}

/// Lay processes out in the descriptors' columns.
pub fn table(processes: &[ProcessInfo], descriptors: &[String]) -> TopTable {
    TopTable {
        headers: descriptors
            .iter()
            .map(|d| descriptor(d).map_or("?", |d| d.header).to_string())
            .collect(),
        rows: processes
            .iter()
            .map(|p| descriptors.iter().map(|d| column(p, d)).collect())
            .collect(),
    }
}

impl Engine {
    /// The processes in `c`'s PID namespace, ordered by their pid in the container.
    pub fn container_processes(&self, c: &Container) -> Result<Vec<ProcessInfo>> {
        let not_running = || {
            EngineError::Invalid(format!(
            "container {} is not running: top shows the processes of a running container; start it first",
            c.record.name
        ))
        };
        if !c.is_running() || c.state.pid <= 0 {
            return Err(not_running());
        }
        let init = c.state.pid;
        let ns = pid_ns(init).ok_or_else(not_running)?;
        let (ticks, uptime) = (clock_ticks(), uptime_secs());
        let entries = fs::read_dir("/proc").map_err(|e| EngineError::Io {
            context: "reading /proc".into(),
            source: e,
        })?;
        let mut procs: Vec<ProcessInfo> = entries
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
            .filter(|&pid| pid_ns(pid).as_ref() == Some(&ns))
            .filter_map(|pid| read_process(pid, ticks, uptime))
            .collect();
        let inner: HashMap<i32, i32> = procs.iter().map(|p| (p.host_pid, p.pid)).collect();
        let uid_map = read_id_map(&format!("/proc/{init}/uid_map"));
        let gid_map = read_id_map(&format!("/proc/{init}/gid_map"));
        // The container's own account files, reached through its init's root.
        let users = read_names(&format!("/proc/{init}/root/etc/passwd"));
        let groups = read_names(&format!("/proc/{init}/root/etc/group"));
        for p in &mut procs {
            p.ppid = inner.get(&p.host_ppid).copied().unwrap_or(0);
            p.uid = map_id(&uid_map, p.uid);
            p.gid = map_id(&gid_map, p.gid);
            p.user = users
                .get(&p.uid)
                .cloned()
                .unwrap_or_else(|| p.uid.to_string());
            p.group = groups
                .get(&p.gid)
                .cloned()
                .unwrap_or_else(|| p.gid.to_string());
        }
        procs.sort_by_key(|p| p.pid);
        Ok(procs)
    }

    /// `top`: the container's processes in the columns asked for.
    pub fn container_top(&self, c: &Container, ps_args: &[String]) -> Result<TopTable> {
        let descriptors = parse_descriptors(ps_args)?;
        Ok(table(&self.container_processes(c)?, &descriptors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn no_arguments_give_podmans_default_columns() {
        assert_eq!(parse_descriptors(&[]).unwrap(), s(DEFAULT_DESCRIPTORS));
    }

    #[test]
    fn podman_descriptors_and_ps_option_forms_give_the_same_columns() {
        let want = s(&["pid", "user", "args"]);
        assert_eq!(
            parse_descriptors(&s(&["pid", "user", "args"])).unwrap(),
            want
        );
        assert_eq!(parse_descriptors(&s(&["pid,user,args"])).unwrap(), want);
        assert_eq!(
            parse_descriptors(&s(&["-o", "pid,user,args"])).unwrap(),
            want
        );
        assert_eq!(
            parse_descriptors(&s(&["-eo", "pid,user,args"])).unwrap(),
            want
        );
        assert_eq!(parse_descriptors(&s(&["-opid,user,args"])).unwrap(), want);
        assert_eq!(
            parse_descriptors(&s(&["-e", "-o", "pid,user,args"])).unwrap(),
            want
        );
        assert_eq!(parse_descriptors(&s(&["-ef"])).unwrap().len(), 8);
        assert!(parse_descriptors(&s(&["aux"]))
            .unwrap()
            .contains(&"rss".to_string()));
    }

    #[test]
    fn unknown_descriptors_and_ps_flags_are_rejected_by_name() {
        let e = parse_descriptors(&s(&["pid,bogus"]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"bogus\""), "{e}");
        assert!(parse_descriptors(&s(&["-Z"])).is_err());
        assert!(parse_descriptors(&s(&["-o"])).is_err());
    }

    #[test]
    fn ids_map_back_through_the_containers_map() {
        let map = [(0, 1000, 1), (1, 100000, 65536)];
        assert_eq!(map_id(&map, 1000), 0);
        assert_eq!(map_id(&map, 100000), 1);
        assert_eq!(map_id(&map, 100099), 100);
        assert_eq!(map_id(&map, 5), 5);
    }

    #[test]
    fn durations_read_like_go() {
        assert_eq!(go_duration(0.0), "0s");
        assert_eq!(go_duration(4.5), "4.5s");
        assert_eq!(go_duration(62.0), "1m2s");
        assert_eq!(go_duration(3723.9), "1h2m3s");
    }

    #[test]
    fn terminals_are_named_like_ps() {
        assert_eq!(tty_name(0), "?");
        assert_eq!(tty_name(136 << 8 | 3), "pts/3");
    }

    #[test]
    fn our_own_process_reads_with_its_command_line() {
        let me = std::process::id() as i32;
        let p = read_process(me, clock_ticks(), uptime_secs()).unwrap();
        assert_eq!(p.host_pid, me);
        assert!(!p.args.is_empty());
        assert!(p.rss_kib > 0);
        let t = table(&[p], &s(&["pid", "comm", "rss"]));
        assert_eq!(t.headers, s(&["PID", "COMMAND", "RSS"]));
    }
}
