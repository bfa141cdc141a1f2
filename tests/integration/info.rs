//! `berth info` and `berth version`.

use serde_json::{json, Value};

use crate::fixtures::image;
use crate::util::{accounts, TestEnv};

fn info_json(out: crate::util::Output) -> Value {
    let text = out.assert_success().stdout_str();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("info is not JSON ({e}): {text}"))
}

fn host_cgroup_version() -> &'static str {
    if std::path::Path::new("/sys/fs/cgroup/cgroup.controllers").exists() {
        "v2"
    } else {
        "v1"
    }
}

#[test]
fn info_as_rootless_user_reports_the_subuid_mapping_and_store() {
    let env = TestEnv::new("info-rootless");
    let user = &accounts().user;
    let (subuid, subgid) = (user.subuid.unwrap(), user.subgid.unwrap());
    let v = info_json(env.berth(&["info", "--format", "json"]));
    assert_eq!(v["host"]["rootless"], true);
    assert_eq!(
        v["host"]["idMappings"]["uidmap"],
        json!([
            {"container_id": 0, "host_id": user.uid, "size": 1},
            {"container_id": 1, "host_id": subuid.start, "size": subuid.count},
        ])
    );
    assert_eq!(
        v["host"]["idMappings"]["gidmap"],
        json!([
            {"container_id": 0, "host_id": user.gid, "size": 1},
            {"container_id": 1, "host_id": subgid.start, "size": subgid.count},
        ])
    );
    assert_eq!(v["host"]["cgroupVersion"], host_cgroup_version());
    assert_eq!(v["store"]["graphRoot"], env.store().display().to_string());
    let driver = v["store"]["graphDriverName"].as_str().unwrap();
    assert!(
        ["overlay", "fuse-overlayfs", "vfs"].contains(&driver),
        "{driver}"
    );
    assert_eq!(v["store"]["imageStore"]["number"], 0);
    env.berth(&["pull", "-q", &image("busybox")])
        .assert_success();
    let v = info_json(env.berth(&["info", "--format", "json"]));
    assert_eq!(v["store"]["imageStore"]["number"], 1);
    assert_eq!(
        v["store"]["graphDriverName"], driver,
        "the store keeps the driver it was created with"
    );
    env.finish();
}

#[test]
fn info_picks_kernel_overlay_where_the_kernel_allows_it_in_a_user_namespace() {
    // Unprivileged overlay mounts with userxattr exist since Linux 5.11.
    let release = rustix::system::uname()
        .release()
        .to_string_lossy()
        .into_owned();
    let mut parts = release
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|p| p.parse::<u32>().ok());
    let version = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    let env = TestEnv::new("info-overlay");
    let out = env
        .berth(&["info", "--format", "{{.Store.GraphDriverName}}"])
        .assert_success();
    if version >= (5, 11) {
        assert_eq!(out.stdout_str().trim(), "overlay", "kernel {release}");
    } else {
        assert_ne!(
            out.stdout_str().trim(),
            "overlay",
            "kernel {release} cannot mount overlay rootless"
        );
    }
    env.finish();
}

#[test]
fn info_without_subuid_range_maps_only_the_user() {
    let env = TestEnv::new("info-norange");
    let who = &accounts().no_range;
    let v = info_json(env.berth_no_range(&["info", "--format", "json"]));
    assert_eq!(v["host"]["rootless"], true);
    assert_eq!(
        v["host"]["idMappings"]["uidmap"],
        json!([{"container_id": 0, "host_id": who.uid, "size": 1}])
    );
    assert_eq!(
        v["host"]["idMappings"]["gidmap"],
        json!([{"container_id": 0, "host_id": who.gid, "size": 1}])
    );
    env.finish();
}

#[test]
fn info_as_root_is_not_rootless_and_uses_the_given_root() {
    let env = TestEnv::new("info-root");
    let v = info_json(env.berth_as_root(&["info", "--format", "json"]));
    assert_eq!(v["host"]["rootless"], false);
    assert_eq!(
        v["store"]["graphRoot"],
        env.root_store().display().to_string()
    );
    let out = env
        .berth_as_root(&["info", "--format", "{{.Host.Rootless}}"])
        .assert_success();
    assert_eq!(out.stdout_str().trim(), "false");
    env.finish();
}

#[test]
fn info_without_format_prints_something_readable() {
    let env = TestEnv::new("info-plain");
    let out = env.berth(&["info"]).assert_success().stdout_str();
    assert!(
        out.contains(&env.store().display().to_string()),
        "mentions the store: {out}"
    );
    env.finish();
}

#[test]
fn version_format_prints_the_client_version() {
    let env = TestEnv::new("version");
    let out = env
        .berth(&["version", "--format", "{{.Client.Version}}"])
        .assert_success();
    assert_eq!(out.stdout_str(), format!("{}\n", env!("CARGO_PKG_VERSION")));
    env.finish();
}
