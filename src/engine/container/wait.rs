//! `wait`: block until a container reaches a condition (docker's not-running, next-exit,
//! removed; podman's names for them) and report its exit code.

use std::str::FromStr;
use std::time::Duration;

use super::super::{Engine, EngineError, Result};
use super::Container;

/// How often a waiting command looks at the container again.
const WAIT_POLL: Duration = Duration::from_millis(50);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitCondition {
    /// Return once it is not running (at once if it already stopped). docker's default.
    NotRunning,
    /// Wait for the exit after the current (or next) run.
    NextExit,
    /// Wait until the container is removed.
    Removed,
    /// Wait until it runs.
    Running,
}

impl FromStr for WaitCondition {
    type Err = EngineError;

    fn from_str(s: &str) -> Result<WaitCondition> {
        Ok(match s {
            "not-running" | "stopped" | "exited" => WaitCondition::NotRunning,
            "next-exit" => WaitCondition::NextExit,
            "removed" => WaitCondition::Removed,
            "running" => WaitCondition::Running,
            _ => {
                return Err(EngineError::Invalid(format!(
                    "invalid wait condition {s:?}: use not-running (or stopped, exited), next-exit, removed or running"
                )))
            }
        })
    }
}

impl Engine {
    /// Wait for `c` to reach `condition`; the exit code it then has (-1 for `running`, as
    /// podman prints).
    pub fn wait_container(&self, c: &Container, condition: WaitCondition) -> Result<i32> {
        let id = &c.record.id;
        let mut last = c.clone();
        let mut seen_running = c.is_running();
        let first_start = c.state.started_at;
        loop {
            let now = match self.find_container(id) {
                Ok(now) => now,
                Err(EngineError::NoSuchContainer(_)) => {
                    // Removed (by `rm`, or by its monitor for --rm) while we waited: the last
                    // state we saw is all that is left of it.
                    return match condition {
                        WaitCondition::Removed | WaitCondition::NotRunning => {
                            Ok(last.state.exit_code)
                        }
                        _ => Err(EngineError::NoSuchContainer(c.record.name.clone())),
                    };
                }
                Err(e) => return Err(e),
            };
            let running = now.is_running();
            seen_running |= running || now.state.started_at != first_start;
            let done = match condition {
                WaitCondition::NotRunning => !running,
                WaitCondition::NextExit => seen_running && !running,
                WaitCondition::Removed => false,
                WaitCondition::Running => running,
            };
            if done {
                return Ok(if condition == WaitCondition::Running {
                    -1
                } else {
                    now.state.exit_code
                });
            }
            last = now;
            std::thread::sleep(WAIT_POLL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_conditions_accept_docker_and_podman_names() {
        assert_eq!(
            "stopped".parse::<WaitCondition>().unwrap(),
            WaitCondition::NotRunning
        );
        assert_eq!(
            "next-exit".parse::<WaitCondition>().unwrap(),
            WaitCondition::NextExit
        );
        let err = "healthy".parse::<WaitCondition>().unwrap_err().to_string();
        assert!(err.contains("invalid wait condition \"healthy\""), "{err}");
    }
}
