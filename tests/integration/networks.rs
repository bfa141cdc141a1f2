//! `berth network …` and containers on user networks and the default bridge network (bridges,
//! veths, DNS, published ports), rootless and as root.

use crate::fixtures::image;
use crate::util::TestEnv;

fn chmod_tun() {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions("/dev/net/tun", std::fs::Permissions::from_mode(0o666));
}

/// berth's per-network and per-container processes still running for this test: DNS
/// responders and port forwarders. (The rootless network namespace's holder and its pasta
/// persist between containers on purpose: see holder_and_pasta_persist….)
fn network_processes(env: &TestEnv) -> Vec<String> {
    env.processes()
        .into_iter()
        .filter_map(|pid| {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
            let comm = comm.trim();
            (comm == "berth-dns" || comm == "berth-forward").then(|| format!("{pid} {comm}"))
        })
        .collect()
}

/// berth's interfaces in the host's network namespace (bridges berth*, veth ends vb*).
fn host_interfaces() -> Vec<String> {
    std::fs::read_dir("/sys/class/net")
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("berth") || n.starts_with("vb"))
        .collect()
}

/// Whether berth's nftables table exists in the host's namespace.
fn host_nft_table() -> bool {
    std::process::Command::new("nft")
        .args(["list", "table", "ip", "berth"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Nothing of berth's networking is left: no responder or forwarder for this test, and
/// (`host`: as root, where bridges live in the host's namespace) no bridge, veth or nft table.
fn assert_no_network_leftovers(env: &TestEnv, host: bool, after: &str) {
    // The command that ended the last user has returned: its teardown must be complete.
    let procs = network_processes(env);
    assert!(procs.is_empty(), "after {after}: left running: {procs:?}");
    if host {
        let links = host_interfaces();
        assert!(
            links.is_empty(),
            "after {after}: interfaces left: {links:?}"
        );
        assert!(!host_nft_table(), "after {after}: nft table ip berth left");
    }
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
    assert_no_network_leftovers(&env, false, "an unknown network");
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
    assert_no_network_leftovers(&env, false, "--ip outside the subnet");
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
        // busybox's ping needs a raw socket (it has no ICMP datagram socket mode).
        "--cap-add",
        "NET_RAW",
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
        // So that it fails for the name, not for the raw socket busybox's ping needs.
        "--cap-add",
        "NET_RAW",
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
    assert_no_network_leftovers(&env, false, "network rm -f of the last user's network");
    env.berth(&["network", "rm", "other-network"])
        .assert_success();
    env.finish();
}

#[test]
fn system_prune_removes_networks_no_container_uses_and_keeps_the_rest() {
    chmod_tun();
    let env = TestEnv::new("net-sysprune");
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    for n in ["unused-net", "used-net", "left-by-stopped"] {
        env.berth(&["network", "create", n]).assert_success();
    }
    env.berth(&[
        "run",
        "-d",
        "--name",
        "up",
        "--network",
        "used-net",
        &img,
        "sleep",
        "300",
    ])
    .assert_success();
    // A stopped container's network is freed by the same prune that removes the container.
    env.berth(&["create", "--network", "left-by-stopped", &img, "true"])
        .assert_success();
    let out = env
        .berth(&["system", "prune", "-f"])
        .assert_success()
        .stdout_str();
    assert!(out.contains("Deleted Networks:\n"), "{out}");
    assert!(out.contains("unused-net\n"), "{out}");
    assert!(out.contains("left-by-stopped\n"), "{out}");
    let left = env
        .berth(&["network", "ls", "--format", "{{.Name}}"])
        .assert_success()
        .stdout_str();
    assert_eq!(left, "bridge\nused-net\n");
    env.berth(&["rm", "-f", "up"]).assert_success();
    assert_no_network_leftovers(&env, false, "rm -f of the only running container");
    env.finish();
}

#[test]
fn as_root_bridges_live_in_the_host_with_dns_and_isolation_and_leave_nothing_behind() {
    let env = TestEnv::new("net-root");
    // On a failed assertion, still take the bridges, rules and responders out of the host.
    struct Teardown<'a>(&'a TestEnv);
    impl Drop for Teardown<'_> {
        fn drop(&mut self) {
            if std::thread::panicking() {
                for n in ["demo-network", "other-network"] {
                    let _ = self.0.berth_as_root(&["network", "rm", "-f", n]);
                }
                let _ = self.0.berth_as_root(&["rm", "-fa"]);
            }
        }
    }
    let _teardown = Teardown(&env);
    let img = image("busybox");
    env.berth_as_root(&["pull", "-q", &img]).assert_success();
    env.berth_as_root(&["network", "create", "demo-network"])
        .assert_success();
    env.berth_as_root(&["network", "create", "other-network"])
        .assert_success();
    env.berth_as_root(&["run", "--rm", "--network", "nope", &img, "true"])
        .assert_error("network nope not found");
    assert_no_network_leftovers(&env, true, "an unknown network");
    // docker's default as root: the bridge network, with an address from its subnet.
    let default = env
        .berth_as_root(&[
            "run", "--rm", &img, "busybox", "ip", "-4", "addr", "show", "eth0",
        ])
        .assert_success()
        .stdout_str();
    assert!(default.contains("inet 10.88."), "{default}");
    assert_no_network_leftovers(&env, true, "a --rm container on the default network");
    env.berth_as_root(&[
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
    let inspect = env
        .berth_as_root(&[
            "network",
            "inspect",
            "--format",
            "{{index .Options \"com.docker.network.bridge.name\"}}",
            "demo-network",
        ])
        .assert_success()
        .stdout_str();
    let bridge = inspect.trim().to_string();
    assert!(
        std::path::Path::new("/sys/class/net")
            .join(&bridge)
            .exists(),
        "bridge {bridge} is not in the host's namespace"
    );
    // busybox-static's wget segfaults when run as real root here (dmesg: a NULL write), so
    // the request goes through nc.
    for host in ["web-app", "myapp"] {
        let script = format!(
            "busybox printf 'GET /hostname HTTP/1.0\\r\\n\\r\\n' | busybox nc -w5 {host} 80"
        );
        let got = env
            .berth_as_root(&[
                "run",
                "--rm",
                "--network",
                "demo-network",
                &img,
                "busybox",
                "sh",
                "-c",
                &script,
            ])
            .assert_success()
            .stdout_str();
        assert!(
            got.starts_with("HTTP/1.") && got.contains(" 200 "),
            "{host}: {got}"
        );
    }
    let across = env.berth_as_root(&[
        "run",
        "--rm",
        "--network",
        "other-network",
        &img,
        "busybox",
        "sh",
        "-c",
        "busybox nc -w2 10.89.0.2 80 </dev/null",
    ]);
    assert_ne!(across.code(), 0, "reached another network's container");
    let unresolved = env.berth_as_root(&[
        "run",
        "--rm",
        "--network",
        "other-network",
        &img,
        "busybox",
        "nslookup",
        "web-app",
    ]);
    assert_ne!(unresolved.code(), 0, "{}", unresolved.stdout_str());
    env.berth_as_root(&["network", "rm", "-f", "demo-network"])
        .assert_success();
    env.berth_as_root(&["network", "rm", "other-network"])
        .assert_success();
    assert_no_network_leftovers(&env, true, "network rm of every network");
    assert!(!std::path::Path::new("/sys/class/net")
        .join(&bridge)
        .exists());
    drop(_teardown);
    env.finish();
}

#[test]
fn network_connect_and_disconnect_rewire_a_running_container_with_dns_and_hosts() {
    chmod_tun();
    let env = TestEnv::new("net-connect");
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    env.berth(&["network", "create", "--subnet", "10.89.10.0/24", "front"])
        .assert_success();
    env.berth(&["network", "create", "--subnet", "10.89.11.0/24", "back"])
        .assert_success();
    env.berth(&[
        "run",
        "-d",
        "--name",
        "srv",
        "--network",
        "front",
        // For `exec srv busybox ping` (raw sockets).
        "--cap-add",
        "NET_RAW",
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
    env.berth(&[
        "run",
        "-d",
        "--name",
        "cli",
        "--network",
        "back",
        &img,
        "sleep",
        "300",
    ])
    .assert_success();
    // Through nc: busybox-static's wget segfaults under exec here (a NULL write in busybox).
    let fetch = |host: &str| {
        let script = format!(
            "busybox printf 'GET /hostname HTTP/1.0\\r\\n\\r\\n' | busybox nc -w2 {host} 80"
        );
        env.berth(&["exec", "cli", "sh", "-c", &script])
    };
    assert_ne!(fetch("srv").code(), 0, "reached srv before connect");
    // Bad input: an address outside the subnet; nothing changes.
    let out = env.berth(&["network", "connect", "--ip", "10.1.2.3", "front", "cli"]);
    assert_eq!(out.code(), 125, "{}", out.stderr_str());
    env.berth(&[
        "network",
        "connect",
        "--alias",
        "client",
        "--ip",
        "10.89.10.50",
        "front",
        "cli",
    ])
    .assert_success();
    let addr = env
        .berth(&["exec", "cli", "busybox", "ip", "-4", "addr", "show", "eth1"])
        .assert_success()
        .stdout_str();
    assert!(addr.contains("10.89.10.50/24"), "{addr}");
    assert!(!fetch("srv").assert_success().stdout_str().is_empty());
    env.berth(&["exec", "srv", "busybox", "ping", "-c1", "-W2", "client"])
        .assert_success();
    env.berth(&["exec", "cli", "cat", "/etc/hosts"])
        .assert_success()
        .assert_stdout_contains("10.89.10.50\t");
    let members = env
        .berth(&[
            "network",
            "inspect",
            "--format",
            "{{json .Containers}}",
            "front",
        ])
        .assert_success()
        .stdout_str();
    assert!(members.contains("\"Name\":\"cli\""), "{members}");
    env.berth(&["network", "disconnect", "front", "cli"])
        .assert_success();
    assert_ne!(fetch("srv").code(), 0, "reached srv after disconnect");
    assert_ne!(
        env.berth(&["exec", "cli", "busybox", "ip", "link", "show", "eth1"])
            .code(),
        0,
        "eth1 is still there"
    );
    let hosts = env
        .berth(&["exec", "cli", "cat", "/etc/hosts"])
        .assert_success()
        .stdout_str();
    assert!(!hosts.contains("10.89.10.50"), "{hosts}");
    assert_ne!(
        env.berth(&["exec", "srv", "busybox", "nslookup", "client"])
            .code(),
        0,
        "the alias still resolves"
    );
    env.berth(&["rm", "-f", "srv", "cli"]).assert_success();
    assert_no_network_leftovers(&env, false, "rm -f of both containers");
    env.berth(&["network", "rm", "front", "back"])
        .assert_success();
    env.finish();
}

#[test]
fn a_container_on_a_user_network_reaches_the_hosts_loopback_but_not_from_an_internal_one() {
    use std::io::{Read, Write};
    chmod_tun();
    let env = TestEnv::new("net-user-host");
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    env.berth(&["network", "create", "outnet"]).assert_success();
    env.berth(&["network", "create", "--internal", "innet"])
        .assert_success();
    // A one-shot greeter on the host's loopback, giving up after a minute.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    let port = l.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::time::Instant::now() < deadline {
            if let Ok((mut s, _)) = l.accept() {
                s.set_nonblocking(false).unwrap();
                let mut buf = [0u8; 64];
                let _ = s.read(&mut buf);
                let _ = s.write_all(b"hello from the host\n");
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        false
    });
    // The client keeps its side open until the answer is in (Debian 12's pasta loses the
    // host's FIN after a half-close).
    let out = env
        .berth(&[
            "run",
            "--rm",
            "--network",
            "outnet",
            &img,
            "sh",
            "-c",
            &format!(
                "grep host.containers.internal /etc/hosts; (echo GET; sleep 2) | timeout 30 busybox nc host.containers.internal {port}"
            ),
        ])
        .assert_success()
        .stdout_str();
    assert!(server.join().unwrap(), "{out}");
    assert!(out.contains("hello from the host"), "{out}");
    let hosts = env
        .berth(&[
            "run",
            "--rm",
            "--network",
            "innet",
            &img,
            "cat",
            "/etc/hosts",
        ])
        .assert_success()
        .stdout_str();
    assert!(!hosts.contains("host.containers.internal"), "{hosts}");
    env.berth(&["network", "rm", "outnet", "innet"])
        .assert_success();
    assert_no_network_leftovers(&env, false, "the last container's exit");
    env.finish();
}
