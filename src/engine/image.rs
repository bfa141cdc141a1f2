//! Local image operations: lookup, list, inspect, tag, remove.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{Engine, EngineError, Result};
use crate::image::manifest::ImageConfig;
use crate::image::reference::{strip_registry, Reference};
use crate::store::ImageRecord;

/// What `rmi` did, in docker's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removal {
    Untagged(String),
    Deleted(String),
}

/// One row of `images`.
#[derive(Debug, Clone)]
pub struct ImageSummary {
    pub record: ImageRecord,
    /// Repository (without tag) and tag; `<none>` for dangling images.
    pub repository: String,
    pub tag: String,
    pub digest: String,
    pub labels: serde_json::Map<String, Value>,
}

fn split_name(name: &str) -> (String, String) {
    // The tag separator is the last ':' after the last '/'.
    let slash = name.rfind('/').map(|i| i + 1).unwrap_or(0);
    match name[slash..].rfind(':') {
        Some(i) => (
            name[..slash + i].to_string(),
            name[slash + i + 1..].to_string(),
        ),
        None => (name.to_string(), "latest".to_string()),
    }
}

fn is_id_like(s: &str) -> bool {
    let s = s.strip_prefix("sha256:").unwrap_or(s);
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Engine {
    /// Find the image a user means: full or short ID, a name (normalised docker-style), a
    /// name@digest, or a short name matching exactly one stored repository on any registry.
    pub fn find_image(&self, name: &str) -> Result<ImageRecord> {
        let images = self.store.images().list()?;
        find_in(&images, name)
    }

    pub fn image_config(&self, record: &ImageRecord) -> Result<ImageConfig> {
        let bytes = self.store.read_blob(&record.config_digest)?;
        serde_json::from_slice(&bytes).map_err(|e| EngineError::BadImage {
            image: record.id.clone(),
            reason: format!("stored config is not valid JSON: {e}"),
        })
    }

    fn raw_config(&self, record: &ImageRecord) -> Result<Value> {
        let bytes = self.store.read_blob(&record.config_digest)?;
        serde_json::from_slice(&bytes).map_err(|e| EngineError::BadImage {
            image: record.id.clone(),
            reason: format!("stored config is not valid JSON: {e}"),
        })
    }

    /// One row per name (dangling images once, as `<none>`), newest first.
    pub fn list_images(&self) -> Result<Vec<ImageSummary>> {
        let mut rows = Vec::new();
        for record in self.store.images().list()? {
            let labels = self.labels_of(&record);
            let digest = record
                .digests
                .first()
                .and_then(|d| d.split_once('@'))
                .map(|(_, d)| d.to_string());
            let digest = digest.unwrap_or_else(|| record.manifest_digest.clone());
            if record.names.is_empty() {
                let repository = record
                    .digests
                    .first()
                    .and_then(|d| d.split_once('@'))
                    .map(|(r, _)| r.to_string())
                    .unwrap_or_else(|| "<none>".into());
                rows.push(ImageSummary {
                    record: record.clone(),
                    repository,
                    tag: "<none>".into(),
                    digest,
                    labels,
                });
                continue;
            }
            for name in &record.names {
                let (repository, tag) = split_name(name);
                rows.push(ImageSummary {
                    record: record.clone(),
                    repository,
                    tag,
                    digest: digest.clone(),
                    labels: labels.clone(),
                });
            }
        }
        Ok(rows)
    }

    /// docker's `image inspect` document.
    pub fn inspect_image(&self, name: &str) -> Result<Value> {
        let record = self.find_image(name)?;
        let config = self.raw_config(&record)?;
        let layer_dirs: Vec<String> = record
            .layers
            .iter()
            .rev()
            .map(|l| self.store.layer_diff(&l.chain_id).display().to_string())
            .collect();
        let get = |k: &str| config.get(k).cloned().unwrap_or(Value::Null);
        let mut doc = json!({
            "Id": format!("sha256:{}", record.id),
            "Digest": record.digests.first().and_then(|d| d.split_once('@')).map(|(_, d)| d.to_string())
                .unwrap_or_else(|| record.manifest_digest.clone()),
            "RepoTags": record.names,
            "RepoDigests": record.digests,
            "Parent": "",
            "Comment": config.get("comment").cloned().unwrap_or(json!("")),
            "Created": get("created"),
            "DockerVersion": config.get("docker_version").cloned().unwrap_or(json!("")),
            "Author": config.get("author").cloned().unwrap_or(json!("")),
            "Config": config.get("config").cloned().unwrap_or(json!({})),
            "Architecture": get("architecture"),
            "Os": get("os"),
            "Size": record.size,
            "VirtualSize": record.size,
            "GraphDriver": {
                "Name": self.store.driver().name(),
                "Data": {
                    "LowerDir": layer_dirs.iter().skip(1).cloned().collect::<Vec<_>>().join(":"),
                    "UpperDir": layer_dirs.first().cloned().unwrap_or_default(),
                }
            },
            "RootFS": {
                "Type": "layers",
                "Layers": record.layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>(),
            },
            "Metadata": { "LastTagTime": record.added.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true) },
            "ManifestType": record.manifest_media_type,
            "History": config.get("history").cloned().unwrap_or(json!([])),
        });
        if let Some(v) = config.get("variant") {
            doc["Variant"] = v.clone();
        }
        Ok(doc)
    }

    /// Add a name to an image.
    pub fn tag_image(&self, source: &str, target: &str) -> Result<()> {
        let record = self.find_image(source)?;
        let target = Reference::parse(target)?;
        if target.digest.is_some() {
            return Err(EngineError::BadImage {
                image: target.to_string(),
                reason: "a tag cannot contain a digest; use NAME[:TAG]".into(),
            });
        }
        let name = target.to_string();
        self.store.images().update(|images| {
            for img in images.iter_mut() {
                if img.id == record.id {
                    if !img.names.contains(&name) {
                        img.names.push(name.clone());
                    }
                } else {
                    img.names.retain(|n| n != &name);
                }
            }
            Ok(())
        })?;
        self.emit_image("tag", &record.id, &name);
        Ok(())
    }

    /// `rmi`: a name untags (and deletes once no name is left); an ID deletes the image, which
    /// needs `force` when it still has several names. Layers go when no image uses them.
    pub fn remove_image(&self, name: &str, force: bool) -> Result<Vec<Removal>> {
        let by_id = is_id_like(name);
        let event_id = self
            .find_image(name)
            .map_or_else(|_| name.to_string(), |r| r.id);
        let containers = self.container_usage()?;
        let removed = self.store.images().update(|images| {
            let record = find_in(images, name)?;
            let mut out = Vec::new();
            let idx = images
                .iter()
                .position(|i| i.id == record.id)
                .expect("found above");
            let untag_only = !by_id && images[idx].names.len() > 1;
            if untag_only {
                let full = resolve_name(&images[idx], name);
                images[idx].names.retain(|n| n != &full);
                out.push(Removal::Untagged(full));
                return Ok((out, None));
            }
            if by_id && images[idx].names.len() > 1 && !force {
                return Err(EngineError::ImageHasManyNames {
                    id: record.id[..12].to_string(),
                }
                .into_store());
            }
            // docker: an image a container was made from stays; -f only takes its names away.
            if let Some(user) = containers.iter().find(|c| c.image_id == record.id) {
                if !force {
                    return Err(EngineError::ImageInUse {
                        image: name.to_string(),
                        container: user.id[..12].to_string(),
                    }
                    .into_store());
                }
                for n in std::mem::take(&mut images[idx].names) {
                    out.push(Removal::Untagged(n));
                }
                return Ok((out, None));
            }
            let gone = images.remove(idx);
            for n in &gone.names {
                out.push(Removal::Untagged(n.clone()));
            }
            for d in &gone.digests {
                out.push(Removal::Untagged(d.clone()));
            }
            out.push(Removal::Deleted(format!("sha256:{}", gone.id)));
            Ok((out, Some(gone)))
        });
        let (out, gone) = removed.map_err(EngineError::from_store)?;
        self.emit_removals(&out, &event_id);
        if let Some(gone) = gone {
            self.collect_after_removal(&[gone])?;
        }
        Ok(out)
    }

    /// Remove the layers and blobs of a deleted image that no remaining image uses; the
    /// fallback of [`Engine::collect_after_removal`] while a pull keeps the full sweep out.
    /// Returns the unpacked bytes of the layers removed.
    pub(crate) fn collect_garbage(
        &self,
        gone: &ImageRecord,
        remaining: &[ImageRecord],
    ) -> Result<u64> {
        let used = |chain: &str| {
            remaining
                .iter()
                .any(|i| i.layers.iter().any(|l| l.chain_id == chain))
        };
        let blob_used = |digest: &str| {
            remaining.iter().any(|i| {
                i.config_digest == digest
                    || i.manifest_digest == digest
                    || i.digests.iter().any(|d| d.ends_with(digest))
                    || i.layers.iter().any(|l| l.digest == digest)
            })
        };
        let mut freed = 0;
        for layer in gone.layers.iter().rev() {
            if used(&layer.chain_id) {
                continue;
            }
            let present = self.store.has_layer(&layer.chain_id);
            if self.store.remove_layer_if_unused(&layer.chain_id)? {
                if present {
                    freed += layer.unpacked_size;
                }
                if !blob_used(&layer.digest) {
                    let _ = std::fs::remove_file(self.store.blob_path(&layer.digest));
                }
            }
        }
        let mut small = vec![gone.config_digest.clone(), gone.manifest_digest.clone()];
        small.extend(
            gone.digests
                .iter()
                .filter_map(|d| d.split_once('@').map(|(_, d)| d.to_string())),
        );
        for digest in small {
            if !blob_used(&digest) {
                let _ = std::fs::remove_file(self.store.blob_path(&digest));
            }
        }
        Ok(freed)
    }
}

