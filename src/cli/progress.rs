//! Pull and push progress: a bar per blob on a terminal, podman's plain lines otherwise.
//! Everything goes to stderr so stdout carries only the result (the image ID).

use std::collections::HashMap;
use std::io::Write;
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::engine::pull::{BlobOutcome, PullReporter};
use crate::engine::push::{PushOutcome, PushReporter};

fn short(digest: &str) -> &str {
    let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
    &hex[..hex.len().min(12)]
}

/// Ask on the terminal which registry a short name means; `None` when nothing usable is typed.
fn prompt_choice(name: &str, candidates: &[String]) -> Option<usize> {
    use std::io::BufRead;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "? Please select an image for {name:?}:");
    for (i, c) in candidates.iter().enumerate() {
        let _ = writeln!(err, "  {}) {c}", i + 1);
    }
    let _ = write!(err, "Enter a number (1-{}): ", candidates.len());
    let _ = err.flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).ok()?;
    let n: usize = line.trim().parse().ok()?;
    (1..=candidates.len()).contains(&n).then(|| n - 1)
}

/// `-q`: no progress, but a short name still gets its prompt on a terminal.
pub struct Quiet;

impl PullReporter for Quiet {
    fn choose_candidate(&self, name: &str, candidates: &[String]) -> Option<usize> {
        prompt_choice(name, candidates)
    }
}

/// Plain lines, as podman prints them when stderr is not a terminal.
pub struct Lines;

impl Lines {
    fn say(&self, line: &str) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{line}");
    }
}

impl PullReporter for Lines {
    fn trying(&self, reference: &str) {
        self.say(&format!("Trying to pull {reference}..."));
        self.say("Getting image source signatures");
    }
    fn blob_done(&self, digest: &str, outcome: BlobOutcome) {
        match outcome {
            BlobOutcome::Downloaded => self.say(&format!("Copying blob {} done", short(digest))),
            BlobOutcome::AlreadyExists => self.say(&format!(
                "Copying blob {} skipped: already exists",
                short(digest)
            )),
        }
    }
    fn config(&self, digest: &str) {
        self.say(&format!("Copying config {} done", short(digest)));
    }
    fn writing_manifest(&self) {
        self.say("Writing manifest to image destination");
    }
    fn choose_candidate(&self, name: &str, candidates: &[String]) -> Option<usize> {
        prompt_choice(name, candidates)
    }
}

/// indicatif bars, one per blob being downloaded.
pub struct Bars {
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
}

impl Bars {
    pub fn new() -> Self {
        Bars {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            bars: Mutex::new(HashMap::new()),
        }
    }

    fn style() -> ProgressStyle {
        ProgressStyle::with_template(
            "Copying blob {prefix} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec})",
        )
        .expect("static template")
        .progress_chars("=> ")
    }
}

impl Default for Bars {
    fn default() -> Self {
        Self::new()
    }
}

impl PullReporter for Bars {
    fn trying(&self, reference: &str) {
        let _ = self.multi.println(format!("Trying to pull {reference}..."));
    }
    fn blob_start(&self, digest: &str, size: u64) {
        let bar = self.multi.add(ProgressBar::new(size));
        bar.set_style(Self::style());
        bar.set_prefix(short(digest).to_string());
        self.bars
            .lock()
            .expect("bars")
            .insert(digest.to_string(), bar);
    }
    fn blob_progress(&self, digest: &str, done: u64) {
        if let Some(bar) = self.bars.lock().expect("bars").get(digest) {
            bar.set_position(done);
        }
    }
    fn blob_done(&self, digest: &str, outcome: BlobOutcome) {
        match self.bars.lock().expect("bars").remove(digest) {
            Some(bar) => bar.finish_with_message("done"),
            None => {
                let what = match outcome {
                    BlobOutcome::Downloaded => "done",
                    BlobOutcome::AlreadyExists => "skipped: already exists",
                };
                let _ = self
                    .multi
                    .println(format!("Copying blob {} {what}", short(digest)));
            }
        }
    }
    fn config(&self, digest: &str) {
        let _ = self
            .multi
            .println(format!("Copying config {} done", short(digest)));
    }
    fn writing_manifest(&self) {
        let _ = self.multi.println("Writing manifest to image destination");
    }
    fn choose_candidate(&self, name: &str, candidates: &[String]) -> Option<usize> {
        self.multi.suspend(|| prompt_choice(name, candidates))
    }
}

/// How a pushed blob's line ends, in podman's words (a mount says where from).
fn push_outcome(outcome: &PushOutcome) -> String {
    match outcome {
        PushOutcome::Uploaded => "done".into(),
        PushOutcome::AlreadyExists => "skipped: already exists".into(),
        PushOutcome::Mounted { from } => format!("skipped: mounted from {from}"),
    }
}

impl PushReporter for Quiet {}

impl PushReporter for Lines {
    fn pushing(&self, _source: &str, _destination: &str) {
        self.say("Getting image source signatures");
    }
    fn blob_done(&self, digest: &str, outcome: &PushOutcome) {
        self.say(&format!(
            "Copying blob {} {}",
            short(digest),
            push_outcome(outcome)
        ));
    }
    fn config_done(&self, digest: &str, outcome: &PushOutcome) {
        self.say(&format!(
            "Copying config {} {}",
            short(digest),
            push_outcome(outcome)
        ));
    }
    fn writing_manifest(&self) {
        self.say("Writing manifest to image destination");
    }
}

impl PushReporter for Bars {
    fn pushing(&self, _source: &str, _destination: &str) {
        let _ = self.multi.println("Getting image source signatures");
    }
    fn blob_start(&self, digest: &str, size: u64) {
        PullReporter::blob_start(self, digest, size);
    }
    fn blob_progress(&self, digest: &str, done: u64) {
        PullReporter::blob_progress(self, digest, done);
    }
    fn blob_done(&self, digest: &str, outcome: &PushOutcome) {
        let bar = self.bars.lock().expect("bars").remove(digest);
        match bar {
            Some(bar) => bar.finish_with_message("done"),
            None => {
                let _ = self.multi.println(format!(
                    "Copying blob {} {}",
                    short(digest),
                    push_outcome(outcome)
                ));
            }
        }
    }
    fn config_done(&self, digest: &str, outcome: &PushOutcome) {
        let _ = self.multi.println(format!(
            "Copying config {} {}",
            short(digest),
            push_outcome(outcome)
        ));
    }
    fn writing_manifest(&self) {
        let _ = self.multi.println("Writing manifest to image destination");
    }
}
