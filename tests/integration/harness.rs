//! The harness checks itself: users, the way commands are run, leak detection and cleanup,
//! and that the registries really serve what the fixtures pushed (seen with curl, not berth).

use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::Command;

use crate::fixtures::{self, auth_registry, fixtures, registry, OCI_INDEX, OCI_MANIFEST};
use crate::registry::{AUTH_PASSWORD, AUTH_USER};
use crate::util::{accounts, mounts_under, TestEnv, Who};

fn curl(args: &[&str]) -> (String, Vec<u8>) {
    let out = Command::new("curl")
        .args(["-sS", "-w", "%{http_code}", "-o", "-"])
        .args(args)
        .output()
        .expect("curl");
    let mut body = out.stdout;
    let code = String::from_utf8(body.split_off(body.len() - 3)).unwrap();
    (code, body)
}

#[test]
fn harness_creates_one_user_with_subid_ranges_and_one_without() {
    let a = accounts();
    assert!(a.user.uid != 0 && a.no_range.uid != 0 && a.user.uid != a.no_range.uid);
    let (subuid, subgid) = (
        a.user.subuid.expect("subuid range"),
        a.user.subgid.expect("subgid range"),
    );
    assert!(subuid.count >= 65536 && subgid.count >= 65536);
    assert!(
        subuid.start > a.user.uid,
        "the range lies above the user's own id"
    );
    assert!(a.no_range.subuid.is_none() && a.no_range.subgid.is_none());
}

#[test]
fn harness_runs_commands_as_the_user_with_no_groups_and_a_clean_environment() {
    let env = TestEnv::new("harness-run");
    let user = &accounts().user;
    let id = |flag: &str| {
        let out = env.command(Who::User, "id", &[flag]).output().unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    assert_eq!(id("-u"), user.uid.to_string());
    assert_eq!(id("-g"), user.gid.to_string());
    assert_eq!(
        id("-G"),
        user.gid.to_string(),
        "root's supplementary groups are dropped"
    );
    let out = env
        .command(Who::User, "env", &[] as &[&str])
        .output()
        .unwrap();
    let mut names: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split('=').next().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "HOME",
            "LANG",
            "PATH",
            "XDG_CONFIG_HOME",
            "XDG_DATA_HOME",
            "XDG_RUNTIME_DIR"
        ]
    );
    let out = env
        .command(
            Who::User,
            "sh",
            &["-c", "touch $HOME/x $XDG_RUNTIME_DIR/y && pwd"],
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the user can write its home: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        env.dir.display().to_string()
    );
    env.finish();
}

#[test]
fn harness_finish_kills_and_reports_a_leaked_process_and_mount() {
    let env = TestEnv::new("harness-leak");
    let dir = env.dir.clone();
    let mut sleeper = env.command(Who::User, "sleep", &["600"]).spawn().unwrap();
    let mnt = dir.join("mnt");
    fs::create_dir(&mnt).unwrap();
    rustix::mount::mount(
        "tmpfs",
        &mnt,
        "tmpfs",
        rustix::mount::MountFlags::empty(),
        "size=1m",
    )
    .unwrap();
    assert_eq!(env.processes(), [sleeper.id() as i32]);
    assert_eq!(env.mounts(), std::slice::from_ref(&mnt));
    let verdict = catch_unwind(AssertUnwindSafe(|| env.finish()));
    let message = verdict.expect_err("finish() must fail on leaks");
    let message = message
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains("leaked processes"), "{message}");
    let status = sleeper.wait().unwrap();
    assert!(!status.success(), "the sleeper was killed");
    assert!(mounts_under(&dir).is_empty(), "the mount is gone");
    assert!(!dir.exists(), "the test dir is removed");
}

#[test]
fn harness_finish_passes_when_nothing_leaked() {
    let env = TestEnv::new("harness-clean");
    let dir = env.dir.clone();
    let out = env
        .command(Who::User, "true", &[] as &[&str])
        .output()
        .unwrap();
    assert!(out.status.success());
    env.finish();
    assert!(!dir.exists());
}

#[test]
fn registry_serves_the_pushed_manifests_and_blobs_over_curl() {
    let reg = registry();
    let b = &fixtures().busybox;
    let (code, manifest) = curl(&[
        "-H",
        &format!("Accept: {OCI_MANIFEST}"),
        &reg.url("/v2/busybox/manifests/latest"),
    ]);
    assert_eq!(code, "200");
    assert_eq!(fixtures::digest(&manifest), b.manifest);
    let m: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
    assert_eq!(m["layers"][0]["digest"], b.layers[0]);
    for blob in [&b.config, &b.layers[0]] {
        let (code, data) = curl(&[&reg.url(&format!("/v2/busybox/blobs/{blob}"))]);
        assert_eq!(code, "200");
        assert_eq!(&fixtures::digest(&data), blob);
    }
    let (code, index) = curl(&[
        "-H",
        &format!("Accept: {OCI_INDEX}"),
        &reg.url("/v2/multiarch/manifests/latest"),
    ]);
    assert_eq!(code, "200");
    let index: serde_json::Value = serde_json::from_slice(&index).unwrap();
    let platforms: Vec<String> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            format!(
                "{}/{}",
                m["platform"]["os"].as_str().unwrap(),
                m["platform"]["architecture"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(platforms, ["linux/amd64", "linux/arm64", "unknown/unknown"]);
}

#[test]
fn registry_serves_the_corrupt_blob_with_wrong_content() {
    let c = &fixtures().corrupt;
    let (code, data) = curl(&[&registry().url(&format!("/v2/corrupt/blobs/{}", c.layers[0]))]);
    assert_eq!(code, "200");
    assert_ne!(&fixtures::digest(&data), &c.layers[0]);
    assert_eq!(
        data.len() as u64,
        fs::metadata(registry().blob_data_path(&c.layers[0]))
            .unwrap()
            .len()
    );
}

#[test]
fn auth_registry_wants_the_htpasswd_credentials() {
    let reg = auth_registry();
    let url = reg.url("/v2/busybox/manifests/latest");
    assert_eq!(curl(&[&url]).0, "401");
    assert_eq!(curl(&["-u", &format!("{AUTH_USER}:wrong"), &url]).0, "401");
    let accept = format!("Accept: {OCI_MANIFEST}");
    assert_eq!(
        curl(&[
            "-u",
            &format!("{AUTH_USER}:{AUTH_PASSWORD}"),
            "-H",
            &accept,
            &url
        ])
        .0,
        "200"
    );
}

#[test]
fn harness_sweeps_dirs_of_killed_tests_but_not_live_ones() {
    let live = TestEnv::new("harness-sweep-live");
    let dead = std::path::Path::new("/tmp/berth-it")
        .join(format!("harness-sweep-dead-{}", std::process::id()));
    fs::create_dir_all(dead.join("user/.local/share/berth")).unwrap();
    // What a killed test leaves: an owner lock file that nobody holds any more.
    fs::write(dead.join(".owner.lock"), b"").unwrap();
    crate::util::sweep_stale_test_dirs();
    assert!(!dead.exists(), "the dead test's dir is removed");
    assert!(live.dir.join("user").is_dir(), "the live test's dir stays");
    live.finish();
}