/// One row of `history`, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// The image's ID on the top row; `None` (docker's `<missing>`) on the others, whose
    /// intermediate images do not exist locally.
    pub id: Option<String>,
    pub created: Option<DateTime<Utc>>,
    pub created_by: String,
    /// Unpacked bytes of the layer this step made; 0 for steps that made none.
    pub size: u64,
    pub comment: String,
    /// The image's names, on the top row.
    pub tags: Vec<String>,
}

/// docker's history: one row per config history entry, newest first; entries that made a layer
/// take the image's layers in order (and their sizes). Layers the history does not account for
/// (no history, or fewer entries than layers) get a row each, so every byte shows up.
pub fn history_of(record: &ImageRecord, config: &ImageConfig) -> Vec<HistoryEntry> {
    let parse = |t: &Option<String>| {
        t.as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    let mut layers = record.layers.iter();
    let mut rows = Vec::new();
    for h in &config.history {
        let size = if h.empty_layer.unwrap_or(false) {
            0
        } else {
            layers.next().map_or(0, |l| l.unpacked_size)
        };
        rows.push(HistoryEntry {
            id: None,
            created: parse(&h.created),
            created_by: h.created_by.clone().unwrap_or_default(),
            size,
            comment: h.comment.clone().unwrap_or_default(),
            tags: vec![],
        });
    }
    for layer in layers {
        rows.push(HistoryEntry {
            id: None,
            created: parse(&config.created).or(record.created),
            created_by: String::new(),
            size: layer.unpacked_size,
            comment: String::new(),
            tags: vec![],
        });
    }
    rows.reverse();
    if let Some(top) = rows.first_mut() {
        top.id = Some(record.id.clone());
        top.tags = record.names.clone();
    }
    rows
}

/// Which images `image prune` may remove, beyond "not used by a container".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PruneFilter {
    /// Only images created before this moment.
    Until(DateTime<Utc>),
    /// `label=KEY[=VALUE]` (`negate: false`) or `label!=KEY[=VALUE]` (`negate: true`).
    Label {
        key: String,
        value: Option<String>,
        negate: bool,
    },
}

