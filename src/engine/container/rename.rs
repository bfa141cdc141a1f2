//! `rename`: a new name for a container, under docker's rules (valid, free, different).

use super::super::{Engine, EngineError, Result};
use super::valid_name;
use crate::store::StoreError;

impl Engine {
    /// Rename the container `name_or_id` to `new_name`. Emits `rename` with docker's
    /// `oldName` attribute.
    pub fn rename_container(&self, name_or_id: &str, new_name: &str) -> Result<()> {
        let new_name = new_name.strip_prefix('/').unwrap_or(new_name);
        if !valid_name(new_name) {
            return Err(EngineError::Invalid(format!(
                "invalid container name {new_name:?}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
            )));
        }
        let c = self.find_container(name_or_id)?;
        let old_name = c.record.name.clone();
        if old_name == new_name {
            return Err(EngineError::Invalid(format!(
                "container {old_name} is already named {new_name:?}: choose a different name"
            )));
        }
        let id = c.record.id.clone();
        let renamed = self
            .store
            .update_containers(|all| {
                if let Some(owner) = all.iter().find(|r| r.name == new_name) {
                    return Err(StoreError::Aborted(Box::new(EngineError::NameInUse {
                        name: new_name.to_string(),
                        id: owner.id[..12].to_string(),
                    })));
                }
                // Looked up again under the lock: it may have been removed meanwhile.
                let record = all.iter_mut().find(|r| r.id == id).ok_or_else(|| {
                    StoreError::Aborted(Box::new(EngineError::NoSuchContainer(
                        name_or_id.to_string(),
                    )))
                })?;
                record.name = new_name.to_string();
                Ok(record.clone())
            })
            .map_err(EngineError::unwrap_store)?;
        self.emit_container(&renamed, "rename", &[("oldName", &format!("/{old_name}"))]);
        Ok(())
    }
}
