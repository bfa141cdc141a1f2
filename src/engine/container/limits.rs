//! A container's cgroup from the engine's side: the backend and limits chosen at create time,
//! the handshake hook that puts the container into its cgroup before any of its code runs, and
//! what the monitor does with the cgroup once the container exits (OOM, removal).
//!
//! Under systemd and cgroupfs v2 the monitor lives in the container's cgroup too: a cgroup
//! that empties is not berth's to keep (systemd collects an empty scope at once, and with it
//! the memory.events that says the OOM killer ended the container), so the monitor holds it
//! until it has read why the container ended; a restarted container goes back into the same
//! cgroup, and the cgroup goes when the monitor is gone (systemd collects the scope; `rm`
//! removes a v2 one, or the monitor itself moves out and removes it for `--rm`). Its own
//! allocations count against the container's memory limit, and its process against
//! `--pids-limit` (`stats` leaves it out of PIDS). Under v1 the monitor stays outside, as
//! before: v1 cgroups are berth's to keep, and a fresh one is made for each run.
//! `exec`'d processes join the cgroup; `--init` is the container's PID 1 and so is in it from
//! the start.

use super::super::{Engine, EngineError, Result};
use crate::cgroups::{self, Cgroup, HostLimits, HostView, Kind, LimitArgs, Resources};
use crate::runtime::process::SpawnHooks;
use crate::runtime::rlimits::{self, Ulimit};
use crate::store::containers::{ContainerConfig, ContainerRecord};

/// The cgroup flags of `create`/`run` other than the limits.
#[derive(Debug, Clone, Default)]
pub struct CgroupOptions {
    /// `--cgroup-parent`.
    pub parent: Option<String>,
    /// `--cgroupns private|host`.
    pub cgroupns: Option<String>,
    /// `--cgroups enabled|disabled`.
    pub cgroups: Option<String>,
    /// `--cgroup-manager systemd|cgroupfs`.
    pub manager: Option<String>,
    /// `--cgroup-strict`: refuse to run without a cgroup.
    pub strict: bool,
}

/// What create resolved: the limits, the backend, and the cgroup settings to record.
pub(crate) struct Resolved {
    pub resources: Resources,
    pub kind: Kind,
    pub cgroupns: String,
    pub parent: String,
}

impl Engine {
    /// Validate the limit flags and pick the container's cgroup backend (exit 125 on bad input,
    /// or in strict mode when no backend is usable).
    pub(crate) fn resolve_cgroups(
        &self,
        limits: &LimitArgs,
        opts: &CgroupOptions,
        oom_score_adj: Option<i32>,
    ) -> Result<Resolved> {
        let resources = limits.resolve(&HostLimits::read())?;
        if let Some(adj) = oom_score_adj {
            if !(-1000..=1000).contains(&adj) {
                return Err(EngineError::Invalid(format!(
                    "invalid --oom-score-adj {adj}: use -1000 to 1000"
                )));
            }
        }
        let cgroupns = match opts.cgroupns.as_deref() {
            None | Some("") | Some("private") => "private".to_string(),
            Some("host") => "host".to_string(),
            Some(o) => {
                return Err(EngineError::Invalid(format!(
                    "invalid --cgroupns {o:?}: use private or host"
                )))
            }
        };
        let disabled = match opts.cgroups.as_deref() {
            None | Some("") | Some("enabled") => false,
            Some("disabled") => true,
            Some(o) => {
                return Err(EngineError::Invalid(format!(
                    "invalid --cgroups {o:?}: use enabled or disabled"
                )))
            }
        };
        if disabled && !resources.is_empty() {
            return Err(EngineError::Invalid(
                "--cgroups disabled cannot apply resource limits: leave out the limits or --cgroups disabled".into(),
            ));
        }
        let parent = opts.parent.clone().unwrap_or_default();
        cgroups::relative_path("x", &parent)?;
        let choice = cgroups::choose(
            &HostView::probe(self.ident.rootless),
            disabled,
            opts.manager.as_deref(),
        )?;
        if choice.kind == Kind::Systemd {
            cgroups::systemd::slice_name(&parent)?;
        }
        if let Some(why) = &choice.why_none {
            let strict = opts.strict || cgroups::none::strict_in_config(&self.paths.config_dir)?;
            if strict {
                return Err(cgroups::none::strict_error(why).into());
            }
        }
        Ok(Resolved {
            resources,
            kind: choice.kind,
            cgroupns,
            parent,
        })
    }

    /// Parse `--ulimit`s and refuse hard limits the container's process could not set (above
    /// ours without CAP_SYS_RESOURCE, as always rootless): the kernel's EPERM would otherwise
    /// only surface at start.
    pub(crate) fn resolve_ulimits(&self, args: &[String]) -> Result<Vec<Ulimit>> {
        let ulimits = rlimits::parse_all(args).map_err(EngineError::Invalid)?;
        rlimits::check_raisable(&ulimits).map_err(EngineError::Invalid)?;
        Ok(ulimits)
    }

    /// The one-line warning `run`/`create` print when the container asked for limits that its
    /// backend (none) cannot apply.
    pub fn cgroup_warning(&self, record: &ContainerRecord) -> Option<String> {
        let cfg = &record.config;
        if cfg.cgroup_manager != Kind::None || cfg.resources.is_empty() {
            return None;
        }
        let why = cgroups::choose(&HostView::probe(self.ident.rootless), false, None)
            .ok()
            .and_then(|c| c.why_none)
            .unwrap_or_else(|| {
                "no cgroup backend was usable when the container was created".into()
            });
        let pids = cfg.resources.pids_limit.filter(|n| *n > 0);
        let Some(n) = pids else {
            return Some(cgroups::none::warning(&why));
        };
        let rlimit = format!(
            "--pids-limit {n} is applied as RLIMIT_NPROC instead (at most {n} processes per user in the container)"
        );
        let others = Resources {
            pids_limit: None,
            ..cfg.resources.clone()
        };
        Some(if others.is_empty() {
            format!("WARNING: {rlimit}, not by a cgroup: {why}")
        } else {
            format!("{}; {rlimit}", cgroups::none::warning(&why))
        })
    }

