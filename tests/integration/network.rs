//! Rootless networking: the default network (the default bridge, reached through the shared
//! pasta), --network pasta and slirp4netns, published ports, sharing another container's
//! network, and the hosts/resolv.conf flags. Traffic stays on the host's
//! loopback and in the containers' namespaces.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::fixtures::image;
use crate::util::{http_get, TestEnv};

fn busybox_env(name: &str) -> (TestEnv, String) {
    let env = TestEnv::new(name);
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    (env, img)
}

/// A one-shot HTTP listener on the host's loopback that greets whoever asks.
fn greeter() -> (u16, std::thread::JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        if let Ok((mut s, _)) = l.accept() {
            let mut req = Vec::new();
            let mut buf = [0u8; 512];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => req.extend_from_slice(&buf[..n]),
                }
            }
            let _ =
                s.write_all(b"HTTP/1.0 200 OK\r\nContent-Length: 20\r\n\r\nhello from the host\n");
        }
    });
    (port, h)
}

const SERVE: &str =
    "mkdir -p /www && echo served-by-berth > /www/index.html && exec httpd -f -p 80 -h /www";

fn host_port(env: &TestEnv, name: &str, private: &str) -> u16 {
    let out = env
        .berth(&["port", name, private])
        .assert_success()
        .stdout_str();
    out.trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no host port in {out:?}"))
}

#[test]
fn default_network_reaches_the_hosts_loopback_as_host_containers_internal() {
    let (env, img) = busybox_env("net-default-host");
    let (port, server) = greeter();
    let out = env
        .berth(&[
            "run",
            "--rm",
            &img,
            "sh",
            "-c",
            &format!("grep host.containers.internal /etc/hosts && wget -qO- http://host.containers.internal:{port}/"),
        ])
        .assert_success()
        .stdout_str();
    assert!(out.contains("hello from the host"), "{out}");
    server.join().unwrap();
    let net = env
        .berth(&["info", "--format", "{{.Host.NetworkBackend}}"])
        .assert_success()
        .stdout_str();
    assert_eq!(net.trim(), "bridge via pasta");
    env.finish();
}

#[test]
fn published_port_serves_the_host_and_shows_in_port_and_ps() {
    let (env, img) = busybox_env("net-publish");
    env.berth(&[
        "run",
        "-d",
        "--name",
        "web",
        "-p",
        "127.0.0.1::80",
        &img,
        "sh",
        "-c",
        SERVE,
    ])
    .assert_success();
    let port = host_port(&env, "web", "80");
    assert!(http_get(port).contains("served-by-berth"));
    let listed = env.berth(&["port", "web"]).assert_success().stdout_str();
    assert_eq!(listed, format!("80/tcp -> 127.0.0.1:{port}\n"));
    let ps = env
        .berth(&["ps", "--format", "{{.Ports}}"])
        .assert_success()
        .stdout_str();
    assert!(ps.contains(&format!("127.0.0.1:{port}->80/tcp")), "{ps}");
    env.berth(&["rm", "-f", "web"]).assert_success();
    // The forwarder went with the container: the port is free again.
    TcpListener::bind(("127.0.0.1", port)).expect("the published port is still bound");
    env.finish();
}

#[test]
fn publish_all_maps_the_images_exposed_ports() {
    let (env, img) = busybox_env("net-publish-all");
    env.berth(&["create", "--name", "base", &img, "true"])
        .assert_success();
    env.berth(&["commit", "-c", "EXPOSE 80/tcp", "base", "exposing"])
        .assert_success();
    env.berth(&[
        "run", "-d", "--name", "web", "-P", "exposing", "sh", "-c", SERVE,
    ])
    .assert_success();
    let port = host_port(&env, "web", "80/tcp");
    assert!(http_get(port).contains("served-by-berth"));
    env.berth(&["rm", "-f", "web", "base"]).assert_success();
    env.finish();
}

