//! Healthchecks, run by the container's monitor (no timers of a daemon or of systemd): the
//! image's HEALTHCHECK or `--health-*`, executed in the container like `exec`, with the result
//! recorded in the container's state (status, failing streak, the last five results).

use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::Value;

use super::super::{Engine, EngineError, Result};
use super::Container;
use crate::runtime::exec::{self, ExecSpec};
use crate::runtime::process::ProcessSpec;
use crate::store::containers::{HealthConfig, HealthLog, HealthState};

/// docker's defaults.
const DEFAULT_INTERVAL: u64 = 30_000;
const DEFAULT_TIMEOUT: u64 = 30_000;
const DEFAULT_RETRIES: u32 = 3;
/// What docker keeps of a check's output.
const MAX_OUTPUT: usize = 4096;

/// What `create` was given about health.
#[derive(Debug, Clone, Default)]
pub struct HealthFlags {
    pub cmd: Option<String>,
    pub interval: Option<String>,
    pub timeout: Option<String>,
    pub start_period: Option<String>,
    pub retries: Option<u32>,
    pub none: bool,
    pub on_failure: Option<String>,
}

fn ms(v: &Value) -> Option<u64> {
    v.as_u64().map(|ns| ns / 1_000_000).filter(|m| *m > 0)
}

fn duration_ms(flag: &str, text: &str) -> Result<u64> {
    super::super::image::parse_go_duration(text)
        .filter(|d| *d > chrono::TimeDelta::zero())
        .map(|d| d.num_milliseconds() as u64)
        .ok_or_else(|| {
            EngineError::Invalid(format!(
                "invalid --{flag} {text:?}: use a duration such as 30s, 1m or 500ms"
            ))
        })
}

