//! `berth start`

use clap::Args;

use super::run::ExitStatus;
use crate::engine::container::start::{Attach, StartOutcome};
use crate::engine::Engine;

#[derive(Debug, Args)]
pub struct StartArgs {
    /// Attach the container's output (and input with -i) and wait for it to exit
    #[arg(short, long)]
    pub attach: bool,
    /// Attach the container's STDIN
    #[arg(short, long)]
    pub interactive: bool,
    /// Override the key sequence for detaching a container
    #[arg(long, value_name = "KEYS", default_value = "ctrl-p,ctrl-q")]
    pub detach_keys: String,
    /// Proxy received signals to the container (with -a)
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub sig_proxy: bool,
    /// Start every stopped container (with --filter: those that match)
    #[arg(long)]
    pub all: bool,
    /// With --all: restart-policy=POLICY, name=NAME or label=KEY[=VALUE] (same key ORed)
    #[arg(long, value_name = "FILTER", requires = "all")]
    pub filter: Vec<String>,
    /// The containers to start
    #[arg(value_name = "CONTAINER", required_unless_present = "all")]
    pub containers: Vec<String>,
}

/// The containers `start --all` picks: not running, and matching every filter key. A
/// container the user stopped is left alone under unless-stopped, as after docker's restart.
fn pick_all(engine: &Engine, filters: &[String]) -> anyhow::Result<Vec<String>> {
    let mut by_key: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for f in filters {
        let (k, v) = f.split_once('=').ok_or_else(|| {
            anyhow::anyhow!(
                "invalid filter {f:?}: use restart-policy=POLICY, name=NAME or label=KEY[=VALUE]"
            )
        })?;
        if !matches!(k, "restart-policy" | "name" | "label") {
            anyhow::bail!(
                "invalid filter {f:?}: use restart-policy=POLICY, name=NAME or label=KEY[=VALUE]"
            );
        }
        by_key.entry(k).or_default().push(v);
    }
    Ok(engine
        .list_containers()?
        .into_iter()
        .filter(|c| !c.is_running())
        .filter(|c| {
            let cfg = &c.record.config;
            by_key.iter().all(|(k, vals)| {
                vals.iter().any(|v| match *k {
                    "restart-policy" => {
                        cfg.restart_policy == *v
                            && !(*v == "unless-stopped" && c.state.stopped_by_user)
                    }
                    "name" => c.record.name == *v,
                    _ => match v.split_once('=') {
                        Some((lk, lv)) => cfg.labels.get(lk).is_some_and(|x| x == lv),
                        None => cfg.labels.contains_key(*v),
                    },
                })
            })
        })
        .map(|c| c.record.name)
        .collect())
}

pub fn run(args: &StartArgs, engine: &Engine) -> anyhow::Result<()> {
    let keys = crate::monitor::parse_detach_keys(&args.detach_keys)
        .map_err(|e| anyhow::anyhow!("invalid --detach-keys: {e}"))?;
    if args.attach && (args.all || args.containers.len() > 1) {
        anyhow::bail!("you cannot start and attach multiple containers at once");
    }
    let names = if args.all {
        pick_all(engine, &args.filter)?
    } else {
        args.containers.clone()
    };
    let mut failed = false;
    for name in &names {
        let c = match engine.find_container(name) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("Error: {e}");
                failed = true;
                continue;
            }
        };
        let attach = if args.attach || args.interactive {
            Attach::Foreground {
                stdin: args.interactive,
                sig_proxy: args.sig_proxy,
                detach_keys: keys.clone(),
            }
        } else {
            Attach::Detached
        };
        match engine.start_container(&c, attach) {
            Ok(StartOutcome::Running { .. }) => outln!("{name}"),
            Ok(StartOutcome::Detached) | Ok(StartOutcome::Exited(0)) => {}
            Ok(StartOutcome::Exited(code)) => return Err(ExitStatus(code).into()),
            Err(e) => {
                eprintln!("Error: {e}");
                failed = true;
            }
        }
    }
    if failed {
        return Err(crate::cli::Reported.into());
    }
    Ok(())
}
