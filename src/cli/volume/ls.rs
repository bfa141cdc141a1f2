//! `berth volume ls`

use clap::Args;
use serde_json::{json, Value};

use crate::cli::output::render_rows;
use crate::engine::volume::VolumeFilter;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct LsArgs {
    /// Only display volume names
    #[arg(short, long)]
    pub quiet: bool,
    /// Filter output (name=NAME, label=KEY[=VALUE], label!=KEY[=VALUE], dangling=true|false, driver=local)
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Format output using a Go template, `table`, `table TEMPLATE` or `json`
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
}

const DEFAULT_TABLE: &str = "table {{.Driver}}\t{{.Name}}";

pub fn run(args: &LsArgs, engine: &Engine) -> anyhow::Result<()> {
    let filters = args
        .filter
        .iter()
        .map(|f| VolumeFilter::parse(f))
        .collect::<Result<Vec<_>, _>>()?;
    let volumes = engine.list_volumes(&filters)?;
    super::warn_damaged(&volumes);
    if args.quiet {
        let mut out = String::new();
        for v in &volumes {
            out.push_str(&v.name);
            out.push('\n');
        }
        out!("{out}");
        return Ok(());
    }
    let rows: Vec<Value> = volumes
        .iter()
        .map(|v| {
            let mut row = engine.inspect_volume(v);
            // docker's list rows: Labels as "k=v,k2=v2", plus Scope and Mountpoint.
            let labels = v
                .labels
                .iter()
                .map(|(k, val)| format!("{k}={val}"))
                .collect::<Vec<_>>()
                .join(",");
            row["Labels"] = json!(labels);
            row
        })
        .collect();
    let format = args.format.as_deref().unwrap_or(DEFAULT_TABLE);
    let text = render_rows(
        format,
        &rows,
        &[("Driver", "DRIVER"), ("Name", "VOLUME NAME")],
    )?;
    out!("{text}");
    Ok(())
}