/// The healthcheck a container gets: the image's (docker's `Healthcheck` key), changed by the
/// flags; `--no-healthcheck` or `["NONE"]` disables it.
pub fn resolve(image: Option<&Value>, flags: &HealthFlags) -> Result<Option<HealthConfig>> {
    let on_failure = flags.on_failure.clone().unwrap_or_else(|| "none".into());
    if !matches!(on_failure.as_str(), "none" | "kill" | "restart" | "stop") {
        return Err(EngineError::Invalid(format!(
            "invalid --health-on-failure {on_failure:?}: use none, kill, restart or stop"
        )));
    }
    if flags.none {
        return Ok(None);
    }
    let mut hc = HealthConfig {
        interval_ms: DEFAULT_INTERVAL,
        timeout_ms: DEFAULT_TIMEOUT,
        retries: DEFAULT_RETRIES,
        on_failure,
        ..Default::default()
    };
    if let Some(img) = image {
        hc.test = img["Test"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        hc.interval_ms = ms(&img["Interval"]).unwrap_or(hc.interval_ms);
        hc.timeout_ms = ms(&img["Timeout"]).unwrap_or(hc.timeout_ms);
        hc.start_period_ms = ms(&img["StartPeriod"]).unwrap_or(0);
        hc.retries = img["Retries"]
            .as_u64()
            .filter(|r| *r > 0)
            .map_or(hc.retries, |r| r as u32);
    }
    if let Some(cmd) = &flags.cmd {
        hc.test = vec!["CMD-SHELL".into(), cmd.clone()];
    }
    if let Some(i) = &flags.interval {
        hc.interval_ms = duration_ms("health-interval", i)?;
    }
    if let Some(t) = &flags.timeout {
        hc.timeout_ms = duration_ms("health-timeout", t)?;
    }
    if let Some(s) = &flags.start_period {
        hc.start_period_ms = duration_ms("health-start-period", s)?;
    }
    if let Some(r) = flags.retries {
        if r == 0 {
            return Err(EngineError::Invalid(
                "invalid --health-retries 0: use 1 or more".into(),
            ));
        }
        hc.retries = r;
    }
    match hc.test.first().map(String::as_str) {
        None | Some("NONE") => Ok(None),
        Some("CMD") | Some("CMD-SHELL") if hc.test.len() > 1 => Ok(Some(hc)),
        _ => Err(EngineError::Invalid(format!(
            "invalid healthcheck test {:?}: use [\"CMD\", ...] or [\"CMD-SHELL\", \"command\"]",
            hc.test
        ))),
    }
}

/// The command a test runs.
fn command(test: &[String]) -> Vec<String> {
    match test.first().map(String::as_str) {
        Some("CMD-SHELL") => vec!["/bin/sh".into(), "-c".into(), test[1..].join(" ")],
        _ => test[1..].to_vec(),
    }
}

/// Fold one result into the state: docker's rules (failures inside the start period do not
/// count until a first success; `retries` consecutive failures make it unhealthy).
pub fn record(
    state: &mut HealthState,
    hc: &HealthConfig,
    started_at: chrono::DateTime<Utc>,
    result: HealthLog,
) {
    let in_start_period =
        (result.start - started_at).num_milliseconds() < hc.start_period_ms as i64;
    if state.status.is_empty() {
        state.status = "starting".into();
    }
    if result.exit_code == 0 {
        state.status = "healthy".into();
        state.failing_streak = 0;
    } else if !(in_start_period && state.status == "starting") {
        state.failing_streak += 1;
        if state.failing_streak >= hc.retries {
            state.status = "unhealthy".into();
        }
    }
    state.log.push(result);
    let excess = state.log.len().saturating_sub(5);
    state.log.drain(..excess);
}

impl Engine {
    /// Run the container's healthcheck once, record the result, and return it. Must be called
    /// while single-threaded (it forks).
    pub fn run_healthcheck(&self, c: &Container) -> Result<HealthLog> {
        let hc = c.record.config.healthcheck.clone().ok_or_else(|| {
            EngineError::Invalid(format!(
                "container {} has no healthcheck: create it with --health-cmd",
                c.record.name
            ))
        })?;
        if !c.is_running() || c.state.pid <= 0 {
            return Err(EngineError::ContainerNotRunning {
                name: c.record.name.clone(),
            });
        }
        let result = self.health_exec(c, &hc)?;
        let started = c.state.started_at.unwrap_or_else(Utc::now);
        let r = result.clone();
        self.store.update_container_state(&c.record.id, move |s| {
            let h = s.health.get_or_insert_with(HealthState::default);
            record(h, &hc, started, r);
        })?;
        Ok(result)
    }

    /// Execute the test in the container with its timeout, capturing its output.
    fn health_exec(&self, c: &Container, hc: &HealthConfig) -> Result<HealthLog> {
        let start = Utc::now();
        let cfg = &c.record.config;
        let mut fds = [0; 2];
        // SAFETY: pipe2 into a two-element array.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
            return Err(EngineError::Io {
                context: "creating a pipe for the healthcheck".into(),
                source: std::io::Error::last_os_error(),
            });
        }
        // SAFETY: fresh descriptors we own.
        let (r, w) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        let null = std::fs::File::open("/dev/null").map_err(|e| EngineError::Io {
            context: "opening /dev/null".into(),
            source: e,
        })?;
        let spec = ExecSpec {
            pid: c.state.pid,
            process: ProcessSpec {
                args: command(&hc.test),
                env: cfg.env.clone(),
                cwd: cfg.working_dir.clone(),
                user: cfg.user.clone(),
                tty: false,
                stdio: [null.as_raw_fd(), w.as_raw_fd(), w.as_raw_fd()],
                init: false,
            },
            security: self.container_security(cfg)?,
            cgroup_dirs: c
                .state
                .cgroups
                .as_ref()
                .map(|g| g.paths.values().cloned().collect())
                .unwrap_or_default(),
        };
        let spawned = exec::spawn(
            &spec,
            &mut super::exec::EnterCgroup(c.state.cgroups.as_ref()),
        );
        drop(w);
        let (exit_code, mut output) = match spawned {
            Err(e) => (e.exit_code(), e.to_string()),
            Ok(s) => {
                let (out, timed_out) = read_with_timeout(r, Duration::from_millis(hc.timeout_ms));
                if timed_out {
                    // SAFETY: killing the check we started.
                    unsafe { libc::kill(s.pid, libc::SIGKILL) };
                }
                let mut status = 0;
                // SAFETY: reaping the check (our child through CLONE_PARENT).
                unsafe { libc::waitpid(s.pid, &mut status, 0) };
                if timed_out {
                    (
                        -1,
                        format!("Health check exceeded timeout ({}ms)", hc.timeout_ms),
                    )
                } else {
                    (crate::monitor::exit_code(status), out)
                }
            }
        };
        output.truncate(MAX_OUTPUT);
        Ok(HealthLog {
            start,
            end: Utc::now(),
            exit_code,
            output,
        })
    }
}