#[test]
fn a_host_port_in_use_is_refused_with_125_and_nothing_runs() {
    let (env, img) = busybox_env("net-port-in-use");
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
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
        err.contains(&format!("{port}")) && err.contains("in use"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let ps = env.berth(&["ps", "-aq"]).assert_success().stdout_str();
    assert_eq!(ps, "", "no container was left: {ps}");
    env.finish();
}

#[test]
fn a_privileged_host_port_is_refused_rootless_with_the_fix() {
    let (env, img) = busybox_env("net-port-low");
    let out = env.berth(&["run", "--rm", "-p", "80:80", &img, "true"]);
    assert_eq!(out.code(), 125, "{}", out.stderr_str());
    assert!(
        out.stderr_str().contains("ip_unprivileged_port_start"),
        "{}",
        out.stderr_str()
    );
    let bad = env.berth(&["run", "--rm", "-p", "80:80:80:80", &img, "true"]);
    assert_eq!(bad.code(), 125, "{}", bad.stderr_str());
    env.finish();
}

#[test]
fn slirp4netns_reaches_the_host_and_publishes_ports() {
    let (env, img) = busybox_env("net-slirp");
    let (port, server) = greeter();
    let out = env
        .berth(&[
            "run",
            "--rm",
            "--network",
            "slirp4netns",
            &img,
            "sh",
            "-c",
            &format!("cat /etc/resolv.conf; wget -qO- http://host.containers.internal:{port}/"),
        ])
        .assert_success()
        .stdout_str();
    assert!(out.contains("nameserver 10.0.2.3"), "{out}");
    assert!(out.contains("hello from the host"), "{out}");
    server.join().unwrap();
    env.berth(&[
        "run",
        "-d",
        "--name",
        "web",
        "--net",
        "slirp4netns",
        "-p",
        "127.0.0.1::80",
        &img,
        "sh",
        "-c",
        SERVE,
    ])
    .assert_success();
    let port = host_port(&env, "web", "80");
    assert!(http_get(port).contains("served-by-berth"));
    env.berth(&["rm", "-f", "web"]).assert_success();
    env.finish();
}

#[test]
fn container_mode_shares_the_other_containers_interfaces() {
    let (env, img) = busybox_env("net-container-mode");
    env.berth(&["run", "-d", "--name", "first", &img, "sleep", "60"])
        .assert_success();
    let show = "readlink /proc/self/ns/net; cut -d: -f1 /proc/net/dev | tail -n +3 | sort";
    let own = env
        .berth(&["exec", "first", "sh", "-c", show])
        .assert_success()
        .stdout_str();
    let shared = env
        .berth(&[
            "run",
            "--rm",
            "--network",
            "container:first",
            &img,
            "sh",
            "-c",
            show,
        ])
        .assert_success()
        .stdout_str();
    assert!(
        own.lines().count() >= 3,
        "lo and the backend's interface: {own}"
    );
    assert_eq!(own, shared);
    env.berth(&["rm", "-f", "first"]).assert_success();
    let gone = env.berth(&["run", "--rm", "--network", "container:first", &img, "true"]);
    assert_eq!(gone.code(), 125, "{}", gone.stderr_str());
    env.finish();
}

#[test]
fn network_none_has_only_the_loopback_interface() {
    let (env, img) = busybox_env("net-none");
    let out = env
        .berth(&[
            "run",
            "--rm",
            "--network",
            "none",
            &img,
            "cat",
            "/proc/net/dev",
        ])
        .assert_success()
        .stdout_str();
    let ifaces: Vec<&str> = out
        .lines()
        .skip(2)
        .filter_map(|l| l.split(':').next().map(str::trim))
        .collect();
    assert_eq!(ifaces, ["lo"], "{out}");
    env.finish();
}

#[test]
fn dns_hosts_and_hostname_flags_write_the_containers_files() {
    let (env, img) = busybox_env("net-dns-flags");
    let out = env
        .berth(&[
            "run",
            "--rm",
            "--dns",
            "192.0.2.53",
            "--dns-search",
            "example.test",
            "--dns-option",
            "ndots:2",
            "--add-host",
            "db:10.1.2.3",
            "--add-host",
            "gw:host-gateway",
            "--hostname",
            "box",
            "--domainname",
            "example.test",
            &img,
            "sh",
            "-c",
            "cat /etc/resolv.conf /etc/hosts; hostname; cat /proc/sys/kernel/domainname",
        ])
        .assert_success()
        .stdout_str();
    for want in [
        "search example.test\n",
        "nameserver 192.0.2.53\n",
        "options ndots:2\n",
        "10.1.2.3\tdb\n",
        "box.example.test box\n",
        "\nbox\nexample.test\n",
    ] {
        assert!(out.contains(want), "{want:?} in {out}");
    }
    let gw = out
        .lines()
        .find(|l| l.ends_with("\tgw"))
        .unwrap_or_else(|| panic!("no gw entry: {out}"));
    assert!(out.contains(&format!(
        "{}\thost.containers.internal",
        gw.split('\t').next().unwrap()
    )));
    assert_eq!(
        env.berth(&["run", "--rm", "--add-host", "db", &img, "true"])
            .code(),
        125
    );
    let kept = env
        .berth(&["run", "--rm", "--no-hosts", &img, "cat", "/etc/hosts"])
        .stdout_str();
    assert!(!kept.contains("host.containers.internal"), "{kept}");
    env.finish();
}

/// The recorded state of the only container in the store.
fn only_state(env: &TestEnv) -> serde_json::Value {
    let dir = std::fs::read_dir(env.store().join("containers"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    serde_json::from_str(&std::fs::read_to_string(dir.join("state.json")).unwrap()).unwrap()
}

/// Whether `pid` is a live pasta or slirp4netns (an exited one nobody reaped yet is a zombie).
fn is_network_backend(pid: i32) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |k: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(k))
            .map(str::trim)
            .unwrap_or("")
            .to_string()
    };
    let name = field("Name:");
    (name.starts_with("pas") || name == "slirp4netns") && !field("State:").starts_with('Z')
}

