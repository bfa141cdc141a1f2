//! Data in and out of containers while they run: `cp` into and out of a running container,
//! `commit --pause/--squash`, `unshare` + `mount`/`unmount`, `system prune` and `system reset`.

use crate::fixtures::{image, Layer};
use crate::util::{TestEnv, Who};

fn busybox_env(name: &str) -> (TestEnv, String) {
    let env = TestEnv::new(name);
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    (env, img)
}

/// A host file in the test user's home, owned by that user.
fn host_file(env: &TestEnv, name: &str, text: &str) -> String {
    let p = env.home(Who::User).home.join(name);
    env.write_file(Who::User, &p, text);
    p.to_str().unwrap().to_string()
}

#[test]
fn cp_into_a_running_container_is_seen_by_its_processes_even_on_a_tmpfs() {
    let (env, img) = busybox_env("dm-cp-in-running");
    env.berth(&[
        "run", "-d", "--name", "r", "--tmpfs", "/scratch", &img, "sleep", "300",
    ])
    .assert_success();
    let src = host_file(&env, "hello.txt", "hello from host\n");
    env.berth(&["cp", &src, "r:/tmp/"]).assert_success();
    env.berth(&["cp", &src, "r:/scratch/renamed.txt"])
        .assert_success();
    let out = env
        .berth(&["exec", "r", "cat", "/tmp/hello.txt", "/scratch/renamed.txt"])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "hello from host\nhello from host\n");
    // Out of the tmpfs too: only the container's own mount namespace has it.
    env.berth(&[
        "exec",
        "r",
        "sh",
        "-c",
        "echo made inside > /scratch/inside.txt",
    ])
    .assert_success();
    let got = env.home(Who::User).home.join("inside.txt");
    env.berth(&["cp", "r:/scratch/inside.txt", got.to_str().unwrap()])
        .assert_success();
    assert_eq!(std::fs::read_to_string(&got).unwrap(), "made inside\n");
    let running = env
        .berth(&["inspect", "--format", "{{.State.Running}}", "r"])
        .assert_success()
        .stdout_str();
    assert_eq!(running.trim(), "true");
    env.berth(&["rm", "-f", "r"]).assert_success();
    env.finish();
}

#[test]
fn cp_into_a_running_container_never_writes_through_its_symlinks_to_the_host() {
    let (env, img) = busybox_env("dm-cp-symlinks");
    env.berth(&["run", "-d", "--name", "r", &img, "sleep", "300"])
        .assert_success();
    env.berth(&[
        "exec",
        "r",
        "sh",
        "-c",
        "ln -s / /rootlink && ln -s ../../../../../../ /up && mkdir /box",
    ])
    .assert_success();
    let marker = "berth-dm-cp-escape.txt";
    let src = host_file(&env, marker, "escaped?\n");
    // Symlinks as the destination resolve inside the container's root.
    env.berth(&["cp", &src, "r:/rootlink/"]).assert_success();
    env.berth(&["cp", &src, "r:/up/"]).assert_success();
    assert!(!std::path::Path::new("/").join(marker).exists());
    let inside = env
        .berth(&["exec", "r", "cat", &format!("/{marker}")])
        .assert_success()
        .stdout_str();
    assert_eq!(inside, "escaped?\n");
    // A tar entry that goes through a symlink (or climbs with ..) is refused, not followed.
    let through_link = Layer::new()
        .file("up/berth-dm-cp-tar-escape.txt", b"x")
        .tar();
    env.berth_with_stdin(&["cp", "-", "r:/"], &through_link)
        .assert_error("up/berth-dm-cp-tar-escape.txt");
    let climbing = Layer::new()
        .raw(
            "../berth-dm-cp-dotdot.txt",
            tar::EntryType::Regular,
            "",
            b"x",
        )
        .tar();
    env.berth_with_stdin(&["cp", "-", "r:/box"], &climbing)
        .assert_error("berth-dm-cp-dotdot.txt");
    assert!(!std::path::Path::new("/berth-dm-cp-tar-escape.txt").exists());
    assert!(!std::path::Path::new("/berth-dm-cp-dotdot.txt").exists());
    env.berth(&["exec", "r", "sh", "-c", "test ! -e /berth-dm-cp-dotdot.txt"])
        .assert_success();
    env.berth(&["rm", "-f", "r"]).assert_success();
    env.finish();
}

