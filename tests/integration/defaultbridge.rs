//! The default network as a bridge: rootless in the per-user network namespace (whose holder
//! and pasta persist between containers), as root in the host's; and published ports on bridge
//! networks through the per-container forwarder (berth-forward), TCP and UDP.

use std::io::Write;
use std::net::{TcpListener, UdpSocket};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::fixtures::image;
use crate::util::{http_get, TestEnv, Who};

/// The server the containers run: httpd on port 80 serving `text`.
fn serve(text: &str) -> String {
    format!("mkdir -p /www && echo {text} > /www/index.html && exec httpd -f -p 80 -h /www")
}

/// A host port nothing listens on now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn inspect(env: &TestEnv, who: Who, name: &str) -> Value {
    let out = env
        .berth_as(who, &["inspect", name])
        .assert_success()
        .stdout_str();
    let doc: Value = serde_json::from_str(&out).unwrap();
    doc[0].clone()
}

/// The forwarders running for this test.
fn forwarders(env: &TestEnv) -> Vec<i32> {
    env.processes()
        .into_iter()
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "berth-forward")
        })
        .collect()
}

/// The host's resolvers a container in another network namespace can use (not loopback).
fn host_resolvers() -> Vec<String> {
    std::fs::read_to_string("/etc/resolv.conf")
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.strip_prefix("nameserver"))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.starts_with("127.") && s != "::1")
        .collect()
}

#[test]
fn rootless_default_network_is_the_bridge_whose_containers_reach_each_other_by_ip() {
    let env = TestEnv::new("defbr-ip");
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    env.berth(&[
        "run",
        "-d",
        "--name",
        "web",
        &img,
        "sh",
        "-c",
        &serve("from-web"),
    ])
    .assert_success();
    let doc = inspect(&env, Who::User, "web");
    assert_eq!(doc["HostConfig"]["NetworkMode"], "bridge");
    let net = &doc["NetworkSettings"]["Networks"]["bridge"];
    let ip = net["IPAddress"].as_str().unwrap().to_string();
    assert!(ip.starts_with("10.88."), "{net}");
    assert_eq!(net["Gateway"], "10.88.0.1");
    assert!(!net["MacAddress"].as_str().unwrap().is_empty(), "{net}");
    assert_eq!(doc["NetworkSettings"]["IPAddress"], ip.as_str());
    // A second container: eth0 in the bridge's subnet, the host's resolvers (no DNS
    // responder on the default network), host.containers.internal, and the first one by IP.
    let out = env
        .berth(&[
            "run",
            "--rm",
            &img,
            "sh",
            "-c",
            &format!(
                "ip -4 addr show eth0; cat /etc/resolv.conf /etc/hosts; wget -qO- http://{ip}/"
            ),
        ])
        .assert_success()
        .stdout_str();
    assert!(out.contains("inet 10.88."), "{out}");
    // The MTU of the shared pasta's tap: a 1500 veth made TCP through pasta crawl.
    assert!(out.contains("mtu 65520"), "{out}");
    assert!(out.contains("from-web"), "{out}");
    assert!(out.contains("host.containers.internal"), "{out}");
    for r in host_resolvers() {
        assert!(out.contains(&format!("nameserver {r}")), "{out}");
    }
    let dns: Vec<i32> = env
        .processes()
        .into_iter()
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/comm"))
                .is_ok_and(|c| c.trim() == "berth-dns")
        })
        .collect();
    assert!(
        dns.is_empty(),
        "a DNS responder runs for the default network: {dns:?}"
    );
    let info = env
        .berth(&["info", "--format", "{{.Host.NetworkBackend}}"])
        .assert_success()
        .stdout_str();
    assert!(info.starts_with("bridge via "), "{info}");
    env.berth(&["rm", "-f", "web"]).assert_success();
    env.finish();
}

