//! A reader that goes away (`berth ps | head -1`) ends every command quietly, as docker's
//! SIGPIPE does: no panic, no error line, status 141 or 0, and streaming commands (`logs -f`,
//! `events`, `stats`, `attach`, an attached `run`) stop instead of running on.

use crate::fixtures::image;
use crate::util::{berth_bin, TestEnv, Who};

/// Run `pipelines` (one per line, each `berth ARGS | head -N`) in bash as the test user and
/// return, per line, berth's exit status; stderr is returned for the no-noise checks.
fn statuses(env: &TestEnv, pipelines: &[&str]) -> (Vec<String>, String) {
    let mut script = format!("B={}\n", berth_bin().display());
    for p in pipelines {
        // `timeout` bounds a command that would run on; its 124 then fails the test.
        script.push_str(&format!(
            "timeout 60 $B {p} >/dev/null; echo \"${{PIPESTATUS[0]}}\"\n"
        ));
    }
    let mut cmd = env.command(Who::User, "/bin/bash", &["-c", &script]);
    cmd.current_dir(&env.home(Who::User).home);
    let out = env.output_of("pipelines", cmd);
    let lines = out.stdout_str().lines().map(str::to_string).collect();
    (lines, out.stderr_str())
}

#[test]
fn every_command_whose_reader_goes_away_ends_quietly() {
    let env = TestEnv::new("pipe-closed");
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    env.berth(&[
        "run",
        "-d",
        "--name",
        "ticker",
        &img,
        "sh",
        "-c",
        "while true; do echo tick; sleep 0.1; done",
    ])
    .assert_success();
    for n in 0..3 {
        env.berth(&["volume", "create", &format!("v{n}")])
            .assert_success();
    }
    let events = format!("events | (sleep 2; $B run --rm {img} true >/dev/null; head -1)",);
    let pipelines = [
        "ps -a | head -0".to_string(),
        "images | head -0".to_string(),
        "info | head -0".to_string(),
        "version | head -0".to_string(),
        "volume ls | head -1".to_string(),
        "network ls | head -0".to_string(),
        "inspect ticker | head -1".to_string(),
        format!("history {img} | head -0"),
        format!("image inspect {img} | head -1"),
        "logs ticker | head -0".to_string(),
        "logs -f ticker | head -2".to_string(),
        "stats ticker | head -1".to_string(),
        "attach ticker | head -1".to_string(),
        events,
        format!("run --rm {img} busybox yes | head -2"),
        format!("run --rm -t {img} busybox yes | head -2"),
        format!("run --rm {img} sh -c 'busybox yes' | head -1"),
        "exec ticker busybox yes | head -2".to_string(),
        "ps --nosuchflag 2>&1 | head -0".to_string(),
    ];
    let list: Vec<&str> = pipelines.iter().map(String::as_str).collect();
    let (got, stderr) = statuses(&env, &list);
    assert_eq!(got.len(), list.len(), "{got:?}\n{stderr}");
    for (p, status) in list.iter().zip(&got) {
        // 141: killed by SIGPIPE, like docker; the attached run's and exec's are the
        // container command's own status after its write failed (busybox yes exits 1).
        let ok = match *p {
            p if p.starts_with("run ") || p.starts_with("exec ") => status != "124",
            _ => status == "141" || status == "0",
        };
        assert!(ok, "`berth {p}` ended with {status}\n{stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Error:"), "{stderr}");
    // The containers whose readers went away are gone; the observed one still runs.
    let ps = env
        .berth(&["ps", "-a", "--format", "{{.Names}} {{.State}}"])
        .assert_success()
        .stdout_str();
    assert_eq!(ps.trim(), "ticker running", "{ps}");
    env.berth(&["rm", "-f", "ticker"]).assert_success();
    // Commands that change things finish their work before they end: all three are removed.
    let (got, stderr) = statuses(&env, &["volume rm v0 v1 v2 | head -0"]);
    assert!(got == ["141"] || got == ["0"], "{got:?} {stderr}");
    let left = env.berth(&["volume", "ls", "-q"]).assert_success();
    assert_eq!(left.stdout_str().trim(), "");
    env.finish();
}
