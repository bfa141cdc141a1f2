//! `berth images` / `berth image ls`

use clap::Args;
use serde_json::{json, Value};

use crate::cli::output;
use crate::engine::image::ImageSummary;
use crate::engine::{Engine, EngineError};

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only show images whose repository matches (e.g. busybox, 'docker.io/library/*')
    #[arg(value_name = "REPOSITORY[:TAG]")]
    pub reference: Option<String>,
    /// Show all images (by default intermediate images are hidden)
    #[arg(short, long)]
    pub all: bool,
    /// Only show image IDs
    #[arg(short, long)]
    pub quiet: bool,
    /// Show digests
    #[arg(long)]
    pub digests: bool,
    /// Don't truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Filter output (reference=, dangling=true|false, label=KEY[=VALUE], before=IMAGE, since=IMAGE)
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Format output with a Go template, "table TEMPLATE" or "json"
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Don't print the table header
    #[arg(short = 'n', long)]
    pub noheading: bool,
}

const HEADERS: &[(&str, &str)] = &[
    ("ID", "IMAGE ID"),
    ("Id", "IMAGE ID"),
    ("CreatedSince", "CREATED"),
    ("CreatedAt", "CREATED AT"),
    ("Size", "SIZE"),
    ("Repository", "REPOSITORY"),
    ("Tag", "TAG"),
    ("Digest", "DIGEST"),
];

enum Filter {
    Reference(glob::Pattern),
    Dangling(bool),
    Label(String, Option<String>),
    Before(chrono::DateTime<chrono::Utc>),
    Since(chrono::DateTime<chrono::Utc>),
}

fn parse_filter(engine: &Engine, f: &str) -> anyhow::Result<Filter> {
    let bad = || EngineError::BadFilter(f.to_string());
    let (k, v) = f.split_once('=').ok_or_else(bad)?;
    Ok(match k {
        "reference" => Filter::Reference(glob::Pattern::new(v).map_err(|_| bad())?),
        "dangling" => Filter::Dangling(v.parse().map_err(|_| bad())?),
        "label" => match v.split_once('=') {
            Some((k, v)) => Filter::Label(k.into(), Some(v.into())),
            None => Filter::Label(v.into(), None),
        },
        "before" | "since" => {
            let img = engine.find_image(v)?;
            let t = img.created.unwrap_or(img.added);
            if k == "before" {
                Filter::Before(t)
            } else {
                Filter::Since(t)
            }
        }
        _ => return Err(bad().into()),
    })
}

fn reference_matches(p: &glob::Pattern, row: &ImageSummary) -> bool {
    let full = format!("{}:{}", row.repository, row.tag);
    let bare = row.repository.as_str();
    let familiar = bare
        .strip_prefix("docker.io/library/")
        .or_else(|| bare.strip_prefix("docker.io/"))
        .unwrap_or(bare);
    let no_registry = crate::image::reference::strip_registry(bare);
    [
        full.as_str(),
        bare,
        familiar,
        no_registry,
        &format!("{familiar}:{}", row.tag),
        &format!("{no_registry}:{}", row.tag),
    ]
    .iter()
    .any(|c| p.matches(c))
}

fn keep(filter: &Filter, row: &ImageSummary) -> bool {
    let created = row.record.created.unwrap_or(row.record.added);
    match filter {
        Filter::Reference(p) => reference_matches(p, row),
        Filter::Dangling(d) => row.record.names.is_empty() == *d,
        Filter::Label(k, v) => match (row.labels.get(k), v) {
            (Some(_), None) => true,
            (Some(Value::String(have)), Some(want)) => have == want,
            _ => false,
        },
        Filter::Before(t) => created < *t,
        Filter::Since(t) => created > *t,
    }
}

pub fn run(args: &ListArgs, engine: &Engine) -> anyhow::Result<()> {
    let mut filters = Vec::new();
    for f in &args.filter {
        filters.push(parse_filter(engine, f)?);
    }
    if let Some(r) = &args.reference {
        let pattern = if r.contains(':') {
            r.clone()
        } else {
            format!("{r}:*")
        };
        filters.push(Filter::Reference(
            glob::Pattern::new(&pattern).map_err(|_| EngineError::BadFilter(r.clone()))?,
        ));
    }
    let rows: Vec<ImageSummary> = engine
        .list_images()?
        .into_iter()
        .filter(|row| filters.iter().all(|f| keep(f, row)))
        .collect();

    if args.quiet && args.format.is_none() {
        let mut seen = std::collections::HashSet::new();
        for row in &rows {
            if seen.insert(row.record.id.clone()) {
                outln!(
                    "{}",
                    if args.no_trunc {
                        format!("sha256:{}", row.record.id)
                    } else {
                        row.record.id[..12].to_string()
                    }
                );
            }
        }
        return Ok(());
    }
    let values: Vec<Value> = rows.iter().map(|r| to_value(r, args.no_trunc)).collect();
    let default = if args.digests {
        "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
    } else {
        "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
    };
    let format = match args.format.as_deref().map(str::trim) {
        None | Some("table") => default.to_string(),
        Some(f) => f.to_string(),
    };
    let rendered = output::render_rows(&format, &values, HEADERS)?;
    if args.noheading && format.starts_with("table") {
        // Drop the header but keep the alignment computed with it.
        out!(
            "{}",
            rendered
                .split_once('\n')
                .map(|(_, rest)| rest)
                .unwrap_or("")
        );
    } else {
        out!("{rendered}");
    }
    Ok(())
}

fn to_value(row: &ImageSummary, no_trunc: bool) -> Value {
    let rec = &row.record;
    let created = rec.created.unwrap_or(rec.added);
    let id = if no_trunc {
        format!("sha256:{}", rec.id)
    } else {
        rec.id[..12].to_string()
    };
    json!({
        "ID": id,
        "Id": rec.id,
        "Repository": row.repository,
        "Tag": row.tag,
        "Digest": row.digest,
        "Digests": rec.digests,
        "Names": rec.names,
        "CreatedSince": output::human_duration_since(created),
        "CreatedAt": created.format("%Y-%m-%d %H:%M:%S %z UTC").to_string(),
        "Created": created.timestamp(),
        "Size": output::human_size(rec.size),
        "VirtualSize": output::human_size(rec.size),
        "Dangling": rec.names.is_empty(),
        "Labels": row.labels,
        "Containers": 0,
    })
}
