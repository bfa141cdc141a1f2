//! A container's /etc/hosts and /etc/resolv.conf, from its flags (`--add-host`, `--dns*`,
//! `--hostname`, `--domainname`) and its network mode.

use super::{NetworkError, NetworkMode};
use crate::store::containers::ContainerConfig;

/// The name podman gives the host as the container reaches it; docker's name too.
pub const HOST_NAMES: &str = "host.containers.internal host.docker.internal";

/// The host's resolvers, without loopback ones (they mean nothing in another network
/// namespace), as docker filters them; slirp4netns's own forwarder instead for that mode.
/// `--dns`, `--dns-search` and `--dns-option` replace the host's lists.
pub fn resolv_conf(c: &ContainerConfig, mode: &NetworkMode, host_resolv: &str) -> String {
    let mut servers: Vec<String> = c.dns.clone();
    let mut search: Vec<String> = c.dns_search.clone();
    let mut options: Vec<String> = c.dns_option.clone();
    let host_net = matches!(mode, NetworkMode::Host);
    if c.dns.is_empty() {
        if let NetworkMode::Slirp4netns(_) = mode {
            servers.push(super::slirp::DNS_ADDRESS.to_string());
        }
    }
    let slirp = matches!(mode, NetworkMode::Slirp4netns(_));
    for line in host_resolv.lines() {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("nameserver") if c.dns.is_empty() && !slirp => {
                if let Some(ns) = words.next() {
                    if host_net || !(ns.starts_with("127.") || ns == "::1") {
                        servers.push(ns.to_string());
                    }
                }
            }
            Some("search") if c.dns_search.is_empty() => search.extend(words.map(str::to_string)),
            Some("options") if c.dns_option.is_empty() => options.extend(words.map(str::to_string)),
            _ => {}
        }
    }
    let mut out = String::new();
    if !search.is_empty() {
        out.push_str(&format!("search {}\n", search.join(" ")));
    }
    for s in servers {
        out.push_str(&format!("nameserver {s}\n"));
    }
    if !options.is_empty() {
        out.push_str(&format!("options {}\n", options.join(" ")));
    }
    out
}

/// Check `--add-host` values (`NAME:IP`, `NAME:host-gateway`) and resolve host-gateway.
pub fn add_host_entries(
    add_host: &[String],
    mode: &NetworkMode,
    rootless: bool,
) -> Result<Vec<(String, String)>, NetworkError> {
    add_host
        .iter()
        .map(|entry| {
            let bad = |why: &str| NetworkError::InvalidAddHost(entry.clone(), why.to_string());
            // docker also accepts NAME=IP; IPv6 addresses contain colons, so split at the first.
            let (name, ip) = entry
                .split_once(['=', ':'])
                .ok_or_else(|| bad("use NAME:IP or NAME:host-gateway"))?;
            if name.is_empty() {
                return Err(bad("the name is empty"));
            }
            let ip = if ip == "host-gateway" {
                mode.host_address(rootless).ok_or_else(|| {
                    bad(&format!(
                        "--network {mode} has no route to the host; use pasta or slirp4netns"
                    ))
                })?
            } else {
                let ip = ip.trim_start_matches('[').trim_end_matches(']');
                ip.parse::<std::net::IpAddr>()
                    .map_err(|_| bad(&format!("{ip:?} is not an IP address")))?
                    .to_string()
            };
            Ok((name.to_string(), ip))
        })
        .collect()
}

