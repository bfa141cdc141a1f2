//! The berth binary: parse, enter the rootless namespace if needed, dispatch, print the error
//! once and map it to docker's exit codes (125: berth's own failure).

use std::process::ExitCode;

use berth::cli::{self, stdout, Cli};
use berth::engine::{Engine, EngineError, EngineOptions};
use berth::runtime::userns;

const EXIT_BERTH_ERROR: u8 = 125;

fn main() -> ExitCode {
    berth::timing::mark("cli: start");
    berth::debug::init();
    stdout::install_panic_hook();
    let cli = match cli::parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_BERTH_ERROR } else { 0 };
            if e.use_stderr() {
                // clap's own rendering has usage and a hint; keep it, but lead with "Error: ".
                let text = e.render().to_string();
                let text = text.strip_prefix("error: ").unwrap_or(&text);
                eprint!("Error: {text}");
            } else {
                let _ = e.print();
            }
            return ExitCode::from(code);
        }
    };
    let result = run(&cli);
    // The reader of our output went away: end as docker does, by SIGPIPE, whatever happened.
    let write_error = stdout::take_error();
    if stdout::closed() && write_error.is_none()
        || result.as_ref().is_err_and(stdout::is_our_broken_pipe)
    {
        stdout::die_of_sigpipe();
    }
    if let Some(e) = write_error {
        eprintln!("Error: writing the output: {e}");
        return ExitCode::from(EXIT_BERTH_ERROR);
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // The container's own exit code: it already said what it had to.
            if let Some(status) = e.downcast_ref::<cli::container::run::ExitStatus>() {
                return ExitCode::from(status.0.clamp(0, 255) as u8);
            }
            if e.downcast_ref::<cli::Reported>().is_none() {
                eprintln!("Error: {}", one_line(&e));
            }
            let code = e
                .downcast_ref::<EngineError>()
                .map_or(i32::from(EXIT_BERTH_ERROR), EngineError::exit_code);
            ExitCode::from(code.clamp(0, 255) as u8)
        }
    }
}

fn one_line(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let s = cause.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    let text = parts.join(": ").replace('\n', " ");
    no_space_hint(text)
}

/// A full disk met anywhere (not only in a store record write, whose error says it already)
/// is reported with what frees space.
fn no_space_hint(text: String) -> String {
    let full = ["No space left on device", "Disk quota exceeded"]
        .iter()
        .any(|m| text.contains(m));
    if full && !text.contains("berth system prune") {
        format!("{text}; {}", berth::store::NO_SPACE_HINT)
    } else {
        text
    }
}

fn run(cli: &Cli) -> anyhow::Result<()> {
    let ident = userns::identity();
    let opts = EngineOptions {
        root: cli.global.root.clone(),
        runroot: cli.global.runroot.clone(),
        storage_driver: cli.global.storage_driver.clone(),
    };
    let host_side = cli.command.host_side();
    cli::dispatch(cli, move || {
        if host_side {
            return Ok(Engine::open_host(ident, &opts)?);
        }
        // Still single-threaded here: the user namespace must be entered before any thread starts.
        if let Some(hint) = userns::mapping_hint(&ident) {
            eprintln!("{hint}");
        }
        userns::enter(&ident)?;
        Ok(Engine::open(ident, &opts)?)
    })
}