const PRUNE_FILTERS: &str = "use until=TIMESTAMP|DURATION, label=KEY[=VALUE] or label!=KEY[=VALUE]";

impl PruneFilter {
    /// Parse a `--filter` argument; `now` anchors durations ("24h" means created before
    /// `now` minus a day).
    pub fn parse(text: &str, now: DateTime<Utc>) -> Result<PruneFilter> {
        let bad = |why: &str| EngineError::InvalidFilter {
            filter: text.to_string(),
            hint: format!("{why}{PRUNE_FILTERS}"),
        };
        let (key, value) = text.split_once('=').ok_or_else(|| bad(""))?;
        let (key, negate) = match key.strip_suffix('!') {
            Some(k) => (k, true),
            None => (key, false),
        };
        match (key, negate) {
            ("until", false) => parse_until(value, now).map(PruneFilter::Until).ok_or_else(|| {
                bad("not a timestamp (2006-01-02, 2006-01-02T15:04:05Z, Unix seconds) or duration (10m, 24h); ")
            }),
            ("label", _) if !value.is_empty() => {
                let (k, v) = match value.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.to_string())),
                    None => (value.to_string(), None),
                };
                Ok(PruneFilter::Label {
                    key: k,
                    value: v,
                    negate,
                })
            }
            _ => Err(bad("")),
        }
    }

    /// Whether an image created at `created` with `labels` passes this filter.
    pub fn admits(&self, created: DateTime<Utc>, labels: &serde_json::Map<String, Value>) -> bool {
        match self {
            PruneFilter::Until(t) => created < *t,
            PruneFilter::Label { key, value, negate } => {
                let has = match (labels.get(key), value) {
                    (Some(_), None) => true,
                    (Some(Value::String(have)), Some(want)) => have == want,
                    _ => false,
                };
                has != *negate
            }
        }
    }
}

