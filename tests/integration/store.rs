//! The store under stress: shared layers, concurrent pulls, SIGKILL in the middle of a pull,
//! reuse of what is already there, and garbage left by nobody.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::fixtures::{self, fixtures, image};
use crate::pull::chain_ids;
use crate::util::{entries, TestEnv};

/// What a reader may rely on at any moment: every layer directory is complete (has its
/// record), every blob's content matches its name, and every listed image can be inspected
/// with all its layers present.
fn assert_store_consistent(env: &TestEnv, when: &str) {
    let store = env.store();
    for l in entries(&store.join("layers")) {
        assert!(
            store.join("layers").join(&l).join("layer.json").is_file(),
            "half layer {l} {when}"
        );
    }
    for b in entries(&store.join("blobs/sha256")) {
        let data = fs::read(store.join("blobs/sha256").join(&b)).unwrap();
        assert_eq!(
            fixtures::digest(&data),
            format!("sha256:{b}"),
            "blob {b} is truncated or wrong {when}"
        );
    }
    let ids = env
        .berth(&["images", "-q", "--no-trunc"])
        .assert_success()
        .stdout_str();
    for id in ids.lines() {
        let layers = env
            .berth(&[
                "image",
                "inspect",
                "--format",
                "{{json .RootFS.Layers}}",
                id,
            ])
            .assert_success();
        let diff_ids: Vec<String> = serde_json::from_str(layers.stdout_str().trim()).unwrap();
        for c in chain_ids(&diff_ids) {
            let dir = store.join("layers").join(c.trim_start_matches("sha256:"));
            assert!(
                dir.join("layer.json").is_file(),
                "image {id} lists missing layer {c} {when}"
            );
        }
    }
}

