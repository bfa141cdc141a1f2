//! `berth network ls`

use clap::Args;
use serde_json::{json, Value};

use crate::cli::output::render_rows;
use crate::engine::network::NetworkFilter;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct LsArgs {
    /// Only display network IDs
    #[arg(short, long)]
    pub quiet: bool,
    /// Filter output (name=NAME, id=ID, driver=bridge, label=KEY[=VALUE], label!=KEY[=VALUE])
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Format output using a Go template, `table`, `table TEMPLATE` or `json`
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Do not truncate the network IDs
    #[arg(long)]
    pub no_trunc: bool,
}

const DEFAULT_TABLE: &str = "table {{.ID}}\t{{.Name}}\t{{.Driver}}";

pub fn run(args: &LsArgs, engine: &Engine) -> anyhow::Result<()> {
    let filters = args
        .filter
        .iter()
        .map(|f| NetworkFilter::parse(f))
        .collect::<Result<Vec<_>, _>>()?;
    let nets = engine.list_networks(&filters)?;
    for n in nets.iter() {
        if let Some(why) = &n.damaged {
            eprintln!("Warning: network {}: {why}", n.name);
        }
    }
    let short = |id: &str| {
        if args.no_trunc {
            id.to_string()
        } else {
            id[..12.min(id.len())].to_string()
        }
    };
    if args.quiet {
        let out: String = nets
            .iter()
            .filter(|n| n.damaged.is_none())
            .map(|n| format!("{}\n", short(&n.id)))
            .collect();
        out!("{out}");
        return Ok(());
    }
    let rows: Vec<Value> = nets
        .iter()
        .map(|n| {
            let mut row = engine.inspect_network(n);
            row["ID"] = json!(short(&n.id));
            row["Labels"] = json!(n
                .labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(","));
            row["Subnets"] = json!(n.subnet);
            row
        })
        .collect();
    let format = args.format.as_deref().unwrap_or(DEFAULT_TABLE);
    let text = render_rows(
        format,
        &rows,
        &[("ID", "NETWORK ID"), ("Name", "NAME"), ("Driver", "DRIVER")],
    )?;
    out!("{text}");
    Ok(())
}
