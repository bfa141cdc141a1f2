//! Getting data out of containers: `diff` and `commit`.

use crate::fixtures::image;
use crate::util::{TestEnv, Who};

fn busybox_env(name: &str) -> (TestEnv, String) {
    let env = TestEnv::new(name);
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    (env, img)
}

#[test]
fn diff_lists_added_changed_and_deleted_paths_like_docker() {
    let (env, img) = busybox_env("fs-diff");
    env.berth(&[
        "run",
        "--name",
        "c",
        &img,
        "sh",
        "-c",
        "mkdir /newdir && echo x > /newdir/f && echo y >> /etc/passwd && rm /bin/ls",
    ])
    .assert_success();
    let out = env.berth(&["diff", "c"]).assert_success().stdout_str();
    let lines: Vec<&str> = out.lines().collect();
    for want in [
        "A /newdir",
        "A /newdir/f",
        "C /etc",
        "C /etc/passwd",
        "C /bin",
        "D /bin/ls",
    ] {
        assert!(lines.contains(&want), "{want:?} missing from:\n{out}");
    }
    let mut sorted = lines.clone();
    sorted.sort_by_key(|l| &l[2..]);
    assert_eq!(lines, sorted, "sorted by path");
    // `container diff` is the same verb.
    let again = env
        .berth(&["container", "diff", "c"])
        .assert_success()
        .stdout_str();
    assert_eq!(again, out);
    env.berth(&["diff", "nosuch"])
        .assert_error("no container with name or ID \"nosuch\"");
    env.berth(&["rm", "c"]).assert_success();
    env.finish();
}

