//! `berth history` / `berth image history`

use chrono::{DateTime, Local, SecondsFormat, Utc};
use clap::Args;
use serde_json::{json, Value};

use crate::cli::output;
use crate::engine::image::HistoryEntry;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The image (name, name:tag, name@digest or ID)
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// Print sizes and dates in human readable format (-H=false: bytes and RFC 3339 dates)
    #[arg(
        short = 'H',
        long,
        value_name = "BOOL",
        default_value_t = true,
        action = clap::ArgAction::Set,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true"
    )]
    pub human: bool,
    /// Don't truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Only show image IDs
    #[arg(short, long)]
    pub quiet: bool,
    /// Format output with a Go template, "table TEMPLATE" or "json"
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
}

const HEADERS: &[(&str, &str)] = &[
    ("ID", "IMAGE"),
    ("Created", "CREATED"),
    ("CreatedSince", "CREATED"),
    ("CreatedAt", "CREATED AT"),
    ("CreatedBy", "CREATED BY"),
    ("Size", "SIZE"),
    ("Comment", "COMMENT"),
    ("Tags", "TAGS"),
];

const DEFAULT: &str = "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";

/// Width of the CREATED BY column unless --no-trunc (docker's).
const CREATED_BY_WIDTH: usize = 45;

pub fn run(args: &HistoryArgs, engine: &Engine) -> anyhow::Result<()> {
    let rows = engine.image_history(&args.image)?;
    let values: Vec<Value> = rows
        .iter()
        .map(|r| to_value(r, args.human, args.no_trunc))
        .collect();
    let format = match (args.quiet, args.format.as_deref().map(str::trim)) {
        (true, _) => "{{.ID}}".to_string(),
        (false, None | Some("table")) => DEFAULT.to_string(),
        (false, Some(f)) => f.to_string(),
    };
    out!("{}", output::render_rows(&format, &values, HEADERS)?);
    Ok(())
}

/// docker's stringutils.Ellipsis: at most `width` characters, the last one "…" when cut.
fn ellipsis(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push('…');
    out
}

fn to_value(row: &HistoryEntry, human: bool, no_trunc: bool) -> Value {
    let id = match &row.id {
        Some(id) if no_trunc => format!("sha256:{id}"),
        Some(id) => id[..id.len().min(12)].to_string(),
        None => "<missing>".to_string(),
    };
    let rfc3339 = |t: DateTime<Utc>| {
        t.with_timezone(&Local)
            .to_rfc3339_opts(SecondsFormat::Secs, true)
    };
    let since = match row.created {
        Some(t) if human => output::human_duration_since(t),
        Some(t) => rfc3339(t),
        None => "N/A".to_string(),
    };
    let created_by = row.created_by.replace('\t', " ");
    let created_by = if no_trunc {
        created_by
    } else {
        ellipsis(&created_by, CREATED_BY_WIDTH)
    };
    json!({
        "ID": id,
        "Created": since,
        "CreatedSince": since,
        "CreatedAt": row.created.map(rfc3339).unwrap_or_else(|| "N/A".to_string()),
        "CreatedBy": created_by,
        "Size": if human { output::human_size(row.size) } else { row.size.to_string() },
        "Comment": row.comment,
        "Tags": row.tags.join(", "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_by_is_cut_to_45_characters_ending_in_an_ellipsis() {
        let long = "/bin/sh -c #(nop) ADD file:0123456789abcdef0123456789 in /";
        let cut = ellipsis(long, CREATED_BY_WIDTH);
        assert_eq!(cut.chars().count(), 45);
        assert!(cut.ends_with('…') && long.starts_with(cut.trim_end_matches('…')));
        assert_eq!(ellipsis("short", CREATED_BY_WIDTH), "short");
    }

    #[test]
    fn human_false_gives_bytes_and_rfc3339_dates() {
        let row = HistoryEntry {
            id: None,
            created: Some("2024-01-02T03:04:05Z".parse().unwrap()),
            created_by: "a\tb".into(),
            size: 1_234_567,
            comment: String::new(),
            tags: vec![],
        };
        let v = to_value(&row, false, false);
        assert_eq!(v["Size"], "1234567");
        assert_eq!(v["ID"], "<missing>");
        assert_eq!(v["CreatedBy"], "a b");
        let t = DateTime::parse_from_rfc3339(v["CreatedSince"].as_str().unwrap()).unwrap();
        assert_eq!(t.timestamp(), 1704164645);
        let v = to_value(&row, true, false);
        assert_eq!(v["Size"], "1.23MB");
        assert!(v["CreatedSince"].as_str().unwrap().ends_with(" ago"));
    }
}
