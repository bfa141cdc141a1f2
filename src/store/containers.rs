//! Container records: what was asked for when each container was created (`containers.json`,
//! replaced atomically under `locks/containers.lock`), and a directory per container with its
//! writable layer, the files berth writes into it, its log and its last known state.
//!
//! ```text
//! <root>/containers.json
//! <root>/containers/<id>/upper, work   the writable layer (overlay) or rootfs/ (vfs)
//! <root>/containers/<id>/merged        where the rootfs is mounted inside the container's namespace
//! <root>/containers/<id>/userdata/     hosts, hostname, resolv.conf, config.json (OCI)
//! <root>/containers/<id>/state.json    status, pid, exit code — written by the monitor and the CLI
//! <root>/containers/<id>/ctr.log       the container's output, k8s-file format
//! ```
//! State is kept in the store rather than in the runtime directory so that after a reboot a
//! container shows as exited instead of vanishing; a recorded pid is trusted only while the
//! process with that pid still has the start time recorded next to it.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Result, Store, StoreError};

/// Everything a container was created with. Fields are what the runtime needs, already resolved
/// against the image config (the image config itself stays in the image).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
pub struct ContainerConfig {
    /// The full command: entrypoint + cmd after docker's override rules.
    pub args: Vec<String>,
    /// What the user gave (for inspect's Config.Entrypoint / Config.Cmd).
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub env: Vec<String>,
    pub working_dir: String,
    /// `user[:group]` as given (or the image's), resolved in the container at start.
    pub user: String,
    pub hostname: String,
    pub domainname: String,
    pub labels: BTreeMap<String, String>,
    pub tty: bool,
    pub open_stdin: bool,
    pub stop_signal: String,
    pub stop_timeout: u32,
    pub network: String,
    pub auto_remove: bool,
    pub init: bool,
    pub privileged: bool,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    /// The capability set the container starts from before `cap_add`/`cap_drop`, as
    /// `CAP_*` names, fixed at create time (berth.conf's `default_capabilities`, or podman's
    /// set). `None` in records from before it was recorded: berth.conf's (or podman's) now.
    pub default_caps: Option<Vec<String>>,
    pub security_opt: Vec<String>,
    pub read_only: bool,
    /// Docker's `--userns=host` as root: no new user namespace.
    pub userns_host: bool,
    /// `--runtime PATH`: hand the bundle to an external OCI runtime.
    pub runtime: Option<String>,
    pub dns: Vec<String>,
    pub dns_search: Vec<String>,
    pub dns_option: Vec<String>,
    pub add_host: Vec<String>,
    /// `--no-hosts`: the image's /etc/hosts stays.
    pub no_hosts: bool,
    pub log_driver: String,
    /// docker's restart policy: "no", "on-failure", "always" or "unless-stopped".
    pub restart_policy: String,
    /// on-failure's retry limit (0: no limit).
    pub restart_max: u32,
    /// The healthcheck (image's HEALTHCHECK or --health-*), if any.
    pub healthcheck: Option<HealthConfig>,
    /// Published ports (`-p`); filled by networking, read by `port` and inspect.
    pub ports: Vec<PortMapping>,
    /// Volumes, bind mounts and tmpfs mounts, resolved at create time.
    pub mounts: Vec<MountSpec>,
    /// `--volumes-from` as given (their mounts are in `mounts`); for inspect.
    pub volumes_from: Vec<String>,
    /// Resource limits (`--memory`, `--cpus`, ...), validated at create time.
    pub resources: crate::cgroups::Resources,
    /// `--oom-score-adj`, written for the container's init before it runs.
    pub oom_score_adj: Option<i32>,
    /// `--cgroup-parent` as given ("" for berth's default).
    pub cgroup_parent: String,
    /// `--cgroupns`: "private" (default) or "host".
    pub cgroupns: String,
    /// The cgroup backend chosen at create time.
    pub cgroup_manager: crate::cgroups::Kind,
    /// `--ulimit`s, parsed at create time (docker's `HostConfig.Ulimits`).
    pub ulimits: Vec<crate::runtime::rlimits::Ulimit>,
}

