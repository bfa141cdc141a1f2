//! Events without a daemon: every berth process appends what it did to the store's journal
//! ([`crate::events::Journal`]), and `berth events` reads it back and follows it.
//!
//! Who emits what (docker's actions):
//! - containers: `create`, `start`, `die` (exitCode), `kill` (signal), `stop`, `destroy`,
//!   `rename` (oldName); the monitor, a process of its own, emits `start` and `die`.
//!   `restart`, `attach`, `exec_create`, `exec_start`, `exec_die`, `health_status` and `oom`
//!   are emitted through [`Engine::emit_container`] by the code that does them.
//! - images: `pull`, `push`, `tag`, `untag`, `delete`, `load`, `save`, `import`
//!   ([`Engine::emit_image`]).
//!
//! Emitting never fails the operation it reports: a store that cannot take the line loses the
//! event, not the container.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{Engine, EngineError, Result};
use crate::events::{Event, EventFilter, EventType, EventsError, Journal};
use crate::store::containers::ContainerRecord;

/// What `berth events` asked for.
#[derive(Debug, Clone, Default)]
pub struct EventsOptions {
    /// Show events from this time on. Without it only events after the call are shown.
    pub since: Option<DateTime<Utc>>,
    /// Stop at this time. Without it, follow until stopped.
    pub until: Option<DateTime<Utc>>,
    pub filter: EventFilter,
}

impl From<EventsError> for EngineError {
    fn from(e: EventsError) -> Self {
        EngineError::Invalid(e.to_string())
    }
}

fn nanos(t: DateTime<Utc>) -> i64 {
    t.timestamp_nanos_opt().unwrap_or(i64::MAX)
}

impl Engine {
    pub fn journal(&self) -> Journal {
        Journal::new(self.store.root())
    }

    /// Record an event. `attributes` become `Actor.Attributes`.
    pub fn emit(&self, kind: EventType, action: &str, id: &str, attributes: &[(&str, &str)]) {
        let attributes: BTreeMap<String, String> = attributes
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let _ = self
            .journal()
            .append(&Event::new(kind, action, id, attributes));
    }

    /// Record a container event: docker's attributes (name, image, the container's labels)
    /// plus `extra` (exitCode, signal, oldName, execID, …).
    pub fn emit_container(&self, c: &ContainerRecord, action: &str, extra: &[(&str, &str)]) {
        let mut attrs: Vec<(&str, &str)> = c
            .config
            .labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        attrs.push(("name", &c.name));
        attrs.push(("image", &c.image_name));
        attrs.extend_from_slice(extra);
        self.emit(EventType::Container, action, &c.id, &attrs);
    }

    /// Record an image event for the image `id` (hex or sha256:hex) under `name`.
    pub fn emit_image(&self, action: &str, id: &str, name: &str) {
        let id = if id.starts_with("sha256:") {
            id.to_string()
        } else {
            format!("sha256:{id}")
        };
        self.emit(EventType::Image, action, &id, &[("name", name)]);
    }

    /// Pass the events in the window that pass the filter to `each`, oldest first. Without
    /// `until` (or with one still ahead) keep following new events until `stop` says so or
    /// `until` passes. `each` returning false ends it too.
    pub fn events(
        &self,
        opts: &EventsOptions,
        stop: &dyn Fn() -> bool,
        each: &mut dyn FnMut(&Event) -> bool,
    ) -> Result<()> {
        let now = Utc::now();
        let since = nanos(opts.since.unwrap_or(now));
        let until = opts.until.map(nanos);
        let wanted = |e: &Event| {
            e.time_nano >= since && until.is_none_or(|u| e.time_nano <= u) && opts.filter.matches(e)
        };
        if opts.until.is_some_and(|u| u <= now) {
            for e in self.journal().read_all()? {
                if wanted(&e) && !each(&e) {
                    break;
                }
            }
            return Ok(());
        }
        let past_until = || opts.until.is_some_and(|u| Utc::now() > u);
        self.journal()
            .follow(&|| stop() || past_until(), &mut |e| {
                if until.is_some_and(|u| e.time_nano > u) {
                    return false;
                }
                !wanted(&e) || each(&e)
            })?;
        Ok(())
    }
}

impl Engine {
    /// Record an image event about a reference rather than a stored image (docker's pull and
    /// push events carry the name as the ID).
    pub fn emit_image_ref(&self, action: &str, reference: &str) {
        self.emit(EventType::Image, action, reference, &[("name", reference)]);
    }

    /// Record what `rmi` did: an `untag` per name taken away, a `delete` per image deleted.
    pub fn emit_removals(&self, removals: &[super::image::Removal], id: &str) {
        use super::image::Removal;
        for r in removals {
            match r {
                Removal::Untagged(name) => self.emit_image("untag", id, name),
                Removal::Deleted(deleted) => self.emit_image("delete", deleted, deleted),
            }
        }
    }

    /// The monitor's `die`, under the container's current name (it may have been renamed
    /// while it ran).
    pub fn emit_die(&self, c: &ContainerRecord, exit_code: i32) {
        let now = self
            .store
            .containers()
            .ok()
            .and_then(|all| all.into_iter().find(|r| r.id == c.id));
        let code = exit_code.to_string();
        self.emit_container(now.as_ref().unwrap_or(c), "die", &[("exitCode", &code)]);
    }
}
