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
    // Whole directories, both ways.
    let tree = env.home(Who::User).home.join("tree");
    env.write_file(Who::User, &tree.join("sub/deep.txt"), "deep\n");
    env.berth(&["cp", tree.to_str().unwrap(), "r:/scratch/"])
        .assert_success();
    let out = env
        .berth(&["exec", "r", "cat", "/scratch/tree/sub/deep.txt"])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "deep\n");
    let back = env.home(Who::User).home.join("back");
    env.berth(&["cp", "r:/scratch/tree", back.to_str().unwrap()])
        .assert_success();
    assert_eq!(
        std::fs::read_to_string(back.join("sub/deep.txt")).unwrap(),
        "deep\n"
    );
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
    let out = env.berth(&["commit", "r", "live-image"]).assert_success();
    // This host gives a rootless container no freezer: commit says it could not pause.
    assert!(
        out.stderr_str().contains("cannot be paused"),
        "{}",
        out.stderr_str()
    );
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

fn lines(out: &str) -> Vec<String> {
    out.lines().map(str::to_string).collect()
}

#[test]
fn system_prune_answered_no_changes_nothing() {
    let (env, img) = busybox_env("dm-sysprune-no");
    env.berth(&["run", "--name", "stopped", &img, "true"])
        .assert_success();
    env.berth(&["volume", "create", "unused-vol"])
        .assert_success();
    let out = env
        .berth_with_stdin(&["system", "prune", "--volumes"], b"n\n")
        .assert_success()
        .stdout_str();
    assert!(
        out.starts_with("WARNING! This will remove:\n  - all stopped containers\n"),
        "{out}"
    );
    assert!(
        out.contains("  - all volumes not used by at least one container\n"),
        "{out}"
    );
    assert!(
        out.ends_with("Are you sure you want to continue? [y/N] "),
        "{out}"
    );
    env.berth(&["container", "exists", "stopped"])
        .assert_success();
    env.berth(&["volume", "exists", "unused-vol"])
        .assert_success();
    env.berth(&["rm", "stopped"]).assert_success();
    env.finish();
}

#[test]
fn system_prune_removes_stopped_containers_dangling_images_and_unused_volumes() {
    let (env, img) = busybox_env("dm-sysprune");
    env.berth(&[
        "run",
        "-d",
        "--name",
        "running",
        "-v",
        "used-vol:/data",
        &img,
        "sleep",
        "300",
    ])
    .assert_success();
    env.berth(&["run", "--name", "stopped", &img, "sh", "-c", "echo x > /x"])
        .assert_success();
    // An untagged commit is a dangling image.
    let dangling = env
        .berth(&["commit", "stopped"])
        .assert_success()
        .stdout_str();
    env.berth(&["volume", "create", "unused-vol"])
        .assert_success();
    let out = env
        .berth(&["system", "prune", "-f", "--volumes"])
        .assert_success()
        .stdout_str();
    assert!(out.contains("Deleted Containers:\n"), "{out}");
    assert!(out.contains("Deleted Volumes:\nunused-vol\n"), "{out}");
    assert!(
        out.contains(&format!("deleted: {}", dangling.trim())),
        "{out}"
    );
    assert!(out.contains("Total reclaimed space: "), "{out}");
    let all = lines(
        &env.berth(&["ps", "-a", "--format", "{{.Names}}"])
            .assert_success()
            .stdout_str(),
    );
    assert_eq!(all, vec!["running"]);
    let vols = lines(
        &env.berth(&["volume", "ls", "-q"])
            .assert_success()
            .stdout_str(),
    );
    assert_eq!(vols, vec!["used-vol"]);
    // Without -a the tagged image stays even when no container uses it.
    env.berth(&["tag", &img, "spare:1"]).assert_success();
    env.berth(&["rm", "-f", "running"]).assert_success();
    env.berth(&["system", "prune", "-f"]).assert_success();
    env.berth(&["image", "inspect", "spare:1"]).assert_success();
    env.berth(&["system", "prune", "-f", "-a"])
        .assert_success()
        .assert_stdout_contains("untagged: ");
    let imgs = env.berth(&["images", "-q"]).assert_success().stdout_str();
    assert_eq!(imgs, "");
    env.berth(&["system", "prune", "-f", "--filter", "color=red"])
        .assert_error("until=TIME");
    env.finish();
}

#[test]
fn system_reset_answered_no_keeps_everything_and_forced_leaves_an_empty_working_store() {
    let (env, img) = busybox_env("dm-sysreset");
    env.berth(&[
        "run",
        "-d",
        "--name",
        "running",
        "-v",
        "vol:/data",
        &img,
        "sleep",
        "300",
    ])
    .assert_success();
    env.berth(&["run", "--name", "stopped", &img, "true"])
        .assert_success();
    let asked = env
        .berth_with_stdin(&["system", "reset"], b"\n")
        .assert_success()
        .stdout_str();
    assert!(asked.contains("  - all containers\n"), "{asked}");
    assert_eq!(
        lines(&env.berth(&["ps", "-a", "-q"]).assert_success().stdout_str()).len(),
        2
    );
    env.berth(&["volume", "exists", "vol"]).assert_success();
    env.berth(&["system", "reset", "-f"]).assert_success();
    assert_eq!(
        env.berth(&["ps", "-a", "-q"]).assert_success().stdout_str(),
        ""
    );
    assert_eq!(
        env.berth(&["images", "-q"]).assert_success().stdout_str(),
        ""
    );
    assert_eq!(
        env.berth(&["volume", "ls", "-q"])
            .assert_success()
            .stdout_str(),
        ""
    );
    // The empty store works: pull and run again.
    env.berth(&["pull", "-q", &img]).assert_success();
    let out = env
        .berth(&["run", "--rm", &img, "echo", "fresh"])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "fresh\n");
    env.finish();
}