    /// The backend a new container would get here (for `info`).
    pub fn default_cgroup_manager(&self) -> &'static str {
        cgroups::choose(&HostView::probe(self.ident.rootless), false, None)
            .map(|c| c.kind.manager_name())
            .unwrap_or("none")
    }
}

/// The rlimits a container's processes get (its own and every `exec`'d one's, as docker's
/// exec inherits the container's): its `--ulimit`s and, when it has no cgroup to apply
/// `--pids-limit`, RLIMIT_NPROC in its place (never above an `--ulimit nproc` given too).
/// RLIMIT_NPROC counts the processes of one user in the container's user namespace (ucounts,
/// Linux >= 5.14), so the user's processes outside do not count against it; it binds each
/// container user separately, and not root of the host (a root container without a user
/// namespace, which has a cgroup anyway).
pub fn process_ulimits(cfg: &ContainerConfig) -> Vec<Ulimit> {
    let mut out = cfg.ulimits.clone();
    let pids = cfg.resources.pids_limit.filter(|n| *n > 0);
    if let (Kind::None, Some(n)) = (cfg.cgroup_manager, pids) {
        match out.iter_mut().find(|u| u.name == "nproc") {
            Some(u) => {
                let min = |v: i64| if v < 0 { n } else { v.min(n) };
                u.soft = min(u.soft);
                u.hard = min(u.hard);
            }
            None => out.push(Ulimit {
                name: "nproc".into(),
                soft: n,
                hard: n,
            }),
        }
    }
    out
}

/// The handshake hook: at sync 2 (before GO) write `--oom-score-adj` and create the
/// container's cgroup with its limits, the container's process already in it.
pub struct CgroupHooks<'a> {
    id: &'a str,
    cfg: &'a ContainerConfig,
    /// The cgroup of the previous run, which the monitor holds (systemd, v2): reused.
    reuse: Option<Cgroup>,
    /// The cgroup made (or reused), for the monitor to record (and remove after the run, or on
    /// failure).
    pub created: Option<Cgroup>,
}

impl<'a> CgroupHooks<'a> {
    /// `reuse`: the cgroup the monitor kept from the container's previous run.
    pub fn new(record: &'a ContainerRecord, reuse: Option<Cgroup>) -> CgroupHooks<'a> {
        CgroupHooks {
            id: &record.id,
            cfg: &record.config,
            reuse,
            created: None,
        }
    }

    /// The hook's work for `pid`; public so that other hooks can be combined with it.
    pub fn place(&mut self, pid: i32) -> std::result::Result<(), String> {
        if let Some(adj) = self.cfg.oom_score_adj {
            std::fs::write(format!("/proc/{pid}/oom_score_adj"), adj.to_string()).map_err(|e| {
                format!("setting --oom-score-adj {adj}: {e} (lowering it needs root)")
            })?;
        }
        if let Some(cg) = self.reuse.take() {
            let entered = cg.enter(pid);
            // Kept either way: the monitor is in it, and `rm` removes it.
            self.created = Some(cg);
            return entered.map_err(|e| format!("entering the container's cgroup: {e}"));
        }
        // SAFETY: getpid has no preconditions; the hook runs in the monitor.
        let monitor = unsafe { libc::getpid() };
        self.created = cgroups::create(
            self.cfg.cgroup_manager,
            std::path::Path::new("/sys/fs/cgroup"),
            self.id,
            &self.cfg.cgroup_parent,
            &self.cfg.resources,
            pid,
            monitor,
        )
        .map_err(|e| format!("creating the container's cgroup: {e}"))?;
        if let Some(cg) = self.created.as_mut() {
            cg.adopt_monitor(monitor)
                .map_err(|e| format!("moving the monitor into the container's cgroup: {e}"))?;
        }
        Ok(())
    }

    /// After a start that failed past the hook: a v1 cgroup is removed again; one the monitor
    /// is in (systemd, v2) is returned, to be kept for a restart and removed by `rm`.
    pub fn undo(&mut self) -> Option<Cgroup> {
        let cg = self.created.take().or_else(|| self.reuse.take())?;
        if cg.monitor_pid > 0 {
            return Some(cg);
        }
        let _ = cg.remove();
        None
    }
}

impl SpawnHooks for CgroupHooks<'_> {
    fn before_go(&mut self, pid: i32) -> std::result::Result<(), String> {
        self.place(pid)
    }
}

impl Engine {
    /// After the container's last process exited: whether the OOM killer struck in this run
    /// (recorded in the state, with an `oom` event). A v1 cgroup is removed; one the monitor is
    /// in stays recorded and is returned, for a restart to reuse.
    pub(crate) fn finish_cgroup(&self, record: &ContainerRecord) -> (bool, Option<Cgroup>) {
        let Some(mut cg) = self
            .store
            .container_state(&record.id)
            .ok()
            .and_then(|s| s.cgroups)
        else {
            return (false, None);
        };
        let oom = cg.take_oom_kills() > 0;
        if oom {
            self.emit_container(record, "oom", &[]);
        }
        let kept = (cg.monitor_pid > 0).then(|| cg.clone());
        let recorded = kept.clone();
        let _ = self
            .store
            .update_container_state(&record.id, |s| s.cgroups = recorded);
        if kept.is_some() {
            return (oom, kept);
        }
        let _ = cg.remove();
        (oom, None)
    }
}