/// One mount of a container: `kind` is "bind", "volume" or "tmpfs"; `source` is a host path
/// for bind, the volume's name for volume, empty for tmpfs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(default)]
pub struct MountSpec {
    pub kind: String,
    pub source: String,
    pub target: String,
    pub readonly: bool,
    /// Further options as given (propagation, nocopy, size=, mode=, ...).
    pub options: Vec<String>,
}

/// One published port: host address and port to the container's port and protocol.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(default)]
pub struct PortMapping {
    pub host_ip: String,
    pub host_port: u16,
    pub container_port: u16,
    /// tcp, udp or sctp.
    pub protocol: String,
}

/// A healthcheck as docker's config holds it (times in milliseconds here).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
pub struct HealthConfig {
    /// ["CMD", args...] or ["CMD-SHELL", "command"].
    pub test: Vec<String>,
    pub interval_ms: u64,
    pub timeout_ms: u64,
    pub start_period_ms: u64,
    pub retries: u32,
    /// podman's --health-on-failure: none, kill, restart or stop.
    pub on_failure: String,
}

/// One healthcheck run, as `inspect` shows it in State.Health.Log.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HealthLog {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub exit_code: i32,
    pub output: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
pub struct HealthState {
    /// starting, healthy or unhealthy.
    pub status: String,
    pub failing_streak: u32,
    /// The last five results, oldest first.
    pub log: Vec<HealthLog>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ContainerRecord {
    /// 64 hex digits.
    pub id: String,
    pub name: String,
    /// The image ID (hex) and the name the user gave for it.
    pub image_id: String,
    pub image_name: String,
    pub created: DateTime<Utc>,
    pub config: ContainerConfig,
    /// Why this entry of containers.json could not be read as a record (only its id and name
    /// are known then); it is kept as it was until the container is removed.
    #[serde(skip)]
    pub damaged: Option<String>,
    #[serde(skip)]
    raw: Option<serde_json::Value>,
}

impl ContainerRecord {
    pub fn new(
        id: String,
        name: String,
        image_id: String,
        image_name: String,
        created: DateTime<Utc>,
        config: ContainerConfig,
    ) -> ContainerRecord {
        ContainerRecord {
            id,
            name,
            image_id,
            image_name,
            created,
            config,
            damaged: None,
            raw: None,
        }
    }

    /// An entry of containers.json: the record, or what can be told of a damaged one (`None`
    /// when not even its id can).
    fn from_entry(entry: serde_json::Value) -> Option<ContainerRecord> {
        match serde_json::from_value::<ContainerRecord>(entry.clone()) {
            Ok(r) => Some(r),
            Err(e) => {
                let field = |k: &str| entry.get(k).and_then(|v| v.as_str()).map(str::to_string);
                let id = field("id")
                    .filter(|id| id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()))?;
                Some(ContainerRecord {
                    name: field("name").unwrap_or_else(|| id[..12].to_string()),
                    image_id: field("image_id").unwrap_or_default(),
                    image_name: field("image_name").unwrap_or_default(),
                    created: entry
                        .get("created")
                        .and_then(|v| serde_json::from_value(v.clone()).ok())
                        .unwrap_or_default(),
                    config: ContainerConfig::default(),
                    damaged: Some(format!("containers.json: {e}")),
                    raw: Some(entry),
                    id,
                })
            }
        }
    }

    fn to_entry(&self) -> serde_json::Value {
        match &self.raw {
            Some(raw) => raw.clone(),
            None => serde_json::to_value(self).expect("container records serialize"),
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Created,
    Running,
    Paused,
    Stopping,
    /// Between two runs under a restart policy (waiting out the back-off).
    Restarting,
    Exited,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Stopping => "stopping",
            Status::Restarting => "restarting",
            Status::Exited => "exited",
        }
    }
}