#[test]
fn holder_and_pasta_persist_after_the_last_container_are_restarted_when_killed_and_stopped_by_migrate(
) {
    let env = TestEnv::new("defbr-holder");
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    env.berth(&["run", "--rm", &img, "true"]).assert_success();
    let holder = env
        .run_pid(Who::User, "networks/holder.pid")
        .expect("no network holder after the first container");
    let pasta = env
        .run_pid(Who::User, "networks/outward.pid")
        .expect("no pasta after the first container");
    // The next container uses the same ones.
    env.berth(&["run", "--rm", &img, "true"]).assert_success();
    assert_eq!(env.run_pid(Who::User, "networks/holder.pid"), Some(holder));
    assert_eq!(env.run_pid(Who::User, "networks/outward.pid"), Some(pasta));
    // A killed pasta is replaced: the next container reaches the outside again (the host's
    // loopback, through the new pasta).
    let _ = rustix::process::kill_process(
        rustix::process::Pid::from_raw(pasta).unwrap(),
        rustix::process::Signal::Kill,
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while env.run_pid(Who::User, "networks/outward.pid").is_some() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    // A one-shot greeter on the host's loopback, giving up after a minute.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    let port = l.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok((mut s, _)) = l.accept() {
                s.set_nonblocking(false).unwrap();
                let _ = s.write_all(b"hello from the host\n");
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    });
    let out = env.berth(&[
        "run",
        "--rm",
        &img,
        "sh",
        "-c",
        // The client keeps its side open until the answer is in (Debian 12's pasta loses the
        // host's FIN after a half-close).
        &format!("sleep 2 | timeout 30 busybox nc host.containers.internal {port}"),
    ]);
    assert!(
        server.join().unwrap(),
        "nothing reached the host: {} {}",
        out.stdout_str(),
        out.stderr_str()
    );
    let out = out.assert_success().stdout_str();
    assert!(out.contains("hello from the host"), "{out}");
    let new_pasta = env.run_pid(Who::User, "networks/outward.pid");
    assert!(new_pasta.is_some_and(|p| p != pasta), "{new_pasta:?}");
    assert_eq!(env.run_pid(Who::User, "networks/holder.pid"), Some(holder));
    // system migrate stops both; the next container starts them again.
    env.berth(&["system", "migrate"]).assert_success();
    assert_eq!(env.run_pid(Who::User, "networks/holder.pid"), None);
    assert_eq!(env.run_pid(Who::User, "networks/outward.pid"), None);
    env.berth(&["run", "--rm", &img, "true"]).assert_success();
    let again = env.run_pid(Who::User, "networks/holder.pid");
    assert!(again.is_some_and(|p| p != holder), "{again:?}");
    env.berth(&["system", "reset", "--force"]).assert_success();
    assert_eq!(env.run_pid(Who::User, "networks/holder.pid"), None);
    env.finish();
}

