//! `berth system df`

use clap::Args;
use serde_json::{json, Value};

use crate::cli::output;
use crate::cli::output::human_size_4;
use crate::engine::usage::DiskUsage;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct DfArgs {
    /// Show detailed information on space usage
    #[arg(short, long)]
    pub verbose: bool,
    /// Format output with a Go template, "table TEMPLATE" or "json" (with -v: only json)
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
}

const SUMMARY: &str = "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}";
const SUMMARY_HEADERS: &[(&str, &str)] = &[
    ("Type", "TYPE"),
    ("TotalCount", "TOTAL"),
    ("Active", "ACTIVE"),
    ("Size", "SIZE"),
    ("Reclaimable", "RECLAIMABLE"),
];

const IMAGES: &str = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}";
const IMAGE_HEADERS: &[(&str, &str)] = &[
    ("Repository", "REPOSITORY"),
    ("Tag", "TAG"),
    ("ID", "IMAGE ID"),
    ("CreatedSince", "CREATED"),
    ("Size", "SIZE"),
    ("SharedSize", "SHARED SIZE"),
    ("UniqueSize", "UNIQUE SIZE"),
    ("Containers", "CONTAINERS"),
];
const CONTAINERS: &str = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}";
const CONTAINER_HEADERS: &[(&str, &str)] = &[
    ("ID", "CONTAINER ID"),
    ("Image", "IMAGE"),
    ("Command", "COMMAND"),
    ("LocalVolumes", "LOCAL VOLUMES"),
    ("Size", "SIZE"),
    ("RunningFor", "CREATED"),
    ("Status", "STATUS"),
    ("Names", "NAMES"),
];
const VOLUMES: &str = "table {{.Name}}\t{{.Links}}\t{{.Size}}";
const VOLUME_HEADERS: &[(&str, &str)] = &[
    ("Name", "VOLUME NAME"),
    ("Links", "LINKS"),
    ("Size", "SIZE"),
];
const CACHE: &str = "table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}";
const CACHE_HEADERS: &[(&str, &str)] = &[
    ("ID", "CACHE ID"),
    ("CacheType", "CACHE TYPE"),
    ("Size", "SIZE"),
    ("CreatedSince", "CREATED"),
    ("LastUsedSince", "LAST USED"),
    ("UsageCount", "USAGE"),
    ("Shared", "SHARED"),
];

/// docker's RECLAIMABLE cell: the size, and its share of the total as a whole percentage.
fn reclaimable(part: u64, total: u64) -> String {
    match (part * 100).checked_div(total) {
        Some(percent) => format!("{} ({percent}%)", human_size_4(part)),
        None => human_size_4(part),
    }
}

fn summary_rows(du: &DiskUsage) -> Vec<Value> {
    let container_size: u64 = du.containers.iter().map(|c| c.size).sum();
    let stopped_size: u64 = du
        .containers
        .iter()
        .filter(|c| !c.running)
        .map(|c| c.size)
        .sum();
    let volume_size: u64 = du.volumes.iter().map(|v| v.size).sum();
    let unused_volume_size: u64 = du
        .volumes
        .iter()
        .filter(|v| v.links == 0)
        .map(|v| v.size)
        .sum();
    let cache_size: u64 = du
        .build_cache
        .iter()
        .filter(|b| !b.shared)
        .map(|b| b.size)
        .sum();
    let cache_free: u64 = du
        .build_cache
        .iter()
        .filter(|b| !b.shared && !b.in_use)
        .map(|b| b.size)
        .sum();
    vec![
        json!({
            "Type": "Images",
            "TotalCount": du.image_count,
            "Active": du.active_images,
            "Size": human_size_4(du.layers_size),
            "Reclaimable": reclaimable(du.reclaimable_images, du.layers_size),
        }),
        json!({
            "Type": "Containers",
            "TotalCount": du.containers.len(),
            "Active": du.containers.iter().filter(|c| c.running).count(),
            "Size": human_size_4(container_size),
            "Reclaimable": reclaimable(stopped_size, container_size),
        }),
        json!({
            "Type": "Local Volumes",
            "TotalCount": du.volumes.len(),
            "Active": du.volumes.iter().filter(|v| v.links > 0).count(),
            "Size": human_size_4(volume_size),
            "Reclaimable": reclaimable(unused_volume_size, volume_size),
        }),
        json!({
            "Type": "Build Cache",
            "TotalCount": du.build_cache.len(),
            "Active": du.build_cache.iter().filter(|b| b.in_use).count(),
            "Size": human_size_4(cache_size),
            "Reclaimable": human_size_4(cache_free),
        }),
    ]
}

