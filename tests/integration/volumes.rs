//! `berth volume …` and volumes, bind mounts and tmpfs mounts in `run`, rootless.

use crate::util::TestEnv;

#[test]
fn volume_create_ls_inspect_rm_round_trip_with_filters() {
    let env = TestEnv::new("vol-crud");
    env.berth(&["volume", "create", "--label", "team=a", "my_volume"])
        .assert_success()
        .assert_stdout_contains("my_volume");
    // Creating an existing name succeeds and changes nothing.
    env.berth(&["volume", "create", "my_volume"])
        .assert_success();
    env.berth(&["volume", "create", "other"]).assert_success();
    let table = env.berth(&["volume", "ls"]).assert_success().stdout_str();
    assert_eq!(
        table.lines().collect::<Vec<_>>(),
        [
            "DRIVER    VOLUME NAME",
            "local     my_volume",
            "local     other"
        ],
        "{table}"
    );
    let labelled = env
        .berth(&["volume", "ls", "-q", "--filter", "label=team=a"])
        .assert_success()
        .stdout_str();
    assert_eq!(labelled, "my_volume\n");
    let named = env
        .berth(&[
            "volume",
            "ls",
            "--filter",
            "name=oth",
            "--format",
            "{{.Name}} {{.Driver}}",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(named, "other local\n");
    let mountpoint = env
        .berth(&[
            "volume",
            "inspect",
            "--format",
            "{{.Mountpoint}} {{.Labels.team}}",
            "my_volume",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(
        mountpoint,
        format!(
            "{} a\n",
            env.store().join("volumes/my_volume/_data").display()
        )
    );
    assert_eq!(env.berth(&["volume", "exists", "my_volume"]).code(), 0);
    env.berth(&["volume", "rm", "my_volume"]).assert_success();
    assert_eq!(env.berth(&["volume", "exists", "my_volume"]).code(), 1);
    env.berth(&["volume", "rm", "my_volume"])
        .assert_error("no such volume");
    env.berth(&["volume", "prune", "-f"])
        .assert_success()
        .assert_stdout_contains("other");
    assert_eq!(
        env.berth(&["volume", "ls", "-q"])
            .assert_success()
            .stdout_str(),
        ""
    );
    env.finish();
}

#[test]
fn volume_create_rejects_bad_names_options_and_drivers() {
    let env = TestEnv::new("vol-bad");
    env.berth(&["volume", "create", "../escape"])
        .assert_error("not a valid volume name");
    env.berth(&["volume", "create", "--opt", "colour=blue", "v1"])
        .assert_error("invalid volume option");
    env.berth(&["volume", "create", "--driver", "nfs", "v1"])
        .assert_error("--driver local");
    env.berth(&["volume", "ls", "--filter", "colour=blue"])
        .assert_error("invalid filter");
    assert_eq!(
        env.berth(&["volume", "ls", "-q"])
            .assert_success()
            .stdout_str(),
        ""
    );
    env.finish();
}

fn busybox_env(name: &str) -> (TestEnv, String) {
    let env = TestEnv::new(name);
    let img = crate::fixtures::image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    (env, img)
}

#[test]
fn a_named_volume_keeps_its_data_across_containers() {
    let (env, img) = busybox_env("vol-persist");
    env.berth(&[
        "run",
        "--rm",
        "--mount",
        "source=my_volume,target=/data",
        &img,
        "sh",
        "-c",
        "echo hello > /data/f",
    ])
    .assert_success();
    let out = env
        .berth(&[
            "run",
            "--rm",
            "-v",
            "my_volume:/data",
            &img,
            "cat",
            "/data/f",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "hello\n");
    let ro = env.berth(&[
        "run",
        "--rm",
        "-v",
        "my_volume:/data:ro",
        &img,
        "sh",
        "-c",
        "echo x > /data/g",
    ]);
    assert_ne!(ro.code(), 0, "a read-only volume accepted a write");
    assert!(!env.store().join("volumes/my_volume/_data/g").exists());
    env.berth(&["volume", "rm", "my_volume"]).assert_success();
    env.finish();
}

#[test]
fn volume_rm_refuses_a_volume_a_container_uses() {
    let (env, img) = busybox_env("vol-inuse");
    env.berth(&["create", "--name", "c1", "-v", "used:/data", &img, "true"])
        .assert_success();
    env.berth(&["volume", "rm", "used"])
        .assert_error("being used by container c1");
    assert_eq!(env.berth(&["volume", "exists", "used"]).code(), 0);
    let dangling = env
        .berth(&["volume", "ls", "-q", "--filter", "dangling=true"])
        .assert_success()
        .stdout_str();
    assert_eq!(dangling, "");
    env.berth(&["rm", "c1"]).assert_success();
    env.berth(&["volume", "rm", "used"]).assert_success();
    env.finish();
}

#[test]
fn two_containers_binding_one_host_file_see_each_others_writes() {
    let (env, img) = busybox_env("vol-shared-file");
    let dir = env.home(crate::util::Who::User).home.join("shared");
    let file = dir.join("note");
    env.write_file(crate::util::Who::User, &file, "start\n");
    let bind = format!("{}:/note", file.display());
    env.berth(&[
        "run",
        "--rm",
        "-v",
        &bind,
        &img,
        "sh",
        "-c",
        "echo from-a >> /note",
    ])
    .assert_success();
    let out = env
        .berth(&["run", "--rm", "-v", &bind, &img, "cat", "/note"])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "start\nfrom-a\n");
    env.finish();
}

#[test]
fn tmpfs_and_read_only_give_writable_scratch_dirs() {
    let (env, img) = busybox_env("vol-tmpfs");
    let out = env
        .berth(&[
            "run", "--rm", "--read-only", "--tmpfs", "/scratch:size=1m", &img, "sh", "-c",
            "echo a > /scratch/x && echo b > /tmp/y && cat /scratch/x /tmp/y && ! touch /etc/z 2>/dev/null",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "a\nb\n");
    env.finish();
}

#[test]
fn bad_mount_input_fails_with_one_line_and_creates_nothing() {
    let (env, img) = busybox_env("vol-bad-mounts");
    env.berth(&[
        "create",
        "--mount",
        "type=bind,source=/no/such/berth/path,target=/x",
        &img,
    ])
    .assert_error("does not exist");
    env.berth(&["create", "-v", "v1:/data:bogus", &img])
        .assert_error("invalid volume option");
    env.berth(&["create", "-v", "v1:data", &img])
        .assert_error("not absolute");
    assert_eq!(
        env.berth(&["volume", "ls", "-q"])
            .assert_success()
            .stdout_str(),
        ""
    );
    assert_eq!(env.berth(&["ps", "-aq"]).assert_success().stdout_str(), "");
    env.finish();
}

#[test]
fn anonymous_volumes_go_with_rm_v_and_run_rm_but_named_ones_stay() {
    let (env, img) = busybox_env("vol-anon");
    env.berth(&[
        "create",
        "--name",
        "c1",
        "-v",
        "/scratch",
        "-v",
        "keep:/keep",
        &img,
        "true",
    ])
    .assert_success();
    let all = env
        .berth(&["volume", "ls", "-q"])
        .assert_success()
        .stdout_str();
    assert_eq!(all.lines().count(), 2, "{all}");
    env.berth(&["rm", "-v", "c1"]).assert_success();
    assert_eq!(
        env.berth(&["volume", "ls", "-q"])
            .assert_success()
            .stdout_str(),
        "keep\n"
    );
    env.berth(&["run", "--rm", "-v", "/scratch", &img, "true"])
        .assert_success();
    assert_eq!(
        env.berth(&["volume", "ls", "-q"])
            .assert_success()
            .stdout_str(),
        "keep\n"
    );
    env.finish();
}

#[test]
fn a_symlink_at_the_mount_target_cannot_send_the_mount_to_the_host() {
    let (env, img) = busybox_env("vol-symlink");
    let outside = env.home(crate::util::Who::User).home.join("outside");
    env.write_file(crate::util::Who::User, &outside.join("keep"), "host\n");
    // The first container plants a symlink to a host path where the second mounts a volume.
    env.berth(&["create", "--name", "c1", "-v", "v1:/data", &img, "true"])
        .assert_success();
    let link = format!("ln -s {} /data/target", outside.display());
    env.berth(&["run", "--rm", "-v", "v1:/data", &img, "sh", "-c", &link])
        .assert_success();
    // Resolved inside the rootfs the link points nowhere: berth either mounts inside the
    // container or refuses, naming the target; it never mounts on the host path.
    let out = env.berth(&[
        "run",
        "--rm",
        "-v",
        "v1:/data",
        "--tmpfs",
        "/data/target",
        &img,
        "sh",
        "-c",
        "echo inside > /data/target/new",
    ]);
    if !out.success() {
        out.assert_stderr_contains("mount target /data/target");
    }
    assert!(
        !outside.join("new").exists(),
        "the tmpfs landed on the host path"
    );
    assert_eq!(
        std::fs::read_to_string(outside.join("keep")).unwrap(),
        "host\n"
    );
    env.berth(&["rm", "c1"]).assert_success();
    env.finish();
}

#[test]
fn a_new_volume_is_filled_from_the_image_unless_nocopy() {
    let (env, img) = busybox_env("vol-copy-up");
    let out = env
        .berth(&["run", "--rm", "-v", "bins:/bin", &img, "ls", "/bin/busybox"])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "/bin/busybox\n");
    assert!(env.store().join("volumes/bins/_data/busybox").exists());
    // With nocopy /bin stays empty, so the command itself is not found.
    let empty = env.berth(&["run", "--rm", "-v", "empty:/bin:nocopy", &img, "/bin/true"]);
    assert_eq!(empty.code(), 127, "{}", empty.stderr_str());
    let left = std::fs::read_dir(env.store().join("volumes/empty/_data"))
        .unwrap()
        .count();
    assert_eq!(left, 0);
    env.finish();
}

#[test]
fn volumes_created_with_options_mount_a_tmpfs_or_the_bound_device() {
    let (env, img) = busybox_env("vol-opts");
    let dev = env.home(crate::util::Who::User).home.join("dev-dir");
    env.write_file(crate::util::Who::User, &dev.join("seen"), "on-host\n");
    let device = format!("device={}", dev.display());
    env.berth(&[
        "volume", "create", "--opt", "o=bind", "--opt", &device, "hostdir",
    ])
    .assert_success();
    env.berth(&[
        "volume",
        "create",
        "--opt",
        "type=tmpfs",
        "--opt",
        "device=tmpfs",
        "--opt",
        "o=size=1m",
        "scratch",
    ])
    .assert_success();
    let out = env
        .berth(&[
            "run",
            "--rm",
            "-v",
            "hostdir:/h",
            "-v",
            "scratch:/s",
            &img,
            "sh",
            "-c",
            "cat /h/seen && grep ' /s ' /proc/mounts | cut -d' ' -f3",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "on-host\ntmpfs\n");
    env.finish();
}
