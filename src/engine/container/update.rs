//! `update`: change a running container's limits (through its cgroup backend) and its restart
//! policy. The new limits are recorded, so a restart keeps them.

use super::super::{Engine, EngineError, Result};
use super::{parse_restart_policy, Container};
use crate::cgroups::{HostLimits, LimitArgs};
use crate::store::StoreError;

#[derive(Debug, Clone, Default)]
pub struct UpdateOptions {
    pub limits: LimitArgs,
    pub restart: Option<String>,
}

impl Engine {
    pub fn update_container(&self, c: &Container, opts: &UpdateOptions) -> Result<()> {
        let name = &c.record.name;
        let given = opts.limits.resolve(&HostLimits::read())?;
        let restart = opts
            .restart
            .as_deref()
            .map(parse_restart_policy)
            .transpose()?;
        if restart.as_ref().is_some_and(|(p, _)| p != "no") && c.record.config.auto_remove {
            return Err(EngineError::Invalid(format!(
                "cannot set a restart policy on {name}: it was created with --rm"
            )));
        }
        let mut merged = c.record.config.resources.clone();
        if !given.is_empty() {
            if !c.is_running() {
                return Err(EngineError::Invalid(format!(
                    "container {name} is not running: update changes the limits of a running container; start it first"
                )));
            }
            merged.merge(&given);
            if let (Some(m), Some(t)) = (merged.memory, merged.memory_and_swap()) {
                if t != -1 && t < m {
                    return Err(EngineError::Invalid(format!(
                        "--memory {m} would exceed the memory+swap limit {t}: give --memory-swap too (or -1 for unlimited)"
                    )));
                }
            }
            let cg = c
                .state
                .cgroups
                .as_ref()
                .ok_or_else(crate::cgroups::none::no_limits)?;
            cg.update(&merged)?;
        }
        let id = c.record.id.clone();
        self.store
            .update_containers(|all| {
                let r = all.iter_mut().find(|r| r.id == id).ok_or_else(|| {
                    StoreError::Aborted(Box::new(EngineError::NoSuchContainer(id.clone())))
                })?;
                r.config.resources = merged.clone();
                if let Some((p, m)) = &restart {
                    r.config.restart_policy = p.clone();
                    r.config.restart_max = *m;
                }
                Ok(())
            })
            .map_err(EngineError::unwrap_store)?;
        self.emit_container(&c.record, "update", &[]);
        Ok(())
    }
}
