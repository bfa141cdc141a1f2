//! `container prune`: remove every container that is not running, optionally only those
//! created before a time or carrying (or lacking) labels.

use std::collections::{BTreeMap, HashSet};
use std::fs;

use chrono::{DateTime, Utc};

use super::super::{Engine, EngineError, Result};
use super::logs::parse_time_arg;
use super::{process_start_time, Container};
use crate::store::lock::FileLock;

/// One `label=`/`label!=` filter: a key, optionally with the value it must have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelFilter {
    pub key: String,
    pub value: Option<String>,
    /// `label!=`: the container must NOT match.
    pub negate: bool,
}

impl LabelFilter {
    /// `KEY[=VALUE]` after `label=` (or `label!=`, `negate`); `None` for an empty key.
    pub fn parse(v: &str, negate: bool) -> Option<LabelFilter> {
        let f = label_filter(v, negate);
        (!f.key.is_empty()).then_some(f)
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let hit = match (labels.get(&self.key), &self.value) {
            (Some(_), None) => true,
            (Some(have), Some(want)) => have == want,
            (None, _) => false,
        };
        hit != self.negate
    }
}

#[derive(Debug, Clone, Default)]
pub struct PruneFilters {
    pub until: Option<DateTime<Utc>>,
    pub labels: Vec<LabelFilter>,
}

impl PruneFilters {
    /// Parse docker's prune filters: `until=TIME`, `label=KEY[=VALUE]`, `label!=KEY[=VALUE]`.
    pub fn parse(filters: &[String]) -> Result<PruneFilters> {
        let mut out = PruneFilters::default();
        for f in filters {
            let bad = || {
                EngineError::Invalid(format!(
                    "invalid filter {f:?}: use until=TIME, label=KEY[=VALUE] or label!=KEY[=VALUE]"
                ))
            };
            if let Some(v) = f.strip_prefix("label!=") {
                out.labels.push(label_filter(v, true));
            } else if let Some(v) = f.strip_prefix("label=") {
                out.labels.push(label_filter(v, false));
            } else if let Some(v) = f.strip_prefix("until=") {
                out.until = Some(parse_time_arg(v, Utc::now())?);
            } else {
                return Err(bad());
            }
        }
        Ok(out)
    }

    fn keep_out(&self, c: &Container) -> bool {
        self.until.is_some_and(|t| c.record.created >= t)
            || !self
                .labels
                .iter()
                .all(|l| l.matches(&c.record.config.labels))
    }
}

fn label_filter(v: &str, negate: bool) -> LabelFilter {
    match v.split_once('=') {
        Some((k, v)) => LabelFilter {
            key: k.into(),
            value: Some(v.into()),
            negate,
        },
        None => LabelFilter {
            key: v.into(),
            value: None,
            negate,
        },
    }
}

/// A container `prune` removed and the space its writable layer freed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pruned {
    pub id: String,
    pub size: u64,
}

impl Engine {
    /// Remove the containers that are not running and pass the filters. Containers that fail
    /// to be removed are left and reported as errors after the others were removed.
    pub fn prune_containers(&self, filters: &PruneFilters) -> Result<Vec<Pruned>> {
        self.store.allow_reserve();
        let mut removed = Vec::new();
        let mut failures = Vec::new();
        self.collect_container_leftovers()?;
        for c in self.list_containers()? {
            if c.is_running() || filters.keep_out(&c) {
                continue;
            }
            let size = self.container_size(&c).rw;
            match self.remove_container(&c) {
                Ok(()) => removed.push(Pruned {
                    id: c.record.id.clone(),
                    size,
                }),
                // Started (or removed) since we listed it: not ours to prune any more.
                Err(EngineError::ContainerRunning { .. }) => {}
                Err(e) => failures.push(format!("{}: {e}", c.record.name)),
            }
        }
        if !failures.is_empty() {
            return Err(EngineError::Invalid(format!(
                "container prune removed {} containers but failed for {}",
                removed.len(),
                failures.join("; ")
            )));
        }
        Ok(removed)
    }
}