fn wait_ok(child: std::process::Child, what: &str) -> String {
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{stdout}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn concurrent_pulls_of_images_sharing_a_layer_store_it_once() {
    let env = TestEnv::new("concurrent-shared");
    let a = env.spawn(&["pull", "-q", &image("shared-a")]);
    let b = env.spawn(&["pull", "-q", &image("shared-b")]);
    let id_a = wait_ok(a, "pull shared-a");
    let id_b = wait_ok(b, "pull shared-b");
    let f = fixtures();
    assert_eq!(format!("sha256:{}", id_a.trim()), f.shared_a.config);
    assert_eq!(format!("sha256:{}", id_b.trim()), f.shared_b.config);
    assert_eq!(
        f.shared_a.diff_ids[0], f.shared_b.diff_ids[0],
        "the fixtures share their base"
    );
    let mut want: Vec<String> = chain_ids(&f.shared_a.diff_ids)
        .into_iter()
        .chain(chain_ids(&f.shared_b.diff_ids))
        .map(|c| c.trim_start_matches("sha256:").to_string())
        .collect();
    want.sort();
    want.dedup();
    assert_eq!(want.len(), 3);
    assert_eq!(
        entries(&env.store().join("layers")),
        want,
        "base once, one top layer each"
    );
    assert_store_consistent(&env, "after concurrent pulls");
    env.finish();
}

#[test]
fn concurrent_pulls_of_the_same_image_both_succeed() {
    let env = TestEnv::new("concurrent-same");
    let a = env.spawn(&["pull", "-q", &image("layered")]);
    let b = env.spawn(&["pull", "-q", &image("layered")]);
    assert_eq!(wait_ok(a, "first pull"), wait_ok(b, "second pull"));
    assert_eq!(entries(&env.store().join("layers")).len(), 4);
    assert_eq!(
        env.berth(&["images", "-q"])
            .assert_success()
            .stdout_str()
            .lines()
            .count(),
        1
    );
    assert_store_consistent(&env, "after two pulls of one image");
    env.finish();
}

#[test]
fn pull_killed_at_any_moment_leaves_a_usable_store_and_a_repull_completes() {
    let env = TestEnv::new("kill-pull");
    let big = &fixtures().big;
    // Time one whole pull, so that the kills land inside the pull on a fast or a slow machine.
    let started = Instant::now();
    env.berth(&["pull", "-q", &image("big")]).assert_success();
    let whole = started.elapsed();
    env.berth(&["rmi", &image("big")]).assert_success();
    assert_eq!(
        entries(&env.store().join("blobs/sha256")),
        Vec::<String>::new()
    );
    let mut delays = vec![Duration::from_millis(50)];
    delays.extend([1, 3, 5, 7, 9].map(|tenths| whole * tenths / 10));
    let mut interrupted = 0;
    for delay in delays {
        let mut child = env.spawn(&["pull", "-q", &image("big")]);
        std::thread::sleep(delay);
        let _ = child.kill();
        let status = child.wait().unwrap();
        let when = format!("after SIGKILL at {delay:?} of a {whole:?} pull ({status})");
        let listed = env
            .berth(&["images", "-q", "--no-trunc"])
            .assert_success()
            .stdout_str();
        assert!(
            listed.is_empty() || listed.trim() == big.config,
            "{when}: {listed}"
        );
        assert_store_consistent(&env, &when);
        if listed.is_empty() {
            interrupted += 1;
        } else {
            // The pull won the race: start the next round from scratch.
            env.berth(&["rmi", &image("big")]).assert_success();
        }
    }
    assert!(
        interrupted >= 3,
        "only {interrupted} of 6 kills interrupted a pull: the test proves little"
    );
    let out = env.berth(&["pull", &image("big")]).assert_success();
    assert_eq!(
        format!("sha256:{}", out.stdout_str().lines().last().unwrap()),
        big.config
    );
    assert_store_consistent(&env, "after the re-pull");
    assert_eq!(
        entries(&env.store().join("tmp")),
        Vec::<String>::new(),
        "killed pulls' work is cleaned"
    );
    env.finish();
}

#[test]
fn repull_downloads_nothing() {
    let env = TestEnv::new("repull");
    env.berth(&["pull", &image("layered")]).assert_success();
    let out = env.berth(&["pull", &image("layered")]).assert_success();
    let all = format!("{}{}", out.stdout_str(), out.stderr_str());
    for layer in &fixtures().layered.layers {
        let hex = &layer.trim_start_matches("sha256:")[..12];
        assert!(
            all.lines().any(|l| l.contains("Copying blob")
                && l.contains(hex)
                && l.contains("skipped: already exists")),
            "layer {layer} is not reported as already there:\n{all}"
        );
    }
    assert_eq!(all.matches("skipped: already exists").count(), 4, "{all}");
    env.finish();
}

#[test]
fn rmi_keeps_layers_shared_with_another_image() {
    let env = TestEnv::new("rmi-shared");
    let f = fixtures();
    env.berth(&["pull", "-q", &image("shared-a")])
        .assert_success();
    env.berth(&["pull", "-q", &image("shared-b")])
        .assert_success();
    let out = env
        .berth(&["rmi", &image("shared-a")])
        .assert_success()
        .stdout_str();
    // docker also untags the pulled-by digest name (`Untagged: repo@sha256:...`); podman does not.
    assert!(
        out.lines()
            .any(|l| l == format!("Untagged: {}:latest", image("shared-a"))),
        "{out}"
    );
    assert_eq!(
        out.lines().last(),
        Some(format!("Deleted: {}", f.shared_a.config).as_str()),
        "{out}"
    );
    let b_layers: Vec<String> = chain_ids(&f.shared_b.diff_ids)
        .iter()
        .map(|c| c.trim_start_matches("sha256:").to_string())
        .collect();
    let mut want = b_layers.clone();
    want.sort();
    assert_eq!(
        entries(&env.store().join("layers")),
        want,
        "shared-b keeps the base layer"
    );
    assert_store_consistent(&env, "after removing one of two sharing images");
    env.berth(&["rmi", &image("shared-b")]).assert_success();
    assert_eq!(entries(&env.store().join("layers")), Vec::<String>::new());
    assert_eq!(
        entries(&env.store().join("blobs/sha256")),
        Vec::<String>::new(),
        "blobs are collected too"
    );
    env.finish();
}

#[test]
fn corrupt_image_database_is_reported_not_ignored() {
    let env = TestEnv::new("corrupt-db");
    env.berth(&["pull", "-q", &image("busybox")])
        .assert_success();
    fs::write(env.store().join("images.json"), b"{broken").unwrap();
    env.berth(&["images"])
        .assert_error("images.json is corrupt");
    env.finish();
}

#[test]
fn store_has_the_documented_layout() {
    let env = TestEnv::new("layout");
    env.berth(&["pull", "-q", &image("busybox")])
        .assert_success();
    let store = env.store();
    let b = &fixtures().busybox;
    for blob in b.layers.iter().chain([&b.config]) {
        assert!(
            store
                .join("blobs/sha256")
                .join(blob.trim_start_matches("sha256:"))
                .is_file(),
            "blob {blob}"
        );
    }
    let chain = &chain_ids(&b.diff_ids)[0];
    let layer = store
        .join("layers")
        .join(chain.trim_start_matches("sha256:"));
    assert!(layer.join("layer.json").is_file() && layer.join("diff/bin/busybox").is_file());
    let db: serde_json::Value =
        serde_json::from_slice(&fs::read(store.join("images.json")).unwrap()).unwrap();
    assert!(
        db.to_string()
            .contains(b.config.trim_start_matches("sha256:")),
        "images.json knows the image: {db}"
    );
    assert!(Path::new(&store.join("tmp")).is_dir());
    env.finish();
}
