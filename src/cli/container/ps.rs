//! `berth ps` / `berth container ls`

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use clap::Args;
use serde_json::{json, Value};

use crate::cli::output;
use crate::engine::container::inspect::{docker_status, ContainerSize};
use crate::engine::container::prune::LabelFilter;
use crate::engine::container::Container;
use crate::engine::{Engine, EngineError};
use crate::store::containers::Status;

#[derive(Debug, Args)]
pub struct PsArgs {
    /// Show all containers (default shows just running)
    #[arg(short, long)]
    pub all: bool,
    /// Only display container IDs
    #[arg(short, long)]
    pub quiet: bool,
    /// Show the latest created container (includes all states)
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Show the N last created containers (includes all states; -1, docker's default, is all)
    #[arg(short = 'n', long = "last", value_name = "N")]
    pub last: Option<i64>,
    /// Don't truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Display total file sizes
    #[arg(short, long)]
    pub size: bool,
    /// Filter output (id=, name=, status=, label=KEY[=VALUE], ancestor=IMAGE, exited=CODE,
    /// before=CONTAINER, since=CONTAINER)
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Format output with a Go template, "table TEMPLATE" or "json"
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Don't print the table header
    #[arg(long)]
    pub noheading: bool,
}

const HEADERS: &[(&str, &str)] = &[
    ("ID", "CONTAINER ID"),
    ("Image", "IMAGE"),
    ("Command", "COMMAND"),
    ("CreatedAt", "CREATED AT"),
    ("RunningFor", "CREATED"),
    ("Ports", "PORTS"),
    ("State", "STATE"),
    ("Status", "STATUS"),
    ("Size", "SIZE"),
    ("Names", "NAMES"),
    ("Labels", "LABELS"),
    ("LabelMap", "LABEL"),
    ("Mounts", "MOUNTS"),
    ("Networks", "NETWORKS"),
    ("LocalVolumes", "LOCAL VOLUMES"),
];

/// docker's state names that `status=` accepts.
const STATES: &[&str] = &[
    "created",
    "restarting",
    "running",
    "removing",
    "paused",
    "exited",
    "dead",
];

enum Filter {
    Id(String),
    Name(String),
    Status(String),
    Label(LabelFilter),
    Ancestor(String),
    Exited(i32),
    Before(DateTime<Utc>),
    Since(DateTime<Utc>),
}

impl Filter {
    /// docker ORs filters with the same key and ANDs the keys.
    fn key(&self) -> &'static str {
        match self {
            Filter::Id(_) => "id",
            Filter::Name(_) => "name",
            Filter::Status(_) => "status",
            Filter::Label(_) => "label",
            Filter::Ancestor(_) => "ancestor",
            Filter::Exited(_) => "exited",
            Filter::Before(_) => "before",
            Filter::Since(_) => "since",
        }
    }
}

fn bad_filter(f: &str) -> EngineError {
    EngineError::Invalid(format!(
        "invalid filter {f:?}: use id=, name=, status=, label=KEY[=VALUE], ancestor=IMAGE, exited=CODE, before=CONTAINER or since=CONTAINER"
    ))
}

fn parse_filter(engine: &Engine, f: &str) -> anyhow::Result<Filter> {
    let (k, v) = f.split_once('=').ok_or_else(|| bad_filter(f))?;
    Ok(match k {
        "id" => Filter::Id(v.to_string()),
        "name" => Filter::Name(v.to_string()),
        "status" => {
            if !STATES.contains(&v) {
                return Err(EngineError::Invalid(format!(
                    "invalid filter {f:?}: status must be one of {}",
                    STATES.join(", ")
                ))
                .into());
            }
            Filter::Status(v.to_string())
        }
        "label" => Filter::Label(match v.split_once('=') {
            Some((k, v)) => LabelFilter {
                key: k.into(),
                value: Some(v.into()),
                negate: false,
            },
            None => LabelFilter {
                key: v.into(),
                value: None,
                negate: false,
            },
        }),
        "ancestor" => Filter::Ancestor(
            engine
                .find_image(v)
                .map(|i| i.id)
                .unwrap_or_else(|_| v.to_string()),
        ),
        "exited" => Filter::Exited(v.parse().map_err(|_| {
            EngineError::Invalid(format!("invalid filter {f:?}: exited takes an exit code"))
        })?),
        "before" => Filter::Before(engine.find_container(v)?.record.created),
        "since" => Filter::Since(engine.find_container(v)?.record.created),
        _ => return Err(bad_filter(f).into()),
    })
}

