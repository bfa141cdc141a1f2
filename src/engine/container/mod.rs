//! Containers: creating one from an image and options, finding it by name or ID prefix, its live
//! state, and removing it. Starting (the monitor and the runtime) is in `start.rs`.

pub mod attach;
pub mod commit;
pub mod cp;
pub mod diff;
pub mod exec;
pub mod export;
pub mod health;
pub mod inspect;
pub mod lifecycle;
pub mod limits;
pub mod logs;
pub mod names;
pub mod net;
pub mod port;
pub mod prune;
pub mod rename;
pub mod spec;
pub mod start;
pub mod stats;
pub mod top;
pub mod update;
pub mod wait;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::PathBuf;

use chrono::Utc;

use super::{Engine, EngineError, Result};
use crate::image::manifest::ImageConfig;
use crate::store::containers::{ContainerConfig, ContainerRecord, ContainerState, Status};
use crate::store::{ImageRecord, StoreError};

/// What `create`/`run` were asked for, before the image config is applied.
#[derive(Debug, Clone, Default)]
pub struct CreateOptions {
    pub image: String,
    pub name: Option<String>,
    /// COMMAND and ARGS after the image name.
    pub command: Vec<String>,
    /// `--entrypoint` ("" clears the image's).
    pub entrypoint: Option<String>,
    pub env: Vec<String>,
    pub env_files: Vec<PathBuf>,
    pub workdir: Option<String>,
    pub user: Option<String>,
    pub hostname: Option<String>,
    pub domainname: Option<String>,
    pub labels: Vec<String>,
    pub tty: bool,
    pub interactive: bool,
    pub auto_remove: bool,
    pub network: Option<String>,
    pub init: bool,
    pub privileged: bool,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub security_opt: Vec<String>,
    pub read_only: bool,
    /// `-v/--volume`, `--mount` and `--tmpfs` as given.
    pub volumes: Vec<String>,
    pub mounts: Vec<String>,
    pub tmpfs: Vec<String>,
    /// `--volumes-from NAME[:ro|:rw]`, as given.
    pub volumes_from: Vec<String>,
    /// `--read-only-tmpfs` (default true): tmpfs on /tmp, /var/tmp, /run with `--read-only`.
    pub read_only_tmpfs: Option<bool>,
    pub stop_signal: Option<String>,
    pub stop_timeout: Option<u32>,
    pub userns: Option<String>,
    pub runtime: Option<String>,
    pub dns: Vec<String>,
    pub dns_search: Vec<String>,
    pub dns_option: Vec<String>,
    pub add_host: Vec<String>,
    /// `-p/--publish` as given, and `-P/--publish-all`.
    pub publish: Vec<String>,
    pub publish_all: bool,
    /// `--no-hosts`: keep the image's /etc/hosts.
    pub no_hosts: bool,
    /// `--restart`.
    pub restart: Option<String>,
    /// `--network-alias`, `--ip`, `--mac-address` for user networks.
    pub network_attach: super::network::AttachOptions,
    /// `--health-*`, `--no-healthcheck`.
    pub health: health::HealthFlags,
    /// `--memory`, `--cpus`, ... as typed.
    pub limits: crate::cgroups::LimitArgs,
    /// `--cgroup-parent`, `--cgroupns`, `--cgroups`, `--cgroup-manager`, `--cgroup-strict`.
    pub cgroup: limits::CgroupOptions,
    pub oom_score_adj: Option<i32>,
    /// `--ulimit NAME=SOFT[:HARD]` as given.
    pub ulimits: Vec<String>,
}

/// Written into a container's userdata/ when its create has finished.
const COMPLETE_MARK: &str = ".complete";

fn mark_userdata_complete(dir: &std::path::Path) -> Result<()> {
    let p = dir.join("userdata").join(COMPLETE_MARK);
    fs::write(&p, b"").map_err(|e| EngineError::Io {
        context: format!("writing {}", p.display()),
        source: e,
    })
}

/// A container record with its state as it is now (dead pids noticed).
#[derive(Debug, Clone)]
pub struct Container {
    pub record: ContainerRecord,
    pub state: ContainerState,
    /// Why its record or state.json cannot be read ("state.json: ..."): such a container is
    /// listed as damaged and can be removed, and nothing else can be done with it.
    pub damaged: Option<String>,
}

impl Container {
    /// The error for doing anything but removing a damaged container.
    pub fn check_usable(&self) -> Result<()> {
        match &self.damaged {
            None => Ok(()),
            Some(why) => Err(EngineError::Invalid(format!(
                "container {} is damaged ({why}): remove it with `berth rm -f {}`",
                self.record.name, self.record.name
            ))),
        }
    }