#[test]
fn cp_archive_mode_keeps_owners_and_plain_cp_gives_files_to_root() {
    let (env, img) = busybox_env("dm-cp-archive");
    env.berth(&["run", "-d", "--name", "r", &img, "sleep", "300"])
        .assert_success();
    let stream = Layer::new()
        .dir("owned", 0o755)
        .file_owned("owned/f", b"data\n", 0o640, 1234)
        .tar();
    env.berth_with_stdin(&["cp", "-a", "-", "r:/tmp"], &stream)
        .assert_success();
    env.berth(&["exec", "r", "mkdir", "/plain"])
        .assert_success();
    env.berth_with_stdin(&["cp", "-", "r:/plain"], &stream)
        .assert_success();
    let owners = env
        .berth(&[
            "exec",
            "r",
            "stat",
            "-c",
            "%u:%g %a",
            "/tmp/owned/f",
            "/plain/owned/f",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(owners, "1234:1234 640\n0:0 640\n");
    let body = env
        .berth(&["exec", "r", "cat", "/tmp/owned/f"])
        .assert_success()
        .stdout_str();
    assert_eq!(body, "data\n");
    env.berth(&["rm", "-f", "r"]).assert_success();
    env.finish();
}

#[test]
fn cp_tar_stream_into_a_missing_directory_is_refused_with_nothing_written() {
    let (env, img) = busybox_env("dm-cp-stream-missing");
    env.berth(&["run", "-d", "--name", "r", &img, "sleep", "300"])
        .assert_success();
    let stream = Layer::new().file("f", b"x").tar();
    env.berth_with_stdin(&["cp", "-", "r:/nosuch"], &stream)
        .assert_error("/nosuch does not exist in the container");
    env.berth(&["exec", "r", "sh", "-c", "test ! -e /f"])
        .assert_success();
    env.berth(&["rm", "-f", "r"]).assert_success();
    env.finish();
}

#[test]
fn commit_of_a_running_container_keeps_it_running_and_captures_its_changes() {
    let (env, img) = busybox_env("dm-commit-running");
    env.berth(&["run", "-d", "--name", "r", &img, "sleep", "300"])
        .assert_success();
    env.berth(&["exec", "r", "sh", "-c", "echo live > /live.txt"])
        .assert_success();
    env.berth(&["commit", "r", "live-image"]).assert_success();
    let status = env
        .berth(&["inspect", "--format", "{{.State.Status}}", "r"])
        .assert_success()
        .stdout_str();
    assert_eq!(status.trim(), "running");
    let out = env
        .berth(&["run", "--rm", "live-image", "cat", "/live.txt"])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "live\n");
    env.berth(&["rm", "-f", "r"]).assert_success();
    env.finish();
}

#[test]
fn commit_pauses_a_root_container_and_leaves_it_running_afterwards() {
    let env = TestEnv::new("dm-commit-pause-root");
    let img = image("busybox");
    env.berth_as_root(&["pull", "-q", &img]).assert_success();
    env.berth_as_root(&["run", "-d", "--name", "r", &img, "sleep", "300"])
        .assert_success();
    env.berth_as_root(&["exec", "r", "sh", "-c", "echo frozen > /f.txt"])
        .assert_success();
    env.berth_as_root(&["commit", "--pause=true", "r", "paused-image"])
        .assert_success();
    let status = env
        .berth_as_root(&["inspect", "--format", "{{.State.Status}}", "r"])
        .assert_success()
        .stdout_str();
    assert_eq!(status.trim(), "running");
    env.berth_as_root(&["exec", "r", "true"]).assert_success();
    let out = env
        .berth_as_root(&["run", "--rm", "paused-image", "cat", "/f.txt"])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "frozen\n");
    env.berth_as_root(&["rm", "-f", "r"]).assert_success();
    env.berth_as_root(&["rmi", "paused-image"]).assert_success();
    env.finish();
}

#[test]
fn commit_squash_makes_one_layer_with_the_images_files_and_the_changes() {
    let (env, img) = busybox_env("dm-commit-squash");
    env.berth(&[
        "run",
        "--name",
        "c",
        &img,
        "sh",
        "-c",
        "echo added > /added.txt && rm /bin/ls",
    ])
    .assert_success();
    env.berth(&["commit", "--squash", "-m", "flattened", "c", "flat"])
        .assert_success();
    let layers = env
        .berth(&["inspect", "--format", "{{len .RootFS.Layers}}", "flat"])
        .assert_success()
        .stdout_str();
    assert_eq!(layers.trim(), "1");
    let out = env
        .berth(&[
            "run",
            "--rm",
            "flat",
            "sh",
            "-c",
            "cat /added.txt; test -e /bin/ls && echo ls-present || echo ls-gone",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "added\nls-gone\n");
    env.berth(&["history", "flat"])
        .assert_success()
        .assert_stdout_contains("flattened");
    env.berth(&["rm", "c"]).assert_success();
    env.finish();
}
