//! `inspect` is compared key by key with podman's for the same container: every key podman
//! has, berth has, and every key podman fills, berth fills, except the few listed with the
//! reason berth leaves them empty. And the one docker idiom everyone copies,
//! `{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}`, gives the address a user
//! network gave the container.

use serde_json::Value;

use crate::fixtures::image;
use crate::util::{podman, podman_runroot, TestEnv, Who};

/// Keys podman fills that berth leaves empty on purpose, with why.
const EMPTY_IN_BERTH: &[(&str, &str)] = &[
    (
        "ConmonPidFile",
        "berth's monitor is not conmon; its pid is in state.json",
    ),
    (
        "PidFile",
        "berth records the container's pid with its start time in state.json",
    ),
    (
        "Config.CreateCommand",
        "berth does not record its command line, which may hold secrets",
    ),
    (
        "Config.Annotations",
        "podman's own annotations (io.container.manager=libpod ...)",
    ),
    (
        "HostConfig.PidsLimit",
        "podman's containers.conf default (2048); berth sets none",
    ),
    (
        "HostConfig.Ulimits",
        "podman's containers.conf defaults; berth sets only what is asked",
    ),
    (
        "State.Health",
        "docker shows no Health without a healthcheck, podman an empty one",
    ),
    (
        "HostConfig.Binds",
        "podman lists volumes here too; docker (and berth) only -v binds",
    ),
];

fn empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::Bool(b) => !b,
    }
}

#[test]
fn inspect_has_every_key_podman_fills_for_the_same_container() {
    let env = TestEnv::new("inspect-keys");
    let run = podman_runroot();
    let img = image("busybox");
    podman(&env, &run, &["pull", "-q", "--tls-verify=false", &img]);
    env.berth_as_root(&["pull", "-q", &img]).assert_success();
    let flags = [
        "create",
        "--name",
        "k",
        "-e",
        "A=1",
        "-l",
        "team=a",
        "--tmpfs",
        "/t",
        "-v",
        "vol:/data",
        "-w",
        "/data",
        "--stop-signal",
        "SIGINT",
        &img,
        "sleep",
        "100",
    ];
    podman(&env, &run, &flags);
    env.berth_as_root(&flags).assert_success();
    let theirs: Value = serde_json::from_slice(&podman(&env, &run, &["inspect", "k"]).stdout)
        .expect("podman's JSON");
    let ours: Value = serde_json::from_str(
        &env.berth_as_root(&["inspect", "k"])
            .assert_success()
            .stdout_str(),
    )
    .expect("berth's JSON");
    let (theirs, ours) = (&theirs[0], &ours[0]);
    let mut missing = Vec::new();
    let mut unfilled = Vec::new();
    for section in ["", "Config", "HostConfig", "State", "NetworkSettings"] {
        let (t, o) = if section.is_empty() {
            (theirs, ours)
        } else {
            (&theirs[section], &ours[section])
        };
        let Value::Object(t) = t else {
            panic!("podman has no {section}")
        };
        for (k, v) in t {
            let path = if section.is_empty() {
                k.clone()
            } else {
                format!("{section}.{k}")
            };
            match o.get(k) {
                None => missing.push(path),
                Some(ov)
                    if !empty(v)
                        && empty(ov)
                        && !EMPTY_IN_BERTH.iter().any(|(p, _)| *p == path) =>
                {
                    unfilled.push(format!("{path} (podman: {v})"));
                }
                _ => {}
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys podman has and berth lacks: {missing:?}"
    );
    assert!(
        unfilled.is_empty(),
        "keys podman fills and berth leaves empty: {unfilled:?}"
    );
    // Mounts: the volume's entry has the same keys.
    let keys = |v: &Value| -> Vec<String> {
        let mounts = v["Mounts"].as_array().cloned().unwrap_or_default();
        let m = mounts
            .iter()
            .find(|m| m["Destination"] == "/data")
            .unwrap_or_else(|| panic!("no /data mount in {mounts:?}"));
        let mut k: Vec<String> = m.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let ours_keys = keys(ours);
    for k in keys(theirs) {
        assert!(
            ours_keys.contains(&k),
            "Mounts[].{k} missing: {ours_keys:?}"
        );
    }
    env.berth_as_root(&["rm", "-v", "k"]).assert_success();
    env.finish();
}

#[test]
fn inspect_shows_the_address_a_user_network_gave_as_network_inspect_does() {
    for who in [Who::User, Who::Root] {
        let env = TestEnv::new("inspect-net");
        let img = image("busybox");
        env.berth_as(
            who,
            &["network", "create", "--subnet", "10.89.7.0/24", "n1"],
        )
        .assert_success();
        env.berth_as(
            who,
            &[
                "run",
                "-d",
                "--name",
                "c",
                "--network",
                "n1",
                "--network-alias",
                "db",
                &img,
                "sleep",
                "1000",
            ],
        )
        .assert_success();
        let get = |fmt: &str| {
            env.berth_as(who, &["inspect", "-f", fmt, "c"])
                .assert_success()
                .stdout_str()
                .trim()
                .to_string()
        };
        let ip = get("{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}");
        let listed = env
            .berth_as(
                who,
                &[
                    "network",
                    "inspect",
                    "-f",
                    "{{range .Containers}}{{.IPv4Address}} {{.MacAddress}}{{end}}",
                    "n1",
                ],
            )
            .assert_success()
            .stdout_str();
        let (cidr, mac) = listed.trim().split_once(' ').unwrap();
        assert_eq!(format!("{ip}/24"), cidr, "{who:?}");
        assert!(ip.starts_with("10.89.7."), "{ip}");
        assert_eq!(get("{{.NetworkSettings.Networks.n1.Gateway}}"), "10.89.7.1");
        assert_eq!(get("{{.NetworkSettings.Networks.n1.IPPrefixLen}}"), "24");
        assert_eq!(get("{{.NetworkSettings.Networks.n1.MacAddress}}"), mac);
        let net_id = env
            .berth_as(who, &["network", "inspect", "-f", "{{.Id}}", "n1"])
            .assert_success()
            .stdout_str();
        assert_eq!(
            get("{{.NetworkSettings.Networks.n1.NetworkID}}"),
            net_id.trim()
        );
        assert_eq!(get("{{.NetworkSettings.Networks.n1.Aliases}}"), "[db]");
        assert!(!get("{{.NetworkSettings.Networks.n1.EndpointID}}").is_empty());
        // Stopped, the container has no address.
        env.berth_as(who, &["stop", "-t", "0", "c"])
            .assert_success();
        assert_eq!(
            get("{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}"),
            ""
        );
        env.berth_as(who, &["rm", "c"]).assert_success();
        env.berth_as(who, &["network", "rm", "n1"]).assert_success();
        env.finish();
    }
}