/// The last state recorded for a container.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
pub struct ContainerState {
    pub status: Status,
    /// The container's PID 1 as the host sees it, and its start time (clock ticks since boot,
    /// field 22 of /proc/PID/stat) so that a recycled pid is never mistaken for it.
    pub pid: i32,
    pub pid_start: u64,
    pub monitor_pid: i32,
    pub monitor_start: u64,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub exit_code: i32,
    pub oom_killed: bool,
    /// Set by `stop`/`kill` so the monitor's restart policy knows the user wanted it down.
    pub stopped_by_user: bool,
    pub error: String,
    pub restart_count: u32,
    pub health: Option<HealthState>,
    /// Set by a failed healthcheck with --health-on-failure=restart: restart whatever the policy.
    pub restart_requested: bool,
    /// How many `berth mount`s of the container's filesystem are outstanding.
    pub mount_count: u32,
    /// The network backend's process (pasta's background process), stopped with the container.
    pub network_pid: i32,
    /// The container's cgroup while it runs (limits, stats, the freezer `pause` uses), when
    /// its backend made one.
    pub cgroups: Option<crate::cgroups::Cgroup>,
    /// Its start time (as `pid_start`), so that a recycled pid is never signalled for it.
    pub network_start: u64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct DbFile {
    containers: Vec<serde_json::Value>,
}

/// containers.json when every entry is a good record (the fast way to read it).
#[derive(Debug, Deserialize)]
struct GoodDbFile {
    containers: Vec<ContainerRecord>,
}

/// What can be told of a damaged state.json: the processes it names (each checked against its
/// start time before anything is done to it), read from whatever of the file is left.
pub fn recover_state(bytes: &[u8]) -> ContainerState {
    let text = String::from_utf8_lossy(bytes);
    let number = |key: &str| -> Option<u64> {
        let pat = format!("\"{key}\"");
        let at = text.find(&pat)? + pat.len();
        let rest = text[at..].trim_start().strip_prefix(':')?.trim_start();
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        rest[..end].parse().ok()
    };
    let pid = number("pid")
        .and_then(|p| i32::try_from(p).ok())
        .unwrap_or(0);
    let monitor_pid = number("monitor_pid")
        .and_then(|p| i32::try_from(p).ok())
        .unwrap_or(0);
    ContainerState {
        // Running if it named a process: whoever looks checks whether that still lives.
        status: if pid > 0 || monitor_pid > 0 {
            Status::Running
        } else {
            Status::Exited
        },
        pid,
        pid_start: number("pid_start").unwrap_or(0),
        monitor_pid,
        monitor_start: number("monitor_start").unwrap_or(0),
        ..Default::default()
    }
}

impl Store {
    pub fn container_dir(&self, id: &str) -> PathBuf {
        self.root().join("containers").join(id)
    }

    fn containers_path(&self) -> PathBuf {
        self.root().join("containers.json")
    }

    fn read_containers_unlocked(&self) -> Result<Vec<ContainerRecord>> {
        let path = self.containers_path();
        match fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<GoodDbFile>(&bytes) {
                Ok(db) => Ok(db.containers),
                Err(_) => Self::read_damaged_containers(path, &bytes),
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(StoreError::Io { path, source: e }),
        }
    }

    /// containers.json with entries that are not good records: one damaged entry is that
    /// container's problem only, it is listed as damaged.
    fn read_damaged_containers(path: PathBuf, bytes: &[u8]) -> Result<Vec<ContainerRecord>> {
        serde_json::from_slice::<DbFile>(bytes)
                .map(|db| {
                    db.containers
                        .into_iter()
                        .filter_map(ContainerRecord::from_entry)
                        .collect()
                })
                .map_err(|e| StoreError::CorruptDb {
                    reason: e.to_string(),
                    fix: format!(
                        "it lists every container, so none can be used until it is repaired or restored; to start afresh stop the containers' processes, move it aside (`mv {p} {p}.damaged`) and run `berth container prune`, which removes the containers it listed",
                        p = path.display()
                    ),
                    path,
                })
    }

    /// All container records, for a caller that holds the `containers` lock.
    pub fn containers_unlocked(&self) -> Result<Vec<ContainerRecord>> {
        self.read_containers_unlocked()
    }

