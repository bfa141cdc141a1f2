//! Mounts over /proc, /sys and /dev/pts (the CVE-2019-16884 / CVE-2019-19921 class: a mount
//! over procfs hides the kernel's files behind the user's and defeats the masks), asked for on
//! the command line or smuggled in by an image's symlinks, volumes and VOLUMEs; and podman's
//! masked paths. Every refusal is berth's own error: exit 125, one line.

use std::path::Path;
use std::sync::OnceLock;

use serde_json::json;

use crate::fixtures::{busybox_rootfs, image, push_image, put_blob, put_manifest, registry};
use crate::fixtures::{digest, ImageSpec, Layer, OCI_CONFIG, OCI_MANIFEST};
use crate::util::{TestEnv, Who};

/// The hostile images of this file, pushed once per test process:
/// - `procfs-links`: `/data -> /proc/self`, `/rel -> ../proc/sys`, `/deep -> /proc`;
/// - `proc-is-a-link`: `/proc -> /data`; `dev-is-a-link`: `/dev -> /proc`;
/// - `proc-volume`: `VOLUME /proc/sys` in its config.
fn hostile_images() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let reg = registry();
        let base = busybox_rootfs().tar();
        let with = |name: &str, layer: Layer| {
            push_image(
                reg,
                name,
                "latest",
                ImageSpec::gzip(vec![base.clone(), layer.tar()]),
            );
        };
        with(
            "procfs-links",
            Layer::new()
                .symlink("data", "/proc/self")
                .symlink("rel", "../proc/sys")
                .symlink("deep", "/proc"),
        );
        with(
            "proc-is-a-link",
            Layer::new().dir("data", 0o755).symlink("proc", "/data"),
        );
        with("dev-is-a-link", Layer::new().symlink("dev", "/proc"));
        // push_image's config has no Volumes: this one is written by hand.
        let layer = put_blob(reg, "proc-volume", &base);
        let config = json!({
            "architecture": "amd64", "os": "linux", "created": "2024-01-02T03:04:05Z",
            "config": {"Cmd": ["/bin/sh"], "Env": ["PATH=/bin"], "Volumes": {"/proc/sys": {}}},
            "rootfs": {"type": "layers", "diff_ids": [digest(&base)]},
        });
        let cbytes = serde_json::to_vec(&config).unwrap();
        let cd = put_blob(reg, "proc-volume", &cbytes);
        put_manifest(
            reg,
            "proc-volume",
            "latest",
            OCI_MANIFEST,
            &json!({
                "schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": {"mediaType": OCI_CONFIG, "digest": cd, "size": cbytes.len()},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                            "digest": layer, "size": base.len()}],
            }),
        );
    });
}

/// `name` from the fixtures registry, pulled for `who`.
fn pulled(env: &TestEnv, who: Who, name: &str) -> String {
    hostile_images();
    let img = image(name);
    env.berth_as(who, &["pull", "-q", &img]).assert_success();
    img
}

/// A directory (with a `marker` file) and a regular file in `who`'s home, owned by `who`.
fn host_paths(env: &TestEnv, who: Who) -> (String, String) {
    let home = &env.home(who).home;
    env.write_file(who, &home.join("hostdir/marker"), "from the host\n");
    env.write_file(who, &home.join("meminfo"), "MemTotal: 42 kB\n");
    (
        home.join("hostdir").display().to_string(),
        home.join("meminfo").display().to_string(),
    )
}

const BOTH: [Who; 2] = [Who::User, Who::Root];

#[test]
fn mounts_onto_proc_are_refused_in_every_spelling_before_anything_is_created() {
    let env = TestEnv::new("esc-mnt-proc");
    let img = pulled(&env, Who::User, "busybox");
    let (dir, _) = host_paths(&env, Who::User);
    let not_yet = env.home(Who::User).home.join("not-yet");
    let not_yet_s = not_yet.display().to_string();
    let cases: Vec<Vec<String>> = vec![
        vec!["-v".into(), "/tmp:/proc/sys".into()],
        vec!["-v".into(), format!("{dir}:/proc")],
        vec!["-v".into(), format!("{dir}://proc/")],
        vec!["-v".into(), format!("{dir}:/./proc/keys")],
        vec!["-v".into(), "myvolume:/proc/self".into()],
        vec!["-v".into(), format!("{not_yet_s}:/proc/sys/kernel")],
        vec!["--tmpfs".into(), "/proc".into()],
        vec!["--tmpfs".into(), "/proc/sys/".into()],
        vec![
            "--mount".into(),
            format!("type=bind,src={dir},dst=/proc/../proc/self"),
        ],
        vec!["--mount".into(), "type=tmpfs,dst=/proc/self/attr".into()],
        vec!["--mount".into(), "source=othervolume,target=/proc/1".into()],
        // --privileged opens /sys and /dev/pts, never /proc.
        vec![
            "--privileged".into(),
            "-v".into(),
            format!("{dir}:/proc/sys"),
        ],
    ];
    for case in &cases {
        let mut args: Vec<&str> = vec!["run", "--rm"];
        args.extend(case.iter().map(String::as_str));
        args.extend([img.as_str(), "true"]);
        let out = env.berth(&args).assert_error("inside /proc");
        let err = out.stderr_str();
        assert!(err.contains("choose another container path"), "{err}");
        assert!(
            err.contains("mount destination /proc"),
            "names the normalized destination: {err}"
        );
    }
    // Refused before anything was made: no container, no volume, no host directory.
    let ps = env.berth(&["ps", "-a", "-q"]).assert_success().stdout_str();
    assert_eq!(ps.trim(), "", "containers were created");
    let vols = env
        .berth(&["volume", "ls", "-q"])
        .assert_success()
        .stdout_str();
    assert_eq!(vols.trim(), "", "volumes were created");
    assert!(!not_yet.exists(), "the -v source was created");
    env.finish();
}