impl Engine {
    /// Remove what belongs to no container record: directories under containers/ that a
    /// command killed while creating (or removing) a container left, and the lock files of
    /// containers that are gone. Returns how many directories went.
    pub fn collect_container_leftovers(&self) -> Result<usize> {
        let root = self.store.root().to_path_buf();
        // Under the shared lock on the records: a container's directory is made, and its
        // record written, under the exclusive one, so a directory without a record now was
        // left by a command that is gone, or belongs to a removal in progress (which holds
        // the container's lifecycle lock until the directory has been moved away).
        let (known, dirs) = {
            let _records = self.store.lock_shared("containers")?;
            let known: HashSet<String> = self
                .store
                .containers_unlocked()?
                .into_iter()
                .map(|r| r.id)
                .collect();
            let dirs: Vec<String> = crate::store::entry_names(&root.join("containers"))?
                .into_iter()
                .filter_map(|n| n.into_string().ok())
                .filter(|n| !known.contains(n))
                .collect();
            (known, dirs)
        };
        let mut collected = 0;
        for id in dirs {
            if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
                continue;
            }
            let Some(_lifecycle) =
                FileLock::try_exclusive(&self.store.lock_path(&format!("lifecycle-{id}")))
                    .ok()
                    .flatten()
            else {
                continue;
            };
            // A monitor still running for it (its record was lost): not garbage yet.
            if let Ok((s, _)) = self.store.container_state_or_damage(&id) {
                if process_start_time(s.monitor_pid) == Some(s.monitor_start)
                    || (s.pid_start != 0 && process_start_time(s.pid) == Some(s.pid_start))
                {
                    continue;
                }
            }
            let dir = self.store.container_dir(&id);
            let trash = root.join("tmp").join(format!("container-{id}"));
            if fs::rename(&dir, &trash).is_ok() {
                self.store.forget_container_locks(&id);
                self.forget_exit(&id);
                let _ = self.delete_trash(&trash);
                collected += 1;
            }
        }
        // Lock files of containers that have neither a record nor a directory.
        for id in self.store.container_lock_ids() {
            if known.contains(&id) || self.store.container_dir(&id).exists() {
                continue;
            }
            if let Ok(Some(_held)) =
                FileLock::try_exclusive(&self.store.lock_path(&format!("lifecycle-{id}")))
            {
                self.store.forget_container_locks(&id);
            }
        }
        // Exit codes noted in the runtime dir for containers that are gone.
        for name in
            crate::store::entry_names(&self.paths.run_root.join("exits")).unwrap_or_default()
        {
            if let Some(id) = name.to_str() {
                if !known.contains(id) {
                    self.forget_exit(id);
                }
            }
        }
        Ok(collected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn label_filters_match_keys_values_and_negations() {
        let l = labels(&[("app", "web"), ("tier", "")]);
        let f = PruneFilters::parse(&[
            "label=app=web".into(),
            "label=tier".into(),
            "label!=temp".into(),
        ])
        .unwrap();
        assert!(f.labels.iter().all(|x| x.matches(&l)));
        let f = PruneFilters::parse(&["label!=app=web".into()]).unwrap();
        assert!(!f.labels[0].matches(&l));
        let f = PruneFilters::parse(&["label=app=db".into()]).unwrap();
        assert!(!f.labels[0].matches(&l));
    }

    #[test]
    fn unknown_prune_filters_are_rejected_with_the_accepted_ones() {
        let err = PruneFilters::parse(&["status=exited".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("use until=TIME"), "{err}");
        assert!(PruneFilters::parse(&["until=soon".into()]).is_err());
        assert!(PruneFilters::parse(&["until=24h".into()])
            .unwrap()
            .until
            .is_some());
    }
}
