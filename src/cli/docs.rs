//! Man pages and shell completions, generated from the clap definitions so they never drift.
//! `berth system docs --out DIR` rewrites DIR/man and DIR/completions; a test fails when the
//! checked-in copies differ from what the current definitions produce. It writes only into the
//! directory it is given and deletes only pages it generated itself (a berth page that is no
//! longer produced), never a user's file that happens to live there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::Cli;

#[derive(Debug, Args)]
pub struct DocsArgs {
    /// Directory that receives man/ and completions/ (the source checkout); required, so the
    /// generator never writes into whatever directory it happens to be run from
    #[arg(long, value_name = "DIR")]
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

/// The first line clap_mangen writes: how a page berth generated is told from anything else.
const MAN_SIGNATURE: &[u8] = b".ie \\n(.g .ds Aq \\(aq\n";

/// True for a file `system docs` produced in an earlier run and no longer produces: a `berth*.1`
/// page that starts with the generator's signature. Nothing else is ever deleted.
fn is_stale_generated_page(path: &Path, want: &BTreeMap<PathBuf, Vec<u8>>, rel: &Path) -> bool {
    let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if want.contains_key(rel) || !name.starts_with("berth") || !name.ends_with(".1") {
        return false;
    }
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return false;
    };
    if !meta.file_type().is_file() {
        return false;
    }
    let mut head = [0u8; MAN_SIGNATURE.len()];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok()
        && head == MAN_SIGNATURE
}

pub fn run(args: &DocsArgs) -> anyhow::Result<()> {
    let want = render_all();
    let man = args.out.join("man");
    if man.is_dir() {
        for e in std::fs::read_dir(&man)? {
            let e = e?;
            let rel = Path::new("man").join(e.file_name());
            if is_stale_generated_page(&e.path(), &want, &rel) {
                std::fs::remove_file(e.path())?;
                outln!("removed {}", e.path().display());
            }
        }
    }
    for (rel, bytes) in want {
        let path = args.out.join(&rel);
        std::fs::create_dir_all(path.parent().expect("relative path has a parent"))?;
        crate::store::atomic::write_atomic(&path, &bytes, 0o644)?;
        outln!("{}", path.display());
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
            "stale generated docs, run `cargo run -- system docs --out .`: {stale:?}"
        );
    }
}