struct Verbose {
    images: Vec<Value>,
    containers: Vec<Value>,
    volumes: Vec<Value>,
    build_cache: Vec<Value>,
}

fn verbose_rows(du: &DiskUsage) -> Verbose {
    let images = du
        .images
        .iter()
        .map(|i| {
            let rec = &i.summary.record;
            json!({
                "Repository": i.summary.repository,
                "Tag": i.summary.tag,
                "ID": rec.id[..12.min(rec.id.len())],
                "CreatedSince": output::human_duration_since(rec.created.unwrap_or(rec.added)),
                "Size": output::human_size(rec.size),
                "SharedSize": output::human_size(i.shared_size),
                "UniqueSize": output::human_size(i.unique_size),
                "Containers": i.containers,
            })
        })
        .collect();
    let containers = du
        .containers
        .iter()
        .map(|c| {
            json!({
                "ID": c.id[..12.min(c.id.len())],
                "Image": c.image,
                "Command": format!("\"{}\"", c.command),
                "LocalVolumes": c.local_volumes,
                "Size": human_size_4(c.size),
                "RunningFor": output::human_duration_since(c.created),
                "Status": c.status,
                "Names": c.names.join(","),
            })
        })
        .collect();
    let volumes = du
        .volumes
        .iter()
        .map(|v| json!({"Name": v.name, "Links": v.links, "Size": human_size_4(v.size)}))
        .collect();
    let build_cache = du
        .build_cache
        .iter()
        .map(|b| {
            json!({
                "ID": b.id,
                "CacheType": b.kind,
                "Size": human_size_4(b.size),
                "CreatedSince": output::human_duration_since(b.created),
                "LastUsedSince": b.last_used.map(output::human_duration_since).unwrap_or_default(),
                "UsageCount": b.usage_count,
                "Shared": b.shared,
            })
        })
        .collect();
    Verbose {
        images,
        containers,
        volumes,
        build_cache,
    }
}

fn table(format: &str, rows: &[Value], headers: &[(&str, &str)]) -> anyhow::Result<String> {
    Ok(output::render_rows(format, rows, headers)?
        .trim_end_matches('\n')
        .to_string())
}

pub fn run(args: &DfArgs, engine: &Engine) -> anyhow::Result<()> {
    let format = args.format.as_deref().map(str::trim);
    if args.verbose && !matches!(format, None | Some("table") | Some("json")) {
        anyhow::bail!("--verbose prints its own tables: drop --format, or use --format json");
    }
    let du = engine.disk_usage()?;
    if !args.verbose {
        let format = match format {
            None | Some("table") => SUMMARY,
            Some(f) => f,
        };
        out!(
            "{}",
            output::render_rows(format, &summary_rows(&du), SUMMARY_HEADERS)?
        );
        return Ok(());
    }
    let v = verbose_rows(&du);
    if format == Some("json") {
        let doc = json!({
            "Images": v.images,
            "Containers": v.containers,
            "Volumes": v.volumes,
            "BuildCache": v.build_cache,
        });
        outln!(
            "{}",
            output::render_inspect(Some("{{json .}}"), &[doc])?.trim_end()
        );
        return Ok(());
    }
    let cache_size: u64 = du
        .build_cache
        .iter()
        .filter(|b| !b.shared)
        .map(|b| b.size)
        .sum();
    outln!(
        "Images space usage:\n\n{}\n\nContainers space usage:\n\n{}\n\nLocal Volumes space usage:\n\n{}\n\nBuild cache usage: {}\n\n{}",
        table(IMAGES, &v.images, IMAGE_HEADERS)?,
        table(CONTAINERS, &v.containers, CONTAINER_HEADERS)?,
        table(VOLUMES, &v.volumes, VOLUME_HEADERS)?,
        human_size_4(cache_size),
        table(CACHE, &v.build_cache, CACHE_HEADERS)?,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reclaimable_shows_a_whole_percentage_only_when_there_is_a_total() {
        assert_eq!(reclaimable(7, 10), "7B (70%)");
        assert_eq!(reclaimable(2, 3), "2B (66%)");
        assert_eq!(reclaimable(0, 0), "0B");
    }
}