    pub fn is_running(&self) -> bool {
        matches!(
            self.state.status,
            Status::Running | Status::Paused | Status::Stopping | Status::Restarting
        )
    }
}

/// docker's `--restart`: no, always, unless-stopped, on-failure[:MAX-RETRIES].
pub fn parse_restart_policy(s: &str) -> Result<(String, u32)> {
    let bad = |why: &str| {
        EngineError::Invalid(format!(
            "invalid --restart {s:?}: {why}; use no, always, unless-stopped or on-failure[:MAX-RETRIES]"
        ))
    };
    let (name, max) = match s.split_once(':') {
        Some((n, m)) => (n, Some(m)),
        None => (s, None),
    };
    match (name, max) {
        ("" | "no", None) => Ok(("no".into(), 0)),
        ("always" | "unless-stopped", None) => Ok((name.into(), 0)),
        ("on-failure", None) => Ok((name.into(), 0)),
        ("on-failure", Some(m)) => m
            .parse::<u32>()
            .map(|n| (name.to_string(), n))
            .map_err(|_| bad("the maximum retry count must be a number of 0 or more")),
        (_, Some(_)) => Err(bad("only on-failure takes a retry count")),
        _ => Err(bad("unknown policy")),
    }
}

/// Clock ticks since boot at which `pid` started (field 22 of /proc/PID/stat), if it lives and
/// is not a zombie.
pub fn process_start_time(pid: i32) -> Option<u64> {
    if pid <= 0 {
        return None;
    }
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = stat.rsplit_once(") ")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    if fields.first() == Some(&"Z") {
        return None;
    }
    // `rest` starts at field 3 (state), so field 22 is index 19.
    fields.get(19)?.parse().ok()
}

fn is_hex_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// docker's rule for names: [a-zA-Z0-9][a-zA-Z0-9_.-]*
pub fn valid_name(name: &str) -> bool {
    let mut b = name.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_alphanumeric())
        && b.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

