//! podman's default capability set (no NET_RAW, MKNOD, AUDIT_WRITE), `ping` through the
//! container's own `net.ipv4.ping_group_range` instead of raw sockets, and berth.conf's
//! `default_capabilities` for users who want docker's set back.
//!
//! `netprobe` (built static here, into the `netprobe` test image) does what `ping` and a
//! packet sniffer would: an ICMP echo to 127.0.0.1 over an ICMP datagram socket (iputils' way
//! without privileges; busybox's ping only knows raw sockets), then a raw ICMP socket and a
//! packet socket, printing one `key=value` line each.

use std::sync::OnceLock;

use crate::fixtures::{busybox_rootfs, image, push_image, registry, ImageSpec, Layer};
use crate::util::{accounts, status_field, TestEnv, Who};

const NETPROBE_C: &str = r#"
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/if_ether.h>

static const char *err(void) {
    return errno == EPERM ? "EPERM" : errno == EACCES ? "EACCES" : strerror(errno);
}

int main(void) {
    int s = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    if (s < 0) {
        printf("icmp_dgram=%s\n", err());
    } else {
        struct sockaddr_in to = {.sin_family = AF_INET};
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        struct icmphdr h = {.type = ICMP_ECHO};
        h.un.echo.sequence = htons(1);
        struct timeval tv = {.tv_sec = 5};
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char buf[256];
        if (sendto(s, &h, sizeof h, 0, (struct sockaddr *)&to, sizeof to) < 0)
            printf("icmp_dgram=send %s\n", err());
        else if (recv(s, buf, sizeof buf, 0) < (ssize_t)sizeof h)
            printf("icmp_dgram=recv %s\n", err());
        else
            printf("icmp_dgram=%s\n",
                   ((struct icmphdr *)buf)->type == ICMP_ECHOREPLY ? "reply" : "other");
        close(s);
    }
    s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    printf("raw_icmp=%s\n", s < 0 ? err() : "open");
    if (s >= 0) close(s);
    s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    printf("packet=%s\n", s < 0 ? err() : "open");
    if (s >= 0) close(s);
    return 0;
}
"#;

/// The `netprobe` image: busybox and /netprobe, pushed once per test process.
fn netprobe_image(env: &TestEnv, who: Who) -> String {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("berth-netprobe-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (src, bin) = (dir.join("netprobe.c"), dir.join("netprobe"));
        std::fs::write(&src, NETPROBE_C).unwrap();
        let out = std::process::Command::new("cc")
            .args(["-static", "-O2", "-o"])
            .arg(&bin)
            .arg(&src)
            .output()
            .unwrap_or_else(|e| panic!("cc (apt-get install build-essential): {e}"));
        assert!(
            out.status.success(),
            "building netprobe: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let prog = std::fs::read(&bin).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        push_image(
            registry(),
            "netprobe",
            "latest",
            ImageSpec::gzip(vec![
                busybox_rootfs().tar(),
                Layer::new().file_owned("netprobe", &prog, 0o755, 0).tar(),
            ]),
        );
    });
    let img = image("netprobe");
    env.berth_as(who, &["pull", "-q", &img]).assert_success();
    img
}

/// The value of `key=` in netprobe's output.
fn probe(text: &str, key: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("no {key} in {text}"))
        .to_string()
}

/// podman's eleven: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
/// NET_BIND_SERVICE SYS_CHROOT SETFCAP.
const PODMAN_MASK: &str = "00000000800405fb";
/// docker's fourteen: podman's and MKNOD, NET_RAW, AUDIT_WRITE.
const DOCKER_MASK: &str = "00000000a80425fb";

const BOTH: [Who; 2] = [Who::User, Who::Root];

#[test]
fn a_default_container_has_podmans_eleven_capabilities_and_cannot_mknod() {
    let env = TestEnv::new("esc-def-caps");
    for who in BOTH {
        let img = image("busybox");
        env.berth_as(who, &["pull", "-q", &img]).assert_success();
        let status = env
            .berth_as(who, &["run", "--rm", &img, "cat", "/proc/self/status"])
            .assert_success()
            .stdout_str();
        for key in ["CapEff", "CapPrm", "CapBnd"] {
            assert_eq!(status_field(&status, key), PODMAN_MASK, "{key} as {who:?}");
        }
        assert_eq!(status_field(&status, "CapAmb"), "0000000000000000");
        // A device node (a way to the host's disks when the device cgroup lets it through).
        let mknod = env.berth_as(
            who,
            &[
                "run", "--rm", &img, "busybox", "mknod", "/tmp/sda", "b", "8", "0",
            ],
        );
        assert_ne!(mknod.code(), 0, "mknod succeeded as {who:?}");
        assert!(
            mknod.stderr_str().contains("Operation not permitted"),
            "{}",
            mknod.stderr_str()
        );
        // inspect says what the container gets.
        env.berth_as(who, &["create", "--name", "c", &img, "true"])
            .assert_success();
        let inspect = |format: &str| {
            env.berth_as(who, &["inspect", "--format", format, "c"])
                .assert_success()
                .stdout_str()
        };
        for key in ["EffectiveCaps", "BoundingCaps"] {
            let caps: Vec<String> =
                serde_json::from_str(&inspect(&format!("{{{{json .{key}}}}}"))).unwrap();
            assert_eq!(caps.len(), 11, "{key}: {caps:?}");
            for absent in ["CAP_NET_RAW", "CAP_MKNOD", "CAP_AUDIT_WRITE"] {
                assert!(!caps.iter().any(|c| c == absent), "{key}: {caps:?}");
            }
        }
        env.berth_as(who, &["rm", "c"]).assert_success();
    }
    env.finish();
}