#[test]
fn rm_after_a_killed_monitor_stops_the_orphaned_network_backend() {
    let (env, img) = busybox_env("net-orphan-backend");
    for (name, network) in [("viapasta", "pasta"), ("viaslirp", "slirp4netns")] {
        env.berth(&[
            "run",
            "-d",
            "--name",
            name,
            "--network",
            network,
            &img,
            "sleep",
            "1000",
        ])
        .assert_success();
        let state = only_state(&env);
        let backend = state["network_pid"].as_i64().unwrap() as i32;
        assert!(is_network_backend(backend), "{network}: {state}");
        let monitor = state["monitor_pid"].as_i64().unwrap() as i32;
        // SAFETY: signalling the monitor this test started.
        unsafe { libc::kill(monitor, libc::SIGKILL) };
        env.berth(&["rm", "-f", name]).assert_success();
        assert!(
            !is_network_backend(backend),
            "{network}'s process {backend} outlived its container"
        );
    }
    env.finish();
}

#[test]
fn slirp4netns_without_host_loopback_does_not_name_the_host() {
    let (env, img) = busybox_env("net-slirp-no-loopback");
    let hosts = env
        .berth(&[
            "run",
            "--rm",
            "--network",
            "slirp4netns:allow_host_loopback=false",
            &img,
            "cat",
            "/etc/hosts",
        ])
        .assert_success()
        .stdout_str();
    assert!(!hosts.contains("host.containers.internal"), "{hosts}");
    assert!(hosts.contains("localhost"), "{hosts}");
    env.finish();
}

/// `ip` as root, for namespaces the test creates.
fn ip(args: &[&str]) -> std::process::Output {
    std::process::Command::new("ip")
        .args(args)
        .output()
        .unwrap()
}

fn interfaces(dev: &str) -> Vec<String> {
    let mut names: Vec<String> = dev
        .lines()
        .skip(2)
        .filter_map(|l| l.split(':').next().map(|n| n.trim().to_string()))
        .collect();
    names.sort();
    names
}