/// docker's `until`: a Go duration before `now`, or a timestamp (RFC 3339, a local date or
/// date-time, or Unix seconds with optional fraction).
fn parse_until(value: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if value != "0" {
        if let Some(d) = parse_go_duration(value) {
            return Some(now - d);
        }
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        return local(d.and_hms_opt(0, 0, 0)?);
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(value, fmt) {
            return local(t);
        }
    }
    if value.contains('-') {
        return None;
    }
    let (secs, frac) = value.split_once('.').unwrap_or((value, "0"));
    let secs: i64 = secs.parse().ok()?;
    if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 9 {
        return None;
    }
    let nanos: u32 = format!("{frac:0<9}").parse().ok()?;
    DateTime::from_timestamp(secs, nanos)
}

fn local(t: chrono::NaiveDateTime) -> Option<DateTime<Utc>> {
    use chrono::TimeZone;
    chrono::Local
        .from_local_datetime(&t)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// Go's time.ParseDuration: "300ms", "1.5h", "2h45m", "-1m" (units ns, us, µs, ms, s, m, h).
pub fn parse_go_duration(text: &str) -> Option<chrono::TimeDelta> {
    let (neg, mut rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Some(chrono::TimeDelta::zero());
    }
    if rest.is_empty() {
        return None;
    }
    let mut total_ns: f64 = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total_ns += number * scale;
    }
    let ns = total_ns.round();
    if !ns.is_finite() || ns > i64::MAX as f64 {
        return None;
    }
    let d = chrono::TimeDelta::nanoseconds(ns as i64);
    Some(if neg { -d } else { d })
}

/// What `image prune` removes.
#[derive(Debug, Clone, Default)]
pub struct PruneOptions {
    /// Every image no container uses, not only dangling (untagged) ones.
    pub all: bool,
    pub filters: Vec<PruneFilter>,
}

/// What `image prune` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PruneReport {
    pub removals: Vec<Removal>,
    /// Unpacked bytes freed (including what killed pulls had left, when the sweep ran).
    pub reclaimed: u64,
}

impl Engine {
    /// `history`: the image's build steps, newest first.
    pub fn image_history(&self, name: &str) -> Result<Vec<HistoryEntry>> {
        let record = self.find_image(name)?;
        let config = self.image_config(&record)?;
        Ok(history_of(&record, &config))
    }

