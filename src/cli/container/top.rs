//! `berth top`

use clap::Args;

use crate::cli::output::align_columns;
use crate::engine::Engine;

#[derive(Debug, Args)]
#[command(trailing_var_arg = true)]
pub struct TopArgs {
    /// The running container
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    /// Columns: podman's descriptors (user pid ppid pcpu etime tty time args comm group nice vsz
    /// rss …, or comma lists) or ps options (-o LIST, -eo LIST, -ef, aux)
    #[arg(value_name = "PS_OPTIONS", allow_hyphen_values = true)]
    pub options: Vec<String>,
}

pub fn run(args: &TopArgs, engine: &Engine) -> anyhow::Result<()> {
    let c = engine.find_container(&args.container)?;
    let table = engine.container_top(&c, &args.options)?;
    let mut text = table.headers.join("\t");
    text.push('\n');
    for row in &table.rows {
        text.push_str(&row.join("\t"));
        text.push('\n');
    }
    out!("{}", align_columns(&text));
    Ok(())
}