#[test]
fn ns_path_joins_the_named_network_namespace() {
    let env = TestEnv::new("net-ns-path");
    let img = image("busybox");
    env.berth_as_root(&["pull", "-q", &img]).assert_success();
    const NS: &str = "berth-t1";
    let _ = ip(&["netns", "del", NS]);
    assert!(ip(&["netns", "add", NS]).status.success());
    // An interface only this namespace has, so that matching lists prove which one joined.
    let added = ip(&[
        "-n", NS, "link", "add", "berthv0", "type", "veth", "peer", "name", "berthv1",
    ]);
    let inside = env.berth_as_root(&[
        "run",
        "--rm",
        "--network",
        &format!("ns:/run/netns/{NS}"),
        &img,
        "cat",
        "/proc/net/dev",
    ]);
    let expected = std::process::Command::new("ip")
        .args(["netns", "exec", NS, "cat", "/proc/net/dev"])
        .output()
        .unwrap();
    let _ = ip(&["netns", "del", NS]);
    assert!(added.status.success(), "{added:?}");
    let inside = inside.assert_success().stdout_str();
    let want = interfaces(&String::from_utf8_lossy(&expected.stdout));
    assert_eq!(interfaces(&inside), want);
    assert!(want.contains(&"berthv0".to_string()), "{want:?}");
    env.finish();
}

#[test]
fn pasta_as_root_gives_the_container_an_address_and_a_default_route() {
    // As root pasta cannot open /proc/PID/ns/net itself: berth hands it a bind-mounted file.
    let (env, img) = busybox_env("net-pasta-root");
    env.berth_as_root(&["pull", "-q", &img]).assert_success();
    let out = env
        .berth_as_root(&[
            "run",
            "--rm",
            "--network",
            "pasta",
            &img,
            "sh",
            "-c",
            "ip -4 addr show; ip route",
        ])
        .assert_success()
        .stdout_str();
    assert!(
        out.lines()
            .any(|l| l.trim().starts_with("inet ") && !l.contains("127.0.0.1")),
        "{out}"
    );
    assert!(out.contains("default via"), "{out}");
    env.finish();
}

/// A network namespace shaped like a host: `addr` on eth0 (a veth whose peer stays inside),
/// loopback up, and a default route via `gw` (on-link even outside the address's subnet)
/// when given. Deleted when dropped.
struct HostShape {
    name: String,
}

impl HostShape {
    fn new(name: &str, addr: &str, gw: Option<&str>) -> HostShape {
        let _ = ip(&["netns", "del", name]);
        let shape = HostShape {
            name: name.to_string(),
        };
        let n = name;
        let mut steps: Vec<Vec<&str>> = vec![
            vec!["netns", "add", n],
            vec!["-n", n, "link", "set", "lo", "up"],
            vec![
                "-n", n, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p",
            ],
            vec!["-n", n, "addr", "add", addr, "dev", "eth0"],
            vec!["-n", n, "link", "set", "eth0", "up"],
            vec!["-n", n, "link", "set", "eth0p", "up"],
        ];
        if let Some(gw) = gw {
            steps.push(vec![
                "-n", n, "route", "add", "default", "via", gw, "dev", "eth0", "onlink",
            ]);
        }
        for s in steps {
            let out = ip(&s);
            assert!(out.status.success(), "ip {}: {out:?}", s.join(" "));
        }
        shape
    }

    /// Run `f` on a thread in this namespace: what it binds and the processes it starts are
    /// in there (a thread's network namespace is its own; children inherit it).
    fn run<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        use std::os::fd::AsRawFd;
        let ns = std::fs::File::open(format!("/run/netns/{}", self.name)).unwrap();
        std::thread::scope(|s| {
            s.spawn(|| {
                // SAFETY: setns on this thread only, with a namespace file we hold open.
                let rc = unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) };
                assert_eq!(rc, 0, "setns: {}", std::io::Error::last_os_error());
                f()
            })
            .join()
            .unwrap()
        })
    }
}

