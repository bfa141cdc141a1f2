//! berth's DNS responder for a user network: UDP port 53 on the network's gateway address, in
//! the namespace holding its bridge. It answers A queries for the names, aliases and short ids
//! of the network's containers (read from the network's record on every query, so it follows
//! connects and removals) and forwards other names to the host's resolvers.

use std::fs;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::netns;
use crate::store::networks::NetworkRecord;

fn pidfile(run_root: &Path, name: &str) -> PathBuf {
    netns::state_dir(run_root).join(format!("dns-{name}.pid"))
}

/// Start the network's responder unless it runs.
pub fn ensure(
    run_root: &Path,
    store_root: &Path,
    net: &NetworkRecord,
    netns_path: &str,
) -> Result<(), String> {
    let pf = pidfile(run_root, &net.name);
    if netns::read_pidfile(&pf).is_some() {
        return Ok(());
    }
    let gw: Ipv4Addr = net
        .gateway
        .parse()
        .map_err(|_| format!("network {} has a bad gateway", net.name))?;
    let ns = fs::File::open(netns_path).map_err(|e| e.to_string())?;
    // Bind before the fork, in the bridge's namespace, so a failure is reported here.
    let sock = super::netlink::in_netns(ns.as_raw_fd(), || {
        UdpSocket::bind(SocketAddr::from((gw, 53)))
    })
    .map_err(|e| {
        format!(
            "starting the DNS responder of network {} on {gw}:53: {e}",
            net.name
        )
    })?;
    let record = store_root
        .join("networks")
        .join(format!("{}.json", net.name));
    let upstream = host_resolvers();
    let fd = sock.as_raw_fd();
    let pid = netns::spawn_daemon(&[fd], move || {
        netns::set_process_name("berth-dns");
        serve(&sock, &record, &upstream);
        0
    })
    .map_err(|e| format!("starting the DNS responder: {e}"))?;
    netns::write_pidfile(&pf, pid).map_err(|e| e.to_string())
}

/// Stop the network's responder (returning once it has exited).
pub fn stop(run_root: &Path, name: &str) {
    netns::kill_pidfile(&pidfile(run_root, name));
}

/// The networks whose responder has a pid file (running, or left by a crash).
pub fn recorded(run_root: &Path) -> Vec<String> {
    fs::read_dir(netns::state_dir(run_root))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            Some(name.strip_prefix("dns-")?.strip_suffix(".pid")?.to_string())
        })
        .collect()
}

/// The host's resolvers that are reachable from another namespace (not loopback).
fn host_resolvers() -> Vec<Ipv4Addr> {
    fs::read_to_string("/etc/resolv.conf")
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.strip_prefix("nameserver"))
        .filter_map(|a| a.trim().parse::<Ipv4Addr>().ok())
        .filter(|a| !a.is_loopback())
        .collect()
}

fn serve(sock: &UdpSocket, record: &Path, upstream: &[Ipv4Addr]) {
    let mut buf = [0u8; 1500];
    loop {
        let Ok((n, from)) = sock.recv_from(&mut buf) else {
            continue;
        };
        let q = &buf[..n];
        let Some((name, qtype, qend)) = parse_query(q) else {
            continue;
        };
        let net: Option<NetworkRecord> = fs::read(record)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        let Some(net) = net else {
            // The network is gone: nothing left to answer for.
            return;
        };
        let reply = match lookup_for(&net, record, from, &name) {
            Some(ip) => answer(q, qend, (qtype == 1).then_some(ip), 0),
            None => forward(q, upstream).unwrap_or_else(|| answer(q, qend, None, 3)),
        };
        let _ = sock.send_to(&reply, from);
    }
}

/// docker's view: a container resolves the names of every network it is on, whichever
/// network's responder it asks (its resolv.conf names its first network's). So after `net`,
/// the other networks that list the asking address's container are searched too.
fn lookup_for(
    net: &NetworkRecord,
    record: &Path,
    from: SocketAddr,
    name: &str,
) -> Option<Ipv4Addr> {
    if let Some(ip) = lookup(net, name) {
        return Some(ip);
    }
    let asker = from.ip().to_string();
    let id = net.endpoints.iter().find(|(_, e)| e.ip == asker)?.0;
    let dir = record.parent()?;
    fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter_map(|e| serde_json::from_slice::<NetworkRecord>(&fs::read(e.path()).ok()?).ok())
        .filter(|n| n.name != net.name && n.endpoints.contains_key(id))
        .find_map(|n| lookup(&n, name))
}

