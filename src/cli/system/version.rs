//! `berth version`

use clap::Args;
use serde_json::json;

use crate::cli::output;

#[derive(Debug, Args)]
pub struct VersionArgs {
    /// "json" or a Go template, e.g. '{{.Client.Version}}'
    #[arg(short, long, value_name = "FORMAT")]
    pub format: Option<String>,
}

pub fn run(args: &VersionArgs) -> anyhow::Result<()> {
    let client = json!({
        "Version": env!("CARGO_PKG_VERSION"),
        "APIVersion": env!("CARGO_PKG_VERSION"),
        "GoVersion": "",
        "RustVersion": option_env!("BERTH_RUSTC_VERSION").unwrap_or("unknown"),
        "GitCommit": option_env!("BERTH_GIT_COMMIT").unwrap_or(""),
        "Built": 0,
        "BuiltTime": "",
        "OsArch": format!("{}/{}", std::env::consts::OS, crate::image::manifest::Platform::host().architecture),
        "Os": std::env::consts::OS,
    });
    let doc = json!({ "Client": client });
    match args.format.as_deref() {
        Some("json") => outln!("{}", serde_json::to_string_pretty(&doc)?),
        Some(t) => outln!("{}", output::Template::parse(t)?.render(&doc)?),
        None => {
            outln!("Client:");
            outln!("  Version:    {}", env!("CARGO_PKG_VERSION"));
            outln!(
                "  OS/Arch:    {}",
                client["OsArch"].as_str().unwrap_or_default()
            );
        }
    }
    Ok(())
}
