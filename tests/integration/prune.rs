//! `berth image prune`, `berth system df` and exact garbage collection: nothing used is
//! deleted, nothing unused is left, including after interrupted pulls.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use crate::fixtures::{fixtures, image};
use crate::pull::chain_ids;
use crate::util::{berth_bin, entries, TestEnv, Who};

fn hexes(digests: &[String]) -> Vec<String> {
    digests
        .iter()
        .map(|d| d.trim_start_matches("sha256:").to_string())
        .collect()
}

fn inspect_size(env: &TestEnv, name: &str) -> u64 {
    env.berth(&["image", "inspect", "--format", "{{.Size}}", name])
        .assert_success()
        .stdout_str()
        .trim()
        .parse()
        .unwrap()
}

/// Make `name` dangling by moving its tag onto busybox (pulled here too).
fn make_dangling(env: &TestEnv, name: &str) {
    env.berth(&["pull", "-q", &image("busybox")])
        .assert_success();
    env.berth(&["tag", &image("busybox"), &format!("{}:latest", image(name))])
        .assert_success();
}

fn ids(env: &TestEnv) -> Vec<String> {
    let mut v: Vec<String> = env
        .berth(&["images", "-q", "--no-trunc"])
        .assert_success()
        .stdout_str()
        .lines()
        .map(String::from)
        .collect();
    v.sort();
    v
}

/// Exactly the layers and blobs these images need are in the store.
fn assert_store_holds_exactly(env: &TestEnv, images: &[&crate::fixtures::Pushed]) {
    let mut layers: Vec<String> = images
        .iter()
        .flat_map(|p| hexes(&chain_ids(&p.diff_ids)))
        .collect();
    layers.sort();
    layers.dedup();
    assert_eq!(entries(&env.store().join("layers")), layers, "layers");
    let mut blobs: Vec<String> = images
        .iter()
        .flat_map(|p| {
            let mut b = hexes(&p.layers);
            b.push(p.config.trim_start_matches("sha256:").into());
            b.push(p.manifest.trim_start_matches("sha256:").into());
            b
        })
        .collect();
    blobs.sort();
    blobs.dedup();
    assert_eq!(entries(&env.store().join("blobs/sha256")), blobs, "blobs");
}

#[test]
fn prune_removes_only_dangling_images_and_prints_dockers_report() {
    let env = TestEnv::new("prune-dangling");
    let f = fixtures();
    env.berth(&["pull", "-q", &image("shared-a")])
        .assert_success();
    let size_a = inspect_size(&env, &image("shared-a"));
    make_dangling(&env, "shared-a");
    let base = inspect_size(&env, &image("busybox"));
    let out = env
        .berth(&["image", "prune", "-f"])
        .assert_success()
        .stdout_str();
    assert_eq!(
        out,
        format!(
            "Deleted Images:\nuntagged: {}@{}\ndeleted: {}\n\nTotal reclaimed space: {}B\n",
            image("shared-a"),
            f.shared_a.manifest,
            f.shared_a.config,
            size_a - base
        )
    );
    assert_eq!(ids(&env), [f.busybox.config.as_str()]);
    assert_store_holds_exactly(&env, &[&f.busybox]);
    let again = env.berth(&["image", "prune", "-f"]).assert_success();
    assert_eq!(again.stdout_str(), "Total reclaimed space: 0B\n");
    env.finish();
}

