//! `berth inspect` / `berth image inspect`

use clap::Args;

use crate::cli::output;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Images to inspect (name, name:tag, name@digest or ID)
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
    /// Format the output with a Go template
    #[arg(short, long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Only images (accepted for docker compatibility; berth inspects images here)
    #[arg(long = "type", value_name = "TYPE", hide = true)]
    pub kind: Option<String>,
}

pub fn run(args: &InspectArgs, engine: &Engine) -> anyhow::Result<()> {
    if let Some(kind) = &args.kind {
        if kind != "image" {
            anyhow::bail!("cannot inspect objects of type {kind:?}: only images exist so far (use --type image)");
        }
    }
    let mut docs = Vec::new();
    let mut first_error = None;
    for name in &args.images {
        match engine.inspect_image(name) {
            Ok(d) => docs.push(d),
            Err(e) => {
                if first_error.is_none() {
                    first_error = Some(e);
                }
            }
        }
    }
    // docker prints what it found, then fails for what it did not.
    if !docs.is_empty() || first_error.is_none() {
        print!("{}", output::render_inspect(args.format.as_deref(), &docs)?);
    }
    match first_error {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}
