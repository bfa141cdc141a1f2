//! Published ports: `-p [ip:][hostPort:]containerPort[/tcp|udp]` (with ranges), `-P` for the
//! image's EXPOSE, random host ports, and the checks made before anything is started (the port
//! is free, and a rootless user may bind it).

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, UdpSocket};

use super::NetworkError;
use crate::store::containers::PortMapping;

fn bad(spec: &str, why: &str) -> NetworkError {
    NetworkError::InvalidPublish(spec.to_string(), why.to_string())
}

/// `N` or `N-M` (inclusive), ports 1..=65535.
fn parse_range(spec: &str, text: &str, what: &str) -> Result<(u16, u16), NetworkError> {
    let one = |t: &str| -> Result<u16, NetworkError> {
        t.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
            bad(
                spec,
                &format!("{what} {t:?} is not a port number (1-65535)"),
            )
        })
    };
    match text.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (one(a)?, one(b)?);
            if b < a {
                return Err(bad(
                    spec,
                    &format!("the {what} range {text:?} goes backwards"),
                ));
            }
            Ok((a, b))
        }
        None => one(text).map(|p| (p, p)),
    }
}

/// Read one `-p` value. A host port of 0 means "pick a free one when the container starts".
pub fn parse_publish(spec: &str) -> Result<Vec<PortMapping>, NetworkError> {
    let (addr, proto) = match spec.rsplit_once('/') {
        Some((a, p)) => (a, p.to_ascii_lowercase()),
        None => (spec, "tcp".to_string()),
    };
    if !matches!(proto.as_str(), "tcp" | "udp") {
        return Err(bad(spec, &format!("protocol {proto:?} is not tcp or udp")));
    }
    // An IPv6 host address is bracketed: [::1]:8080:80.
    let (ip, rest) = if let Some(r) = addr.strip_prefix('[') {
        let (ip, r) = r
            .split_once("]:")
            .ok_or_else(|| bad(spec, "an IPv6 address goes in brackets: [::1]:8080:80"))?;
        (Some(ip), r)
    } else {
        let parts: Vec<&str> = addr.split(':').collect();
        match parts.len() {
            1 | 2 => (None, addr),
            3 => (Some(parts[0]), &addr[parts[0].len() + 1..]),
            _ => return Err(bad(spec, "use [IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]")),
        }
    };
    let host_ip = match ip {
        None | Some("") => String::new(),
        Some(ip) => {
            let parsed: IpAddr = ip
                .parse()
                .map_err(|_| bad(spec, &format!("{ip:?} is not an IP address")))?;
            parsed.to_string()
        }
    };
    let (host, container) = match rest.split_once(':') {
        Some((h, c)) => (Some(h), c),
        None => (None, rest),
    };
    let (c_lo, c_hi) = parse_range(spec, container, "container port")?;
    let (h_lo, h_hi) = match host {
        // docker's 0: a random host port, as when it is left out.
        None | Some("") | Some("0") => (0, 0),
        Some(h) => parse_range(spec, h, "host port")?,
    };
    if h_lo != 0 && h_hi - h_lo != c_hi - c_lo {
        return Err(bad(
            spec,
            "the host and container port ranges differ in size",
        ));
    }
    Ok((0..=(c_hi - c_lo))
        .map(|i| PortMapping {
            host_ip: host_ip.clone(),
            host_port: if h_lo == 0 { 0 } else { h_lo + i },
            container_port: c_lo + i,
            protocol: proto.clone(),
        })
        .collect())
}

/// `-P`: the image's EXPOSE entries (`80/tcp`, `53/udp`, `8080`) on random host ports.
pub fn exposed(keys: &[String]) -> Vec<PortMapping> {
    keys.iter()
        .filter_map(|k| {
            let (port, proto) = k.split_once('/').unwrap_or((k.as_str(), "tcp"));
            let proto = proto.to_ascii_lowercase();
            let port: u16 = port.parse().ok().filter(|p| *p > 0)?;
            matches!(proto.as_str(), "tcp" | "udp").then_some(PortMapping {
                host_ip: String::new(),
                host_port: 0,
                container_port: port,
                protocol: proto,
            })
        })
        .collect()
}

/// The lowest port an unprivileged user may bind (net.ipv4.ip_unprivileged_port_start).
pub fn unprivileged_port_start() -> u16 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_unprivileged_port_start")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1024)
}

/// Where the host side of `p` listens, on `port`.
pub fn bind_addr(p: &PortMapping, port: u16) -> SocketAddr {
    let ip = p
        .host_ip
        .parse()
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    SocketAddr::new(ip, port)
}

/// Bind the host side briefly: the port is free (and allowed) when this succeeds. Returns the
/// port bound (the kernel's pick for 0).
fn try_bind(p: &PortMapping, port: u16) -> std::io::Result<u16> {
    let addr = bind_addr(p, port);
    if p.protocol == "udp" {
        UdpSocket::bind(addr)?.local_addr().map(|a| a.port())
    } else {
        TcpListener::bind(addr)?.local_addr().map(|a| a.port())
    }
}