    /// `image prune`: remove dangling images (every unused one with `all`) that pass all the
    /// filters and that no container uses, then sweep the store.
    pub fn prune_images(&self, opts: &PruneOptions) -> Result<PruneReport> {
        let in_use = self.image_users()?;
        // Labels come from the configs, read before the records are locked for the update.
        let mut labels = std::collections::HashMap::new();
        if opts
            .filters
            .iter()
            .any(|f| matches!(f, PruneFilter::Label { .. }))
        {
            for record in self.store.images().list()? {
                labels.insert(record.id.clone(), self.labels_of(&record));
            }
        }
        let no_labels = serde_json::Map::new();
        let gone = self
            .store
            .images()
            .update(|images| {
                let (gone, kept): (Vec<ImageRecord>, Vec<ImageRecord>) =
                    std::mem::take(images).into_iter().partition(|i| {
                        let created = i.created.unwrap_or(i.added);
                        let l = labels.get(&i.id).unwrap_or(&no_labels);
                        (opts.all || i.names.is_empty())
                            && !in_use.contains_key(&i.id)
                            && opts.filters.iter().all(|f| f.admits(created, l))
                    });
                *images = kept;
                Ok(gone)
            })
            .map_err(EngineError::from_store)?;
        let mut removals = Vec::new();
        for image in &gone {
            for n in image.names.iter().chain(&image.digests) {
                removals.push(Removal::Untagged(n.clone()));
            }
            removals.push(Removal::Deleted(format!("sha256:{}", image.id)));
        }
        let reclaimed = self.collect_after_removal(&gone)?;
        Ok(PruneReport {
            removals,
            reclaimed,
        })
    }

    pub(crate) fn labels_of(&self, record: &ImageRecord) -> serde_json::Map<String, Value> {
        self.raw_config(record)
            .ok()
            .and_then(|c| {
                c.pointer("/config/Labels")
                    .and_then(Value::as_object)
                    .cloned()
            })
            .unwrap_or_default()
    }
}

/// The stored name a user's text refers to on this image.
fn resolve_name(record: &ImageRecord, typed: &str) -> String {
    if let Ok(r) = Reference::parse(typed) {
        let full = r.to_string();
        if record.names.contains(&full) {
            return full;
        }
    }
    let wanted = short_forms(typed);
    record
        .names
        .iter()
        .find(|n| wanted.iter().any(|w| strip_registry(n) == *w))
        .cloned()
        .unwrap_or_else(|| typed.to_string())
}

/// "busybox" → ["busybox:latest", "library/busybox:latest"].
fn short_forms(typed: &str) -> Vec<String> {
    let (repo, tag) = split_name(typed);
    vec![format!("{repo}:{tag}"), format!("library/{repo}:{tag}")]
}

