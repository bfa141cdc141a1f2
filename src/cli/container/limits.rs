//! The resource-limit and cgroup flags of `run` and `create`.

use clap::Args;

use crate::cgroups::LimitArgs;
use crate::engine::container::limits::CgroupOptions;

#[derive(Debug, Args, Default)]
pub struct LimitFlags {
    /// Memory limit (e.g. 100m, 1g)
    #[arg(short = 'm', long, value_name = "BYTES")]
    pub memory: Option<String>,
    /// Memory plus swap limit (-1: unlimited swap; default: twice --memory)
    #[arg(long, value_name = "BYTES", allow_hyphen_values = true)]
    pub memory_swap: Option<String>,
    /// Memory soft limit
    #[arg(long, value_name = "BYTES")]
    pub memory_reservation: Option<String>,
    /// Disable the OOM killer for the container (cgroup v1)
    #[arg(long)]
    pub oom_kill_disable: bool,
    /// Tune the host's OOM preferences for the container (-1000 to 1000)
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub oom_score_adj: Option<i32>,
    /// Number of CPUs (e.g. 0.5)
    #[arg(long, value_name = "N")]
    pub cpus: Option<String>,
    /// CPU shares (relative weight, default 1024)
    #[arg(short = 'c', long, value_name = "N")]
    pub cpu_shares: Option<u64>,
    /// CPU CFS period in microseconds
    #[arg(long, value_name = "US")]
    pub cpu_period: Option<u64>,
    /// CPU CFS quota in microseconds (-1: none)
    #[arg(long, value_name = "US", allow_hyphen_values = true)]
    pub cpu_quota: Option<i64>,
    /// CPUs in which to allow execution (0-3, 0,1)
    #[arg(long, value_name = "LIST")]
    pub cpuset_cpus: Option<String>,
    /// Memory nodes in which to allow execution (0-3, 0,1)
    #[arg(long, value_name = "LIST")]
    pub cpuset_mems: Option<String>,
    /// Tune the container's pids limit (-1 or 0: unlimited)
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub pids_limit: Option<i64>,
    /// Set a resource limit of the container's processes (NAME=SOFT[:HARD], e.g. nofile=1024:2048;
    /// -1 or unlimited: no limit)
    #[arg(long, value_name = "NAME=SOFT[:HARD]", allow_hyphen_values = true)]
    pub ulimit: Vec<String>,
    /// Block IO weight (10 to 1000, 0 to disable)
    #[arg(long, value_name = "N")]
    pub blkio_weight: Option<u16>,
    /// Limit read rate from a device (DEVICE:RATE, e.g. /dev/sda:1mb)
    #[arg(long, value_name = "DEVICE:RATE")]
    pub device_read_bps: Vec<String>,
    /// Limit write rate to a device (DEVICE:RATE)
    #[arg(long, value_name = "DEVICE:RATE")]
    pub device_write_bps: Vec<String>,
    /// Limit read operations per second from a device (DEVICE:IOPS)
    #[arg(long, value_name = "DEVICE:IOPS")]
    pub device_read_iops: Vec<String>,
    /// Limit write operations per second to a device (DEVICE:IOPS)
    #[arg(long, value_name = "DEVICE:IOPS")]
    pub device_write_iops: Vec<String>,
    /// Parent cgroup (a slice with the systemd manager, e.g. mine.slice)
    #[arg(long, value_name = "PATH")]
    pub cgroup_parent: Option<String>,
    /// Cgroup namespace: private or host
    #[arg(long, value_name = "MODE")]
    pub cgroupns: Option<String>,
    /// Whether the container gets a cgroup: enabled or disabled
    #[arg(long, value_name = "MODE")]
    pub cgroups: Option<String>,
    /// Cgroup manager: systemd or cgroupfs (default: systemd when a user bus is reachable)
    #[arg(long, value_name = "MANAGER")]
    pub cgroup_manager: Option<String>,
    /// Refuse to run when no cgroup backend can apply the limits
    #[arg(long)]
    pub cgroup_strict: bool,
}

impl LimitFlags {
    pub fn limits(&self) -> LimitArgs {
        LimitArgs {
            memory: self.memory.clone(),
            memory_swap: self.memory_swap.clone(),
            memory_reservation: self.memory_reservation.clone(),
            oom_kill_disable: self.oom_kill_disable,
            cpus: self.cpus.clone(),
            cpu_shares: self.cpu_shares,
            cpu_period: self.cpu_period,
            cpu_quota: self.cpu_quota,
            cpuset_cpus: self.cpuset_cpus.clone(),
            cpuset_mems: self.cpuset_mems.clone(),
            pids_limit: self.pids_limit,
            blkio_weight: self.blkio_weight,
            device_read_bps: self.device_read_bps.clone(),
            device_write_bps: self.device_write_bps.clone(),
            device_read_iops: self.device_read_iops.clone(),
            device_write_iops: self.device_write_iops.clone(),
        }
    }

    pub fn cgroup(&self) -> CgroupOptions {
        CgroupOptions {
            parent: self.cgroup_parent.clone(),
            cgroupns: self.cgroupns.clone(),
            cgroups: self.cgroups.clone(),
            manager: self.cgroup_manager.clone(),
            strict: self.cgroup_strict,
        }
    }
}