#[test]
fn mount_inside_unshare_shows_the_containers_files_and_counts_mounts() {
    let (env, img) = busybox_env("dm-mount");
    env.berth(&[
        "run",
        "--name",
        "c",
        &img,
        "sh",
        "-c",
        "echo mounted > /m.txt",
    ])
    .assert_success();
    env.berth(&["mount", "c"]).assert_error(
        "cannot run command \"berth mount\" in rootless mode, must execute `berth unshare` first",
    );
    let b = crate::util::berth_bin().display().to_string();
    // Two mounts, one unmount: still mounted (and listed); the second unmount releases it.
    let script = format!(
        "set -e; test -n \"$BERTH_GRAPHROOT\"; p=$({b} mount c); cat \"$p/m.txt\"; \
         test \"$({b} mount c)\" = \"$p\"; {b} unmount c >/dev/null; cat \"$p/m.txt\"; \
         {b} mount | grep -c merged; {b} umount c >/dev/null; \
         test ! -e \"$p/m.txt\" && echo released; echo \"[$({b} mount)]\""
    );
    let out = env
        .berth(&["unshare", "sh", "-c", &script])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "mounted\nmounted\n1\nreleased\n[]\n");
    env.berth(&["unshare", &b, "unmount", "c"])
        .assert_error("container c is not mounted here");
    env.berth_as_root(&["unshare", "true"])
        .assert_error("berth unshare is for rootless use");
    // The shell's exit code comes back.
    let failed = env.berth(&["unshare", "sh", "-c", "exit 7"]);
    assert_eq!(failed.code(), 7);
    env.berth(&["rm", "c"]).assert_success();
    env.finish();
}

#[test]
fn cp_into_a_running_container_works_for_root_and_for_a_user_without_subordinate_ids() {
    let env = TestEnv::new("dm-cp-root-norange");
    let img = image("busybox");
    let src = host_file(&env, "in.txt", "copied\n");
    std::fs::set_permissions(&src, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    env.berth_as_root(&["pull", "-q", &img]).assert_success();
    env.berth_as_root(&["run", "-d", "--name", "r", &img, "sleep", "300"])
        .assert_success();
    env.berth_as_root(&["cp", &src, "r:/"]).assert_success();
    let out = env
        .berth_as_root(&["exec", "r", "cat", "/in.txt"])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "copied\n");
    env.berth_as_root(&["rm", "-f", "r"]).assert_success();

    let nr_src = env.home(Who::NoRange).home.join("in.txt");
    env.write_file(Who::NoRange, &nr_src, "single id\n");
    env.berth_no_range(&["pull", "-q", &img]).assert_success();
    env.berth_no_range(&["run", "-d", "--name", "r", &img, "sleep", "300"])
        .assert_success();
    env.berth_no_range(&["cp", "-a", nr_src.to_str().unwrap(), "r:/tmp/"])
        .assert_success();
    let out = env
        .berth_no_range(&["exec", "r", "cat", "/tmp/in.txt"])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "single id\n");
    env.berth_no_range(&["rm", "-f", "r"]).assert_success();
    env.finish();
}

#[test]
fn cp_with_a_stopped_container_reads_and_writes_its_volumes_and_binds() {
    let (env, img) = busybox_env("dm-cp-stopped-volumes");
    let dir = env.home(Who::User).home.join("bound");
    env.write_file(Who::User, &dir.join("from-host.txt"), "on the bind\n");
    let bind = format!("{}:/bound", dir.to_str().unwrap());
    env.berth(&[
        "run",
        "--name",
        "s",
        "-v",
        "vol:/data",
        "-v",
        &bind,
        &img,
        "sh",
        "-c",
        "echo in the volume > /data/v.txt",
    ])
    .assert_success();
    let got = env.home(Who::User).home.join("v.txt");
    env.berth(&["cp", "s:/data/v.txt", got.to_str().unwrap()])
        .assert_success();
    assert_eq!(std::fs::read_to_string(&got).unwrap(), "in the volume\n");
    let got = env.home(Who::User).home.join("b.txt");
    env.berth(&["cp", "s:/bound/from-host.txt", got.to_str().unwrap()])
        .assert_success();
    assert_eq!(std::fs::read_to_string(&got).unwrap(), "on the bind\n");
    // Into the volume of the stopped container: the next container on it sees the file.
    let src = host_file(&env, "new.txt", "copied in\n");
    env.berth(&["cp", &src, "s:/data/new.txt"]).assert_success();
    let out = env
        .berth(&[
            "run",
            "--rm",
            "-v",
            "vol:/data",
            &img,
            "cat",
            "/data/new.txt",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "copied in\n");
    env.berth(&["rm", "s"]).assert_success();
    env.finish();
}
