//! `berth commit`

use clap::Args;

use crate::engine::container::commit::CommitOptions;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct CommitArgs {
    /// The container to commit
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    /// Name for the new image
    #[arg(value_name = "IMAGE")]
    pub reference: Option<String>,
    /// Apply a Dockerfile instruction to the image config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL,
    /// STOPSIGNAL, USER, VOLUME, WORKDIR)
    #[arg(short, long = "change", value_name = "INSTRUCTION")]
    pub change: Vec<String>,
    /// Commit message (the history entry's comment)
    #[arg(short, long, value_name = "MESSAGE")]
    pub message: Option<String>,
    /// Author (e.g. "Jane Doe <jane@example.com>")
    #[arg(short, long, value_name = "AUTHOR")]
    pub author: Option<String>,
    /// Pause a running container while its filesystem is read (default true; a rootless
    /// container without its own cgroup cannot be frozen and is read as it is)
    #[arg(short, long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub pause: Option<bool>,
    /// Squash the image's layers and the container's changes into one layer
    #[arg(long)]
    pub squash: bool,
    /// Print only the image ID (berth prints nothing else anyway)
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(args: &CommitArgs, engine: &Engine) -> anyhow::Result<()> {
    let opts = CommitOptions {
        container: args.container.clone(),
        reference: args.reference.clone(),
        message: args.message.clone(),
        author: args.author.clone(),
        changes: args.change.clone(),
        pause: args.pause.unwrap_or(true),
        squash: args.squash,
    };
    if opts.pause {
        if let Ok(c) = engine.find_container(&opts.container) {
            if c.is_running() && c.state.cgroups.is_none() {
                eprintln!(
                    "WARN: container {} cannot be paused while it is committed: it has no freezer cgroup (rootless without a delegated cgroup v2); its files are read while it runs",
                    c.record.name
                );
            }
        }
    }
    let record = engine.commit_container(&opts)?;
    outln!("sha256:{}", record.id);
    Ok(())
}