#[test]
fn the_lxcfs_proc_files_still_take_a_bind_of_a_regular_file() {
    let env = TestEnv::new("esc-mnt-lxcfs");
    for who in BOTH {
        let img = pulled(&env, who, "busybox");
        let (dir, file) = host_paths(&env, who);
        for dest in ["/proc/meminfo", "/proc/uptime"] {
            let out = env
                .berth_as(
                    who,
                    &[
                        "run",
                        "--rm",
                        "-v",
                        &format!("{file}:{dest}:ro"),
                        &img,
                        "cat",
                        dest,
                    ],
                )
                .assert_success()
                .stdout_str();
            assert_eq!(out, "MemTotal: 42 kB\n", "{dest} as {who:?}");
        }
        // Only a regular file: a directory or a tmpfs there would hide procfs.
        env.berth_as(
            who,
            &[
                "run",
                "--rm",
                "-v",
                &format!("{dir}:/proc/meminfo"),
                &img,
                "true",
            ],
        )
        .assert_error("inside /proc");
        env.berth_as(
            who,
            &["run", "--rm", "--tmpfs", "/proc/meminfo", &img, "true"],
        )
        .assert_error("inside /proc");
    }
    env.finish();
}

#[test]
fn sys_and_dev_pts_mounts_are_refused_unless_privileged() {
    let env = TestEnv::new("esc-mnt-sys");
    for who in BOTH {
        let img = pulled(&env, who, "busybox");
        let (dir, _) = host_paths(&env, who);
        for case in [
            vec!["-v".to_string(), format!("{dir}:/sys/kernel")],
            vec!["-v".to_string(), format!("{dir}:/sys")],
            vec!["--tmpfs".to_string(), "/sys/fs/cgroup".to_string()],
            vec!["--tmpfs".to_string(), "/dev/pts".to_string()],
            vec![
                "--mount".to_string(),
                format!("type=bind,src={dir},dst=//dev/pts/"),
            ],
        ] {
            let mut args: Vec<&str> = vec!["run", "--rm"];
            args.extend(case.iter().map(String::as_str));
            args.extend([img.as_str(), "true"]);
            env.berth_as(who, &args).assert_error("--privileged");
        }
        // With --privileged the same bind is made: the container sees the host's file there.
        let out = env
            .berth_as(
                who,
                &[
                    "run",
                    "--rm",
                    "--privileged",
                    "-v",
                    &format!("{dir}:/sys/kernel"),
                    &img,
                    "cat",
                    "/sys/kernel/marker",
                ],
            )
            .assert_success()
            .stdout_str();
        assert_eq!(out, "from the host\n", "as {who:?}");
    }
    env.finish();
}

#[test]
fn an_image_symlink_cannot_carry_a_mount_onto_procfs() {
    let env = TestEnv::new("esc-mnt-link");
    for who in BOTH {
        let img = pulled(&env, who, "procfs-links");
        let (dir, _) = host_paths(&env, who);
        for (args, lands) in [
            (vec!["-v".to_string(), format!("{dir}:/data")], "/proc/"),
            (
                vec!["-v".to_string(), format!("{dir}:/data/attr")],
                "/proc/",
            ),
            (vec!["--tmpfs".to_string(), "/rel".to_string()], "/proc/sys"),
            (
                vec!["-v".to_string(), format!("{dir}:/deep/sys/kernel")],
                "/proc/sys/kernel",
            ),
            (
                vec!["-v".to_string(), "linked:/rel".to_string()],
                "/proc/sys",
            ),
        ] {
            let mut full: Vec<&str> = vec!["run", "--rm"];
            full.extend(args.iter().map(String::as_str));
            full.extend([img.as_str(), "true"]);
            let out = env
                .berth_as(who, &full)
                .assert_error("resolves through a symlink in the image to");
            let err = out.stderr_str();
            assert!(err.contains(lands) && err.contains("inside /proc"), "{err}");
        }
        // The image itself runs, with a mount elsewhere.
        env.berth_as(
            who,
            &[
                "run",
                "--rm",
                "-v",
                &format!("{dir}:/ok"),
                &img,
                "cat",
                "/ok/marker",
            ],
        )
        .assert_success();
    }
    env.finish();
}