    /// All container records, oldest first.
    pub fn containers(&self) -> Result<Vec<ContainerRecord>> {
        let _guard = self.lock_shared("containers")?;
        self.read_containers_unlocked()
    }

    /// Read-modify-write the container records under the exclusive lock; nothing is written
    /// when `f` fails.
    pub fn update_containers<T>(
        &self,
        f: impl FnOnce(&mut Vec<ContainerRecord>) -> Result<T>,
    ) -> Result<T> {
        let _guard = self.lock_exclusive("containers")?;
        let mut records = self.read_containers_unlocked()?;
        let out = f(&mut records)?;
        let path = self.containers_path();
        let bytes = serde_json::to_vec_pretty(&DbFile {
            containers: records.iter().map(ContainerRecord::to_entry).collect(),
        })
        .expect("container records serialize");
        self.write_record(&path, &bytes, false)?;
        Ok(out)
    }

    fn state_path(&self, id: &str) -> PathBuf {
        self.container_dir(id).join("state.json")
    }

    /// The recorded state, or `Created` when none was written yet.
    pub fn container_state(&self, id: &str) -> Result<ContainerState> {
        match self.container_state_or_damage(id)? {
            (state, None) => Ok(state),
            (_, Some(reason)) => Err(StoreError::CorruptDb {
                path: self.state_path(id),
                reason,
                fix: format!(
                    "remove the container with `berth rm -f {}`",
                    &id[..id.len().min(12)]
                ),
            }),
        }
    }

    /// The recorded state, or for a damaged state.json what can be recovered of it (see
    /// [`recover_state`]) and why it is damaged.
    pub fn container_state_or_damage(&self, id: &str) -> Result<(ContainerState, Option<String>)> {
        let path = self.state_path(id);
        match fs::read(&path) {
            Ok(bytes) => Ok(match serde_json::from_slice(&bytes) {
                Ok(s) => (s, None),
                Err(e) => (recover_state(&bytes), Some(e.to_string())),
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok((ContainerState::default(), None)),
            Err(e) => Err(StoreError::Io { path, source: e }),
        }
    }

    /// When state.json was last written (for a state corrected without being rewritten).
    pub fn container_state_time(&self, id: &str) -> Option<DateTime<Utc>> {
        fs::metadata(self.state_path(id))
            .and_then(|m| m.modified())
            .ok()
            .map(DateTime::<Utc>::from)
    }

    /// Change the state under the container's lock, so the monitor and a CLI command never
    /// overwrite each other's fields. A change that changes nothing writes nothing (a start
    /// clearing a `stopped_by_user` that was never set costs no file).
    pub fn update_container_state<T>(
        &self,
        id: &str,
        f: impl FnOnce(&mut ContainerState) -> T,
    ) -> Result<T> {
        let _guard = self.lock_exclusive(&format!("container-{id}"))?;
        // A damaged state is replaced by what could be recovered of it, changed by `f`.
        let (mut state, damage) = self.container_state_or_damage(id)?;
        let before = state.clone();
        let out = f(&mut state);
        if state != before || damage.is_some() {
            let bytes = serde_json::to_vec_pretty(&state).expect("state serializes");
            self.write_record(&self.state_path(id), &bytes, false)?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Driver;

    fn record(id: &str, name: &str) -> ContainerRecord {
        ContainerRecord::new(
            id.into(),
            name.into(),
            "ab".repeat(32),
            "busybox".into(),
            Utc::now(),
            ContainerConfig::default(),
        )
    }

    #[test]
    fn container_records_round_trip_and_failed_updates_write_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), |_| Driver::Vfs, None).unwrap();
        store
            .update_containers(|c| {
                c.push(record("a1", "one"));
                Ok(())
            })
            .unwrap();
        let r: Result<()> = store.update_containers(|c| {
            c.clear();
            Err(StoreError::BlobMissing { digest: "x".into() })
        });
        assert!(r.is_err());
        let all = store.containers().unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].name, "one");
    }

