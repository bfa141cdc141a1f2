//! The read side of containers: `ps`, `logs`, `wait`, `inspect`, `container prune` and
//! `container exists`, run rootless as the test user against the fixtures' busybox.

use std::io::{BufRead, BufReader, Read};

use serde_json::Value;

use crate::fixtures::image;
use crate::util::TestEnv;

fn with_busybox(name: &str) -> TestEnv {
    let env = TestEnv::new(name);
    env.berth(&["pull", "-q", &image("busybox")])
        .assert_success();
    env
}

/// `run -d`: the new container's full ID.
fn run_detached(env: &TestEnv, name: &str, command: &[&str]) -> String {
    let img = image("busybox");
    let mut args = vec!["run", "-d", "--name", name, img.as_str()];
    args.extend_from_slice(command);
    let id = env.berth(&args).assert_success().stdout_str();
    let id = id.trim().to_string();
    assert_eq!(id.len(), 64, "run -d prints the full ID: {id:?}");
    id
}

/// Run a container in the foreground to its end; its full ID.
fn run_to_exit(env: &TestEnv, name: &str, command: &[&str]) -> String {
    let img = image("busybox");
    let mut args = vec!["run", "--name", name, img.as_str()];
    args.extend_from_slice(command);
    env.berth(&args);
    inspect_field(env, name, "{{.Id}}")
}

fn inspect_field(env: &TestEnv, name: &str, format: &str) -> String {
    env.berth(&["inspect", "--format", format, name])
        .assert_success()
        .stdout_str()
        .trim_end_matches('\n')
        .to_string()
}

fn remove(env: &TestEnv, names: &[&str]) {
    let mut args = vec!["rm", "-f"];
    args.extend_from_slice(names);
    env.berth(&args).assert_success();
}

fn lines(s: &str) -> Vec<&str> {
    s.lines().collect()
}

#[test]
fn ps_shows_running_containers_and_status_filter_finds_exited_ones() {
    let env = with_busybox("ps-status");
    let up = run_detached(&env, "up", &["sleep", "100"]);
    let done = run_to_exit(&env, "done", &["true"]);

    let out = env.berth(&["ps"]).assert_success().stdout_str();
    let header: Vec<&str> = out
        .lines()
        .next()
        .unwrap()
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        header,
        [
            "CONTAINER ID",
            "IMAGE",
            "COMMAND",
            "CREATED",
            "STATUS",
            "PORTS",
            "NAMES"
        ],
        "{out}"
    );
    assert_eq!(out.lines().count(), 2, "only the running one: {out}");
    let row = out.lines().nth(1).unwrap();
    assert!(row.starts_with(&up[..12]), "{out}");
    assert!(row.contains("\"sleep 100\""), "{out}");
    assert!(row.contains("   Up "), "{out}");
    assert!(row.trim_end().ends_with("up"), "{out}");

    let exited = env
        .berth(&[
            "ps",
            "-a",
            "-f",
            "status=exited",
            "--format",
            "{{.Names}} {{.Status}}",
        ])
        .assert_success()
        .stdout_str();
    let exited = lines(&exited);
    assert_eq!(exited.len(), 1, "{exited:?}");
    assert!(exited[0].starts_with("done Exited (0) "), "{exited:?}");
    assert!(exited[0].ends_with(" ago"), "{exited:?}");
    // docker: a status filter looks at stopped containers without -a.
    let no_all = env
        .berth(&["ps", "-q", "-f", "status=exited"])
        .assert_success()
        .stdout_str();
    assert_eq!(no_all.trim(), &done[..12]);

    let running = env
        .berth(&["ps", "--format", "{{.Names}} {{.Status}} {{.State}}"])
        .assert_success()
        .stdout_str();
    assert!(running.starts_with("up Up "), "{running}");
    assert!(running.trim_end().ends_with(" running"), "{running}");

    remove(&env, &["up", "done"]);
    env.finish();
}

