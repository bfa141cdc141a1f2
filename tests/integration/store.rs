//! Store integrity: sharing, concurrency, SIGKILL at any moment, reuse.

use std::fs;
use std::time::Duration;

use crate::fixtures::image;
use crate::util::TestEnv;

fn layer_count(env: &TestEnv) -> usize {
    fs::read_dir(env.store().join("layers")).unwrap().count()
}

#[test]
fn concurrent_pulls_of_overlapping_images_store_the_shared_layer_once() {
    let env = TestEnv::new("store-concurrent");
    let mut a = env.spawn(&["pull", "-q", &image("shared-a")]);
    let mut b = env.spawn(&["pull", "-q", &image("shared-b")]);
    assert!(a.wait().unwrap().success());
    assert!(b.wait().unwrap().success());
    assert_eq!(
        layer_count(&env),
        3,
        "base layer shared, one top layer each"
    );
    assert_eq!(
        env.berth(&["images", "-q"]).ok().stdout().lines().count(),
        2
    );
    let mut c = env.spawn(&["pull", "-q", &image("busybox")]);
    let mut d = env.spawn(&["pull", "-q", &image("busybox")]);
    assert!(c.wait().unwrap().success() && d.wait().unwrap().success());
    assert_eq!(
        env.berth(&["images", "-q"]).ok().stdout().lines().count(),
        3
    );
    env.finish();
}

#[test]
fn pull_killed_at_any_moment_leaves_a_usable_store_and_repull_completes() {
    let env = TestEnv::new("store-kill");
    for delay in [30u64, 120, 300, 600, 900] {
        let mut child = env.spawn(&["pull", "-q", &image("big")]);
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        let listed = env
            .berth(&["images", "--format", "{{.Repository}}"])
            .ok()
            .stdout();
        let complete = listed.contains("big");
        // Either the pull finished before the kill, or nothing of it is registered.
        if complete {
            env.berth(&["rmi", &image("big")]).ok();
        }
        for e in fs::read_dir(env.store().join("layers")).unwrap().flatten() {
            assert!(
                e.path().join("layer.json").is_file(),
                "half layer {:?} after kill at {delay}ms",
                e.path()
            );
        }
    }
    let out = env.berth(&["pull", &image("big")]).ok();
    assert!(out.stdout().trim().len() == 64);
    env.berth(&["image", "inspect", &image("big")]).ok();
    assert_eq!(
        fs::read_dir(env.store().join("tmp")).unwrap().count(),
        0,
        "temp work cleaned"
    );
    env.finish();
}

#[test]
fn repull_downloads_nothing() {
    let env = TestEnv::new("store-repull");
    env.berth(&["pull", &image("layered")]).ok();
    let out = env.berth(&["pull", &image("layered")]).ok();
    assert_eq!(
        out.stderr().matches("skipped: already exists").count(),
        4,
        "{}",
        out.stderr()
    );
    env.finish();
}

#[test]
fn rmi_keeps_layers_shared_with_another_image() {
    let env = TestEnv::new("store-rmi-shared");
    env.berth(&["pull", "-q", &image("shared-a")]).ok();
    env.berth(&["pull", "-q", &image("shared-b")]).ok();
    let out = env.berth(&["rmi", &image("shared-a")]).ok();
    assert!(
        out.stdout().contains("Untagged:") && out.stdout().contains("Deleted: sha256:"),
        "{}",
        out.stdout()
    );
    assert_eq!(layer_count(&env), 2, "base + shared-b top remain");
    env.berth(&["rmi", &image("shared-b")]).ok();
    assert_eq!(layer_count(&env), 0);
    assert_eq!(
        fs::read_dir(env.store().join("blobs/sha256"))
            .unwrap()
            .count(),
        0,
        "blobs collected"
    );
    env.finish();
}

#[test]
fn corrupt_image_database_is_reported_not_ignored() {
    let env = TestEnv::new("store-corrupt-db");
    env.berth(&["pull", "-q", &image("busybox")]).ok();
    fs::write(env.store().join("images.json"), b"{broken").unwrap();
    env.berth(&["images"]).fails(125, "images.json is corrupt");
    env.finish();
}
