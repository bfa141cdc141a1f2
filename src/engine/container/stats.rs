//! `stats`: what a container uses, read from its cgroup (CPU, memory, block I/O, pids) and its
//! network namespace (/proc/PID/net/dev). CPU % is the CPU time used between two samples over
//! the wall time between them (100% = one CPU busy), as docker computes it.

use std::fs;
use std::time::Instant;

use super::Container;
use crate::cgroups::{self, Kind};
use crate::engine::Engine;

/// One reading of a container's counters.
#[derive(Debug, Clone)]
pub struct Sample {
    pub at: Instant,
    pub cgroup: cgroups::Stats,
    /// Received and sent bytes over the container's interfaces (loopback excluded).
    pub net: Option<(u64, u64)>,
    /// Processes in the container, counted in /proc when there is no pids controller to ask.
    pub pids: Option<u64>,
}

/// One row of `stats`; None where the backend cannot tell.
#[derive(Debug, Clone)]
pub struct ContainerStats {
    pub id: String,
    pub name: String,
    pub cpu_percent: Option<f64>,
    pub mem_usage: Option<u64>,
    pub mem_limit: Option<u64>,
    pub mem_percent: Option<f64>,
    pub net: Option<(u64, u64)>,
    pub block: Option<(u64, u64)>,
    pub pids: Option<u64>,
    /// Why some columns are empty (a container without a cgroup).
    pub note: Option<String>,
}

/// The host's memory, docker's limit for a container without one.
fn host_memory() -> Option<u64> {
    let text = fs::read_to_string("/proc/meminfo").ok()?;
    let kb: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// Received and sent bytes of every interface but loopback in a /proc/net/dev text.
pub fn parse_net_dev(text: &str) -> (u64, u64) {
    let (mut rx, mut tx) = (0, 0);
    for line in text.lines().skip(2) {
        let Some((name, rest)) = line.split_once(':') else {
            continue;
        };
        if name.trim() == "lo" {
            continue;
        }
        let f: Vec<u64> = rest
            .split_whitespace()
            .map(|x| x.parse().unwrap_or(0))
            .collect();
        if f.len() >= 9 {
            rx += f[0];
            tx += f[8];
        }
    }
    (rx, tx)
}

/// Processes sharing `pid`'s PID namespace (the container's processes).
fn count_processes(pid: i32) -> Option<u64> {
    let ns = fs::read_link(format!("/proc/{pid}/ns/pid")).ok()?;
    let n = fs::read_dir("/proc")
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter(|e| fs::read_link(e.path().join("ns/pid")).ok().as_ref() == Some(&ns))
        .count();
    Some(n as u64)
}

impl Engine {
    /// Read a running container's counters now.
    pub fn sample_container(&self, c: &Container) -> Sample {
        let cgroup = c
            .state
            .cgroups
            .as_ref()
            .map(|g| g.stats())
            .unwrap_or_default();
        let pid = c.state.pid;
        let net = if c.record.config.network == "host" {
            // The host's interfaces are not the container's traffic.
            Some((0, 0))
        } else {
            fs::read_to_string(format!("/proc/{pid}/net/dev"))
                .ok()
                .map(|t| parse_net_dev(&t))
        };
        let pids = cgroup.pids.or_else(|| count_processes(pid));
        Sample {
            at: Instant::now(),
            cgroup,
            net,
            pids,
        }
    }

    /// A `stats` row from two samples of the same container (`prev` None: no CPU % yet).
    pub fn container_stats(
        &self,
        c: &Container,
        prev: Option<&Sample>,
        now: &Sample,
    ) -> ContainerStats {
        let running = c.is_running();
        let cpu_percent = prev.and_then(|p| {
            let used = now.cgroup.cpu_ns?.checked_sub(p.cgroup.cpu_ns?)?;
            let wall = now.at.duration_since(p.at).as_nanos() as f64;
            (wall > 0.0).then(|| used as f64 / wall * 100.0)
        });
        let mem_limit = now
            .cgroup
            .mem_usage
            .and(now.cgroup.mem_limit.or_else(host_memory));
        let mem_percent = match (now.cgroup.mem_usage, mem_limit) {
            (Some(u), Some(l)) if l > 0 => Some(u as f64 / l as f64 * 100.0),
            _ => None,
        };
        let kind = c.record.config.cgroup_manager;
        let note = (running && c.state.cgroups.is_none()).then(|| match kind {
            Kind::Disabled => "the container runs with --cgroups disabled: CPU, memory and block I/O are not measured".to_string(),
            _ => "the container has no cgroup (rootless without cgroup v2 and a systemd user session): CPU, memory and block I/O are not measured".to_string(),
        });
        let zero_if_stopped = |v: Option<u64>| if running { v } else { Some(0) };
        ContainerStats {
            id: c.record.id.clone(),
            name: c.record.name.clone(),
            cpu_percent: if running { cpu_percent } else { Some(0.0) },
            mem_usage: zero_if_stopped(now.cgroup.mem_usage),
            mem_limit: if running { mem_limit } else { Some(0) },
            mem_percent: if running { mem_percent } else { Some(0.0) },
            net: if running { now.net } else { Some((0, 0)) },
            block: if running {
                now.cgroup.blk_read.zip(now.cgroup.blk_write)
            } else {
                Some((0, 0))
            },
            pids: zero_if_stopped(now.pids),
            note,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn net_dev_sums_interfaces_but_loopback() {
        let text = "Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n    lo:     100       1    0    0    0     0          0         0      100       1    0    0    0     0       0          0\n  eth0:    2000      10    0    0    0     0          0         0     3000      12    0    0    0     0       0          0\n";
        assert_eq!(parse_net_dev(text), (2000, 3000));
    }

    #[test]
    fn our_own_pid_namespace_has_at_least_us() {
        assert!(count_processes(std::process::id() as i32).unwrap() >= 1);
    }
}
