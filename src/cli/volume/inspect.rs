//! `berth volume inspect`

use clap::Args;

use crate::cli::output::render_inspect;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Volumes to inspect
    #[arg(value_name = "VOLUME", required_unless_present = "all")]
    pub volumes: Vec<String>,
    /// Inspect all volumes
    #[arg(short, long)]
    pub all: bool,
    /// Format output using a Go template or `json`
    #[arg(short, long, value_name = "FORMAT")]
    pub format: Option<String>,
}

pub fn run(args: &InspectArgs, engine: &Engine) -> anyhow::Result<()> {
    let records = if args.all {
        let all = engine.list_volumes(&[])?;
        super::warn_damaged(&all);
        all.into_iter().filter(|v| v.damaged.is_none()).collect()
    } else {
        args.volumes
            .iter()
            .map(|n| engine.find_volume(n))
            .collect::<Result<Vec<_>, _>>()?
    };
    let objects: Vec<_> = records.iter().map(|v| engine.inspect_volume(v)).collect();
    out!("{}", render_inspect(args.format.as_deref(), &objects)?);
    Ok(())
}