impl Drop for HostShape {
    fn drop(&mut self) {
        let _ = ip(&["netns", "del", &self.name]);
    }
}

/// A one-shot greeter on 127.0.0.1 that gives up after a minute (so a container that never
/// connects fails the test instead of hanging it); whether someone was greeted.
fn greeter_with_deadline() -> (u16, std::thread::JoinHandle<bool>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    let port = l.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            match l.accept() {
                Ok((mut s, _)) => {
                    s.set_nonblocking(false).unwrap();
                    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                    let mut buf = [0u8; 512];
                    let _ = s.read(&mut buf);
                    let _ = s.write_all(
                        b"HTTP/1.0 200 OK\r\nContent-Length: 20\r\n\r\nhello from the host\n",
                    );
                    return true;
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        false
    });
    (port, h)
}

/// Whether the installed pasta maps an address of berth's choosing (passt 2024-08 and later).
fn pasta_has_map_host_loopback() -> bool {
    let out = std::process::Command::new("pasta")
        .arg("--help")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    text.contains("--map-host-loopback")
}

#[test]
fn host_containers_internal_reaches_the_hosts_loopback_on_every_host_shape() {
    let (env, img) = busybox_env("net-host-shapes");
    let dedicated = pasta_has_map_host_loopback();
    // (name, host address, gateway, the address pasta's containers get for the host)
    let shapes: [(&str, &str, Option<&str>, &str); 4] = [
        // The host: its own address and gateway are what pasta copies.
        (
            "berth-hs-pasta",
            "192.0.2.2/24",
            Some("192.0.2.1"),
            "192.0.2.1",
        ),
        // An ordinary LAN host.
        (
            "berth-hs-lan",
            "10.20.30.40/24",
            Some("10.20.30.1"),
            "10.20.30.1",
        ),
        // A cloud host: a /32 address and a gateway outside it, a route pasta cannot copy.
        (
            "berth-hs-cloud",
            "203.0.113.7/32",
            Some("172.31.1.1"),
            "169.254.1.2",
        ),
        // No default route at all.
        ("berth-hs-nogw", "198.51.100.9/24", None, "169.254.1.2"),
    ];
    for (name, addr, gw, old_pasta_address) in shapes {
        let shape = HostShape::new(name, addr, gw);
        let want = if dedicated && gw.is_some() {
            "169.254.1.2"
        } else {
            old_pasta_address
        };
        shape.run(|| {
            let info = env
                .berth(&[
                    "info",
                    "--format",
                    "{{.Host.HostContainersInternal.Address}} {{.Host.HostContainersInternal.Method}}",
                ])
                .assert_success()
                .stdout_str();
            assert!(info.starts_with(&format!("{want} ")), "{name}: {info}");
            for network in ["pasta", "slirp4netns"] {
                // The client keeps its sending side open until the answer is in: Debian 12's
                // pasta (passt 2023-03-09) never passes the host's FIN on to a container that
                // half-closed its connection first (any connection, not only this one).
                let (port, server) = greeter_with_deadline();
                let out = env.berth(&[
                    "run",
                    "--rm",
                    "--network",
                    network,
                    &img,
                    "sh",
                    "-c",
                    &format!(
                        "grep host.containers.internal /etc/hosts; (echo GET; sleep 2) | timeout 30 busybox nc host.containers.internal {port}"
                    ),
                ]);
                let greeted = server.join().unwrap();
                let out = out.assert_success().stdout_str();
                assert!(
                    greeted && out.contains("hello from the host"),
                    "{name} with {network}: {out}"
                );
                let expected = if network == "pasta" { want } else { "10.0.2.2" };
                assert!(
                    out.contains(&format!("{expected}\thost.containers.internal")),
                    "{name} with {network}: {out}"
                );
            }
        });
        drop(shape);
    }
    env.finish();
}