/// Host port `port` of `p` as messages name it: `[ip:]port/proto`.
fn shown(p: &PortMapping, port: u16) -> String {
    if p.host_ip.is_empty() {
        format!("{port}/{}", p.protocol)
    } else {
        format!("{}:{port}/{}", p.host_ip, p.protocol)
    }
}

/// The error for a host port of `p` that cannot be bound.
pub fn in_use(p: &PortMapping, port: u16, e: std::io::Error) -> NetworkError {
    let port = shown(p, port);
    let why = match e.kind() {
        std::io::ErrorKind::AddrInUse => "another program has it bound".into(),
        _ => e.to_string(),
    };
    NetworkError::PortInUse { port, why }
}

/// Check every mapping's host port before the backend starts, and give the random ones (0) a
/// free port. `rootless`: ports below net.ipv4.ip_unprivileged_port_start are refused with the
/// fix.
pub fn assign_and_check(ports: &mut [PortMapping], rootless: bool) -> Result<(), NetworkError> {
    let floor = unprivileged_port_start();
    for i in 0..ports.len() {
        let p = ports[i].clone();
        if p.host_port != 0 && rootless && p.host_port < floor {
            return Err(NetworkError::PrivilegedPort {
                port: shown(&p, p.host_port),
                floor,
            });
        }
        let wanted = p.host_port;
        let same_twice = ports[..i].iter().any(|q| {
            wanted != 0
                && q.host_port == wanted
                && q.protocol == p.protocol
                && q.host_ip == p.host_ip
        });
        if same_twice {
            return Err(NetworkError::PortInUse {
                port: shown(&p, wanted),
                why: "published twice".into(),
            });
        }
        let got = try_bind(&p, wanted).map_err(|e| in_use(&p, wanted, e))?;
        ports[i].host_port = got;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pm(ip: &str, host: u16, ctr: u16, proto: &str) -> PortMapping {
        PortMapping {
            host_ip: ip.into(),
            host_port: host,
            container_port: ctr,
            protocol: proto.into(),
        }
    }

    #[test]
    fn publish_reads_every_docker_form() {
        assert_eq!(parse_publish("80").unwrap(), vec![pm("", 0, 80, "tcp")]);
        assert_eq!(
            parse_publish("8080:80").unwrap(),
            vec![pm("", 8080, 80, "tcp")]
        );
        assert_eq!(
            parse_publish("127.0.0.1:8080:80/udp").unwrap(),
            vec![pm("127.0.0.1", 8080, 80, "udp")]
        );
        assert_eq!(
            parse_publish("127.0.0.1::80").unwrap(),
            vec![pm("127.0.0.1", 0, 80, "tcp")]
        );
        assert_eq!(
            parse_publish("[::1]:8080:80").unwrap(),
            vec![pm("::1", 8080, 80, "tcp")]
        );
        assert_eq!(
            parse_publish("8000-8002:80-82").unwrap(),
            vec![
                pm("", 8000, 80, "tcp"),
                pm("", 8001, 81, "tcp"),
                pm("", 8002, 82, "tcp")
            ]
        );
        assert_eq!(parse_publish("80-81").unwrap().len(), 2);
        assert_eq!(
            parse_publish("127.0.0.1:0:80").unwrap(),
            vec![pm("127.0.0.1", 0, 80, "tcp")]
        );
    }

    #[test]
    fn publish_refuses_malformed_specs() {
        for s in [
            "",
            "x",
            "0",
            "70000",
            "80/sctp2",
            "8000-8001:80",
            "1.2.3:80:80",
            "a:b:c:d",
            "82-80",
            "[::1:80:80",
        ] {
            assert!(parse_publish(s).is_err(), "{s}");
        }
    }

    #[test]
    fn exposed_ports_become_random_host_ports() {
        let got = exposed(&["80/tcp".into(), "53/udp".into(), "bad".into()]);
        assert_eq!(got, vec![pm("", 0, 80, "tcp"), pm("", 0, 53, "udp")]);
    }

    #[test]
    fn assign_gives_random_ports_and_refuses_a_taken_one() {
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let mut ports = vec![pm("127.0.0.1", 0, 80, "tcp")];
        assign_and_check(&mut ports, false).unwrap();
        assert_ne!(ports[0].host_port, 0);
        let mut ports = vec![pm("127.0.0.1", port, 80, "tcp")];
        let err = assign_and_check(&mut ports, false).unwrap_err();
        assert!(err.to_string().contains("in use"), "{err}");
    }

    #[test]
    fn rootless_refuses_ports_below_the_unprivileged_start() {
        if unprivileged_port_start() <= 80 {
            return;
        }
        let mut ports = vec![pm("", 80, 80, "tcp")];
        let err = assign_and_check(&mut ports, true).unwrap_err();
        assert!(
            err.to_string().contains("ip_unprivileged_port_start"),
            "{err}"
        );
    }
}
