//! `berth wait`

use clap::Args;

use crate::engine::container::wait::WaitCondition;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct WaitArgs {
    /// Condition to wait for: not-running (default; also stopped, exited), next-exit, removed,
    /// running
    #[arg(long, value_name = "CONDITION", default_value = "not-running")]
    pub condition: String,
    /// The containers to wait for
    #[arg(value_name = "CONTAINER", required = true)]
    pub containers: Vec<String>,
}

pub fn run(args: &WaitArgs, engine: &Engine) -> anyhow::Result<()> {
    let condition: WaitCondition = args.condition.parse()?;
    let mut errors = Vec::new();
    for name in &args.containers {
        match engine
            .find_container(name)
            .and_then(|c| engine.wait_container(&c, condition))
        {
            Ok(code) => outln!("{code}"),
            Err(e) => errors.push(e),
        }
    }
    // One failure is the command's error; several are each printed, then it fails.
    match errors.len() {
        0 => Ok(()),
        1 => Err(errors.remove(0).into()),
        _ => {
            for e in errors {
                eprintln!("Error: {e}");
            }
            Err(crate::cli::Reported.into())
        }
    }
}
