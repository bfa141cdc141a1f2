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

/// Run a host command as root (the test process), failing the test when it fails.
fn host(cmd: &str, args: &[&str]) {
    let st = std::process::Command::new(cmd).args(args).status().unwrap();
    assert!(st.success(), "{cmd} {args:?}: {st}");
}

#[test]
fn bind_propagation_rslave_and_rshared_see_host_mounts_and_private_does_not() {
    let (env, img) = busybox_env("vol-propagation");
    let src = env.home(crate::util::Who::User).home.join("prop-src");
    env.write_file(crate::util::Who::User, &src.join("sub/.keep"), "");
    let s = src.to_str().unwrap();
    // A shared mount on the host, as systemd makes / (this host's mounts are private).
    host("mount", &["--bind", s, s]);
    host("mount", &["--make-shared", s]);
    let mnt = format!("type=bind,source={s},target=/d,bind-propagation=rshared");
    for (name, flag, value) in [
        ("slave", "-v", format!("{s}:/d:rslave")),
        ("shared", "--mount", mnt),
        ("private", "-v", format!("{s}:/d:private")),
        ("default", "-v", format!("{s}:/d")),
    ] {
        env.berth(&[
            "run", "-d", "--name", name, flag, &value, &img, "sleep", "1000",
        ])
        .assert_success();
    }
    // Mounted on the host after the containers started.
    let sub = src.join("sub");
    host(
        "mount",
        &[
            "-t",
            "tmpfs",
            "-o",
            "size=1m",
            "tmpfs",
            sub.to_str().unwrap(),
        ],
    );
    std::fs::write(sub.join("inner"), "from-host\n").unwrap();
    for name in ["slave", "shared"] {
        let out = env
            .berth(&["exec", name, "cat", "/d/sub/inner"])
            .assert_success()
            .stdout_str();
        assert_eq!(out, "from-host\n", "{name}");
    }
    for name in ["private", "default"] {
        let out = env
            .berth(&["exec", name, "ls", "-A", "/d/sub"])
            .assert_success()
            .stdout_str();
        assert_eq!(out, ".keep\n", "{name} saw the host's new mount");
    }
    let shown = env
        .berth(&[
            "inspect",
            "--format",
            "{{range .Mounts}}{{.Propagation}}{{end}}",
            "slave",
            "shared",
            "private",
            "default",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(shown, "rslave\nrshared\nprivate\nrprivate\n");
    env.berth(&["rm", "-f", "slave", "shared", "private", "default"])
        .assert_success();
    host("umount", &[sub.to_str().unwrap()]);
    host("umount", &[s]);
    env.finish();
}

#[test]
fn volumes_from_shares_another_containers_volumes_and_binds_read_only_with_ro() {
    let (env, img) = busybox_env("vol-from");
    let hostdir = env.home(crate::util::Who::User).home.join("from-host");
    env.write_file(crate::util::Who::User, &hostdir.join("seen"), "bind\n");
    let bind = format!("{}:/h", hostdir.display());
    env.berth(&[
        "create",
        "--name",
        "data",
        "-v",
        "named:/named",
        "-v",
        "/anon",
        "-v",
        &bind,
        &img,
        "true",
    ])
    .assert_success();
    env.berth(&[
        "run",
        "--rm",
        "-v",
        "named:/named",
        &img,
        "sh",
        "-c",
        "echo vol > /named/f",
    ])
    .assert_success();
    let out = env
        .berth(&[
            "run",
            "--rm",
            "--volumes-from",
            "data",
            &img,
            "sh",
            "-c",
            "cat /named/f /h/seen && echo w > /h/new && test -d /anon",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "vol\nbind\n");
    assert_eq!(std::fs::read_to_string(hostdir.join("new")).unwrap(), "w\n");
    let ro = env.berth(&[
        "run",
        "--rm",
        "--volumes-from",
        "data:ro",
        &img,
        "sh",
        "-c",
        "cat /named/f && touch /named/g",
    ]);
    assert_ne!(ro.code(), 0, "a :ro --volumes-from accepted a write");
    assert_eq!(ro.stdout_str(), "vol\n");
    assert!(!env.store().join("volumes/named/_data/g").exists());
    env.berth(&[
        "create",
        "--name",
        "second",
        "--volumes-from",
        "data",
        &img,
        "true",
    ])
    .assert_success();
    let shown = env
        .berth(&[
            "inspect",
            "--format",
            "{{json .HostConfig.VolumesFrom}} {{range .Mounts}}{{.Destination}}:{{.RW}} {{end}}",
            "second",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(shown, "[\"data\"] /named:true /anon:true /h:true \n");
    let volumes = || {
        env.berth(&["volume", "ls", "-q"])
            .assert_success()
            .stdout_str()
            .lines()
            .count()
    };
    assert_eq!(volumes(), 2);
    // The first container's volumes, anonymous ones included, are not the second's to remove.
    env.berth(&["rm", "-v", "second"]).assert_success();
    assert_eq!(volumes(), 2);
    env.berth(&["create", "--volumes-from", "nosuch", &img, "true"])
        .assert_error("no such container \"nosuch\"");
    env.berth(&["create", "--volumes-from", "data:rx", &img, "true"])
        .assert_error("unknown mode");
    assert_eq!(
        env.berth(&["ps", "-aq"])
            .assert_success()
            .stdout_str()
            .lines()
            .count(),
        1
    );
    env.berth(&["rm", "-v", "data"]).assert_success();
    assert_eq!(
        env.berth(&["volume", "ls", "-q"])
            .assert_success()
            .stdout_str(),
        "named\n"
    );
    env.finish();
}

#[test]
fn the_u_option_gives_a_host_dir_to_the_containers_user() {
    let (env, img) = busybox_env("vol-chown");
    let acct = env.account(crate::util::Who::User).unwrap();
    let dir = env.home(crate::util::Who::User).home.join("owned");
    env.write_file(crate::util::Who::User, &dir.join("f"), "x\n");
    let plain = format!("{}:/d", dir.display());
    let denied = env.berth(&[
        "run", "--rm", "--user", "1000", "-v", &plain, &img, "touch", "/d/x",
    ]);
    assert_ne!(
        denied.code(),
        0,
        "uid 1000 wrote to a dir of the container's root"
    );
    let with_u = format!("{}:/d:U", dir.display());
    let missing = env.home(crate::util::Who::User).home.join("made/here");
    let made = format!("{}:/m:U", missing.display());
    let out = env
        .berth(&[
            "run",
            "--rm",
            "--user",
            "1000",
            "-v",
            &with_u,
            "-v",
            &made,
            &img,
            "sh",
            "-c",
            "touch /d/x /d/f /m/y && id -u",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "1000\n");
    let want = (acct.host_uid(1000), acct.host_gid(1000));
    for p in [dir.clone(), dir.join("f"), dir.join("x"), missing.clone()] {
        let (uid, gid, _) = crate::util::owner(&p);
        assert_eq!((uid, gid), want, "{}", p.display());
    }
    // A user named in the image's /etc/passwd.
    let named = env.home(crate::util::Who::User).home.join("by-name");
    env.write_file(crate::util::Who::User, &named.join("f"), "x\n");
    let by_name = format!("{}:/n:U", named.display());
    env.berth(&[
        "run", "--rm", "--user", "user1000", "-v", &by_name, &img, "touch", "/n/f",
    ])
    .assert_success();
    let (uid, gid, _) = crate::util::owner(&named);
    assert_eq!((uid, gid), want);
    env.berth(&[
        "run",
        "--rm",
        "--user",
        "nosuchuser",
        "-v",
        &by_name,
        &img,
        "true",
    ])
    .assert_error("nosuchuser");
    // On a named volume, with a user:group given as numbers.
    let out = env
        .berth(&[
            "run",
            "--rm",
            "--user",
            "1000:1000",
            "-v",
            "chowned:/v:U",
            &img,
            "sh",
            "-c",
            "touch /v/z && stat -c %u:%g /v",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "1000:1000\n");
    env.finish();
}

#[test]
fn a_volume_is_filled_from_the_image_once_and_stays_empty_once_emptied() {
    let (env, img) = busybox_env("vol-copy-once");
    let data = env.store().join("volumes/bins/_data");
    env.berth(&["run", "--rm", "-v", "bins:/bin", &img, "true"])
        .assert_success();
    assert!(data.join("busybox").exists());
    let record = std::fs::read_to_string(env.store().join("volumes/bins/volume.json")).unwrap();
    assert!(record.contains("\"needs_copy_up\": false"), "{record}");
    env.berth(&[
        "run",
        "--rm",
        "-v",
        "bins:/data",
        &img,
        "sh",
        "-c",
        "rm -rf /data/*",
    ])
    .assert_success();
    assert_eq!(crate::util::entries(&data), Vec::<String>::new());
    // Empty again, but it was filled once: /bin stays empty and the command is not found.
    let again = env.berth(&["run", "--rm", "-v", "bins:/bin", &img, "/bin/true"]);
    assert_eq!(again.code(), 127, "{}", again.stderr_str());
    assert_eq!(crate::util::entries(&data), Vec::<String>::new());
    // nocopy leaves a new volume unfilled and still fillable by a later container.
    env.berth(&["create", "-v", "later:/bin:nocopy", &img, "true"])
        .assert_success();
    env.berth(&["run", "--rm", "-v", "later:/bin", &img, "true"])
        .assert_success();
    assert!(env.store().join("volumes/later/_data/busybox").exists());
    env.berth(&["rm", "-af"]).assert_success();
    env.finish();
}

#[test]
fn an_image_symlink_at_the_mount_target_to_a_host_path_mounts_inside_the_rootfs() {
    let env = TestEnv::new("vol-image-link");
    let home = &env.home(crate::util::Who::User).home;
    let hostdir = home.join("hostdir");
    let elsewhere = home.join("elsewhere");
    for d in [&hostdir, &elsewhere] {
        env.write_file(crate::util::Who::User, &d.join("keep"), "host\n");
    }
    let h = hostdir.to_str().unwrap();
    let e = elsewhere.to_str().unwrap();
    // An absolute link, and a relative one that climbs far above the root.
    let escape = format!("../../../../../../../..{e}");
    let layer = crate::fixtures::Layer::new()
        .raw("data", tar::EntryType::Symlink, h, b"")
        .raw("esc", tar::EntryType::Symlink, &escape, b"")
        .tar();
    let repo = format!("linked-{}", env.dir.file_name().unwrap().to_str().unwrap());
    crate::fixtures::push_image(
        crate::fixtures::registry(),
        &repo,
        "latest",
        crate::fixtures::ImageSpec::gzip(vec![crate::fixtures::busybox_rootfs().tar(), layer]),
    );
    let img = crate::fixtures::image(&repo);
    env.berth(&["pull", "-q", &img]).assert_success();
    let script = format!(
        "echo in > /data/new && echo t > /esc/t && cat {h}/new {e}/t && readlink /data && readlink /esc"
    );
    let out = env
        .berth(&[
            "run", "--rm", "-v", "v1:/data", "--tmpfs", "/esc", &img, "sh", "-c", &script,
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(out, format!("in\nt\n{h}\n{escape}\n"));
    assert_eq!(crate::util::entries(&hostdir), ["keep"]);
    assert_eq!(
        std::fs::read_to_string(hostdir.join("keep")).unwrap(),
        "host\n"
    );
    assert!(env.store().join("volumes/v1/_data/new").exists());
    env.finish();
}

#[test]
fn read_only_gives_tmpfs_scratch_dirs_unless_turned_off_or_replaced() {
    let (env, img) = busybox_env("vol-ro-tmpfs");
    let out = env
        .berth(&[
            "run", "--rm", "--read-only", &img, "sh", "-c",
            "for d in /tmp /var/tmp /run /dev/shm; do touch $d/x || exit 1; done; \
             ! touch /etc/x 2>/dev/null && grep -E ' /(tmp|var/tmp|run) ' /proc/mounts | cut -d' ' -f2,3",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "/tmp tmpfs\n/var/tmp tmpfs\n/run tmpfs\n");
    env.berth(&[
        "run", "--rm", "--read-only", "--read-only-tmpfs=false", &img, "sh", "-c",
        "! touch /tmp/x 2>/dev/null && touch /dev/shm/x && ! grep -qE ' /(tmp|var/tmp|run) ' /proc/mounts",
    ])
    .assert_success();
    // A volume on /tmp and a sized tmpfs on /run take the place of the default ones.
    let out = env
        .berth(&[
            "run", "--rm", "--read-only", "-v", "scratch:/tmp", "--tmpfs", "/run:size=1m", &img,
            "sh", "-c",
            "echo k > /tmp/k && grep -cE ' /tmp ' /proc/mounts && grep -E ' /tmp ' /proc/mounts | cut -d' ' -f3 && \
             grep -E ' /run ' /proc/mounts | grep -c size=1024k",
        ])
        .assert_success()
        .stdout_str();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "1", "{out}");
    assert_ne!(lines[1], "tmpfs", "{out}");
    assert_eq!(lines[2], "1", "{out}");
    assert!(env.store().join("volumes/scratch/_data/k").exists());
    env.finish();
}

#[test]
fn bad_propagation_volumes_from_and_targets_fail_with_one_line_and_create_nothing() {
    let (env, img) = busybox_env("vol-bad-more");
    let dir = env.home(crate::util::Who::User).home.join("d");
    env.write_file(crate::util::Who::User, &dir.join("f"), "");
    let d = dir.to_str().unwrap();
    env.berth(&["create", "-v", &format!("{d}:/x:rsharedd"), &img])
        .assert_error("invalid volume option");
    env.berth(&[
        "create",
        "--mount",
        &format!("type=bind,source={d},target=/x,bind-propagation=bogus"),
        &img,
    ])
    .assert_error("unknown bind-propagation");
    env.berth(&[
        "create",
        "--mount",
        &format!("type=bind,source={d},target=x"),
        &img,
    ])
    .assert_error("not absolute");
    env.berth(&["create", "-v", "named:/x", "--volumes-from", "ghost", &img])
        .assert_error("no such container");
    assert_eq!(
        env.berth(&["volume", "ls", "-q"])
            .assert_success()
            .stdout_str(),
        ""
    );
    assert_eq!(env.berth(&["ps", "-aq"]).assert_success().stdout_str(), "");
    env.finish();
}
