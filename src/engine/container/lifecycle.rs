//! Stopping, killing and waiting for containers. The monitor is not our child, so waiting means
//! watching the state it records (and the pid it names).

use std::time::{Duration, Instant};

use super::super::{Engine, EngineError, Result};
use super::{process_start_time, spec::parse_signal, Container};
use crate::store::containers::ContainerState;
use crate::store::containers::Status;

const POLL: Duration = Duration::from_millis(20);

fn send_signal(pid: i32, sig: i32) -> Result<()> {
    // Between two runs of a restarting container there is no process: nothing to signal (and
    // kill(0) would signal our own process group).
    if pid <= 0 {
        return Ok(());
    }
    // SAFETY: kill(2) on a pid we recorded and checked against its start time.
    if unsafe { libc::kill(pid, sig) } != 0 {
        let e = std::io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::ESRCH) {
            return Err(EngineError::Io {
                context: format!("sending signal {sig} to process {pid}"),
                source: e,
            });
        }
    }
    Ok(())
}

impl Engine {
    /// docker's `restart`: stop (stop signal, then KILL after the timeout), then start again
    /// in the background; a container that is not running is just started.
    pub fn restart_container(&self, c: &Container, timeout: Option<u32>) -> Result<()> {
        self.stop_container(c, timeout)?;
        let now = self.find_container(&c.record.id)?;
        self.start_container(&now, super::start::Attach::Detached)?;
        self.emit_container(&c.record, "restart", &[]);
        Ok(())
    }

    /// `pause`: freeze every process of the container through its cgroup.
    pub fn pause_container(&self, c: &Container) -> Result<()> {
        let name = &c.record.name;
        match c.state.status {
            Status::Paused => {
                return Err(EngineError::Invalid(format!(
                    "container {name} is already paused"
                )))
            }
            Status::Running => {}
            _ => {
                return Err(EngineError::ContainerNotRunning { name: name.clone() });
            }
        }
        let cg = c.state.cgroups.as_ref().ok_or_else(|| {
            EngineError::Invalid(format!(
                "container {name} has no cgroup berth can freeze: a rootless container gets one only with cgroup v2 and a systemd user session or delegated subtree; run it as root, or use a cgroup v2 host"
            ))
        })?;
        cg.freeze(true)
            .map_err(|e| EngineError::Invalid(format!("pausing {name}: {e}")))?;
        self.store
            .update_container_state(&c.record.id, |s| s.status = Status::Paused)?;
        Ok(())
    }

    /// `unpause`: thaw a paused container.
    pub fn unpause_container(&self, c: &Container) -> Result<()> {
        let name = &c.record.name;
        if c.state.status != Status::Paused {
            return Err(EngineError::Invalid(format!(
                "container {name} is not paused"
            )));
        }
        if let Some(cg) = &c.state.cgroups {
            cg.freeze(false)
                .map_err(|e| EngineError::Invalid(format!("unpausing {name}: {e}")))?;
        }
        self.store
            .update_container_state(&c.record.id, |s| s.status = Status::Running)?;
        Ok(())
    }

    /// Frozen processes cannot act on signals: thaw a paused container before signalling it.
    fn thaw_for_signal(&self, c: &Container) -> Result<()> {
        if c.state.status == Status::Paused {
            self.unpause_container(c)?;
        }
        Ok(())
    }

    /// Wait until the container is no longer running, up to `timeout` (None: forever).
    /// Returns the final state, or None on timeout.
    pub fn wait_for_exit(
        &self,
        id: &str,
        timeout: Option<Duration>,
    ) -> Result<Option<ContainerState>> {
        let start = Instant::now();
        loop {
            let c = match self.find_container(id) {
                Ok(c) => c,
                // Removed meanwhile (--rm): it has certainly stopped.
                Err(EngineError::NoSuchContainer(_)) => {
                    crate::network::bridge::wait_torn_down(&self.paths.run_root, id);
                    return Ok(Some(ContainerState::default()));
                }
                Err(e) => return Err(e),
            };
            if !c.is_running() {
                // Its monitor may still be stopping the network's responder and namespace.
                crate::network::bridge::wait_torn_down(&self.paths.run_root, id);
                return Ok(Some(c.state));
            }
            if timeout.is_some_and(|t| start.elapsed() >= t) {
                return Ok(None);
            }
            std::thread::sleep(POLL);
        }
    }