    #[test]
    fn missing_state_reads_as_created_and_updates_persist() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), |_| Driver::Vfs, None).unwrap();
        fs::create_dir_all(store.container_dir("a1")).unwrap();
        assert_eq!(store.container_state("a1").unwrap().status, Status::Created);
        store
            .update_container_state("a1", |s| {
                s.status = Status::Exited;
                s.exit_code = 3;
            })
            .unwrap();
        let s = store.container_state("a1").unwrap();
        assert_eq!((s.status, s.exit_code), (Status::Exited, 3));
    }

    #[test]
    fn a_state_update_that_changes_nothing_writes_nothing_unless_the_file_is_damaged() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), |_| Driver::Vfs, None).unwrap();
        fs::create_dir_all(store.container_dir("a1")).unwrap();
        let path = store.state_path("a1");
        store
            .update_container_state("a1", |s| s.stopped_by_user = false)
            .unwrap();
        assert!(!path.exists(), "a no-op update made state.json");
        store
            .update_container_state("a1", |s| s.exit_code = 4)
            .unwrap();
        let written = fs::read(&path).unwrap();
        store
            .update_container_state("a1", |s| s.exit_code = 4)
            .unwrap();
        assert_eq!(fs::read(&path).unwrap(), written);
        fs::write(&path, b"{\"status\": ").unwrap();
        store.update_container_state("a1", |_| ()).unwrap();
        assert!(store.container_state_or_damage("a1").unwrap().1.is_none());
    }

    #[test]
    fn a_damaged_entry_is_listed_as_such_and_kept_until_removed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), |_| Driver::Vfs, None).unwrap();
        let (a, b) = ("a".repeat(64), "b".repeat(64));
        store
            .update_containers(|c| {
                c.push(record(&a, "one"));
                c.push(record(&b, "two"));
                Ok(())
            })
            .unwrap();
        let path = dir.path().join("containers.json");
        let mut db: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        db["containers"][1]["config"] = serde_json::json!(7);
        fs::write(&path, serde_json::to_vec(&db).unwrap()).unwrap();

        let all = store.containers().unwrap();
        assert_eq!(all.len(), 2);
        assert!(all[0].damaged.is_none());
        assert_eq!(all[1].name, "two");
        assert!(all[1]
            .damaged
            .as_deref()
            .unwrap()
            .starts_with("containers.json:"));
        // Another container's update keeps the damaged entry as it was.
        store
            .update_containers(|c| {
                c[0].name = "renamed".into();
                Ok(())
            })
            .unwrap();
        let db2: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        assert_eq!(db2["containers"][1], db["containers"][1]);
        store
            .update_containers(|c| {
                c.retain(|r| r.id != b);
                Ok(())
            })
            .unwrap();
        let all = store.containers().unwrap();
        assert_eq!((all.len(), all[0].name.as_str()), (1, "renamed"));
    }

    #[test]
    fn a_damaged_state_names_its_file_and_yields_the_processes_it_still_shows() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), |_| Driver::Vfs, None).unwrap();
        let id = "c".repeat(64);
        fs::create_dir_all(store.container_dir(&id)).unwrap();
        let cut = "{\n  \"status\": \"running\",\n  \"pid\": 4242,\n  \"pid_start\": 99,\n  \"monitor_pid\": 41";
        fs::write(store.state_path(&id), cut).unwrap();
        let err = store.container_state(&id).unwrap_err().to_string();
        assert!(err.contains("state.json is corrupt"), "{err}");
        assert!(err.contains("berth rm -f cccccccccccc"), "{err}");
        let (s, why) = store.container_state_or_damage(&id).unwrap();
        assert!(why.is_some());
        assert_eq!(
            (s.status, s.pid, s.pid_start, s.monitor_pid, s.monitor_start),
            (Status::Running, 4242, 99, 41, 0)
        );
        assert_eq!(recover_state(b"garbage{").status, Status::Exited);
        // An update replaces the damaged file with what was recovered.
        store
            .update_container_state(&id, |s| s.stopped_by_user = true)
            .unwrap();
        let s = store.container_state(&id).unwrap();
        assert_eq!((s.pid, s.stopped_by_user), (4242, true));
    }
}