#[test]
fn a_committed_image_runs_with_the_containers_changes_and_history() {
    let (env, img) = busybox_env("fs-commit");
    env.berth(&[
        "run",
        "--name",
        "c",
        &img,
        "sh",
        "-c",
        "echo x > /f && rm /bin/ls",
    ])
    .assert_success();
    let id = env
        .berth(&[
            "commit",
            "-m",
            "added f",
            "-a",
            "Jane <j@example.com>",
            "-c",
            "ENV COMMITTED=yes",
            "c",
            "img2",
        ])
        .assert_success()
        .stdout_str();
    assert!(id.starts_with("sha256:"), "{id}");
    let out = env
        .berth(&[
            "run",
            "--rm",
            "img2",
            "sh",
            "-c",
            "cat /f; echo $COMMITTED; test -e /bin/ls || echo no-ls",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "x\nyes\nno-ls\n");
    let history = env
        .berth(&["history", "--no-trunc", "img2"])
        .assert_success()
        .stdout_str();
    assert!(history.contains("added f"), "{history}");
    let author = env
        .berth(&["inspect", "--format", "{{.Author}}", "img2"])
        .assert_success()
        .stdout_str();
    assert_eq!(author.trim(), "Jane <j@example.com>");
    env.berth(&["commit", "-c", "BOGUS x", "c", "img3"])
        .assert_error("BOGUS is not an instruction --change supports");
    assert_ne!(env.berth(&["image", "inspect", "img3"]).code(), 0);
    env.berth(&["rm", "c"]).assert_success();
    env.berth(&["rmi", "img2"]).assert_success();
    env.finish();
}

#[test]
fn export_writes_the_merged_filesystem_without_deleted_files() {
    let (env, img) = busybox_env("fs-export");
    env.berth(&[
        "run",
        "--name",
        "c",
        &img,
        "sh",
        "-c",
        "echo x > /f && rm /bin/ls",
    ])
    .assert_success();
    let tar = env.home(Who::User).home.join("c.tar");
    let tar = tar.to_str().unwrap();
    env.berth(&["export", "-o", tar, "c"]).assert_success();
    let listing = std::process::Command::new("tar")
        .args(["-tf", tar])
        .output()
        .unwrap();
    assert!(listing.status.success());
    let names = String::from_utf8_lossy(&listing.stdout).into_owned();
    let names: Vec<&str> = names.lines().map(|l| l.trim_start_matches("./")).collect();
    assert!(names.contains(&"f"), "{names:?}");
    assert!(names.contains(&"bin/busybox"), "{names:?}");
    assert!(names.contains(&"etc/passwd"), "{names:?}");
    assert!(!names.contains(&"bin/ls"), "a deleted file is not exported");
    assert!(!names.iter().any(|n| n.contains(".wh.")), "{names:?}");
    env.berth(&["export", "-o", tar, "nosuch"])
        .assert_error("no container with name or ID \"nosuch\"");
    env.berth(&["rm", "c"]).assert_success();
    env.finish();
}

#[test]
fn cp_copies_both_ways_and_never_follows_a_symlink_out_of_the_container() {
    let (env, img) = busybox_env("fs-cp");
    env.berth(&[
        "run",
        "--name",
        "c",
        &img,
        "sh",
        "-c",
        "echo inside > /in.txt && ln -s /etc/hostname-of-host /escape && ln -s /etc/berth-cp-secret /leak && mkdir /dir",
    ])
    .assert_success();
    let home = env.home(Who::User).home.clone();
    let out = home.join("got.txt");
    env.berth(&["cp", "c:/in.txt", out.to_str().unwrap()])
        .assert_success();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "inside\n");

    // -L follows /leak inside the container's root, where /etc/berth-cp-secret does not exist.
    std::fs::write("/etc/berth-cp-secret", "host secret\n").unwrap();
    let leak = env.berth(&["cp", "-L", "c:/leak", home.join("leak").to_str().unwrap()]);
    std::fs::remove_file("/etc/berth-cp-secret").unwrap();
    leak.assert_error("/leak");
    assert!(!home.join("leak").exists());
    let stream = env.berth(&["cp", "c:/in.txt", "-"]).assert_success();
    let listed = stream.stdout_str();
    assert!(
        listed.contains("in.txt") && listed.contains("inside"),
        "{listed}"
    );

    let src = home.join("host.txt");
    std::fs::write(&src, "from host\n").unwrap();
    let chown = std::process::Command::new("chown")
        .args(["berthtest", src.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(chown.success());
    env.berth(&["cp", src.to_str().unwrap(), "c:/dir"])
        .assert_success();
    // A symlink pointing at an absolute host path resolves inside the container's root.
    env.berth(&["cp", src.to_str().unwrap(), "c:/escape"])
        .assert_success();
    assert!(!std::path::Path::new("/etc/hostname-of-host").exists());
    let replaced = home.join("escape.txt");
    env.berth(&["cp", "c:/escape", replaced.to_str().unwrap()])
        .assert_success();
    assert_eq!(std::fs::read_to_string(&replaced).unwrap(), "from host\n");
    env.berth(&[
        "cp",
        "c:/dir/host.txt",
        home.join("back.txt").to_str().unwrap(),
    ])
    .assert_success();
    assert_eq!(
        std::fs::read_to_string(home.join("back.txt")).unwrap(),
        "from host\n"
    );
    env.berth(&["cp", "c:relative", home.to_str().unwrap()])
        .assert_error("is relative");
    env.berth(&["rm", "-f", "c"]).assert_success();
    env.finish();
}

#[test]
fn cp_reads_and_writes_a_running_container() {
    let (env, img) = busybox_env("fs-cp-running");
    env.berth(&["run", "-d", "--name", "r", &img, "sleep", "300"])
        .assert_success();
    env.berth(&["exec", "r", "sh", "-c", "echo live > /live.txt"])
        .assert_success();
    let home = env.home(Who::User).home.clone();
    let got = home.join("live.txt");
    env.berth(&["cp", "r:/live.txt", got.to_str().unwrap()])
        .assert_success();
    assert_eq!(std::fs::read_to_string(&got).unwrap(), "live\n");
    env.berth(&["cp", got.to_str().unwrap(), "r:/"])
        .assert_success();
    env.berth(&["exec", "r", "cat", "/live.txt"])
        .assert_stdout_contains("live");
    env.berth(&["rm", "-f", "r"]).assert_success();
    env.finish();
}

#[test]
fn commit_and_export_work_for_root_too() {
    let env = TestEnv::new("fs-root");
    let img = image("busybox");
    env.berth_as_root(&["pull", "-q", &img]).assert_success();
    env.berth_as_root(&["run", "--name", "c", &img, "sh", "-c", "echo r > /r"])
        .assert_success();
    env.berth_as_root(&["commit", "c", "rootimg"])
        .assert_success();
    let out = env
        .berth_as_root(&["run", "--rm", "rootimg", "cat", "/r"])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "r\n");
    let tar = env.home(Who::Root).home.join("c.tar");
    env.berth_as_root(&["export", "-o", tar.to_str().unwrap(), "c"])
        .assert_success();
    assert!(std::fs::metadata(&tar).unwrap().len() > 0);
    env.berth_as_root(&["rm", "c"]).assert_success();
    env.berth_as_root(&["rmi", "rootimg"]).assert_success();
    env.finish();
}