    /// Send a signal (docker's `kill -s`, default KILL) to the container's init.
    pub fn kill_container(&self, c: &Container, signal: &str) -> Result<()> {
        if !c.is_running() {
            return Err(EngineError::ContainerNotRunning {
                name: c.record.name.clone(),
            });
        }
        let sig = parse_signal(signal)?;
        self.thaw_for_signal(c)?;
        self.store.update_container_state(&c.record.id, |s| {
            s.stopped_by_user = true;
        })?;
        self.emit_container(&c.record, "kill", &[("signal", &sig.to_string())]);
        send_signal(c.state.pid, sig)
    }

    /// docker's stop: the stop signal, then KILL after `timeout` seconds.
    pub fn stop_container(&self, c: &Container, timeout: Option<u32>) -> Result<()> {
        if !c.is_running() {
            return Ok(());
        }
        let sig = parse_signal(&c.record.config.stop_signal)?;
        let timeout = timeout.unwrap_or(c.record.config.stop_timeout);
        self.thaw_for_signal(c)?;
        self.store.update_container_state(&c.record.id, |s| {
            s.stopped_by_user = true;
        })?;
        self.emit_container(&c.record, "kill", &[("signal", &sig.to_string())]);
        send_signal(c.state.pid, sig)?;
        if self
            .wait_for_exit(&c.record.id, Some(Duration::from_secs(timeout.into())))?
            .is_some()
        {
            self.emit_container(&c.record, "stop", &[]);
            return Ok(());
        }
        self.emit_container(&c.record, "kill", &[("signal", "9")]);
        send_signal(c.state.pid, libc::SIGKILL)?;
        match self.wait_for_exit(&c.record.id, Some(Duration::from_secs(10)))? {
            Some(_) => {
                self.emit_container(&c.record, "stop", &[]);
                Ok(())
            }
            None => Err(EngineError::Invalid(format!(
                "container {} did not exit after SIGKILL",
                c.record.name
            ))),
        }
    }

    /// `rm -f`: kill a running container and wait for its monitor to record the exit, then
    /// remove it.
    pub fn force_remove_container(&self, c: &Container) -> Result<()> {
        self.store.allow_reserve();
        // A start in progress finishes first (the container then runs and is killed here).
        let _lifecycle = self.store.lifecycle_lock(&c.record.id)?;
        let c = &match self.find_container(&c.record.id) {
            Ok(now) => now,
            Err(EngineError::NoSuchContainer(_)) => return Ok(()),
            Err(e) => return Err(e),
        };
        if c.is_running() {
            if c.damaged.is_none() {
                self.thaw_for_signal(c)?;
            }
            // Only for the restart policy: a full disk must not keep the container alive.
            let _ = self.store.update_container_state(&c.record.id, |s| {
                s.stopped_by_user = true;
            });
            self.emit_container(&c.record, "kill", &[("signal", "9")]);
            let s = &c.state;
            if c.damaged.is_none() || process_start_time(s.pid) == Some(s.pid_start) {
                send_signal(s.pid, libc::SIGKILL)?;
            } else if process_start_time(s.monitor_pid) == Some(s.monitor_start) {
                // What a damaged state.json names is signalled only when it is verified: here
                // only the monitor is, which takes the container with it.
                send_signal(s.monitor_pid, libc::SIGKILL)?;
            }
            self.wait_for_exit(&c.record.id, Some(Duration::from_secs(10)))?;
            // The monitor has recorded the exit; it goes on to take the container's
            // namespaces down. Nothing berth started outlives the record: wait for it.
            let deadline = Instant::now() + Duration::from_secs(10);
            while process_start_time(s.monitor_pid) == Some(s.monitor_start)
                && Instant::now() < deadline
            {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
        match self.find_container(&c.record.id) {
            Ok(now) => self.remove_container_locked(&now),
            // The monitor removed it (--rm) while we waited.
            Err(EngineError::NoSuchContainer(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