#[test]
fn ps_quiet_no_trunc_latest_and_last_pick_newest_first() {
    let env = with_busybox("ps-quiet");
    let first = run_to_exit(&env, "first", &["true"]);
    let second = run_detached(&env, "second", &["sleep", "100"]);
    let third = run_to_exit(&env, "third", &["sh", "-c", "exit 2"]);

    let quiet = env.berth(&["ps", "-q"]).assert_success().stdout_str();
    assert_eq!(lines(&quiet), [&second[..12]]);
    let all = env.berth(&["ps", "-a", "-q"]).assert_success().stdout_str();
    assert_eq!(lines(&all), [&third[..12], &second[..12], &first[..12]]);
    let full = env
        .berth(&["ps", "-a", "-q", "--no-trunc"])
        .assert_success()
        .stdout_str();
    assert_eq!(lines(&full), [&third, &second, &first]);

    let latest = env
        .berth(&["ps", "-l", "--format", "{{.Names}}"])
        .assert_success()
        .stdout_str();
    assert_eq!(lines(&latest), ["third"], "-l includes stopped ones");
    let last = env
        .berth(&["ps", "-n", "2", "--format", "{{.Names}}"])
        .assert_success()
        .stdout_str();
    assert_eq!(lines(&last), ["third", "second"]);

    // COMMAND is cut to 20 columns unless --no-trunc.
    let long = run_to_exit(&env, "long", &["sh", "-c", "echo a long command line here"]);
    let cut = env
        .berth(&["ps", "-a", "-f", "name=long", "--format", "{{.Command}}"])
        .assert_success()
        .stdout_str();
    assert_eq!(cut.trim_end(), "\"sh -c echo a long c…\"");
    let whole = env
        .berth(&[
            "ps",
            "-a",
            "--no-trunc",
            "-f",
            &format!("id={}", &long[..8]),
            "--format",
            "{{.ID}} {{.Command}}",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(
        whole.trim_end(),
        format!("{long} \"sh -c echo a long command line here\"")
    );

    let bad = env.berth(&["ps", "-f", "colour=red"]);
    bad.assert_error("invalid filter \"colour=red\"");
    remove(&env, &["first", "second", "third", "long"]);
    env.finish();
}

#[test]
fn logs_separate_stdout_from_stderr_and_honour_tail_timestamps_and_since() {
    let env = with_busybox("logs-streams");
    run_to_exit(
        &env,
        "talk",
        &["sh", "-c", "echo out1; echo err1 >&2; echo out2"],
    );

    let all = env.berth(&["logs", "talk"]).assert_success();
    assert_eq!(all.stdout_str(), "out1\nout2\n");
    assert_eq!(all.stderr_str(), "err1\n");

    // The two streams are read apart, so only within one stream is the order certain.
    run_to_exit(
        &env,
        "count",
        &["sh", "-c", "for i in 1 2 3; do echo $i; done"],
    );
    let tail = env
        .berth(&["logs", "--tail", "1", "count"])
        .assert_success();
    assert_eq!(tail.stdout_str(), "3\n");
    let tail = env
        .berth(&["logs", "--tail", "2", "count"])
        .assert_success();
    assert_eq!(tail.stdout_str(), "2\n3\n");
    let none = env.berth(&["logs", "-n", "0", "count"]).assert_success();
    assert_eq!(none.stdout_str(), "");
    let every = env
        .berth(&["logs", "--tail", "all", "count"])
        .assert_success();
    assert_eq!(every.stdout_str(), "1\n2\n3\n");

    let stamped = env.berth(&["logs", "-t", "talk"]).assert_success();
    let stamped = stamped.stdout_str();
    for (line, text) in stamped.lines().zip(["out1", "out2"]) {
        let (ts, rest) = line.split_once(' ').unwrap();
        assert_eq!(rest, text, "{stamped}");
        assert!(
            chrono::DateTime::parse_from_rfc3339(ts).is_ok() && ts.ends_with('Z'),
            "{stamped}"
        );
    }

    let recent = env
        .berth(&["logs", "--since", "1h", "talk"])
        .assert_success();
    assert_eq!(recent.stdout_str(), "out1\nout2\n");
    let future = (chrono::Utc::now() + chrono::TimeDelta::hours(1)).timestamp();
    let later = env
        .berth(&["logs", "--since", &future.to_string(), "talk"])
        .assert_success();
    assert_eq!(later.stdout_str(), "");
    assert_eq!(later.stderr_str(), "");
    env.berth(&["logs", "--since", "yesterday", "talk"])
        .assert_error("invalid time \"yesterday\"");
    env.berth(&["logs", "nope"])
        .assert_error("no container with name or ID \"nope\"");

    remove(&env, &["talk", "count"]);
    env.finish();
}

#[test]
fn logs_follow_streams_new_lines_and_returns_when_the_container_exits() {
    let env = with_busybox("logs-follow");
    run_detached(
        &env,
        "chatty",
        &[
            "sh",
            "-c",
            "trap 'echo end; exit 0' TERM; echo start; while true; do sleep 0.1; done",
        ],
    );
    let mut follower = env.spawn(&["logs", "-f", "chatty"]);
    let mut out = BufReader::new(follower.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    // The container is still running: this line came while following.
    assert_eq!(first, "start\n");
    assert_eq!(inspect_field(&env, "chatty", "{{.State.Running}}"), "true");
    env.berth(&["kill", "-s", "TERM", "chatty"])
        .assert_success();
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    let status = follower.wait().unwrap();
    assert!(status.success(), "logs -f failed: {status:?}");
    assert_eq!(rest, "end\n");

    remove(&env, &["chatty"]);
    env.finish();
}

#[test]
fn wait_prints_each_exit_code_and_rejects_unknown_containers() {
    let env = with_busybox("wait-codes");
    run_detached(&env, "three", &["sh", "-c", "sleep 1; exit 3"]);
    run_to_exit(&env, "zero", &["true"]);
    let out = env.berth(&["wait", "three", "zero"]).assert_success();
    assert_eq!(out.stdout_str(), "3\n0\n");
    assert_eq!(inspect_field(&env, "three", "{{.State.Status}}"), "exited");

    env.berth(&["wait", "nope"])
        .assert_error("no container with name or ID \"nope\" found");
    env.berth(&["wait", "--condition", "healthy", "zero"])
        .assert_error("invalid wait condition \"healthy\"");
    remove(&env, &["three", "zero"]);
    env.finish();
}

#[test]
fn inspect_reports_live_pid_exit_code_command_and_name() {
    let env = with_busybox("inspect-fields");
    let id = run_detached(&env, "sleeper", &["sleep", "100"]);
    let pid: i32 = inspect_field(&env, "sleeper", "{{.State.Pid}}")
        .parse()
        .unwrap();
    assert!(pid > 0);
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    assert_eq!(
        cmdline, b"sleep\x00100\x00",
        "State.Pid is the container's init"
    );
    assert_eq!(inspect_field(&env, "sleeper", "{{.Name}}"), "/sleeper");
    assert_eq!(
        inspect_field(&env, &id[..12], "{{.Config.Cmd}}"),
        "[sleep 100]"
    );

    run_to_exit(&env, "failed", &["sh", "-c", "exit 7"]);
    let doc = env
        .berth(&["container", "inspect", "failed"])
        .assert_success()
        .stdout_str();
    let doc: Value = serde_json::from_str(&doc).unwrap();
    let doc = &doc.as_array().unwrap()[0];
    assert_eq!(doc["State"]["Status"], "exited");
    assert_eq!(doc["State"]["ExitCode"], 7);
    assert_eq!(doc["State"]["Pid"], 0);
    assert_eq!(doc["State"]["Running"], false);
    assert_eq!(doc["Path"], "sh");
    assert_eq!(doc["Args"], serde_json::json!(["-c", "exit 7"]));
    // The rootless default network: the default bridge network (reached through pasta).
    assert_eq!(doc["HostConfig"]["NetworkMode"], "bridge");
    assert_eq!(doc["HostConfig"]["RestartPolicy"]["Name"], "no");
    assert!(doc["Image"].as_str().unwrap().starts_with("sha256:"));
    assert!(doc.get("SizeRw").is_none(), "sizes only with -s");
    let sized = env
        .berth(&[
            "container",
            "inspect",
            "-s",
            "--format",
            "{{.SizeRw}} {{.SizeRootFs}}",
            "failed",
        ])
        .assert_success()
        .stdout_str();
    let sizes: Vec<u64> = sized
        .split_whitespace()
        .map(|s| s.parse().unwrap())
        .collect();
    assert!(
        sizes[1] > sizes[0],
        "the image counts in SizeRootFs: {sized}"
    );

    remove(&env, &["sleeper", "failed"]);
    env.finish();
}

#[test]
fn inspect_resolves_a_container_before_an_image_unless_told_the_type() {
    let env = with_busybox("inspect-order");
    env.berth(&["tag", &image("busybox"), "dup"])
        .assert_success();
    let id = run_to_exit(&env, "dup", &["true"]);

    let first = inspect_field(&env, "dup", "{{.Id}}");
    assert_eq!(first, id, "the container wins");
    let as_image = env
        .berth(&[
            "inspect",
            "--type",
            "image",
            "--format",
            "{{.RepoTags}}",
            "dup",
        ])
        .assert_success()
        .stdout_str();
    assert!(as_image.contains("dup:latest"), "{as_image}");
    let image_id = inspect_field(&env, &image("busybox"), "{{.Id}}");
    assert!(image_id.starts_with("sha256:"), "{image_id}");
    assert_eq!(
        inspect_field(&env, "dup", "{{.Image}}"),
        image_id,
        "the container's image"
    );

    env.berth(&["inspect", "nope"])
        .assert_error("no such object: nope");
    env.berth(&["inspect", "--type", "container", &image("busybox")])
        .assert_error("no container with name or ID");
    // Found objects are printed before the error for the missing one.
    let mixed = env.berth(&["inspect", "--format", "{{.Name}}", "dup", "nope"]);
    assert_eq!(mixed.stdout_str(), "/dup\n");
    mixed.assert_error("no such object: nope");

    remove(&env, &["dup"]);
    env.finish();
}

#[test]
fn container_prune_removes_only_stopped_containers() {
    let env = with_busybox("prune-stopped");
    let running = run_detached(&env, "keep", &["sleep", "100"]);
    let stopped = run_to_exit(&env, "gone", &["true"]);

    // Without -f it asks; stdin is empty, which declines.
    let declined = env.berth(&["container", "prune"]).assert_success();
    assert_eq!(
        declined.stdout_str(),
        "WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] "
    );
    env.berth(&["container", "exists", "gone"]).assert_success();

    let out = env
        .berth(&["container", "prune", "-f"])
        .assert_success()
        .stdout_str();
    let mut it = out.lines();
    assert_eq!(it.next(), Some("Deleted Containers:"), "{out}");
    assert_eq!(it.next(), Some(stopped.as_str()), "{out}");
    assert_eq!(it.next(), Some(""), "{out}");
    assert!(
        it.next().unwrap().starts_with("Total reclaimed space: "),
        "{out}"
    );
    let left = env
        .berth(&["ps", "-a", "-q", "--no-trunc"])
        .assert_success();
    assert_eq!(lines(&left.stdout_str()), [running.as_str()]);

    env.berth(&["container", "prune", "-f", "--filter", "colour=red"])
        .assert_error("invalid filter \"colour=red\"");
    remove(&env, &["keep"]);
    env.finish();
}

#[test]
fn container_exists_answers_with_exit_codes_only() {
    let env = with_busybox("exists-codes");
    run_to_exit(&env, "here", &["true"]);
    let yes = env.berth(&["container", "exists", "here"]);
    assert_eq!(
        (yes.code(), yes.stdout_str(), yes.stderr_str()),
        (0, String::new(), String::new())
    );
    let no = env.berth(&["container", "exists", "nowhere"]);
    assert_eq!(
        (no.code(), no.stdout_str(), no.stderr_str()),
        (1, String::new(), String::new())
    );
    remove(&env, &["here"]);
    env.finish();
}

#[test]
fn ps_size_counts_what_the_container_wrote() {
    let env = with_busybox("ps-size");
    run_to_exit(&env, "writer", &["sh", "-c", "echo hello > /greeting"]);
    run_to_exit(&env, "idle", &["true"]);
    let sizes = env
        .berth(&["ps", "-a", "-s", "--format", "{{.Names}} {{.Size}}"])
        .assert_success()
        .stdout_str();
    let size_of = |name: &str| {
        sizes
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{sizes}"))
            .to_string()
    };
    assert!(size_of("writer").starts_with("6B (virtual "), "{sizes}");
    assert!(size_of("idle").starts_with("0B (virtual "), "{sizes}");
    let header = env.berth(&["ps", "-a", "-s"]).assert_success().stdout_str();
    assert!(
        header.lines().next().unwrap().trim_end().ends_with("SIZE"),
        "{header}"
    );
    remove(&env, &["writer", "idle"]);
    env.finish();
}
