//! `berth network …` and containers on user networks (bridges, veths, DNS), rootless.

use crate::fixtures::image;
use crate::util::TestEnv;

fn chmod_tun() {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions("/dev/net/tun", std::fs::Permissions::from_mode(0o666));
}

#[test]
fn network_create_ls_inspect_rm_and_every_bad_input_exits_125() {
    let env = TestEnv::new("net-crud");
    env.berth(&["network", "create", "--label", "team=a", "demo-network"])
        .assert_success()
        .assert_stdout_contains("demo-network");
    let ls = env
        .berth(&["network", "ls", "--format", "{{.Name}} {{.Driver}}"])
        .assert_success()
        .stdout_str();
    assert_eq!(ls, "bridge bridge\ndemo-network bridge\n");
    let subnet = env
        .berth(&[
            "network",
            "inspect",
            "--format",
            "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}} {{.Labels.team}}",
            "demo-network",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(subnet, "10.89.0.0/24 10.89.0.1 a\n");
    env.berth(&["network", "inspect", "bridge"])
        .assert_success()
        .assert_stdout_contains("\"Driver\": \"bridge\"");
    env.berth(&["network", "inspect", "podman"])
        .assert_success();
    let q = env
        .berth(&["network", "ls", "-q", "--filter", "label=team=a"])
        .assert_success()
        .stdout_str();
    assert_eq!(q.trim().len(), 12, "{q}");
    for bad in [
        vec!["network", "create", "demo-network"],
        vec!["network", "create", "--subnet", "10.89.0.128/25", "overlap"],
        vec![
            "network",
            "create",
            "--subnet",
            "10.50.0.0/24",
            "--gateway",
            "10.51.0.1",
            "g",
        ],
        vec![
            "network",
            "create",
            "--subnet",
            "10.50.0.0/24",
            "--ip-range",
            "10.50.1.0/28",
            "r",
        ],
        vec!["network", "create", "--subnet", "bogus", "s"],
        vec!["network", "inspect", "nope"],
        vec!["network", "rm", "nope"],
        vec!["network", "rm", "bridge"],
        vec!["network", "ls", "--filter", "bogus=1"],
    ] {
        let out = env.berth(&bad);
        assert_eq!(out.code(), 125, "{bad:?}: {}", out.stderr_str());
        assert_eq!(out.stderr_str().trim().lines().count(), 1, "{bad:?}");
    }
    assert_eq!(env.berth(&["network", "exists", "nope"]).code(), 1);
    assert_eq!(env.berth(&["network", "exists", "demo-network"]).code(), 0);
    env.berth(&["network", "create", "spare"]).assert_success();
    let pruned = env
        .berth(&["network", "prune", "-f", "--filter", "name=spare"])
        .assert_success()
        .stdout_str();
    assert_eq!(pruned, "spare\n");
    env.berth(&["network", "rm", "demo-network"])
        .assert_success();
    assert_eq!(
        env.berth(&["network", "ls", "-q"])
            .assert_success()
            .stdout_str()
            .lines()
            .count(),
        1
    );
    env.finish();
}

#[test]
fn containers_on_a_user_network_reach_each_other_by_name_and_alias_but_not_across_networks() {
    chmod_tun();
    let env = TestEnv::new("net-demo");
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    env.berth(&["network", "create", "demo-network"])
        .assert_success();
    env.berth(&["network", "create", "other-network"])
        .assert_success();
    // Unknown network, --ip outside the subnet, duplicate alias: 125 and nothing left.
    env.berth(&["run", "--rm", "--network", "nope", &img, "true"])
        .assert_error("network nope not found");
    let out = env.berth(&[
        "run",
        "--rm",
        "--network",
        "demo-network",
        "--ip",
        "10.1.2.3",
        &img,
        "true",
    ]);
    assert_eq!(out.code(), 125, "{}", out.stderr_str());
    env.berth(&[
        "run",
        "-d",
        "--name",
        "web-app",
        "--network",
        "demo-network",
        "--network-alias",
        "myapp",
        &img,
        "busybox",
        "httpd",
        "-f",
        "-p",
        "80",
        "-h",
        "/etc",
    ])
    .assert_success();
    let dup = env.berth(&[
        "create",
        "--network",
        "demo-network",
        "--network-alias",
        "myapp",
        &img,
        "true",
    ]);
    assert_eq!(dup.code(), 125, "{}", dup.stderr_str());
    let fetched = env
        .berth(&[
            "run",
            "--rm",
            "--network",
            "demo-network",
            &img,
            "busybox",
            "wget",
            "-qO-",
            "http://myapp/hostname",
        ])
        .assert_success()
        .stdout_str();
    assert!(!fetched.trim().is_empty());
    env.berth(&[
        "run",
        "--rm",
        "--network",
        "demo-network",
        &img,
        "busybox",
        "ping",
        "-c1",
        "-W2",
        "web-app",
    ])
    .assert_success();
    let addr = env
        .berth(&[
            "exec", "web-app", "busybox", "ip", "-4", "addr", "show", "eth0",
        ])
        .assert_success()
        .stdout_str();
    assert!(addr.contains("10.89.0.2/24"), "{addr}");
    let second = env
        .berth(&[
            "run",
            "--rm",
            "--network",
            "demo-network",
            &img,
            "busybox",
            "ip",
            "-4",
            "addr",
            "show",
            "eth0",
        ])
        .assert_success()
        .stdout_str();
    assert!(second.contains("10.89.0.3/24"), "{second}");
    // Another network: the name does not resolve and the address is unreachable.
    let across = env.berth(&[
        "run",
        "--rm",
        "--network",
        "other-network",
        &img,
        "busybox",
        "wget",
        "-T2",
        "-qO-",
        "http://10.89.0.2/hostname",
    ]);
    assert_ne!(across.code(), 0);
    let unresolved = env.berth(&[
        "run",
        "--rm",
        "--network",
        "other-network",
        &img,
        "busybox",
        "ping",
        "-c1",
        "-W1",
        "web-app",
    ]);
    assert_ne!(unresolved.code(), 0);
    let inspect = env
        .berth(&[
            "network",
            "inspect",
            "--format",
            "{{json .Containers}}",
            "demo-network",
        ])
        .assert_success()
        .stdout_str();
    assert!(inspect.contains("\"Name\":\"web-app\""), "{inspect}");
    env.berth(&["network", "rm", "demo-network"])
        .assert_error("in use");
    env.berth(&["network", "rm", "-f", "demo-network"])
        .assert_success();
    env.berth(&["network", "rm", "other-network"])
        .assert_success();
    env.finish();
}