/// The address of a container on `net` named `name` (name, alias or short id; any case; a
/// trailing search domain of the network's name is ignored).
pub fn lookup(net: &NetworkRecord, name: &str) -> Option<Ipv4Addr> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let short = name.split('.').next().unwrap_or("");
    for candidate in [name.as_str(), short] {
        for (id, ep) in &net.endpoints {
            let hit = ep.name.eq_ignore_ascii_case(candidate)
                || ep.aliases.iter().any(|a| a.eq_ignore_ascii_case(candidate))
                || (candidate.len() >= 12 && id.starts_with(candidate));
            if hit {
                return ep.ip.parse().ok();
            }
        }
        if name.contains('.') && !name.ends_with(&format!(".{}", net.name)) {
            break;
        }
    }
    None
}

/// The question's name, type, and where the question section ends.
fn parse_query(q: &[u8]) -> Option<(String, u16, usize)> {
    if q.len() < 12 || q[2] & 0x80 != 0 || u16::from_be_bytes([q[4], q[5]]) != 1 {
        return None;
    }
    let mut i = 12;
    let mut labels = Vec::new();
    loop {
        let len = *q.get(i)? as usize;
        i += 1;
        if len == 0 {
            break;
        }
        if len > 63 {
            return None;
        }
        labels.push(String::from_utf8_lossy(q.get(i..i + len)?).into_owned());
        i += len;
    }
    let qtype = u16::from_be_bytes([*q.get(i)?, *q.get(i + 1)?]);
    Some((labels.join("."), qtype, i + 4))
}

/// A reply to `q` with one A record (or none), and `rcode`.
fn answer(q: &[u8], qend: usize, ip: Option<Ipv4Addr>, rcode: u8) -> Vec<u8> {
    let mut r = q[..qend.min(q.len())].to_vec();
    r[2] = 0x80 | (q[2] & 0x01) | 0x04; // response, recursion desired copied, authoritative
    r[3] = 0x80 | rcode; // recursion available
    r[6..8].copy_from_slice(&(ip.is_some() as u16).to_be_bytes());
    r[8..12].copy_from_slice(&[0, 0, 0, 0]);
    if let Some(ip) = ip {
        r.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4]);
        r.extend_from_slice(&ip.octets());
    }
    r
}

fn forward(q: &[u8], upstream: &[Ipv4Addr]) -> Option<Vec<u8>> {
    let sock = UdpSocket::bind("0.0.0.0:0").ok()?;
    sock.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    for server in upstream {
        if sock.send_to(q, (*server, 53)).is_err() {
            continue;
        }
        let mut buf = [0u8; 4096];
        if let Ok((n, _)) = sock.recv_from(&mut buf) {
            if n >= 2 && buf[..2] == q[..2] {
                return Some(buf[..n].to_vec());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::networks::Endpoint;

    fn query(name: &str) -> Vec<u8> {
        let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        for l in name.split('.') {
            q.push(l.len() as u8);
            q.extend_from_slice(l.as_bytes());
        }
        q.extend_from_slice(&[0, 0, 1, 0, 1]);
        q
    }

    fn net() -> NetworkRecord {
        let mut n = NetworkRecord {
            name: "demo".into(),
            ..Default::default()
        };
        n.endpoints.insert(
            "abcdef0123456789".into(),
            Endpoint {
                name: "web-app".into(),
                ip: "10.89.0.2".into(),
                aliases: vec!["myapp".into()],
                ..Default::default()
            },
        );
        n
    }

    #[test]
    fn lookup_answers_names_aliases_and_short_ids_only() {
        let n = net();
        let ip = Some(Ipv4Addr::new(10, 89, 0, 2));
        assert_eq!(lookup(&n, "web-app"), ip);
        assert_eq!(lookup(&n, "MyApp."), ip);
        assert_eq!(lookup(&n, "myapp.demo"), ip);
        assert_eq!(lookup(&n, "abcdef012345"), ip);
        assert_eq!(lookup(&n, "other"), None);
        assert_eq!(lookup(&n, "myapp.example.com"), None);
    }

    #[test]
    fn answer_echoes_the_question_and_appends_one_a_record() {
        let q = query("myapp");
        let (name, ty, end) = parse_query(&q).unwrap();
        assert_eq!((name.as_str(), ty, end), ("myapp", 1, q.len()));
        let r = answer(&q, end, Some(Ipv4Addr::new(10, 89, 0, 2)), 0);
        assert_eq!(&r[..2], &[0x12, 0x34]);
        assert_eq!(r[3] & 0x0f, 0);
        assert_eq!(u16::from_be_bytes([r[6], r[7]]), 1);
        assert_eq!(&r[r.len() - 4..], &[10, 89, 0, 2]);
        let nx = answer(&q, end, None, 3);
        assert_eq!(nx[3] & 0x0f, 3);
        assert_eq!(nx.len(), q.len());
    }
}
