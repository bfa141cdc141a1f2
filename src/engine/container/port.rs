//! `port`: a container's published ports, as recorded when it was created (`-p`).

use super::super::{EngineError, Result};
use super::Container;
use crate::store::containers::PortMapping;

/// `PRIVATE_PORT[/PROTO]` as `port` takes it (the protocol defaults to tcp).
pub fn parse_private_port(text: &str) -> Result<(u16, String)> {
    let (port, proto) = text.split_once('/').unwrap_or((text, "tcp"));
    let bad = || {
        EngineError::Invalid(format!(
            "invalid port {text:?}: use PRIVATE_PORT[/PROTO], e.g. 80 or 53/udp"
        ))
    };
    let port: u16 = port.parse().ok().filter(|p| *p > 0).ok_or_else(bad)?;
    let proto = proto.to_ascii_lowercase();
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(bad());
    }
    Ok((port, proto))
}

/// The container's published ports, those of `private` only when given, sorted by container
/// port.
pub fn published_ports(c: &Container, private: Option<&(u16, String)>) -> Vec<PortMapping> {
    let mut ports: Vec<PortMapping> = c
        .record
        .config
        .ports
        .iter()
        .filter(|p| {
            private.is_none_or(|(port, proto)| p.container_port == *port && &p.protocol == proto)
        })
        .cloned()
        .collect();
    ports.sort_by(|a, b| (a.container_port, &a.protocol).cmp(&(b.container_port, &b.protocol)));
    ports
}

/// docker's line for one mapping: `80/tcp -> 0.0.0.0:8080` (with `PRIVATE_PORT` given, only
/// the host side).
pub fn format_mapping(p: &PortMapping, with_private: bool) -> String {
    let ip = if p.host_ip.is_empty() {
        "0.0.0.0"
    } else {
        &p.host_ip
    };
    let host = if ip.contains(':') {
        format!("[{ip}]:{}", p.host_port)
    } else {
        format!("{ip}:{}", p.host_port)
    };
    if with_private {
        format!("{}/{} -> {host}", p.container_port, p.protocol)
    } else {
        host
    }
}

/// `ps`'s PORTS column: `127.0.0.1:8080->80/tcp, 0.0.0.0:8081->81/udp`.
pub fn ps_ports(ports: &[PortMapping]) -> String {
    ports
        .iter()
        .map(|p| {
            format!(
                "{}->{}/{}",
                format_mapping(p, false),
                p.container_port,
                p.protocol
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// inspect's `NetworkSettings.Ports` / `HostConfig.PortBindings`:
/// `{"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}`.
pub fn ports_json(ports: &[PortMapping]) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for p in ports {
        let key = format!("{}/{}", p.container_port, p.protocol);
        let entry = serde_json::json!({"HostIp": p.host_ip, "HostPort": p.host_port.to_string()});
        match map
            .entry(key)
            .or_insert_with(|| serde_json::Value::Array(Vec::new()))
        {
            serde_json::Value::Array(a) => a.push(entry),
            _ => unreachable!("only arrays are inserted"),
        }
    }
    serde_json::Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_port_defaults_to_tcp_and_rejects_junk() {
        assert_eq!(parse_private_port("80").unwrap(), (80, "tcp".to_string()));
        assert_eq!(
            parse_private_port("53/UDP").unwrap(),
            (53, "udp".to_string())
        );
        assert!(parse_private_port("0").is_err());
        assert!(parse_private_port("http").is_err());
        assert!(parse_private_port("80/icmp").is_err());
    }

    #[test]
    fn mappings_print_like_docker() {
        let p = PortMapping {
            host_ip: String::new(),
            host_port: 8080,
            container_port: 80,
            protocol: "tcp".into(),
        };
        assert_eq!(format_mapping(&p, true), "80/tcp -> 0.0.0.0:8080");
        assert_eq!(format_mapping(&p, false), "0.0.0.0:8080");
        let v6 = PortMapping {
            host_ip: "::1".into(),
            ..p
        };
        assert_eq!(format_mapping(&v6, false), "[::1]:8080");
    }

    #[test]
    fn ps_and_inspect_show_every_mapping() {
        let p = PortMapping {
            host_ip: "127.0.0.1".into(),
            host_port: 8080,
            container_port: 80,
            protocol: "tcp".into(),
        };
        assert_eq!(ps_ports(std::slice::from_ref(&p)), "127.0.0.1:8080->80/tcp");
        assert_eq!(
            ports_json(&[p]),
            serde_json::json!({"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}]})
        );
    }
}
