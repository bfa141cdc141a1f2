//! `commit`: a container's writable layer becomes a new layer on top of its image, with a new
//! image config (the container's command, env, ... plus `--change`) and a history entry.

use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::path::Path;

use chrono::Utc;

use super::diff::{walk_upper, UpperEntry};
use crate::engine::import::{apply_change, ImportError};
use crate::engine::ingest::LayerSource;
use crate::engine::{Engine, EngineError};
use crate::image::manifest::{History, ImageConfig};
use crate::image::reference::Reference;
use crate::store::containers::Status;
use crate::store::ImageRecord;

#[derive(Debug, Clone, Default)]
pub struct CommitOptions {
    pub container: String,
    pub reference: Option<String>,
    pub message: Option<String>,
    pub author: Option<String>,
    pub changes: Vec<String>,
    /// `-p`: freeze a running container while its filesystem is read, so the layer is one
    /// consistent moment (docker's default). Needs the container's own cgroup (berth makes
    /// one for root's containers); without one the layer is read as it is.
    pub pause: bool,
    /// `--squash`: the image's layers and the container's changes as one layer.
    pub squash: bool,
}

/// Write the upper dir as an OCI layer tar: overlay whiteouts become `.wh.` entries, opaque
/// directories get a `.wh..wh..opq` entry.
pub fn tar_upper(upper: &Path, out: &mut File) -> std::io::Result<()> {
    let mut b = tar::Builder::new(out);
    b.follow_symlinks(false);
    for entry in walk_upper(upper)? {
        match entry {
            UpperEntry::Whiteout { rel } => {
                let name = rel.file_name().map(|n| n.to_string_lossy().into_owned());
                let path = rel
                    .parent()
                    .unwrap_or(Path::new(""))
                    .join(format!(".wh.{}", name.unwrap_or_default()));
                empty_file(&mut b, &path)?;
            }
            UpperEntry::Present { rel, opaque } => {
                b.append_path_with_name(upper.join(&rel), &rel)?;
                if opaque {
                    empty_file(&mut b, &rel.join(".wh..wh..opq"))?;
                }
            }
        }
    }
    b.finish()
}

fn empty_file<W: std::io::Write>(b: &mut tar::Builder<W>, path: &Path) -> std::io::Result<()> {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_size(0);
    h.set_mode(0o644);
    h.set_mtime(0);
    h.set_uid(0);
    h.set_gid(0);
    b.append_data(&mut h, path, std::io::empty())
}

impl Engine {
    /// Commit a container to a new image (named when `opts.reference` says so).
    pub fn commit_container(&self, opts: &CommitOptions) -> Result<ImageRecord, ImportError> {
        let c = self.find_container(&opts.container)?;
        let image = self.find_image(&c.record.image_id)?;
        let mut config: ImageConfig = self.image_config(&image)?;

        // docker: the new image runs what the container ran, then --change on top.
        let mut cc = config.config.clone().unwrap_or_default();
        let rc = &c.record.config;
        if !rc.cmd.is_empty() {
            cc.cmd = Some(rc.cmd.clone());
        }
        if !rc.entrypoint.is_empty() {
            cc.entrypoint = Some(rc.entrypoint.clone());
        }
        if !rc.env.is_empty() {
            cc.env = Some(rc.env.clone());
        }
        if !rc.working_dir.is_empty() {
            cc.working_dir = Some(rc.working_dir.clone());
        }
        if !rc.user.is_empty() {
            cc.user = Some(rc.user.clone());
        }
        if !rc.labels.is_empty() {
            cc.labels = Some(rc.labels.clone());
        }
        for change in &opts.changes {
            apply_change(&mut cc, change)?;
        }
        let names = match &opts.reference {
            Some(r) => {
                let parsed = Reference::parse(r)?;
                if parsed.digest.is_some() {
                    return Err(ImportError::DigestInName { name: r.clone() });
                }
                vec![parsed.to_string()]
            }
            None => vec![],
        };

        let io = |context: String| {
            move |source| EngineError::Io {
                context: context.clone(),
                source,
            }
        };
        let what = format!("the writable layer of container {}", c.record.name);
        // The tar goes to a file first: the walk reads the upper dir without holding the
        // store's ingest guard, and the ingest reads a finished stream.
        let work = self.store.temp_dir("commit")?;
        let tar_path = work.path().join("layer.tar");
        let mut tmp = File::options()
            .create_new(true)
            .read(true)
            .write(true)
            .open(&tar_path)
            .map_err(io(format!("creating {}", tar_path.display())))?;
        let freeze = opts.pause && c.state.status == Status::Running && c.state.cgroups.is_some();
        if freeze {
            self.pause_container(&c)?;
        }
        let written = if opts.squash {
            // The merged filesystem, as `export` writes it: every layer and the changes.
            self.export_container(&c.record.id, &tmp)
        } else {
            self.writable_layer(&c).and_then(|(upper, _)| {
                tar_upper(&upper, &mut tmp).map_err(io(format!("reading {what}")))
            })
        };
        if freeze {
            let now = self.find_container(&c.record.id)?;
            self.unpause_container(&now)?;
        }
        written?;
        tmp.seek(SeekFrom::Start(0))
            .map_err(io(format!("reading {what}")))?;

        let mut ingest = self.ingest()?;
        let parent = if opts.squash {
            None
        } else {
            image.layers.last().map(|l| l.chain_id.clone())
        };
        let layer = ingest.layer(
            LayerSource::Stream(Box::new(tmp)),
            parent.as_deref(),
            None,
            &what,
        )?;

        let created = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
        config.config = Some(cc);
        config.created = Some(created.clone());
        if opts.author.is_some() {
            config.author = opts.author.clone();
        }
        let mut layers = image.layers.clone();
        if opts.squash {
            // The old steps stay in the history, marked as adding no layer of their own: the
            // one layer now holds what they added.
            for h in &mut config.history {
                h.empty_layer = Some(true);
            }
            config.rootfs.diff_ids.clear();
            layers.clear();
        }
        config.rootfs.diff_ids.push(layer.diff_id.clone());
        config.history.push(History {
            created: Some(created),
            created_by: Some(rc.args.join(" ")),
            comment: opts.message.clone(),
            author: opts.author.clone(),
            ..Default::default()
        });
        layers.push(layer);
        let bytes = serde_json::to_vec(&config).expect("image config serializes");
        let record = ingest.register(&bytes, layers, None, names)?;
        ingest.finish();
        drop(work);
        self.emit_image(
            "commit",
            &record.id,
            record.names.first().unwrap_or(&record.id),
        );
        Ok(record)
    }
}
