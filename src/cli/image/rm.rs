//! `berth rmi` / `berth image rm`

use clap::Args;

use crate::engine::image::Removal;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct RmArgs {
    /// Images to remove
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
    /// Remove the image even if it has several names
    #[arg(short, long)]
    pub force: bool,
}

pub fn run(args: &RmArgs, engine: &Engine) -> anyhow::Result<()> {
    let mut first_error = None;
    for name in &args.images {
        match engine.remove_image(name, args.force) {
            Ok(done) => {
                for r in done {
                    match r {
                        Removal::Untagged(n) => outln!("Untagged: {n}"),
                        Removal::Deleted(id) => outln!("Deleted: {id}"),
                    }
                }
            }
            Err(e) => {
                eprintln!("Error: {e}");
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(_) => Err(crate::cli::Reported.into()),
        None => Ok(()),
    }
}