/// The container's /etc/hosts: localhost, `--add-host` entries, the host's own file with
/// `--network host`, else the container's name and the host's address (bridge networks: added
/// with the container's addresses, see `Engine::write_network_files`).
pub fn hosts_file(
    c: &ContainerConfig,
    mode: &NetworkMode,
    rootless: bool,
    host_hosts: &str,
) -> Result<String, NetworkError> {
    let mut out = String::from("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    for (name, ip) in add_host_entries(&c.add_host, mode, rootless)? {
        out.push_str(&format!("{ip}\t{name}\n"));
    }
    if matches!(mode, NetworkMode::Host) {
        out.push_str(host_hosts);
        return Ok(out);
    }
    if c.domainname.is_empty() {
        out.push_str(&format!("127.0.1.1\t{}\n", c.hostname));
    } else {
        out.push_str(&format!(
            "127.0.1.1\t{}.{} {}\n",
            c.hostname, c.domainname, c.hostname
        ));
    }
    let bridged = matches!(mode, NetworkMode::Networks(_));
    if let Some(addr) = mode.host_address(rootless).filter(|_| !bridged) {
        out.push_str(&format!("{addr}\t{HOST_NAMES}\n"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(add_host: &[&str]) -> ContainerConfig {
        ContainerConfig {
            hostname: "box".into(),
            add_host: add_host.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn hosts_has_localhost_the_hostname_added_hosts_and_the_host() {
        let h = hosts_file(
            &cfg(&["db:10.0.0.5", "gw:host-gateway"]),
            &NetworkMode::Slirp4netns(vec![]),
            true,
            "",
        )
        .unwrap();
        assert!(h.contains("127.0.0.1\tlocalhost"), "{h}");
        assert!(h.contains("10.0.0.5\tdb"), "{h}");
        assert!(h.contains("10.0.2.2\tgw"), "{h}");
        assert!(h.contains("127.0.1.1\tbox"), "{h}");
        assert!(h.contains("10.0.2.2\thost.containers.internal"), "{h}");
    }

    #[test]
    fn hosts_names_the_host_only_when_the_container_can_reach_it() {
        let closed = NetworkMode::Slirp4netns(vec!["allow_host_loopback=false".into()]);
        let h = hosts_file(&cfg(&[]), &closed, true, "").unwrap();
        assert!(!h.contains("host.containers.internal"), "{h}");
        assert!(add_host_entries(&["gw:host-gateway".into()], &closed, true).is_err());
        let open = NetworkMode::Slirp4netns(vec!["allow_host_loopback=true".into()]);
        let h = hosts_file(&cfg(&[]), &open, true, "").unwrap();
        assert!(h.contains("10.0.2.2\thost.containers.internal"), "{h}");
    }

    #[test]
    fn bridge_networks_name_the_host_with_their_addresses_and_root_has_no_host_gateway() {
        let bridge = NetworkMode::Networks(vec!["bridge".into()]);
        // Written later, with the container's addresses (write_network_files), never twice.
        let h = hosts_file(&cfg(&[]), &bridge, true, "").unwrap();
        assert!(!h.contains("host.containers.internal"), "{h}");
        // As root the default bridge has no mapped host loopback.
        assert!(add_host_entries(&["gw:host-gateway".into()], &bridge, false).is_err());
    }

    #[test]
    fn add_host_refuses_bad_entries_and_host_gateway_without_a_host_route() {
        for bad in ["db", "db:nope", ":1.2.3.4"] {
            assert!(add_host_entries(&[bad.into()], &NetworkMode::None, true).is_err());
        }
        assert!(add_host_entries(&["h:host-gateway".into()], &NetworkMode::None, true).is_err());
        assert_eq!(
            add_host_entries(&["v6:::1".into()], &NetworkMode::None, true).unwrap(),
            vec![("v6".to_string(), "::1".to_string())]
        );
    }

    #[test]
    fn dns_flags_replace_the_hosts_resolvers() {
        let mut c = cfg(&[]);
        c.dns = vec!["9.9.9.9".into()];
        c.dns_search = vec!["example.org".into()];
        let host = "nameserver 1.1.1.1\nnameserver 127.0.0.53\nsearch lan\noptions edns0\n";
        let text = resolv_conf(&c, &NetworkMode::Pasta(vec![]), host);
        assert_eq!(
            text,
            "search example.org\nnameserver 9.9.9.9\noptions edns0\n"
        );
        let text = resolv_conf(&cfg(&[]), &NetworkMode::Pasta(vec![]), host);
        assert!(text.contains("nameserver 1.1.1.1\n") && !text.contains("127.0.0.53"));
    }

    #[test]
    fn slirp_containers_ask_slirps_forwarder() {
        let text = resolv_conf(
            &cfg(&[]),
            &NetworkMode::Slirp4netns(vec![]),
            "nameserver 1.1.1.1\n",
        );
        assert_eq!(text, "nameserver 10.0.2.3\n");
    }
}