/// Everything the check writes until it closes its output, or the timeout.
fn read_with_timeout(r: OwnedFd, timeout: Duration) -> (String, bool) {
    let deadline = Instant::now() + timeout;
    let mut out = Vec::new();
    let mut file = std::fs::File::from(r);
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return (String::from_utf8_lossy(&out).into_owned(), true);
        }
        let mut p = libc::pollfd {
            fd: file.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: polling one descriptor.
        let n = unsafe { libc::poll(&mut p, 1, left.as_millis().max(1) as i32) };
        if n <= 0 {
            continue;
        }
        match file.read(&mut buf) {
            Ok(0) | Err(_) => return (String::from_utf8_lossy(&out).into_owned(), false),
            Ok(k) => {
                if out.len() < MAX_OUTPUT {
                    out.extend_from_slice(&buf[..k]);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hc(retries: u32, start_period_ms: u64) -> HealthConfig {
        HealthConfig {
            test: vec!["CMD".into(), "true".into()],
            interval_ms: 1000,
            timeout_ms: 1000,
            start_period_ms,
            retries,
            on_failure: "none".into(),
        }
    }

    fn result(at: chrono::DateTime<Utc>, code: i32) -> HealthLog {
        HealthLog {
            start: at,
            end: at,
            exit_code: code,
            output: String::new(),
        }
    }

    #[test]
    fn retries_consecutive_failures_make_it_unhealthy_and_a_success_heals() {
        let t0 = Utc::now();
        let c = hc(2, 0);
        let mut s = HealthState::default();
        record(&mut s, &c, t0, result(t0, 1));
        assert_eq!((s.status.as_str(), s.failing_streak), ("starting", 1));
        record(&mut s, &c, t0, result(t0, 1));
        assert_eq!(s.status, "unhealthy");
        record(&mut s, &c, t0, result(t0, 0));
        assert_eq!((s.status.as_str(), s.failing_streak), ("healthy", 0));
    }

    #[test]
    fn failures_in_the_start_period_do_not_count_and_only_five_results_are_kept() {
        let t0 = Utc::now();
        let c = hc(1, 60_000);
        let mut s = HealthState::default();
        record(&mut s, &c, t0, result(t0, 1));
        assert_eq!((s.status.as_str(), s.failing_streak), ("starting", 0));
        for _ in 0..6 {
            record(&mut s, &c, t0, result(t0, 0));
        }
        assert_eq!(s.log.len(), 5);
    }

    #[test]
    fn flags_override_the_image_healthcheck_and_none_disables_it() {
        let img =
            json!({"Test": ["CMD-SHELL", "check"], "Interval": 5_000_000_000u64, "Retries": 7});
        let got = resolve(Some(&img), &HealthFlags::default())
            .unwrap()
            .unwrap();
        assert_eq!(got.test, vec!["CMD-SHELL", "check"]);
        assert_eq!((got.interval_ms, got.retries), (5000, 7));
        let flags = HealthFlags {
            cmd: Some("other".into()),
            interval: Some("2s".into()),
            ..Default::default()
        };
        let got = resolve(Some(&img), &flags).unwrap().unwrap();
        assert_eq!((got.test[1].as_str(), got.interval_ms), ("other", 2000));
        let none = HealthFlags {
            none: true,
            ..Default::default()
        };
        assert!(resolve(Some(&img), &none).unwrap().is_none());
        assert!(
            resolve(Some(&json!({"Test": ["NONE"]})), &HealthFlags::default())
                .unwrap()
                .is_none()
        );
        let bad = HealthFlags {
            interval: Some("soon".into()),
            ..Default::default()
        };
        assert!(resolve(Some(&img), &bad).is_err());
        let bad = HealthFlags {
            on_failure: Some("explode".into()),
            ..Default::default()
        };
        assert!(resolve(None, &bad).is_err());
    }

    #[test]
    fn shell_tests_run_through_sh_and_cmd_tests_directly() {
        assert_eq!(
            command(&["CMD-SHELL".into(), "curl -f x".into()]),
            vec!["/bin/sh", "-c", "curl -f x"]
        );
        assert_eq!(command(&["CMD".into(), "true".into()]), vec!["true"]);
    }
}
