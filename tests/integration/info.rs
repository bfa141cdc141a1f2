//! `berth info` and `berth version`.

use crate::util::{subid_start, TestEnv};

#[test]
fn info_as_rootless_user_reports_mapping_driver_and_counts() {
    let env = TestEnv::new("info-rootless");
    let out = env.berth(&["info", "--format", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout()).unwrap();
    assert_eq!(v["host"]["rootless"], true);
    let uidmap = v["host"]["idMappings"]["uidmap"].as_array().unwrap();
    assert_eq!(uidmap[0]["host_id"], env.user.uid);
    assert_eq!(uidmap[1]["host_id"], subid_start());
    assert_eq!(uidmap[1]["size"], 65536);
    assert_eq!(v["store"]["graphRoot"], env.store().display().to_string());
    // This kernel allows overlay in a user namespace: the probe must find it.
    assert_eq!(v["store"]["graphDriverName"], "overlay");
    assert_eq!(v["store"]["imageStore"]["number"], 0);
    let cg = v["host"]["cgroupVersion"].as_str().unwrap();
    assert!(cg == "v1" || cg == "v2");
    let plain = env.berth(&["info"]).ok().stdout();
    assert!(plain.contains("graphDriverName: overlay"), "{plain}");
    env.finish();
}

#[test]
fn info_as_root_is_not_rootless() {
    let env = TestEnv::new("info-root");
    let out = env
        .berth_as_root(&[
            "info",
            "--format",
            "{{.Host.Rootless}} {{.Store.GraphDriverName}}",
        ])
        .ok();
    assert_eq!(out.stdout().trim(), "false overlay");
    env.finish();
}

#[test]
fn version_format_prints_the_client_version() {
    let env = TestEnv::new("version");
    let out = env
        .berth(&["version", "--format", "{{.Client.Version}}"])
        .ok();
    assert_eq!(out.stdout().trim(), env!("CARGO_PKG_VERSION"));
    env.finish();
}
