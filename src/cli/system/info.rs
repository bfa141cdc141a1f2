//! `berth info` / `berth system info`

use clap::Args;

use crate::cli::output;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct InfoArgs {
    /// "json" or a Go template, e.g. '{{.Store.GraphDriverName}}'
    #[arg(short, long, value_name = "FORMAT")]
    pub format: Option<String>,
}

pub fn run(args: &InfoArgs, engine: &Engine) -> anyhow::Result<()> {
    let info = serde_json::to_value(engine.info()?)?;
    match args.format.as_deref() {
        Some("json") => outln!("{}", serde_json::to_string_pretty(&info)?),
        Some(t) => {
            // Templates name fields as podman's Go structs do ({{.Host.Rootless}}); lookups are
            // case-insensitive, so the camelCase document serves both.
            let tpl = output::Template::parse(t)?;
            outln!("{}", tpl.render(&info)?);
        }
        None => out!("{}", to_yaml(&info, 0)),
    }
    Ok(())
}

/// podman prints `info` as YAML; this renders the JSON document the same way.
fn to_yaml(v: &serde_json::Value, indent: usize) -> String {
    use serde_json::Value;
    let pad = " ".repeat(indent);
    let mut out = String::new();
    match v {
        Value::Object(map) => {
            for (k, val) in map {
                match val {
                    Value::Object(m) if !m.is_empty() => {
                        out += &format!("{pad}{k}:\n{}", to_yaml(val, indent + 2))
                    }
                    Value::Array(a) if !a.is_empty() => {
                        out += &format!("{pad}{k}:\n{}", to_yaml(val, indent))
                    }
                    _ => out += &format!("{pad}{k}: {}\n", scalar(val)),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                let inner = to_yaml(item, indent + 2);
                let inner = inner.trim_start();
                out += &format!("{pad}- {inner}");
                if !inner.ends_with('\n') {
                    out.push('\n');
                }
            }
        }
        other => out += &format!("{pad}{}\n", scalar(other)),
    }
    out
}

fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(_) => "[]".into(),
        serde_json::Value::Object(_) => "{}".into(),
        other => other.to_string(),
    }
}