/// docker's name filter is an unanchored regular expression; berth matches a substring,
/// honouring `^` and `$` anchors, which covers how it is used.
fn name_matches(pattern: &str, name: &str) -> bool {
    let (start, p) = match pattern.strip_prefix('^') {
        Some(p) => (true, p),
        None => (false, pattern),
    };
    let (end, p) = match p.strip_suffix('$') {
        Some(p) => (true, p),
        None => (false, p),
    };
    match (start, end) {
        (true, true) => name == p,
        (true, false) => name.starts_with(p),
        (false, true) => name.ends_with(p),
        (false, false) => name.contains(p),
    }
}

fn keep(f: &Filter, c: &Container) -> bool {
    let r = &c.record;
    match f {
        Filter::Id(id) => r.id.starts_with(id.as_str()),
        Filter::Name(n) => name_matches(n, &r.name),
        Filter::Status(s) => docker_status(c.state.status) == s,
        Filter::Label(l) => l.matches(&r.config.labels),
        Filter::Ancestor(a) => {
            &r.image_id == a
                || &r.image_name == a
                || r.image_name.strip_suffix(":latest") == Some(a.as_str())
                || crate::image::reference::strip_registry(&r.image_name) == a
        }
        Filter::Exited(code) => c.state.status == Status::Exited && c.state.exit_code == *code,
        Filter::Before(t) => r.created < *t,
        Filter::Since(t) => r.created > *t,
    }
}

/// Go's strconv.Quote for the characters a command line holds.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// docker's Ellipsis: at most `width` display columns, the last one "…" when cut.
fn ellipsis(s: &str, width: usize) -> String {
    if output::display_width(s) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    for ch in s.chars() {
        let mut next = out.clone();
        next.push(ch);
        if output::display_width(&next) > width - 1 {
            break;
        }
        out = next;
    }
    out.push('…');
    out
}

/// docker's STATUS column.
fn status_text(c: &Container, now: DateTime<Utc>) -> String {
    if let Some(why) = &c.damaged {
        return format!("Damaged ({why})");
    }
    let s = &c.state;
    let since = |t: Option<DateTime<Utc>>| output::human_duration(now - t.unwrap_or(now));
    match s.status {
        Status::Created => "Created".to_string(),
        Status::Running => match &s.health {
            Some(h) if !h.status.is_empty() => {
                let shown = if h.status == "starting" {
                    "health: starting"
                } else {
                    h.status.as_str()
                };
                format!("Up {} ({shown})", since(s.started_at))
            }
            _ => format!("Up {}", since(s.started_at)),
        },
        Status::Paused => format!("Up {} (Paused)", since(s.started_at)),
        Status::Stopping => format!("Up {} (Stopping)", since(s.started_at)),
        Status::Restarting => format!("Restarting ({}) {} ago", s.exit_code, since(s.finished_at)),
        Status::Exited => match s.finished_at {
            Some(t) => format!(
                "Exited ({}) {} ago",
                s.exit_code,
                output::human_duration(now - t)
            ),
            None => format!("Exited ({})", s.exit_code),
        },
    }
}

fn to_value(c: &Container, no_trunc: bool, size: Option<ContainerSize>) -> Value {
    let r = &c.record;
    let now = Utc::now();
    let command = r.config.args.join(" ");
    let labels: &BTreeMap<String, String> = &r.config.labels;
    json!({
        "ID": if no_trunc { r.id.clone() } else { r.id[..12].to_string() },
        "Image": r.image_name,
        "ImageID": format!("sha256:{}", r.image_id),
        "Command": go_quote(&if no_trunc { command } else { ellipsis(&command, 20) }),
        "CreatedAt": r.created.format("%Y-%m-%d %H:%M:%S %z UTC").to_string(),
        "RunningFor": output::human_duration_since(r.created),
        "Ports": crate::engine::container::port::ps_ports(&r.config.ports),
        "State": docker_status(c.state.status),
        "Status": status_text(c, now),
        "Size": size.map(|s| format!(
            "{} (virtual {})",
            output::human_size(s.rw),
            output::human_size(s.root_fs)
        )).unwrap_or_default(),
        "Names": r.name,
        "Labels": labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","),
        "LabelMap": labels,
        "Mounts": "",
        "Networks": r.config.network,
        "LocalVolumes": "0",
    })
}