#[test]
fn a_volume_at_an_image_symlink_into_proc_is_not_filled_from_procfs() {
    let env = TestEnv::new("esc-mnt-copyup");
    let img = pulled(&env, Who::User, "procfs-links");
    let busybox = pulled(&env, Who::User, "busybox");
    // A fresh named volume is filled from the image at its target: here /proc/self, whose
    // files (environ, maps, ...) describe berth's set-up process.
    env.berth(&["run", "--rm", "-v", "leak:/data", &img, "true"])
        .assert_error("inside /proc");
    let listing = env
        .berth(&["run", "--rm", "-v", "leak:/v", &busybox, "ls", "-A", "/v"])
        .assert_success()
        .stdout_str();
    assert_eq!(listing, "", "the volume was filled from procfs");
    env.berth(&["volume", "rm", "leak"]).assert_success();
    env.finish();
}

#[test]
fn an_image_whose_proc_or_dev_is_a_symlink_does_not_start() {
    let env = TestEnv::new("esc-mnt-realdir");
    for who in BOTH {
        for (name, dir) in [("proc-is-a-link", "/proc"), ("dev-is-a-link", "/dev")] {
            let img = pulled(&env, who, name);
            env.berth_as(who, &["run", "--rm", &img, "true"])
                .assert_error(&format!("the image's {dir} is not a directory"));
        }
    }
    env.finish();
}

#[test]
fn an_image_volume_in_proc_is_refused_at_create() {
    let env = TestEnv::new("esc-mnt-imgvol");
    let img = pulled(&env, Who::User, "proc-volume");
    env.berth(&["create", &img])
        .assert_error("the image declares VOLUME /proc/sys");
    let ps = env.berth(&["ps", "-a", "-q"]).assert_success().stdout_str();
    assert_eq!(ps.trim(), "");
    let vols = env
        .berth(&["volume", "ls", "-q"])
        .assert_success()
        .stdout_str();
    assert_eq!(vols.trim(), "");
    env.finish();
}

#[test]
fn volumes_from_a_privileged_container_bring_no_sys_mount_to_an_unprivileged_one() {
    let env = TestEnv::new("esc-mnt-from");
    let img = pulled(&env, Who::User, "busybox");
    let (dir, _) = host_paths(&env, Who::User);
    env.berth(&[
        "create",
        "--privileged",
        "--name",
        "donor",
        "-v",
        &format!("{dir}:/sys/kernel"),
        &img,
        "true",
    ])
    .assert_success();
    env.berth(&["run", "--rm", "--volumes-from", "donor", &img, "true"])
        .assert_error("--volumes-from donor: mount destination /sys/kernel is inside /sys");
    env.berth(&[
        "run",
        "--rm",
        "--privileged",
        "--volumes-from",
        "donor",
        &img,
        "cat",
        "/sys/kernel/marker",
    ])
    .assert_success();
    env.berth(&["rm", "donor"]).assert_success();
    env.finish();
}

#[test]
fn podmans_masked_paths_hide_the_hosts_block_devices() {
    // What is masked must exist on the host, or the test proves nothing.
    let host: Vec<_> = std::fs::read_dir("/sys/dev/block")
        .expect("this test needs a host /sys/dev/block")
        .collect();
    assert!(!host.is_empty(), "the host lists no block device");
    let env = TestEnv::new("esc-mnt-masked");
    for who in BOTH {
        let img = pulled(&env, who, "busybox");
        for network in ["none", "host"] {
            let out = env
                .berth_as(
                    who,
                    &[
                        "run",
                        "--rm",
                        "--network",
                        network,
                        &img,
                        "sh",
                        "-c",
                        "ls -A /sys/dev/block | busybox wc -l; touch /sys/dev/block/x 2>/dev/null && echo writable; true",
                    ],
                )
                .assert_success()
                .stdout_str();
            assert_eq!(out.trim(), "0", "as {who:?} with --network {network}");
        }
        // Each CPU's thermal_throttle, where the host has them (podman's glob).
        let thermal = Path::new("/sys/devices/system/cpu/cpu0/thermal_throttle");
        if thermal.exists() {
            let out = env
                .berth_as(
                    who,
                    &[
                        "run",
                        "--rm",
                        &img,
                        "ls",
                        "-A",
                        &thermal.display().to_string(),
                    ],
                )
                .assert_success()
                .stdout_str();
            assert_eq!(out, "");
        }
        env.berth_as(who, &["create", "--name", "masked", &img, "true"])
            .assert_success();
        let masked = env
            .berth_as(
                who,
                &[
                    "inspect",
                    "--format",
                    "{{json .HostConfig.MaskedPaths}}",
                    "masked",
                ],
            )
            .assert_success()
            .stdout_str();
        for p in [
            "/sys/dev/block",
            "/sys/fs/selinux",
            "/proc/kcore",
            "/sys/firmware",
        ] {
            assert!(masked.contains(&format!("\"{p}\"")), "{p}: {masked}");
        }
        env.berth_as(who, &["rm", "masked"]).assert_success();
    }
    env.finish();
}
