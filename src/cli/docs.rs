//! Man pages and shell completions, generated from the clap definitions so they never drift.
//! `berth system docs` rewrites man/ and completions/; a test fails when the checked-in copies
//! differ from what the current definitions produce.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::Cli;

#[derive(Debug, Args)]
pub struct DocsArgs {
    /// Directory that holds man/ and completions/ (the source checkout)
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
}

/// Every generated file, by path relative to the checkout.
pub fn render_all() -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let cmd = Cli::command();
    man_pages(&cmd, "berth", &mut files);
    for (shell, name) in [
        (Shell::Bash, "berth.bash"),
        (Shell::Zsh, "_berth"),
        (Shell::Fish, "berth.fish"),
    ] {
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), "berth", &mut buf);
        files.insert(Path::new("completions").join(name), buf);
    }
    files
}

fn man_pages(cmd: &clap::Command, name: &str, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
    let page = cmd
        .clone()
        .name(name.to_string())
        .display_name(name.to_string());
    let mut buf = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut buf)
        .expect("rendering to memory cannot fail");
    files.insert(Path::new("man").join(format!("{name}.1")), buf);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        man_pages(sub, &format!("{name}-{}", sub.get_name()), files);
    }
}

pub fn run(args: &DocsArgs) -> anyhow::Result<()> {
    for dir in ["man", "completions"] {
        let d = args.out.join(dir);
        if d.is_dir() {
            for e in std::fs::read_dir(&d)? {
                std::fs::remove_file(e?.path())?;
            }
        }
    }
    for (rel, bytes) in render_all() {
        let path = args.out.join(&rel);
        std::fs::create_dir_all(path.parent().expect("relative path has a parent"))?;
        std::fs::write(&path, bytes)?;
        println!("{}", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_in_man_pages_and_completions_match_the_cli_definitions() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let want = render_all();
        let mut stale = Vec::new();
        for (rel, bytes) in &want {
            if std::fs::read(root.join(rel)).ok().as_deref() != Some(bytes.as_slice()) {
                stale.push(rel.display().to_string());
            }
        }
        for dir in ["man", "completions"] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                let rel = Path::new(dir).join(e.unwrap().file_name());
                if !want.contains_key(&rel) {
                    stale.push(format!("{} (no longer generated)", rel.display()));
                }
            }
        }
        assert!(
            stale.is_empty(),
            "stale generated docs, run `cargo run -- system docs`: {stale:?}"
        );
    }
}
