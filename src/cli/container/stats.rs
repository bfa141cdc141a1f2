//! `berth stats`: a live table of the containers' resource use, refreshed every second (on a
//! terminal the screen is redrawn, as docker does; otherwise one table follows another), or
//! one table with `--no-stream`.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::time::Duration;

use clap::Args;
use serde_json::{json, Value};

use crate::cli::output::{human_size, human_size_binary, render_rows};
use crate::engine::container::stats::{ContainerStats, Sample};
use crate::engine::container::Container;
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Show all containers (default shows just running)
    #[arg(short, long)]
    pub all: bool,
    /// Disable streaming stats and only pull the first result
    #[arg(long)]
    pub no_stream: bool,
    /// Do not truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Format output using a Go template ("table", "json", "{{json .}}", ...)
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// The containers (default: all running)
    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

const HEADERS: &[(&str, &str)] = &[
    ("ID", "CONTAINER ID"),
    ("Name", "NAME"),
    ("CPUPerc", "CPU %"),
    ("MemUsage", "MEM USAGE / LIMIT"),
    ("MemPerc", "MEM %"),
    ("NetIO", "NET I/O"),
    ("BlockIO", "BLOCK I/O"),
    ("PIDs", "PIDS"),
];

const DASH: &str = "--";

fn pair(v: Option<(u64, u64)>, f: fn(u64) -> String) -> String {
    v.map_or_else(|| DASH.to_string(), |(a, b)| format!("{} / {}", f(a), f(b)))
}

fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| DASH.to_string(), |p| format!("{p:.2}%"))
}

/// One row as docker's template sees it (`{{.CPUPerc}}`, `{{json .}}`).
fn row(s: &ContainerStats, given: &str, no_trunc: bool) -> Value {
    let id = if no_trunc {
        s.id.clone()
    } else {
        s.id[..12].to_string()
    };
    json!({
        "BlockIO": pair(s.block, human_size),
        "CPUPerc": percent(s.cpu_percent),
        "Container": if given.is_empty() { id.clone() } else { given.to_string() },
        "ID": id,
        "MemPerc": percent(s.mem_percent),
        "MemUsage": match (s.mem_usage, s.mem_limit) {
            (Some(u), Some(l)) => format!("{} / {}", human_size_binary(u), human_size_binary(l)),
            _ => format!("{DASH} / {DASH}"),
        },
        "Name": s.name,
        "NetIO": pair(s.net, human_size),
        "PIDs": s.pids.map_or_else(|| DASH.to_string(), |p| p.to_string()),
    })
}

/// The containers to show, each with the name it was asked by ("" when listed).
fn pick(engine: &Engine, args: &StatsArgs) -> anyhow::Result<Vec<(Container, String)>> {
    if !args.containers.is_empty() {
        return args
            .containers
            .iter()
            .map(|n| Ok((engine.find_container(n)?, n.clone())))
            .collect();
    }
    Ok(engine
        .list_containers()?
        .into_iter()
        .filter(|c| args.all || c.is_running())
        .map(|c| (c, String::new()))
        .collect())
}

pub fn run(args: &StatsArgs, engine: &Engine) -> anyhow::Result<()> {
    let format = match args.format.as_deref() {
        None | Some("") | Some("table") => "table".to_string(),
        Some(f) => f.to_string(),
    };
    let terminal = std::io::stdout().is_terminal() && !args.no_stream;
    let mut prev: HashMap<String, Sample> = HashMap::new();
    for (c, _) in pick(engine, args)? {
        prev.insert(c.record.id.clone(), engine.sample_container(&c));
    }
    let mut noted = false;
    loop {
        std::thread::sleep(Duration::from_secs(1));
        let mut rows = Vec::new();
        let mut next = HashMap::new();
        let mut note = None;
        for (c, given) in pick(engine, args)? {
            // A container seen for the first time (or since restarted) gets its CPU % next round.
            let now = engine.sample_container(&c);
            let s = engine.container_stats(&c, prev.get(&c.record.id), &now);
            note = note.or(s.note.clone());
            rows.push(row(&s, &given, args.no_trunc));
            next.insert(c.record.id.clone(), now);
        }
        let text = render_rows(&format, &rows, HEADERS)?;
        let mut out = std::io::stdout().lock();
        if terminal {
            // Home the cursor and clear the screen, then draw the new table.
            write!(out, "\x1b[2J\x1b[H")?;
        }
        write!(out, "{text}")?;
        out.flush()?;
        if let (Some(n), false) = (note, noted) {
            eprintln!("note: {n}");
            noted = true;
        }
        if args.no_stream {
            return Ok(());
        }
        prev = next;
    }
}
