//! `berth inspect` (containers, then images, as docker resolves a name) and
//! `berth image inspect` (images only).

use clap::{Args, ValueEnum};

use crate::cli::container::inspect::print_found;
use crate::engine::{Engine, EngineError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ObjectType {
    Container,
    Image,
    All,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Objects to inspect: containers (name, ID) or images (name, name:tag, name@digest, ID)
    #[arg(value_name = "NAME", required = true)]
    pub names: Vec<String>,
    /// Format the output with a Go template
    #[arg(short, long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Display total file sizes of containers (SizeRw, SizeRootFs)
    #[arg(short, long)]
    pub size: bool,
    /// Only look for objects of this type
    #[arg(long = "type", value_name = "TYPE", value_enum)]
    pub kind: Option<ObjectType>,
}

/// One object's document: a container's if `name` is one (and containers are wanted), else an
/// image's.
fn inspect_one(
    engine: &Engine,
    name: &str,
    kind: ObjectType,
    size: bool,
) -> anyhow::Result<serde_json::Value> {
    if kind != ObjectType::Image {
        match engine.find_container(name) {
            Ok(c) => return Ok(engine.inspect_container(&c, size)?),
            Err(EngineError::NoSuchContainer(_)) if kind == ObjectType::All => {}
            Err(e) => return Err(e.into()),
        }
    }
    match engine.inspect_image(name) {
        Ok(doc) => Ok(doc),
        Err(EngineError::ImageNotKnown(_)) if kind == ObjectType::All => {
            Err(EngineError::Invalid(format!("no such object: {name}")).into())
        }
        Err(e) => Err(e.into()),
    }
}

fn inspect_all(args: &InspectArgs, engine: &Engine, kind: ObjectType) -> anyhow::Result<()> {
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for name in &args.names {
        match inspect_one(engine, name, kind, args.size) {
            Ok(d) => docs.push(d),
            Err(e) => errors.push(e),
        }
    }
    print_found(args.format.as_deref(), &docs, errors)
}

/// `berth inspect`: containers first, then images, unless --type says which.
pub fn run(args: &InspectArgs, engine: &Engine) -> anyhow::Result<()> {
    inspect_all(args, engine, args.kind.unwrap_or(ObjectType::All))
}

/// `berth image inspect`: images only.
pub fn run_image(args: &InspectArgs, engine: &Engine) -> anyhow::Result<()> {
    if let Some(kind @ (ObjectType::Container | ObjectType::All)) = args.kind {
        anyhow::bail!(
            "`berth image inspect` only inspects images, not --type {}: use `berth inspect --type {}`",
            kind.to_possible_value().expect("no skipped variants").get_name(),
            kind.to_possible_value().expect("no skipped variants").get_name()
        );
    }
    inspect_all(args, engine, ObjectType::Image)
}