fn parse_labels(labels: &[String]) -> BTreeMap<String, String> {
    labels
        .iter()
        .map(|l| match l.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

/// Read docker's env-file format: KEY=VALUE lines, comments, and bare KEY taken from our env.
pub fn read_env_file(path: &std::path::Path) -> Result<Vec<String>> {
    let text = fs::read_to_string(path).map_err(|e| {
        EngineError::Invalid(format!("cannot read --env-file {}: {e}", path.display()))
    })?;
    let mut out = Vec::new();
    for (n, l) in text.lines().enumerate() {
        let l = l.trim_start();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        check_env_entry(l)
            .map_err(|e| EngineError::Invalid(format!("{}:{}: {e}", path.display(), n + 1)))?;
        match l.split_once('=') {
            Some(_) => out.push(l.to_string()),
            None => out.extend(std::env::var(l).ok().map(|v| format!("{l}={v}"))),
        }
    }
    Ok(out)
}

/// docker's rule for `-e` and env-file entries: `KEY[=VALUE]` with a non-empty KEY that has no
/// whitespace (docker: "invalid environment variable").
pub fn check_env_entry(e: &str) -> std::result::Result<(), String> {
    let key = e.split_once('=').map_or(e, |(k, _)| k);
    if key.is_empty() {
        return Err(format!(
            "invalid environment variable {e:?}: the name before '=' is empty; write NAME=VALUE"
        ));
    }
    if key.chars().any(char::is_whitespace) {
        return Err(format!(
            "invalid environment variable {e:?}: the name {key:?} contains whitespace"
        ));
    }
    Ok(())
}

/// `--label KEY[=VALUE]` with a non-empty KEY (docker: "invalid label: empty name").
fn check_label(l: &str) -> std::result::Result<(), String> {
    let key = l.split_once('=').map_or(l, |(k, _)| k);
    if key.trim().is_empty() {
        return Err(format!(
            "invalid label {l:?}: the name before '=' is empty; write NAME=VALUE"
        ));
    }
    Ok(())
}

impl CreateOptions {
    /// Everything about the request that can be checked without the store: run before an image
    /// is looked up or pulled, so bad input fails at once, with one line, and changes nothing.
    pub fn check(&self) -> Result<()> {
        // (An image ID or its prefix is lowercase hex: a valid reference too.)
        crate::image::reference::Reference::parse(&self.image)
            .map_err(|e| EngineError::Invalid(e.to_string()))?;
        for e in &self.env {
            check_env_entry(e).map_err(EngineError::Invalid)?;
        }
        for f in &self.env_files {
            read_env_file(f)?;
        }
        for l in &self.labels {
            check_label(l).map_err(EngineError::Invalid)?;
        }
        crate::engine::volume::check_mount_flags(self)
    }
}

/// Merge `KEY=VALUE` lists: later entries replace earlier ones with the same key.
pub fn merge_env(base: &[String], overrides: &[String]) -> Vec<String> {
    let mut out: Vec<String> = base.to_vec();
    for e in overrides {
        let key = e.split_once('=').map_or(e.as_str(), |(k, _)| k);
        // A bare KEY passes the caller's value, as docker's -e KEY does.
        let entry = if e.contains('=') {
            e.clone()
        } else {
            match std::env::var(key) {
                Ok(v) => format!("{key}={v}"),
                Err(_) => continue,
            }
        };
        match out
            .iter()
            .position(|x| x.split_once('=').map_or(x.as_str(), |(k, _)| k) == key)
        {
            Some(i) => out[i] = entry,
            None => out.push(entry),
        }
    }
    out
}

/// docker's override rules: --entrypoint replaces the image's entrypoint and clears its cmd;
/// a command replaces the image's cmd.
pub fn resolve_command(
    image: Option<&crate::image::manifest::ContainerConfig>,
    entrypoint: Option<&str>,
    command: &[String],
) -> (Vec<String>, Vec<String>) {
    let (img_ep, img_cmd) = image
        .map(|c| {
            (
                c.entrypoint.clone().unwrap_or_default(),
                c.cmd.clone().unwrap_or_default(),
            )
        })
        .unwrap_or_default();
    let ep = match entrypoint {
        Some("") => Vec::new(),
        Some(e) => vec![e.to_string()],
        None => img_ep,
    };
    let cmd = if !command.is_empty() {
        command.to_vec()
    } else if entrypoint.is_some() {
        Vec::new()
    } else {
        img_cmd
    };
    (ep, cmd)
}

impl Engine {
    /// `--network` (or the default) and the published ports, checked: the mode, and the ports
    /// with their host ports chosen.
    fn resolve_network(
        &self,
        opts: &CreateOptions,
        ic: Option<&crate::image::manifest::ContainerConfig>,
    ) -> Result<(
        crate::network::NetworkMode,
        Vec<crate::store::containers::PortMapping>,
    )> {
        use crate::network::{self, NetworkMode};
        let invalid = |e: network::NetworkError| EngineError::Invalid(e.to_string());
        let mode = match opts.network.as_deref() {
            None | Some("") | Some("default") => {
                network::default_mode(self.ident.rootless).map_err(invalid)?
            }
            Some(n) => NetworkMode::parse(n).map_err(invalid)?,
        };
        match &mode {
            NetworkMode::Networks(names) => {
                for n in names {
                    self.find_network(n)?;
                }
            }
            NetworkMode::Slirp4netns(o) => {
                network::slirp::options_to_flags(o).map_err(invalid)?;
            }
            NetworkMode::Container(name) => {
                self.find_container(name)?;
            }
            NetworkMode::Path(p) if !p.exists() => {
                return Err(EngineError::Invalid(format!(
                    "network namespace {} does not exist: give the path of a bind-mounted namespace (e.g. /run/netns/NAME)",
                    p.display()
                )))
            }
            _ => {}
        }
        network::hosts::add_host_entries(&opts.add_host, &mode, self.ident.rootless)
            .map_err(invalid)?;
        let mut ports = Vec::new();
        for p in &opts.publish {
            ports.extend(network::ports::parse_publish(p).map_err(invalid)?);
        }
        if opts.publish_all {
            let keys: Vec<String> = ic
                .and_then(|c| c.exposed_ports.as_ref())
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            for p in network::ports::exposed(&keys) {
                if !ports
                    .iter()
                    .any(|q| q.container_port == p.container_port && q.protocol == p.protocol)
                {
                    ports.push(p);
                }
            }
        }
        if !ports.is_empty()
            && !matches!(
                mode,
                NetworkMode::Pasta(_) | NetworkMode::Slirp4netns(_) | NetworkMode::Networks(_)
            )
        {
            return Err(EngineError::Invalid(format!(
                "cannot publish ports with --network {mode}: the container shares or has no network to forward to; use the default network, a network of your own, pasta or slirp4netns, or leave out -p/-P"
            )));
        }
        network::ports::assign_and_check(&mut ports, self.ident.rootless).map_err(invalid)?;
        Ok((mode, ports))
    }

    /// All containers with their current state, oldest first.
    pub fn list_containers(&self) -> Result<Vec<Container>> {
        let records = self.store.containers()?;
        let mut all = Vec::with_capacity(records.len());
        for r in records {
            let c = self.observe(r)?;
            if self.being_removed(&c) && self.await_removal(&c.record.id) {
                continue;
            }
            all.push(c);
        }
        Ok(all)
    }

    /// A record with its live state; a damaged record or state.json makes a damaged container.
    fn observe(&self, record: ContainerRecord) -> Result<Container> {
        let (state, state_damage) = self.live_state_or_damage(&record.id)?;
        let damaged = record
            .damaged
            .clone()
            .or_else(|| state_damage.map(|why| format!("state.json: {why}")));
        Ok(Container {
            record,
            state,
            damaged,
        })
    }

    /// The recorded state, corrected when the processes it names are gone (a killed monitor,
    /// or a reboot that emptied the runtime directory): such a container is exited. Only
    /// looks: the correction is not written (reading must work on a full disk, and the next
    /// start or removal rewrites the state anyway).
    pub fn live_state(&self, id: &str) -> Result<ContainerState> {
        let (state, damage) = self.live_state_or_damage(id)?;
        match damage {
            None => Ok(state),
            // As the store reports it (naming the file and the fix).
            Some(_) => Ok(self.store.container_state(id)?),
        }
    }

    fn live_state_or_damage(&self, id: &str) -> Result<(ContainerState, Option<String>)> {
        let (mut state, damage) = self.store.container_state_or_damage(id)?;
        if matches!(
            state.status,
            Status::Running | Status::Paused | Status::Stopping
        ) {
            let container_alive = process_start_time(state.pid) == Some(state.pid_start);
            let monitor_alive = process_start_time(state.monitor_pid) == Some(state.monitor_start);
            if !container_alive && !monitor_alive {
                // The monitor may have recorded the real exit just before it went: look again.
                if let Ok((again, None)) = self.store.container_state_or_damage(id) {
                    if again.status == Status::Exited {
                        return Ok((again, damage));
                    }
                }
                state.status = Status::Exited;
                // The code its monitor could not record in the store (a full disk), if any.
                match self.noted_exit(id) {
                    Some((code, at)) => {
                        state.exit_code = code;
                        state.finished_at = Some(at);
                    }
                    None => state.exit_code = 255,
                }
                if state.finished_at.is_none() {
                    state.finished_at =
                        Some(self.store.container_state_time(id).unwrap_or_else(Utc::now));
                }
                state.pid = 0;
                // The monitor that would have stopped the network backend is gone (this
                // checks the backend's start time before it signals anything).
                net::stop_backend(state.network_pid, state.network_start);
                state.network_pid = 0;
                state.network_start = 0;
            }
        }
        Ok((state, damage))
    }

    /// Find a container by full name, full ID or unique ID prefix.
    pub fn find_container(&self, name_or_id: &str) -> Result<Container> {
        let records = self.store.containers()?;
        let wanted = name_or_id.strip_prefix('/').unwrap_or(name_or_id);
        let record = if let Some(r) = records.iter().find(|r| r.name == wanted || r.id == wanted) {
            r.clone()
        } else if is_hex_id(wanted) {
            let hits: Vec<_> = records
                .iter()
                .filter(|r| r.id.starts_with(wanted))
                .collect();
            match hits.len() {
                1 => hits[0].clone(),
                0 => return Err(EngineError::NoSuchContainer(name_or_id.to_string())),
                _ => {
                    return Err(EngineError::AmbiguousContainer {
                        name: name_or_id.to_string(),
                        candidates: hits
                            .iter()
                            .map(|r| r.id[..12].to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                    })
                }
            }
        } else {
            return Err(EngineError::NoSuchContainer(name_or_id.to_string()));
        };
        let c = self.observe(record)?;
        if self.being_removed(&c) && self.await_removal(&c.record.id) {
            return Err(EngineError::NoSuchContainer(name_or_id.to_string()));
        }
        Ok(c)
    }

    /// A `--rm` container that has exited while its monitor lives: the monitor reports the
    /// exit to `run` first and removes the container right after, so for the instant between
    /// the two it is still listed.
    fn being_removed(&self, c: &Container) -> bool {
        // SAFETY: getpid has no preconditions.
        let me = unsafe { libc::getpid() };
        c.record.config.auto_remove
            && c.state.status == Status::Exited
            && c.state.monitor_pid > 0
            && c.state.monitor_pid != me
            && process_start_time(c.state.monitor_pid) == Some(c.state.monitor_start)
    }

    /// Wait (at most 10 s) for the removal of the container whose id starts with `id`, if one
    /// is under way; true when the container is gone (its record, and its directory from
    /// where the store keeps containers).
    fn await_removal(&self, id: &str) -> bool {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut full_id: Option<String> = None;
        loop {
            let Ok(records) = self.store.containers() else {
                return false;
            };
            let Some(r) = records.into_iter().find(|r| r.id.starts_with(id)) else {
                // The monitor moves the directory away just after the record.
                while full_id
                    .as_ref()
                    .is_some_and(|f| self.store.container_dir(f).exists())
                    && std::time::Instant::now() < deadline
                {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                return true;
            };
            full_id = Some(r.id.clone());
            let Ok(c) = self.observe(r) else {
                return false;
            };
            if !self.being_removed(&c) || std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }

    /// Create a container from an image that is already in the store.
    pub fn create_container(
        &self,
        opts: &CreateOptions,
        image: &ImageRecord,
    ) -> Result<ContainerRecord> {
        opts.check()?;
        let img_config: ImageConfig = self.image_config(image)?;
        let ic = img_config.config.as_ref();
        let (entrypoint, cmd) = resolve_command(ic, opts.entrypoint.as_deref(), &opts.command);
        let args: Vec<String> = entrypoint.iter().chain(cmd.iter()).cloned().collect();
        if args.is_empty() {
            return Err(EngineError::Invalid(
                "no command specified: the image has no CMD or ENTRYPOINT; give a command after the image name".into(),
            ));
        }
        let id = loop {
            let id = hex::encode(rand::random::<[u8; 32]>());
            // docker avoids all-numeric short IDs: they would be read as numbers.
            if !id[..12].bytes().all(|b| b.is_ascii_digit()) {
                break id;
            }
        };
        let mut env_in = Vec::new();
        for f in &opts.env_files {
            env_in.extend(read_env_file(f)?);
        }
        env_in.extend(opts.env.iter().cloned());
        let mut env = ic.and_then(|c| c.env.clone()).unwrap_or_default();
        if !env.iter().any(|e| e.starts_with("PATH=")) {
            env.insert(0, format!("PATH={}", crate::runtime::user::DEFAULT_PATH));
        }
        let hostname = opts
            .hostname
            .clone()
            .unwrap_or_else(|| id[..12].to_string());
        let mut env = merge_env(&env, &[format!("HOSTNAME={hostname}")]);
        if opts.tty {
            env = merge_env(&env, &["TERM=xterm".to_string()]);
        }
        let env = merge_env(&env, &env_in);
        let mut labels = ic.and_then(|c| c.labels.clone()).unwrap_or_default();
        labels.extend(parse_labels(&opts.labels));
        let (mode, ports) = self.resolve_network(opts, ic)?;
        let userns_host = match opts.userns.as_deref() {
            None | Some("") => false,
            Some("host") if !self.ident.rootless => true,
            Some("host") => return Err(EngineError::Invalid(
                "--userns=host needs root: a rootless container always has its own user namespace"
                    .into(),
            )),
            Some(other) => {
                return Err(EngineError::Invalid(format!(
                "unsupported --userns mode {other:?}: use --userns=host (as root) or leave it out"
            )))
            }
        };
        let cg = self.resolve_cgroups(&opts.limits, &opts.cgroup, opts.oom_score_adj)?;
        let ulimits = self.resolve_ulimits(&opts.ulimits)?;
        let config = ContainerConfig {
            ulimits,
            resources: cg.resources,
            oom_score_adj: opts.oom_score_adj,
            cgroup_parent: cg.parent,
            cgroupns: cg.cgroupns,
            cgroup_manager: cg.kind,
            args,
            entrypoint,
            cmd,
            env,
            working_dir: opts
                .workdir
                .clone()
                .or_else(|| ic.and_then(|c| c.working_dir.clone()))
                .filter(|w| !w.is_empty())
                .unwrap_or_else(|| "/".to_string()),
            user: opts
                .user
                .clone()
                .or_else(|| ic.and_then(|c| c.user.clone()))
                .unwrap_or_default(),
            hostname,
            domainname: opts.domainname.clone().unwrap_or_default(),
            labels,
            tty: opts.tty,
            open_stdin: opts.interactive,
            stop_signal: opts
                .stop_signal
                .clone()
                .or_else(|| ic.and_then(|c| c.stop_signal.clone()))
                .unwrap_or_else(|| "SIGTERM".to_string()),
            stop_timeout: opts.stop_timeout.unwrap_or(10),
            network: mode.to_string(),
            auto_remove: opts.auto_remove,
            init: opts.init,
            privileged: opts.privileged,
            cap_add: opts.cap_add.clone(),
            cap_drop: opts.cap_drop.clone(),
            default_caps: Some(
                self.configured_default_caps()?
                    .names()
                    .into_iter()
                    .map(String::from)
                    .collect(),
            ),
            security_opt: opts.security_opt.clone(),
            read_only: opts.read_only,
            userns_host,
            runtime: opts.runtime.clone(),
            dns: opts.dns.clone(),
            dns_search: opts.dns_search.clone(),
            dns_option: opts.dns_option.clone(),
            add_host: opts.add_host.clone(),
            no_hosts: opts.no_hosts,
            log_driver: "k8s-file".to_string(),
            restart_policy: String::new(),
            restart_max: 0,
            healthcheck: health::resolve(
                ic.and_then(|c| c.extra.get("Healthcheck")),
                &opts.health,
            )?,
            ports,
            mounts: Vec::new(),
            volumes_from: opts.volumes_from.clone(),
        };
        let mut config = config;
        let (policy, max) = parse_restart_policy(opts.restart.as_deref().unwrap_or("no"))?;
        if policy != "no" && opts.auto_remove {
            return Err(EngineError::Invalid(
                "conflicting options: --restart and --rm (a removed container cannot be restarted)"
                    .into(),
            ));
        }
        config.restart_policy = policy;
        config.restart_max = max;
        if let Some(sig) = &opts.stop_signal {
            spec::parse_signal(sig)?;
        }
        if !config.user.is_empty() && config.user.split(':').any(|p| p.is_empty()) {
            return Err(EngineError::Invalid(format!(
                "invalid --user {:?}: use USER, USER:GROUP, UID or UID:GID",
                config.user
            )));
        }
        // Bad capability names, security options or seccomp profiles fail here, not at start.
        self.container_security(&config)?;
        if let Some(rt) = &opts.runtime {
            if opts.tty {
                return Err(EngineError::Invalid(
                    "-t is not supported with --runtime: berth's own runtime provides terminals; leave out --runtime or -t".into(),
                ));
            }
            use crate::hostpaths::{install_hint, program, HelperError, SYSTEM_DIRS};
            program(rt).map_err(|e| match e {
                HelperError::Missing { package, .. } => EngineError::Invalid(format!(
                    "OCI runtime {rt:?} not found in helper_binaries_dir, PATH or {}: {} or give its path",
                    SYSTEM_DIRS.join(" "),
                    install_hint(&package)
                )),
                e => EngineError::Invalid(format!("OCI runtime {rt:?} not found: {e}")),
            })?;
        }
        let name_wanted = opts.name.clone();
        if let Some(n) = &name_wanted {
            if !valid_name(n) {
                return Err(EngineError::Invalid(format!(
                    "invalid container name {n:?}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
                )));
            }
        }
        // Last of the checks: this creates the volumes it names.
        config.mounts = self.resolve_mounts(
            opts,
            &ic.and_then(|c| c.volumes.as_ref())
                .map(|v| v.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default(),
            &config.user,
            image,
        )?;
        crate::timing::mark("create: checked");
        let dir = self.store.container_dir(&id);
        // Held until the container is complete (record, directory, userdata/): a `rm -f`
        // racing the create waits for it rather than removing files it is writing.
        let _lifecycle = self.store.lifecycle_lock(&id)?;
        let mut retried = false;
        let record = loop {
            let made = self.store.update_containers(|all| {
                let name = match &name_wanted {
                    Some(n) => {
                        if let Some(owner) = all.iter().find(|c| &c.name == n) {
                            return Err(StoreError::Aborted(Box::new(EngineError::NameInUse {
                                name: n.clone(),
                                id: owner.id[..12].to_string(),
                            })));
                        }
                        n.clone()
                    }
                    None => names::generate(|n| all.iter().any(|c| c.name == n)),
                };
                let record = ContainerRecord::new(
                    id.clone(),
                    name,
                    image.id.clone(),
                    image
                        .names
                        .first()
                        .cloned()
                        .unwrap_or_else(|| opts.image.clone()),
                    Utc::now(),
                    config.clone(),
                );
                // The directory exists before the record points at it.
                // The upper dir's mode becomes the mode of the container's `/`: 0755 as in an
                // image, or users other than root could not reach anything.
                for (sub, mode) in [
                    ("", 0o700),
                    ("upper", 0o755),
                    ("work", 0o700),
                    ("merged", 0o755),
                    ("userdata", 0o755),
                ] {
                    let p = dir.join(sub);
                    fs::DirBuilder::new()
                        .recursive(true)
                        .mode(mode)
                        .create(&p)
                        .and_then(|()| fs::set_permissions(&p, fs::Permissions::from_mode(mode)))
                        .map_err(crate::store::io_err(&p))?;
                }
                all.push(record.clone());
                Ok(record)
            });
            match made.map_err(EngineError::unwrap_store) {
                // The name's owner may be a `--rm` container whose monitor is removing it
                // right now (the exit was reported first): once it is gone, the name is free.
                Err(EngineError::NameInUse { id: owner, .. })
                    if !retried && self.await_removal(&owner) =>
                {
                    retried = true;
                }
                other => break other?,
            }
        };
        let networked = match &mode {
            crate::network::NetworkMode::Networks(names) => self
                .attach_networks(&record.id, &record.name, names, &opts.network_attach)
                .map(|()| true),
            _ if !opts.network_attach.aliases.is_empty() || opts.network_attach.ip.is_some() => {
                Err(EngineError::Invalid(
                    "--network-alias and --ip need a user network: add --network NAME".into(),
                ))
            }
            _ => Ok(false),
        };
        crate::timing::mark("create: recorded");
        let written = networked.and_then(|networked| {
            spec::write_userdata(self, &record, image, &img_config)?;
            if networked {
                self.write_network_files(&record)?;
            }
            mark_userdata_complete(&dir)
        });
        if let Err(e) = written {
            if let Ok(c) = self.find_container(&record.id) {
                let _ = self.remove_container_locked(&c);
            }
            let _ = self.store.update_containers(|all| {
                all.retain(|c| c.id != record.id);
                Ok(())
            });
            return Err(e);
        }
        self.emit_container(&record, "create", &[]);
        Ok(record)
    }

    fn exit_note_path(&self, id: &str) -> PathBuf {
        self.paths.run_root.join("exits").join(id)
    }

    /// Leave a container's exit code where [`Engine::live_state`] finds it, for a monitor that
    /// could not record it in the store (the runtime dir is another filesystem, usually tmpfs).
    pub(crate) fn note_exit(&self, id: &str, code: i32) {
        let p = self.exit_note_path(id);
        if let Some(dir) = p.parent() {
            let _ = fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir);
        }
        let _ = crate::store::atomic::write_replace(&p, code.to_string().as_bytes(), 0o600);
    }

    fn noted_exit(&self, id: &str) -> Option<(i32, chrono::DateTime<Utc>)> {
        let p = self.exit_note_path(id);
        let code = fs::read_to_string(&p).ok()?.trim().parse().ok()?;
        let at = fs::metadata(&p).and_then(|m| m.modified()).ok()?;
        Some((code, at.into()))
    }

    pub(crate) fn forget_exit(&self, id: &str) {
        let _ = fs::remove_file(self.exit_note_path(id));
    }

    /// Finish what a create killed between writing the record and the end of userdata/ left
    /// undone: the files made from the record (hostname, hosts, resolv.conf, config.json,
    /// network files) and, with vfs, the copy of the image.
    pub(crate) fn complete_userdata(&self, c: &Container, image: &ImageRecord) -> Result<()> {
        let dir = self.store.container_dir(&c.record.id);
        let ud = dir.join("userdata");
        if ud.join(COMPLETE_MARK).exists() {
            return Ok(());
        }
        // Containers made before the mark existed are complete when their files are there.
        let has_files = ["hostname", "hosts", "resolv.conf"]
            .iter()
            .all(|f| ud.join(f).exists())
            && fs::metadata(ud.join("config.json")).is_ok_and(|m| m.len() > 0);
        if !has_files {
            if self.store.driver() == crate::store::Driver::Vfs {
                // The copy of the image may be partial: it is made again.
                self.delete_trash(&dir.join("rootfs"))?;
            }
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o755)
                .create(&ud)
                .map_err(|e| EngineError::Io {
                    context: format!("creating {}", ud.display()),
                    source: e,
                })?;
            let img_config = self.image_config(image)?;
            spec::write_userdata(self, &c.record, image, &img_config)?;
            if matches!(
                crate::network::NetworkMode::parse(&c.record.config.network),
                Ok(crate::network::NetworkMode::Networks(_))
            ) {
                self.write_network_files(&c.record)?;
            }
        }
        mark_userdata_complete(&dir)
    }

    /// Delete a container that is not running: its record, then its directory (whose writable
    /// layer holds files owned by the container's users, so rootless deletes them inside the
    /// user namespace when it must).
    pub fn remove_container(&self, c: &Container) -> Result<()> {
        self.store.allow_reserve();
        let _lifecycle = self.store.lifecycle_lock(&c.record.id)?;
        // Looked at again under the lock: a start may have finished meanwhile.
        let now = self.find_container(&c.record.id)?;
        self.remove_container_locked(&now)
    }

    /// [`Engine::remove_container`] with the container's lifecycle lock already held.
    pub(crate) fn remove_container_locked(&self, c: &Container) -> Result<()> {
        let removed = self.unlink_container(c)?;
        self.store.forget_container_locks(&c.record.id);
        self.forget_exit(&c.record.id);
        match removed {
            Some(trash) => self.delete_trash(&trash),
            None => Ok(()),
        }
    }

    /// The part of a removal the user sees: the record goes and the directory is moved into the
    /// store's tmp/ in one rename. Returns what is left to delete (by [`Engine::delete_trash`],
    /// or by the next command's clean-up of tmp/ if we are killed first).
    pub fn unlink_container(&self, c: &Container) -> Result<Option<std::path::PathBuf>> {
        if c.is_running() {
            return Err(EngineError::ContainerRunning {
                name: c.record.name.clone(),
            });
        }
        let unlink = || {
            self.store.update_containers(|all| {
                all.retain(|r| r.id != c.record.id);
                Ok(())
            })
        };
        let id = &c.record.id;
        let dir = self.store.container_dir(id);
        let trash = self
            .store
            .root()
            .join("tmp")
            .join(format!("container-{id}"));
        match unlink() {
            // The disk is full even without the reserve: the container's own files go first
            // (a crash before the record goes leaves a damaged record, which `rm -f` removes).
            Err(StoreError::NoSpace { .. }) if dir.exists() => {
                fs::rename(&dir, &trash).map_err(|e| EngineError::Io {
                    context: format!("removing {}", dir.display()),
                    source: e,
                })?;
                self.delete_trash(&trash)?;
                unlink().map_err(EngineError::unwrap_store)?;
            }
            r => r.map_err(EngineError::unwrap_store)?,
        }
        let _ = self.release_networks(&c.record.id);
        // A cgroup its monitor could not remove (the monitor was killed).
        if let Some(cg) = &c.state.cgroups {
            let _ = cg.remove();
        }
        self.emit_container(&c.record, "destroy", &[]);
        match fs::rename(&dir, &trash) {
            Ok(()) => Ok(Some(trash)),
            // Someone else (the monitor of an --rm container) removed it first.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(EngineError::Io {
                context: format!("removing {}", dir.display()),
                source: e,
            }),
        }
    }

    /// Delete a removed container's directory.
    pub fn delete_trash(&self, trash: &std::path::Path) -> Result<()> {
        // What the container wrote as its root is ours on the host: try without the user
        // namespace first (no helper processes), and enter it only for files of other ids.
        if crate::store::remove_tree(trash).is_ok() {
            return Ok(());
        }
        let target = trash.to_path_buf();
        crate::runtime::userns::in_namespace(&self.ident, move || {
            crate::store::remove_tree(&target).map_err(|e| e.to_string())
        })
        .map_err(|e| EngineError::Io {
            context: format!("removing {}", trash.display()),
            source: std::io::Error::other(e),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::manifest::ContainerConfig as ImgCfg;

    fn img(ep: Option<&[&str]>, cmd: Option<&[&str]>) -> ImgCfg {
        ImgCfg {
            entrypoint: ep.map(|v| v.iter().map(|s| s.to_string()).collect()),
            cmd: cmd.map(|v| v.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        }
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn a_command_replaces_the_image_cmd_but_keeps_its_entrypoint() {
        let i = img(Some(&["/ep"]), Some(&["default"]));
        assert_eq!(
            resolve_command(Some(&i), None, &s(&["x"])),
            (s(&["/ep"]), s(&["x"]))
        );
        assert_eq!(
            resolve_command(Some(&i), None, &[]),
            (s(&["/ep"]), s(&["default"]))
        );
    }

    #[test]
    fn entrypoint_flag_clears_the_image_cmd() {
        let i = img(Some(&["/ep"]), Some(&["default"]));
        assert_eq!(
            resolve_command(Some(&i), Some("/other"), &[]),
            (s(&["/other"]), vec![])
        );
        assert_eq!(
            resolve_command(Some(&i), Some(""), &s(&["sh"])),
            (vec![], s(&["sh"]))
        );
    }

    #[test]
    fn later_env_entries_replace_earlier_keys() {
        let merged = merge_env(&s(&["A=1", "B=2"]), &s(&["B=3", "C=4"]));
        assert_eq!(merged, s(&["A=1", "B=3", "C=4"]));
    }

    #[test]
    fn container_names_follow_dockers_rule() {
        assert!(valid_name("web-1.a_b"));
        assert!(!valid_name("-web"));
        assert!(!valid_name("a/b"));
        assert!(!valid_name(""));
    }

    #[test]
    fn start_time_of_ourselves_is_readable_and_of_a_bogus_pid_is_none() {
        assert!(process_start_time(std::process::id() as i32).is_some());
        assert!(process_start_time(0).is_none());
        assert!(process_start_time(i32::MAX).is_none());
    }
}