#[test]
fn ping_works_without_net_raw_and_raw_sockets_are_refused() {
    let env = TestEnv::new("esc-def-ping");
    // Rootless, every gid the user namespace maps (0 and the subordinate range; only 0 for a
    // user without one, whose namespace maps nothing else); as root, the sysctl's maximum,
    // docker's value.
    let count = accounts().user.subgid.expect("subgid range").count;
    for (who, range, users) in [
        (Who::User, format!("0\t{count}"), &["0", "1000:1000"][..]),
        (Who::NoRange, "0\t0".to_string(), &["0"][..]),
        (
            Who::Root,
            "0\t2147483647".to_string(),
            &["0", "1000:1000"][..],
        ),
    ] {
        let img = netprobe_image(&env, who);
        for user in users {
            let out = env
                .berth_as(
                    who,
                    &[
                        "run",
                        "--rm",
                        "--network",
                        "none",
                        "-u",
                        user,
                        &img,
                        "/netprobe",
                    ],
                )
                .assert_success()
                .stdout_str();
            assert_eq!(
                probe(&out, "icmp_dgram"),
                "reply",
                "as {who:?}/{user}: {out}"
            );
            assert_eq!(probe(&out, "raw_icmp"), "EPERM", "as {who:?}/{user}: {out}");
            assert_eq!(probe(&out, "packet"), "EPERM", "as {who:?}/{user}: {out}");
        }
        // The range is the container's own, and the container cannot narrow or widen it.
        let out = env
            .berth_as(
                who,
                &[
                    "run",
                    "--rm",
                    "--network",
                    "none",
                    &img,
                    "sh",
                    "-c",
                    "cat /proc/sys/net/ipv4/ping_group_range; echo '0 0' > /proc/sys/net/ipv4/ping_group_range && echo changed; true",
                ],
            )
            .assert_success()
            .stdout_str();
        assert_eq!(out, format!("{range}\n"), "as {who:?}");
        // The host's own setting is untouched.
        let host = std::fs::read_to_string("/proc/sys/net/ipv4/ping_group_range").unwrap();
        assert_ne!(host.trim(), range, "the host's range changed");
    }
    env.finish();
}

#[test]
fn cap_add_net_raw_gives_raw_sockets_back() {
    let env = TestEnv::new("esc-def-netraw");
    for who in BOTH {
        let img = netprobe_image(&env, who);
        let out = env
            .berth_as(
                who,
                &[
                    "run",
                    "--rm",
                    "--network",
                    "none",
                    "--cap-add",
                    "NET_RAW",
                    &img,
                    "sh",
                    "-c",
                    "/netprobe; busybox ping -c1 -W2 127.0.0.1 >/dev/null && echo busybox_ping=ok",
                ],
            )
            .assert_success()
            .stdout_str();
        assert_eq!(probe(&out, "raw_icmp"), "open", "as {who:?}: {out}");
        assert_eq!(probe(&out, "busybox_ping"), "ok", "as {who:?}: {out}");
    }
    env.finish();
}

#[test]
fn berth_conf_default_capabilities_sets_the_default_fixed_at_create() {
    let env = TestEnv::new("esc-def-conf");
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    let status = |args: &[&str]| {
        let out = env.berth(args).assert_success().stdout_str();
        status_field(&out, "CapEff")
    };
    // Created under podman's default ...
    env.berth(&[
        "create",
        "--name",
        "before",
        &img,
        "cat",
        "/proc/self/status",
    ])
    .assert_success();
    env.user_config(
        "berth/berth.conf",
        "default_capabilities = [\"CHOWN\", \"DAC_OVERRIDE\", \"FSETID\", \"FOWNER\", \"MKNOD\", \"NET_RAW\", \"SETGID\", \"SETUID\", \"SETFCAP\", \"SETPCAP\", \"NET_BIND_SERVICE\", \"SYS_CHROOT\", \"KILL\", \"AUDIT_WRITE\"]\n",
    );
    // ... it keeps it: what inspect showed at create is what it gets.
    assert_eq!(status(&["start", "-a", "before"]), PODMAN_MASK);
    // New containers start from berth.conf's set; the flags work relative to it.
    assert_eq!(
        status(&["run", "--rm", &img, "cat", "/proc/self/status"]),
        DOCKER_MASK
    );
    assert_eq!(
        status(&[
            "run",
            "--rm",
            "--cap-drop",
            "NET_RAW",
            &img,
            "cat",
            "/proc/self/status"
        ]),
        "00000000a80405fb"
    );
    env.berth(&["create", "--name", "after", &img, "true"])
        .assert_success();
    let bounding = env
        .berth(&["inspect", "--format", "{{json .BoundingCaps}}", "after"])
        .assert_success()
        .stdout_str();
    assert!(bounding.contains("\"CAP_NET_RAW\""), "{bounding}");
    // A bad value is one error line naming the key, and nothing is created.
    env.user_config(
        "berth/berth.conf",
        "default_capabilities = [\"NET_RAWW\"]\n",
    );
    env.berth(&["run", "--rm", &img, "true"])
        .assert_error("default_capabilities");
    env.berth(&["rm", "before", "after"]).assert_success();
    let ps = env.berth(&["ps", "-a", "-q"]).assert_success().stdout_str();
    assert_eq!(ps.trim(), "");
    env.finish();
}