#[test]
fn published_tcp_port_on_the_default_network_serves_the_host_and_its_forwarder_goes_with_the_container(
) {
    let env = TestEnv::new("defbr-tcp");
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    let port = free_port();
    env.berth(&[
        "run",
        "-d",
        "--name",
        "web",
        "-p",
        &format!("127.0.0.1:{port}:80"),
        &img,
        "sh",
        "-c",
        &serve("published-on-the-bridge"),
    ])
    .assert_success();
    assert!(http_get(port).contains("published-on-the-bridge"));
    assert_eq!(
        env.berth(&["port", "web"]).assert_success().stdout_str(),
        format!("80/tcp -> 127.0.0.1:{port}\n")
    );
    let doc = inspect(&env, Who::User, "web");
    assert_eq!(
        doc["NetworkSettings"]["Ports"]["80/tcp"][0]["HostPort"],
        port.to_string()
    );
    assert_eq!(
        doc["HostConfig"]["PortBindings"]["80/tcp"][0]["HostIp"],
        "127.0.0.1"
    );
    assert_eq!(forwarders(&env).len(), 1, "one forwarder per container");
    // Taken while the container runs: a second container asking for it is refused, clearly.
    let out = env.berth(&[
        "run",
        "--rm",
        "-p",
        &format!("127.0.0.1:{port}:80"),
        &img,
        "true",
    ]);
    assert_eq!(out.code(), 125, "{}", out.stderr_str());
    let err = out.stderr_str();
    assert!(
        err.contains(&port.to_string()) && err.contains("in use"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    env.berth(&["stop", "-t", "1", "web"]).assert_success();
    assert!(
        forwarders(&env).is_empty(),
        "the forwarder outlived the container"
    );
    TcpListener::bind(("127.0.0.1", port)).expect("the published port is still bound");
    // A restart publishes it again.
    env.berth(&["start", "web"]).assert_success();
    assert!(http_get(port).contains("published-on-the-bridge"));
    env.berth(&["rm", "-f", "web"]).assert_success();
    assert!(forwarders(&env).is_empty(), "the forwarder outlived rm -f");
    env.finish();
}

#[test]
fn random_host_ports_from_0_and_publish_all_are_shown_by_port_and_reach_the_container() {
    let env = TestEnv::new("defbr-random");
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    env.berth(&[
        "run",
        "-d",
        "--name",
        "zero",
        "-p",
        "127.0.0.1:0:80",
        &img,
        "sh",
        "-c",
        &serve("zero-port"),
    ])
    .assert_success();
    let shown = env
        .berth(&["port", "zero", "80"])
        .assert_success()
        .stdout_str();
    let port: u16 = shown.trim().rsplit(':').next().unwrap().parse().unwrap();
    assert_ne!(port, 0, "{shown}");
    assert!(http_get(port).contains("zero-port"));
    env.berth(&["create", "--name", "base", &img, "true"])
        .assert_success();
    env.berth(&["commit", "-c", "EXPOSE 80/tcp", "base", "exposing"])
        .assert_success();
    env.berth(&[
        "run",
        "-d",
        "--name",
        "all",
        "-P",
        "exposing",
        "sh",
        "-c",
        &serve("publish-all"),
    ])
    .assert_success();
    let shown = env
        .berth(&["port", "all", "80/tcp"])
        .assert_success()
        .stdout_str();
    let port: u16 = shown.trim().rsplit(':').next().unwrap().parse().unwrap();
    assert!(http_get(port).contains("publish-all"));
    env.berth(&["rm", "-f", "zero", "all", "base"])
        .assert_success();
    env.finish();
}

#[test]
fn published_udp_port_relays_datagrams_both_ways_per_client() {
    let env = TestEnv::new("defbr-udp");
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    let port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // busybox-static's nc has no UDP: the host's python3 (with /usr and its loader bound
    // read-only) is the container's echo server.
    let echo = "import socket\n\
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
        s.bind(('0.0.0.0', 5353))\n\
        while True:\n    d, a = s.recvfrom(2048)\n    s.sendto(b'echo:' + d, a)\n";
    env.berth(&[
        "run",
        "-d",
        "--name",
        "echo",
        "-p",
        &format!("127.0.0.1:{port}:5353/udp"),
        "-v",
        "/usr:/usr:ro",
        "-v",
        "/usr/lib:/lib:ro",
        "-v",
        "/usr/lib64:/lib64:ro",
        &img,
        "/usr/bin/python3",
        "-c",
        echo,
    ])
    .assert_success();
    let ask = |c: &UdpSocket, what: &str| -> Option<String> {
        c.send_to(what.as_bytes(), ("127.0.0.1", port)).ok()?;
        let mut buf = [0u8; 512];
        let n = c.recv(&mut buf).ok()?;
        Some(String::from_utf8_lossy(&buf[..n]).into_owned())
    };
    let a = UdpSocket::bind("127.0.0.1:0").unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").unwrap();
    for c in [&a, &b] {
        c.set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
    }
    // Until python is up, datagrams are lost: ask again.
    let deadline = Instant::now() + Duration::from_secs(20);
    let first = loop {
        if let Some(got) = ask(&a, "one") {
            break got;
        }
        assert!(Instant::now() < deadline, "no UDP answer on port {port}");
    };
    assert_eq!(first, "echo:one");
    assert_eq!(ask(&b, "two").as_deref(), Some("echo:two"));
    assert_eq!(ask(&a, "three").as_deref(), Some("echo:three"));
    assert_eq!(
        env.berth(&["port", "echo"]).assert_success().stdout_str(),
        format!("5353/udp -> 127.0.0.1:{port}\n")
    );
    env.berth(&["rm", "-f", "echo"]).assert_success();
    assert!(
        forwarders(&env).is_empty(),
        "the forwarder outlived the container"
    );
    UdpSocket::bind(("127.0.0.1", port)).expect("the published UDP port is still bound");
    env.finish();
}

#[test]
fn published_port_on_a_user_network_reaches_the_container() {
    let env = TestEnv::new("defbr-usernet");
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    env.berth(&["network", "create", "pubnet"]).assert_success();
    let port = free_port();
    env.berth(&[
        "run",
        "-d",
        "--name",
        "web",
        "--network",
        "pubnet",
        "-p",
        &format!("127.0.0.1:{port}:80"),
        &img,
        "sh",
        "-c",
        &serve("on-a-user-network"),
    ])
    .assert_success();
    assert!(http_get(port).contains("on-a-user-network"));
    env.berth(&["rm", "-f", "web"]).assert_success();
    assert!(forwarders(&env).is_empty());
    env.berth(&["network", "rm", "pubnet"]).assert_success();
    env.finish();
}

#[test]
fn as_root_published_ports_on_the_default_bridge_and_a_user_network_reach_the_container() {
    let env = TestEnv::new("defbr-root");
    // On a failed assertion, still take the containers (and their bridges) out of the host.
    struct Teardown<'a>(&'a TestEnv);
    impl Drop for Teardown<'_> {
        fn drop(&mut self) {
            if std::thread::panicking() {
                let _ = self.0.berth_as_root(&["rm", "-fa"]);
                let _ = self.0.berth_as_root(&["network", "rm", "-f", "rootpub"]);
            }
        }
    }
    let _teardown = Teardown(&env);
    let img = image("busybox");
    env.berth_as_root(&["pull", "-q", &img]).assert_success();
    env.berth_as_root(&["network", "create", "rootpub"])
        .assert_success();
    let (p1, p2) = (free_port(), free_port());
    for (name, net, port) in [("web1", "bridge", p1), ("web2", "rootpub", p2)] {
        env.berth_as_root(&[
            "run",
            "-d",
            "--name",
            name,
            "--network",
            net,
            "-p",
            &format!("127.0.0.1:{port}:80"),
            &img,
            "sh",
            "-c",
            &serve(&format!("root-{name}")),
        ])
        .assert_success();
    }
    assert!(http_get(p1).contains("root-web1"));
    assert!(http_get(p2).contains("root-web2"));
    let ps = env
        .berth_as_root(&["ps", "--format", "{{.Names}} {{.Ports}}"])
        .assert_success()
        .stdout_str();
    assert!(ps.contains(&format!("web1 127.0.0.1:{p1}->80/tcp")), "{ps}");
    env.berth_as_root(&["rm", "-f", "web1", "web2"])
        .assert_success();
    assert!(
        forwarders(&env).is_empty(),
        "a forwarder outlived its container"
    );
    env.berth_as_root(&["network", "rm", "rootpub"])
        .assert_success();
    drop(_teardown);
    env.finish();
}