/// docker's `{{.Label "KEY"}}` is a method call, which templates over plain values cannot make;
/// it reads the same as indexing the label map.
fn rewrite_label_calls(format: &str) -> String {
    let mut out = String::with_capacity(format.len());
    let mut rest = format;
    while let Some(i) = rest.find(".Label ") {
        let before = &rest[..i];
        let word_start = before
            .chars()
            .last()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.'));
        out.push_str(before);
        if word_start {
            out.push_str("index .LabelMap ");
        } else {
            out.push_str(".Label ");
        }
        rest = &rest[i + ".Label ".len()..];
    }
    out.push_str(rest);
    out
}

pub fn run(args: &PsArgs, engine: &Engine) -> anyhow::Result<()> {
    let mut filters = Vec::new();
    for f in &args.filter {
        filters.push(parse_filter(engine, f)?);
    }
    // As docker: a status or exited filter, --latest and --last look at stopped containers too.
    let all = args.all
        || args.latest
        || args.last.is_some_and(|n| n >= 0)
        || filters
            .iter()
            .any(|f| matches!(f, Filter::Status(_) | Filter::Exited(_)));
    let mut keys: Vec<&str> = filters.iter().map(Filter::key).collect();
    keys.sort_unstable();
    keys.dedup();
    let mut containers: Vec<Container> = engine
        .list_containers()?
        .into_iter()
        .filter(|c| all || c.is_running())
        .filter(|c| {
            keys.iter()
                .all(|k| filters.iter().filter(|f| f.key() == *k).any(|f| keep(f, c)))
        })
        .collect();
    // Newest first.
    containers.sort_by_key(|c| std::cmp::Reverse(c.record.created));
    let limit = if args.latest {
        Some(1)
    } else {
        args.last.and_then(|n| usize::try_from(n).ok())
    };
    if let Some(n) = limit {
        containers.truncate(n);
    }

    if args.quiet && args.format.is_none() {
        for c in &containers {
            outln!(
                "{}",
                if args.no_trunc {
                    &c.record.id
                } else {
                    &c.record.id[..12]
                }
            );
        }
        return Ok(());
    }
    let format = match args.format.as_deref().map(str::trim) {
        None | Some("table") => {
            let mut f = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}".to_string();
            if args.size {
                f.push_str("\t{{.Size}}");
            }
            f
        }
        Some(f) => rewrite_label_calls(f),
    };
    let wants_size = args.size || format.contains(".Size");
    let values: Vec<Value> = containers
        .iter()
        .map(|c| {
            let size = wants_size.then(|| engine.container_size(c));
            to_value(c, args.no_trunc, size)
        })
        .collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_commands_are_cut_to_twenty_columns_with_an_ellipsis() {
        assert_eq!(ellipsis("sleep 100", 20), "sleep 100");
        assert_eq!(
            ellipsis("sh -c 'echo hello; sleep 100'", 20),
            "sh -c 'echo hello; …"
        );
        assert_eq!(output::display_width(&ellipsis(&"x".repeat(40), 20)), 20);
    }

    #[test]
    fn commands_are_quoted_like_go_strconv_quote() {
        assert_eq!(go_quote("sh -c \"a\\b\""), r#""sh -c \"a\\b\"""#);
        assert_eq!(go_quote("a\nb"), r#""a\nb""#);
    }

    #[test]
    fn name_filters_match_substrings_and_anchors() {
        assert!(name_matches("web", "my-web-1"));
        assert!(name_matches("^my", "my-web-1"));
        assert!(!name_matches("^web", "my-web-1"));
        assert!(name_matches("^my-web-1$", "my-web-1"));
        assert!(!name_matches("web$", "my-web-1"));
    }

    #[test]
    fn label_method_calls_become_map_lookups() {
        assert_eq!(
            rewrite_label_calls(r#"{{.Names}} {{.Label "app"}}"#),
            r#"{{.Names}} {{index .LabelMap "app"}}"#
        );
        assert_eq!(rewrite_label_calls("{{.Labels}}"), "{{.Labels}}");
        assert_eq!(
            rewrite_label_calls(r#"{{.Config.Label "x"}}"#),
            r#"{{.Config.Label "x"}}"#
        );
    }
}
