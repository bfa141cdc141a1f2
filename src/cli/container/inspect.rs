//! `berth container inspect`

use clap::Args;

use crate::cli::output;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Format the output with a Go template
    #[arg(short, long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Display total file sizes (SizeRw, SizeRootFs)
    #[arg(short, long)]
    pub size: bool,
    /// The containers to inspect (name, ID or ID prefix)
    #[arg(value_name = "CONTAINER", required = true)]
    pub containers: Vec<String>,
}

/// Print the documents found, then fail for the names that were not: docker's order. One
/// failure is the command's error; several are printed one a line.
pub fn print_found(
    format: Option<&str>,
    docs: &[serde_json::Value],
    mut errors: Vec<anyhow::Error>,
) -> anyhow::Result<()> {
    if !docs.is_empty() || errors.is_empty() {
        out!("{}", output::render_inspect(format, docs)?);
    }
    match errors.len() {
        0 => Ok(()),
        1 => Err(errors.remove(0)),
        _ => {
            for e in errors {
                eprintln!("Error: {e}");
            }
            Err(crate::cli::Reported.into())
        }
    }
}

pub fn run(args: &InspectArgs, engine: &Engine) -> anyhow::Result<()> {
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for name in &args.containers {
        match engine
            .find_container(name)
            .and_then(|c| engine.inspect_container(&c, args.size))
        {
            Ok(d) => docs.push(d),
            Err(e) => errors.push(e.into()),
        }
    }
    print_found(args.format.as_deref(), &docs, errors)
}