pub(crate) fn find_in(images: &[ImageRecord], name: &str) -> Result<ImageRecord> {
    let not_known = || EngineError::ImageNotKnown(name.to_string());
    if name.is_empty() {
        return Err(not_known());
    }
    // By ID (full, short, with or without "sha256:").
    if is_id_like(name) {
        let hex = name.strip_prefix("sha256:").unwrap_or(name);
        let hits: Vec<_> = images.iter().filter(|i| i.id.starts_with(hex)).collect();
        match hits.len() {
            1 => return Ok(hits[0].clone()),
            0 => {}
            _ => {
                return Err(EngineError::AmbiguousImage {
                    name: name.into(),
                    candidates: hits
                        .iter()
                        .map(|i| i.id[..12].to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                })
            }
        }
    }
    if let Ok(r) = Reference::parse(name) {
        if let Some(d) = &r.digest {
            let want = format!("{}@{}", r.name(), d);
            if let Some(i) = images
                .iter()
                .find(|i| i.digests.contains(&want) || i.manifest_digest == *d)
            {
                return Ok(i.clone());
            }
        } else {
            let full = r.to_string();
            if let Some(i) = images.iter().find(|i| i.names.contains(&full)) {
                return Ok(i.clone());
            }
        }
    }
    // A short name matches that repository on any registry, if only one image has it.
    if !name.contains('@') && !crate::image::reference::Reference::is_short_name(name) {
        return Err(not_known());
    }
    let wanted = short_forms(name);
    let hits: Vec<(&ImageRecord, &String)> = images
        .iter()
        .flat_map(|i| i.names.iter().map(move |n| (i, n)))
        .filter(|(_, n)| wanted.iter().any(|w| strip_registry(n) == *w))
        .collect();
    let mut ids: Vec<&str> = hits.iter().map(|(i, _)| i.id.as_str()).collect();
    ids.dedup();
    match ids.len() {
        0 => Err(not_known()),
        1 => Ok(hits[0].0.clone()),
        _ => Err(EngineError::AmbiguousImage {
            name: name.into(),
            candidates: hits
                .iter()
                .map(|(_, n)| n.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

impl EngineError {
    /// Carry an engine error through a store update closure.
    fn into_store(self) -> crate::store::StoreError {
        crate::store::StoreError::Aborted(Box::new(self))
    }

    fn from_store(e: crate::store::StoreError) -> EngineError {
        match e {
            crate::store::StoreError::Aborted(inner) => match inner.downcast::<EngineError>() {
                Ok(engine) => *engine,
                Err(other) => EngineError::PullFailed(other.to_string()),
            },
            other => EngineError::Store(other),
        }
    }
}

impl From<EngineError> for crate::store::StoreError {
    fn from(e: EngineError) -> Self {
        e.into_store()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn rec(id: &str, names: &[&str]) -> ImageRecord {
        ImageRecord {
            id: id.into(),
            names: names.iter().map(|s| s.to_string()).collect(),
            digests: vec![],
            manifest_digest: "sha256:m".into(),
            manifest_media_type: String::new(),
            config_digest: format!("sha256:{id}"),
            layers: vec![],
            created: None,
            added: Utc::now(),
            size: 0,
        }
    }

    #[test]
    fn lookup_by_short_id_full_name_and_short_name_on_any_registry() {
        let a = "a".repeat(64);
        let b = format!("b{}", "0".repeat(63));
        let images = vec![
            rec(&a, &["127.0.0.1:5000/busybox:latest"]),
            rec(&b, &["docker.io/library/alpine:3"]),
        ];
        assert_eq!(find_in(&images, "aaaa").unwrap().id, a);
        assert_eq!(find_in(&images, &format!("sha256:{a}")).unwrap().id, a);
        assert_eq!(find_in(&images, "busybox").unwrap().id, a);
        assert_eq!(find_in(&images, "127.0.0.1:5000/busybox").unwrap().id, a);
        assert_eq!(find_in(&images, "alpine:3").unwrap().id, b);
        assert!(matches!(
            find_in(&images, "alpine").unwrap_err(),
            EngineError::ImageNotKnown(_)
        ));
    }

    #[test]
    fn short_name_in_two_registries_is_ambiguous() {
        let images = vec![
            rec(&"a".repeat(64), &["r1.io/x:latest"]),
            rec(&"b".repeat(64), &["r2.io/x:latest"]),
        ];
        let err = find_in(&images, "x").unwrap_err();
        assert!(err.to_string().contains("r1.io/x:latest"), "{err}");
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn until_accepts_go_durations_before_now() {
        let now = t("2024-06-01T12:00:00Z");
        for (text, want) in [
            ("24h", "2024-05-31T12:00:00Z"),
            ("90m", "2024-06-01T10:30:00Z"),
            ("1h30m", "2024-06-01T10:30:00Z"),
            ("1.5h", "2024-06-01T10:30:00Z"),
            ("45s", "2024-06-01T11:59:15Z"),
        ] {
            assert_eq!(
                PruneFilter::parse(&format!("until={text}"), now).unwrap(),
                PruneFilter::Until(t(want)),
                "{text}"
            );
        }
    }

    #[test]
    fn until_accepts_rfc3339_and_unix_timestamps() {
        let now = Utc::now();
        assert_eq!(
            PruneFilter::parse("until=2024-01-02T03:04:05Z", now).unwrap(),
            PruneFilter::Until(t("2024-01-02T03:04:05Z"))
        );
        assert_eq!(
            PruneFilter::parse("until=2024-01-02T05:04:05+02:00", now).unwrap(),
            PruneFilter::Until(t("2024-01-02T03:04:05Z"))
        );
        assert_eq!(
            PruneFilter::parse("until=1704164645", now).unwrap(),
            PruneFilter::Until(t("2024-01-02T03:04:05Z"))
        );
        assert_eq!(
            PruneFilter::parse("until=1704164645.5", now).unwrap(),
            PruneFilter::Until(t("2024-01-02T03:04:05.5Z"))
        );
        assert!(matches!(
            PruneFilter::parse("until=2024-01-02", now).unwrap(),
            PruneFilter::Until(_)
        ));
    }

    #[test]
    fn bad_prune_filters_name_the_filter_and_the_accepted_forms() {
        for bad in [
            "until=yesterday",
            "until=1d",
            "until=",
            "dangling=true",
            "label",
            "label=",
            "until!=1h",
        ] {
            let err = PruneFilter::parse(bad, Utc::now()).unwrap_err().to_string();
            assert!(err.contains(&format!("{bad:?}")), "{err}");
            assert!(err.contains("until=TIMESTAMP|DURATION"), "{err}");
        }
    }

    #[test]
    fn label_filters_match_key_or_key_and_value_and_negate() {
        let labels: serde_json::Map<String, Value> =
            serde_json::from_str(r#"{"a": "1", "b": "2"}"#).unwrap();
        let now = Utc::now();
        let admits = |f: &str| PruneFilter::parse(f, now).unwrap().admits(now, &labels);
        assert!(admits("label=a"));
        assert!(admits("label=a=1"));
        assert!(!admits("label=a=2"));
        assert!(!admits("label=c"));
        assert!(!admits("label!=a"));
        assert!(admits("label!=a=2"));
        assert!(admits("label!=c"));
    }

    #[test]
    fn until_admits_only_images_created_before_it() {
        let f = PruneFilter::Until(t("2024-01-02T00:00:00Z"));
        let none = serde_json::Map::new();
        assert!(f.admits(t("2024-01-01T00:00:00Z"), &none));
        assert!(!f.admits(t("2024-01-03T00:00:00Z"), &none));
    }

    fn config_with(history: &[(&str, bool)]) -> ImageConfig {
        ImageConfig {
            created: Some("2024-01-02T03:04:05Z".into()),
            history: history
                .iter()
                .map(|(by, empty)| crate::image::manifest::History {
                    created: Some("2024-01-01T00:00:00Z".into()),
                    created_by: Some(by.to_string()),
                    empty_layer: empty.then_some(true),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    fn with_layers(sizes: &[u64]) -> ImageRecord {
        let mut r = rec(&"c".repeat(64), &["r/x:1"]);
        r.layers = sizes
            .iter()
            .enumerate()
            .map(|(i, s)| crate::store::LayerRef {
                chain_id: format!("sha256:{i}"),
                diff_id: format!("sha256:{i}"),
                digest: format!("sha256:{i}"),
                size: 0,
                media_type: String::new(),
                unpacked_size: *s,
            })
            .collect();
        r
    }

    #[test]
    fn history_is_newest_first_with_empty_layers_at_zero_and_the_id_on_top() {
        let record = with_layers(&[100, 20]);
        let rows = history_of(
            &record,
            &config_with(&[
                ("ADD base", false),
                ("ENV x", true),
                ("RUN y", false),
                ("CMD z", true),
            ]),
        );
        let got: Vec<(&str, u64)> = rows
            .iter()
            .map(|r| (r.created_by.as_str(), r.size))
            .collect();
        assert_eq!(
            got,
            [("CMD z", 0), ("RUN y", 20), ("ENV x", 0), ("ADD base", 100)]
        );
        assert_eq!(rows[0].id.as_deref(), Some(record.id.as_str()));
        assert_eq!(rows[0].tags, ["r/x:1"]);
        assert!(rows[1..]
            .iter()
            .all(|r| r.id.is_none() && r.tags.is_empty()));
    }

    #[test]
    fn history_without_entries_has_one_row_per_layer() {
        let rows = history_of(&with_layers(&[1, 2, 3]), &config_with(&[]));
        let sizes: Vec<u64> = rows.iter().map(|r| r.size).collect();
        assert_eq!(sizes, [3, 2, 1]);
        assert!(rows
            .iter()
            .all(|r| r.created == Some(t("2024-01-02T03:04:05Z"))));
    }

    #[test]
    fn name_split_keeps_registry_port() {
        assert_eq!(
            split_name("127.0.0.1:5000/a/b:t"),
            ("127.0.0.1:5000/a/b".into(), "t".into())
        );
        assert_eq!(
            split_name("127.0.0.1:5000/a"),
            ("127.0.0.1:5000/a".into(), "latest".into())
        );
    }
}
