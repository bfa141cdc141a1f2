//! `berth port`

use clap::Args;

use crate::engine::container::port::{format_mapping, parse_private_port, published_ports};
use crate::engine::{Engine, EngineError};

#[derive(Debug, Args)]
pub struct PortArgs {
    /// The container
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    /// Show only the host side of this container port
    #[arg(value_name = "PRIVATE_PORT[/PROTO]")]
    pub private: Option<String>,
}

pub fn run(args: &PortArgs, engine: &Engine) -> anyhow::Result<()> {
    let private = args
        .private
        .as_deref()
        .map(parse_private_port)
        .transpose()?;
    let c = engine.find_container(&args.container)?;
    let ports = published_ports(&c, private.as_ref());
    // docker: asking for one port that is not published is an error; listing none is not.
    if let (Some((port, proto)), true) = (&private, ports.is_empty()) {
        return Err(EngineError::Invalid(format!(
            "no public port '{port}/{proto}' published for {}: see `berth port {}` for the published ones",
            c.record.name, c.record.name
        ))
        .into());
    }
    for p in &ports {
        outln!("{}", format_mapping(p, private.is_none()));
    }
    Ok(())
}