fn prune_with_stdin(env: &TestEnv, args: &[&str], input: &str) -> (bool, String) {
    let mut child = env
        .command(Who::User, berth_bin(), args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn prune_without_force_asks_and_only_yes_goes_ahead() {
    let env = TestEnv::new("prune-prompt");
    env.berth(&["pull", "-q", &image("shared-a")])
        .assert_success();
    make_dangling(&env, "shared-a");
    let question =
        "WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ";
    // No input at all (stdin closed) aborts, as an empty answer does.
    let out = env.berth(&["image", "prune"]).assert_success().stdout_str();
    assert_eq!(out, question);
    for answer in ["\n", "n\n", "yes please\n"] {
        let (ok, out) = prune_with_stdin(&env, &["image", "prune"], answer);
        assert!(ok && out == question, "{answer:?}: {out}");
        assert_eq!(ids(&env).len(), 2, "{answer:?} keeps everything");
    }
    let (ok, out) = prune_with_stdin(&env, &["image", "prune"], "y\n");
    assert!(ok, "{out}");
    assert!(
        out.starts_with(&format!("{question}Deleted Images:\n")),
        "{out}"
    );
    assert_eq!(ids(&env), [fixtures().busybox.config.clone()]);
    env.finish();
}

#[test]
fn prune_all_removes_every_unused_image_and_leaves_an_empty_store() {
    let env = TestEnv::new("prune-all");
    for i in ["busybox", "layered", "shared-b"] {
        env.berth(&["pull", "-q", &image(i)]).assert_success();
    }
    let (ok, out) = prune_with_stdin(&env, &["image", "prune", "-a"], "n\n");
    assert!(ok);
    assert_eq!(out, "WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue? [y/N] ");
    let out = env
        .berth(&["image", "prune", "-a", "-f"])
        .assert_success()
        .stdout_str();
    assert_eq!(out.matches("deleted: sha256:").count(), 3, "{out}");
    assert!(
        out.contains(&format!("untagged: {}:latest\n", image("layered"))),
        "{out}"
    );
    assert!(ids(&env).is_empty());
    assert_store_holds_exactly(&env, &[]);
    env.finish();
}

#[test]
fn prune_label_filters_pick_images_by_their_labels_and_keep_shared_layers() {
    let env = TestEnv::new("prune-label");
    let f = fixtures();
    env.berth(&["pull", "-q", &image("shared-a")])
        .assert_success();
    env.berth(&["pull", "-q", &image("shared-b")])
        .assert_success();
    env.berth(&[
        "image",
        "prune",
        "-a",
        "-f",
        "--filter",
        "label=org.test.image=nosuch",
    ])
    .assert_success()
    .assert_stdout_contains("Total reclaimed space: 0B");
    let out = env
        .berth(&[
            "image",
            "prune",
            "-a",
            "-f",
            "--filter",
            "label=org.test.image=shared-a",
        ])
        .assert_success()
        .stdout_str();
    assert!(
        out.contains(&format!("deleted: {}", f.shared_a.config)),
        "{out}"
    );
    assert_eq!(ids(&env), [f.shared_b.config.as_str()]);
    // The base layer shared-a had in common with shared-b stays, and shared-b still works.
    assert_store_holds_exactly(&env, &[&f.shared_b]);
    env.berth(&["history", &image("shared-b")]).assert_success();
    env.berth(&["pull", "-q", &image("shared-a")])
        .assert_success();
    env.berth(&[
        "image",
        "prune",
        "-a",
        "-f",
        "--filter",
        "label!=org.test.image=shared-a",
    ])
    .assert_success();
    assert_eq!(ids(&env), [f.shared_a.config.as_str()]);
    env.berth(&[
        "image",
        "prune",
        "-a",
        "-f",
        "--filter",
        "label=org.test.image",
    ])
    .assert_success();
    assert!(ids(&env).is_empty());
    env.finish();
}

#[test]
fn prune_until_filter_keeps_images_created_after_it() {
    let env = TestEnv::new("prune-until");
    env.berth(&["pull", "-q", &image("shared-a")])
        .assert_success();
    make_dangling(&env, "shared-a");
    // The fixtures were created on 2024-01-02T03:04:05Z.
    for keeps in [
        "until=2024-01-01",
        "until=2024-01-02T03:04:04Z",
        "until=1704164000",
    ] {
        env.berth(&["image", "prune", "-f", "--filter", keeps])
            .assert_success()
            .assert_stdout_contains("Total reclaimed space: 0B");
        assert_eq!(ids(&env).len(), 2, "{keeps}");
    }
    env.berth(&["image", "prune", "-f", "--filter", "until=1h"])
        .assert_success()
        .assert_stdout_contains(&format!("deleted: {}", fixtures().shared_a.config));
    assert_eq!(ids(&env).len(), 1);
    env.finish();
}

#[test]
fn prune_rejects_a_bad_filter_and_changes_nothing() {
    let env = TestEnv::new("prune-bad-filter");
    env.berth(&["pull", "-q", &image("shared-a")])
        .assert_success();
    make_dangling(&env, "shared-a");
    for bad in ["until=yesterday", "dangling=false", "label", "color=red"] {
        env.berth(&["image", "prune", "-f", "--filter", bad])
            .assert_error(&format!("invalid filter {bad:?}"));
    }
    assert_eq!(ids(&env).len(), 2);
    env.finish();
}

/// Kill a pull of `big` the moment it has committed one of its layers or blobs (watching the
/// store, not the clock), and return with those orphans in the store.
fn leave_orphans(env: &TestEnv) {
    let big_layers = hexes(&chain_ids(&fixtures().big.diff_ids));
    let big_blobs = hexes(&fixtures().big.layers);
    let orphaned = || {
        entries(&env.store().join("layers"))
            .iter()
            .any(|l| big_layers.contains(l))
            || entries(&env.store().join("blobs/sha256"))
                .iter()
                .any(|b| big_blobs.contains(b))
    };
    for _ in 0..5 {
        let mut child = env.spawn(&["pull", "-q", &image("big")]);
        while !orphaned() && child.try_wait().unwrap().is_none() {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let _ = child.kill();
        let _ = child.wait();
        let listed = env
            .berth(&["images", "-q", "--no-trunc"])
            .assert_success()
            .stdout_str();
        if listed.contains(&fixtures().big.config) {
            // The pull won the race and finished: start over.
            env.berth(&["rmi", &image("big")]).assert_success();
            continue;
        }
        if orphaned() {
            return;
        }
    }
    panic!("no killed pull left a layer or blob behind: the test proves nothing");
}

#[test]
fn prune_sweeps_what_killed_pulls_left_and_a_repull_still_works() {
    let env = TestEnv::new("prune-orphans");
    let f = fixtures();
    env.berth(&["pull", "-q", &image("busybox")])
        .assert_success();
    leave_orphans(&env);
    env.berth(&["image", "prune", "-f"]).assert_success();
    assert_store_holds_exactly(&env, &[&f.busybox]);
    assert_eq!(ids(&env), [f.busybox.config.as_str()]);
    env.berth(&["pull", "-q", &image("big")]).assert_success();
    assert_store_holds_exactly(&env, &[&f.busybox, &f.big]);
    env.finish();
}

#[test]
fn rmi_sweeps_orphans_too() {
    let env = TestEnv::new("rmi-orphans");
    let f = fixtures();
    env.berth(&["pull", "-q", &image("busybox")])
        .assert_success();
    env.berth(&["pull", "-q", &image("shared-a")])
        .assert_success();
    leave_orphans(&env);
    env.berth(&["rmi", &image("shared-a")]).assert_success();
    assert_store_holds_exactly(&env, &[&f.busybox]);
    env.finish();
}

#[test]
fn sweep_leaves_content_alone_while_a_pull_holds_the_ingest_guard() {
    let env = TestEnv::new("prune-inflight");
    let f = fixtures();
    env.berth(&["pull", "-q", &image("busybox")])
        .assert_success();
    leave_orphans(&env);
    let before_layers = entries(&env.store().join("layers"));
    let before_blobs = entries(&env.store().join("blobs/sha256"));
    // What a running pull holds: the shared ingest lock, taken as the test user.
    let lock = env.store().join("locks/ingest.lock");
    let mut holder = env
        .command(
            Who::User,
            "flock",
            &[
                "-s",
                lock.to_str().unwrap(),
                "-c",
                "echo locked; read _ || true",
            ],
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(holder.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "locked\n");
    env.berth(&["image", "prune", "-a", "-f", "--filter", "label=nosuch"])
        .assert_success();
    assert_eq!(entries(&env.store().join("layers")), before_layers);
    assert_eq!(entries(&env.store().join("blobs/sha256")), before_blobs);
    // End of input ends the holder's shell, and with it the lock.
    drop(holder.stdin.take());
    let done = holder.wait_with_output().unwrap();
    assert!(
        done.status.success(),
        "{}: {}",
        done.status,
        String::from_utf8_lossy(&done.stderr)
    );
    env.berth(&["image", "prune", "-f"]).assert_success();
    assert_store_holds_exactly(&env, &[&f.busybox]);
    env.finish();
}

/// An independent oracle for go-units HumanSize (four significant digits, decimal units).
fn go_units_human_size(n: u64) -> String {
    let units = ["B", "kB", "MB", "GB"];
    let (mut v, mut u) = (n as f64, 0);
    while v >= 1000.0 && u < 3 {
        v /= 1000.0;
        u += 1;
    }
    let digits = if v == 0.0 {
        0
    } else {
        (3 - v.log10().floor() as i32).max(0) as usize
    };
    let s = format!("{v:.digits$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    format!("{s}{}", units[u])
}

fn df_rows(env: &TestEnv) -> Vec<Vec<String>> {
    env.berth(&["system", "df"])
        .assert_success()
        .stdout_str()
        .lines()
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(String::from)
                .collect()
        })
        .collect()
}

#[test]
fn df_counts_shared_layers_once_and_calls_unused_images_reclaimable() {
    let env = TestEnv::new("df");
    let empty = df_rows(&env);
    assert_eq!(
        empty,
        [
            vec!["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"],
            vec!["Images", "0", "0", "0B", "0B"],
            vec!["Containers", "0", "0", "0B", "0B"],
            vec!["Local Volumes", "0", "0", "0B", "0B"],
            vec!["Build Cache", "0", "0", "0B", "0B"],
        ]
    );
    for i in ["busybox", "shared-a", "shared-b"] {
        env.berth(&["pull", "-q", &image(i)]).assert_success();
    }
    let base = inspect_size(&env, &image("busybox"));
    let a = inspect_size(&env, &image("shared-a"));
    let b = inspect_size(&env, &image("shared-b"));
    let total = a + b - base;
    let rows = df_rows(&env);
    assert_eq!(
        rows[1],
        [
            "Images".to_string(),
            "3".into(),
            "0".into(),
            go_units_human_size(total),
            format!("{} (100%)", go_units_human_size(total)),
        ],
        "the base layer counts once; with no container, all of it is reclaimable"
    );
    assert_ne!(
        go_units_human_size(total),
        go_units_human_size(a + b + base)
    );
    let stores = env
        .berth(&["system", "df", "--format", "{{.Type}}={{.TotalCount}}"])
        .assert_success()
        .stdout_str();
    assert_eq!(
        stores,
        "Images=3\nContainers=0\nLocal Volumes=0\nBuild Cache=0\n"
    );
    let v = env
        .berth(&["system", "df", "-v", "--format", "json"])
        .assert_success()
        .stdout_str();
    let doc: serde_json::Value = serde_json::from_str(&v).unwrap();
    assert_eq!(doc["Images"].as_array().unwrap().len(), 3, "{v}");
    assert_eq!(doc["Containers"], serde_json::json!([]), "{v}");
    env.finish();
}

#[test]
fn df_verbose_lists_images_with_shared_and_unique_sizes() {
    let env = TestEnv::new("df-verbose");
    for i in ["busybox", "shared-a"] {
        env.berth(&["pull", "-q", &image(i)]).assert_success();
    }
    let out = env
        .berth(&["system", "df", "-v"])
        .assert_success()
        .stdout_str();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "Images space usage:");
    let header: Vec<&str> = lines[2]
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        header,
        [
            "REPOSITORY",
            "TAG",
            "IMAGE ID",
            "CREATED",
            "SIZE",
            "SHARED SIZE",
            "UNIQUE SIZE",
            "CONTAINERS"
        ]
    );
    let busybox = lines
        .iter()
        .find(|l| l.starts_with(&format!("{} ", image("busybox"))))
        .unwrap_or_else(|| panic!("{out}"));
    let cells: Vec<&str> = busybox.split_whitespace().collect();
    // busybox is only the base layer, which shared-a uses too: all shared, nothing unique.
    assert_eq!(cells[cells.len() - 1], "0");
    assert_eq!(cells[cells.len() - 2], "0B");
    assert_eq!(cells[cells.len() - 3], cells[cells.len() - 4]);
    for section in [
        "Containers space usage:",
        "Local Volumes space usage:",
        "Build cache usage: 0B",
    ] {
        assert!(lines.contains(&section), "{out}");
    }
    assert!(
        out.contains("CONTAINER ID") && out.contains("VOLUME NAME") && out.contains("CACHE ID")
    );
    env.berth(&["system", "df", "-v", "--format", "{{.Type}}"])
        .assert_error("--format");
    env.finish();
}
