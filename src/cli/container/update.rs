//! `berth update`: change the limits of running containers, or their restart policy.

use clap::Args;

use crate::cgroups::LimitArgs;
use crate::engine::container::update::UpdateOptions;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Memory limit (e.g. 100m, 1g)
    #[arg(short = 'm', long, value_name = "BYTES")]
    pub memory: Option<String>,
    /// Memory plus swap limit (-1: unlimited swap)
    #[arg(long, value_name = "BYTES", allow_hyphen_values = true)]
    pub memory_swap: Option<String>,
    /// Memory soft limit
    #[arg(long, value_name = "BYTES")]
    pub memory_reservation: Option<String>,
    /// Number of CPUs (e.g. 0.5)
    #[arg(long, value_name = "N")]
    pub cpus: Option<String>,
    /// CPU shares (relative weight)
    #[arg(short = 'c', long, value_name = "N")]
    pub cpu_shares: Option<u64>,
    /// CPU CFS period in microseconds
    #[arg(long, value_name = "US")]
    pub cpu_period: Option<u64>,
    /// CPU CFS quota in microseconds
    #[arg(long, value_name = "US", allow_hyphen_values = true)]
    pub cpu_quota: Option<i64>,
    /// CPUs in which to allow execution (0-3, 0,1)
    #[arg(long, value_name = "LIST")]
    pub cpuset_cpus: Option<String>,
    /// Memory nodes in which to allow execution
    #[arg(long, value_name = "LIST")]
    pub cpuset_mems: Option<String>,
    /// Tune the container's pids limit (-1: unlimited)
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub pids_limit: Option<i64>,
    /// Block IO weight (10 to 1000)
    #[arg(long, value_name = "N")]
    pub blkio_weight: Option<u16>,
    /// Restart policy: no, on-failure[:MAX-RETRIES], always or unless-stopped
    #[arg(long, value_name = "POLICY")]
    pub restart: Option<String>,
    /// The containers
    #[arg(value_name = "CONTAINER", required = true)]
    pub containers: Vec<String>,
}

pub fn run(args: &UpdateArgs, engine: &Engine) -> anyhow::Result<()> {
    let opts = UpdateOptions {
        limits: LimitArgs {
            memory: args.memory.clone(),
            memory_swap: args.memory_swap.clone(),
            memory_reservation: args.memory_reservation.clone(),
            cpus: args.cpus.clone(),
            cpu_shares: args.cpu_shares,
            cpu_period: args.cpu_period,
            cpu_quota: args.cpu_quota,
            cpuset_cpus: args.cpuset_cpus.clone(),
            cpuset_mems: args.cpuset_mems.clone(),
            // -1 means "no limit" here, which only an explicit pids.max=max can say.
            pids_limit: args.pids_limit,
            blkio_weight: args.blkio_weight,
            ..Default::default()
        },
        restart: args.restart.clone(),
    };
    if opts.limits.memory.is_none()
        && opts.limits.memory_swap.is_none()
        && opts.limits.memory_reservation.is_none()
        && opts.limits.cpus.is_none()
        && opts.limits.cpu_shares.is_none()
        && opts.limits.cpu_period.is_none()
        && opts.limits.cpu_quota.is_none()
        && opts.limits.cpuset_cpus.is_none()
        && opts.limits.cpuset_mems.is_none()
        && opts.limits.pids_limit.is_none()
        && opts.limits.blkio_weight.is_none()
        && opts.restart.is_none()
    {
        anyhow::bail!("you must provide one or more flags when using this command: e.g. --memory 256m or --cpus 1");
    }
    super::for_each(args.containers.iter().cloned(), |name| {
        engine
            .find_container(name)
            .and_then(|c| engine.update_container(&c, &opts))
    })
}
