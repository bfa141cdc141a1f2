//! `berth events`: the journal every berth process appends to, read back with time windows,
//! filters and templates, and followed live — rootless, as the test user.

use std::io::{BufRead, BufReader};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::fixtures::image;
use crate::util::{TestEnv, Who};

/// Now as a unix timestamp with nanoseconds, the way `--since`/`--until` take it.
fn now() -> String {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    format!("{}.{:09}", d.as_secs(), d.subsec_nanos())
}

/// `events` over a closed window, one `Type Action name` line per event.
fn window(env: &TestEnv, since: &str, until: &str, extra: &[&str]) -> Vec<String> {
    let mut args = vec![
        "events",
        "--since",
        since,
        "--until",
        until,
        "--format",
        "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}",
    ];
    args.extend_from_slice(extra);
    env.berth(&args)
        .assert_success()
        .stdout_str()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn events_show_container_and_image_lifecycles_in_order_and_filter_by_key() {
    let env = TestEnv::new("events-seq");
    let img = image("busybox");
    let t0 = now();
    env.berth(&["pull", "-q", &img]).assert_success();
    env.berth(&["run", "-d", "--name", "web", &img, "sleep", "100"])
        .assert_success();
    env.berth(&["stop", "-t", "0", "web"]).assert_success();
    env.berth(&["rm", "web"]).assert_success();
    env.berth(&["tag", &img, "mine:v1"]).assert_success();
    env.berth(&["rmi", "mine:v1"]).assert_success();
    let t1 = now();

    let all = window(&env, &t0, &t1, &[]);
    let pulled = format!("image pull {img}:latest");
    let tagged = "image tag docker.io/library/mine:v1".to_string();
    let untagged = "image untag docker.io/library/mine:v1".to_string();
    let expected = [
        pulled.as_str(),
        "container create web",
        "container start web",
        "container kill web",
        "container kill web",
        "container die web",
        "container stop web",
        "container destroy web",
        tagged.as_str(),
        untagged.as_str(),
    ];
    assert_eq!(all, expected, "every event, in order");

    // One key twice: either value; two keys: both.
    assert_eq!(
        window(
            &env,
            &t0,
            &t1,
            &["--filter", "event=start", "--filter", "event=die"]
        ),
        ["container start web", "container die web"]
    );
    assert_eq!(
        window(
            &env,
            &t0,
            &t1,
            &["--filter", "type=image", "--filter", "event=untag"]
        ),
        [untagged.as_str()]
    );
    assert_eq!(
        window(&env, &t0, &t1, &["--filter", "container=web"]).len(),
        7
    );
    assert_eq!(
        window(&env, &t0, &t1, &["--filter", "image=mine:v1"]),
        [tagged.as_str(), untagged.as_str()]
    );
    // The die event carries the exit code (sleep as PID 1 ignores SIGTERM, so `stop -t 0`
    // ends with SIGKILL), the kill events the signals.
    let die = env
        .berth(&[
            "events",
            "--since",
            &t0,
            "--until",
            &t1,
            "--filter",
            "event=die",
            "--format",
            "{{.Actor.Attributes.exitCode}}",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(die, "137\n");
    let signals = env
        .berth(&[
            "events",
            "--since",
            &t0,
            "--until",
            &t1,
            "--filter",
            "event=kill",
            "--format",
            "{{.Actor.Attributes.signal}}",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(signals, "15\n9\n");
    // A window before anything happened is empty.
    assert!(window(&env, "1000000000", "1000000001", &[]).is_empty());

    env.berth(&["events", "--filter", "colour=red", "--until", &t1])
        .assert_error("invalid filter \"colour=red\"");
    env.berth(&["events", "--since", "yesterday-ish", "--until", &t1])
        .assert_error("invalid time \"yesterday-ish\"");
    env.finish();
}

#[test]
fn events_json_format_prints_one_object_per_line_with_dockers_keys() {
    let env = TestEnv::new("events-json");
    let img = image("busybox");
    let t0 = now();
    env.berth(&["pull", "-q", &img]).assert_success();
    env.berth(&["create", "--name", "j", "--label", "tier=web", &img, "true"])
        .assert_success();
    env.berth(&["rm", "j"]).assert_success();
    let t1 = now();
    let out = env
        .berth(&[
            "events",
            "--since",
            &t0,
            "--until",
            &t1,
            "--filter",
            "type=container",
            "--format",
            "{{json .}}",
        ])
        .assert_success()
        .stdout_str();
    let events: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect();
    assert_eq!(events.len(), 2, "{out}");
    let create = &events[0];
    assert_eq!(create["Type"], "container");
    assert_eq!(create["Action"], "create");
    assert_eq!(create["scope"], "local");
    assert_eq!(create["Actor"]["ID"].as_str().unwrap().len(), 64);
    assert_eq!(create["Actor"]["Attributes"]["name"], "j");
    assert_eq!(
        create["Actor"]["Attributes"]["image"].as_str().unwrap(),
        format!("{img}:latest")
    );
    assert_eq!(create["Actor"]["Attributes"]["tier"], "web");
    let (time, nano) = (
        create["time"].as_i64().unwrap(),
        create["timeNano"].as_i64().unwrap(),
    );
    assert_eq!(time, nano / 1_000_000_000);
    assert_eq!(events[1]["Action"], "destroy");

    // The label filter sees the container's labels; the default line shows them too.
    let plain = env
        .berth(&[
            "events",
            "--since",
            &t0,
            "--until",
            &t1,
            "--filter",
            "label=tier=web",
        ])
        .assert_success()
        .stdout_str();
    let first = plain.lines().next().unwrap();
    let id = create["Actor"]["ID"].as_str().unwrap();
    assert!(
        first.contains(&format!(" container create {id} (")) && first.contains("name=j"),
        "{first}"
    );
    assert_eq!(plain.lines().count(), 2);
    env.finish();
}

#[test]
fn events_follow_prints_events_that_happen_after_it_started_and_exits_0_on_sigint() {
    let env = TestEnv::new("events-follow");
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    let t0 = now();
    env.berth(&["create", "--name", "before", &img, "true"])
        .assert_success();
    let mut follower = env.spawn(&[
        "events",
        "--since",
        &t0,
        "--filter",
        "event=create",
        "--format",
        "{{.Actor.Attributes.name}}",
    ]);
    let mut out = BufReader::new(follower.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    // The past is printed first: from here on, the follower is running.
    assert_eq!(line, "before\n");
    env.berth(&["create", "--name", "after", &img, "true"])
        .assert_success();
    line.clear();
    out.read_line(&mut line).unwrap();
    assert_eq!(line, "after\n");

    // SAFETY: signalling the child we spawned.
    unsafe { libc::kill(follower.id() as i32, libc::SIGINT) };
    let status = follower.wait().unwrap();
    assert_eq!(status.code(), Some(0), "events after SIGINT: {status:?}");
    env.berth(&["rm", "before", "after"]).assert_success();
    env.finish();
}

#[test]
fn concurrent_writers_lose_no_event() {
    let env = TestEnv::new("events-concurrent");
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    let t0 = now();
    const N: usize = 12;
    std::thread::scope(|s| {
        for i in 0..N {
            let (env, img) = (&env, &img);
            s.spawn(move || {
                env.berth(&["tag", img, &format!("many:t{i}")])
                    .assert_success();
            });
        }
    });
    let t1 = now();
    let mut names = window(&env, &t0, &t1, &["--filter", "event=tag"]);
    names.sort();
    let mut expected: Vec<String> = (0..N)
        .map(|i| format!("image tag docker.io/library/many:t{i}"))
        .collect();
    expected.sort();
    assert_eq!(names, expected);
    env.finish();
}

#[test]
fn a_full_journal_rotates_and_events_still_reads_old_and_new() {
    let env = TestEnv::new("events-rotate");
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    // A journal just under the rotation size, of events from an hour ago.
    let old_secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 3600;
    let line = |pad: usize| {
        serde_json::json!({
            "Type": "container", "Action": "create",
            "Actor": {"ID": "0".repeat(64), "Attributes": {"name": "old", "pad": "x".repeat(pad)}},
            "scope": "local", "time": old_secs, "timeNano": old_secs as i64 * 1_000_000_000,
        })
        .to_string()
            + "\n"
    };
    // 100 bytes short of 1 MiB: the last line's padding makes up the remainder.
    let full = line(400);
    let count = (1024 * 1024 - 100) / full.len() - 1;
    let mut text = full.repeat(count);
    let short = line(0);
    text.push_str(&line(1024 * 1024 - 100 - text.len() - short.len()));
    assert_eq!(text.len(), 1024 * 1024 - 100);
    let count = count + 1;
    let log = env.store().join("events/events.log");
    env.write_file(Who::User, &log, &text);

    let t0 = now();
    env.berth(&["tag", &img, "rot:a"]).assert_success();
    env.berth(&["tag", &img, "rot:b"]).assert_success();
    let t1 = now();
    assert!(
        env.store().join("events/events.log.1").exists(),
        "the full journal was rotated"
    );
    assert!(std::fs::metadata(&log).unwrap().len() < 4096);
    assert_eq!(
        window(&env, &t0, &t1, &[]),
        [
            "image tag docker.io/library/rot:a",
            "image tag docker.io/library/rot:b"
        ]
    );
    let old = window(&env, "2h", &t1, &["--filter", "container=old"]);
    assert_eq!(old.len(), count, "the rotated file is still read");
    env.finish();
}
