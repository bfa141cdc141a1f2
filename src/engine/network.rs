//! User-defined networks: create, list with filters, inspect, remove, prune, and the addresses
//! containers get on them (allocated at create, released at removal; the bridges, veths and
//! DNS responders that make them real are set up at start by `network::bridge`).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use chrono::Utc;
use serde_json::{json, Value};

use super::container::Container;
use super::{Engine, EngineError, Result};
use crate::network::ipam::{self, Subnet};
use crate::store::networks::{Endpoint, NetworkRecord};
use crate::store::StoreError;

/// The network every docker user expects to find; podman calls its default `podman`.
pub use crate::network::DEFAULT_NETWORK;
const DEFAULT_ALIAS: &str = "podman";

/// What `network create` asks for.
#[derive(Debug, Default, Clone)]
pub struct NetworkOptions {
    pub name: Option<String>,
    pub driver: Option<String>,
    pub subnet: Option<String>,
    pub gateway: Option<String>,
    pub ip_range: Option<String>,
    pub internal: bool,
    pub ipv6: bool,
    /// `--label KEY[=VALUE]`, unparsed.
    pub labels: Vec<String>,
    /// `--opt KEY=VALUE`, unparsed.
    pub opts: Vec<String>,
}

/// What a container asks of the networks it joins (`--network-alias`, `--ip`, `--mac-address`).
#[derive(Debug, Default, Clone)]
pub struct AttachOptions {
    pub aliases: Vec<String>,
    pub ip: Option<String>,
    pub mac: Option<String>,
}

/// One `--filter` of `network ls` / `network prune`.
#[derive(Debug, Clone, PartialEq)]
pub enum NetworkFilter {
    Name(String),
    Id(String),
    Driver(String),
    /// Created before this moment (docker's `until=` of `network prune`).
    Until(chrono::DateTime<Utc>),
    Label(super::container::prune::LabelFilter),
}

impl NetworkFilter {
    pub fn parse(s: &str) -> Result<NetworkFilter> {
        let bad = || {
            EngineError::InvalidFilter {
            filter: s.to_string(),
            hint: "use name=NAME, id=ID, driver=bridge, until=TIME, label=KEY[=VALUE] or label!=KEY[=VALUE]"
                .into(),
        }
        };
        let (key, value) = s.split_once('=').ok_or_else(bad)?;
        Ok(match key {
            "name" => NetworkFilter::Name(value.to_string()),
            "id" => NetworkFilter::Id(value.to_string()),
            "driver" => NetworkFilter::Driver(value.to_string()),
            "until" => NetworkFilter::Until(
                super::container::logs::parse_time_arg(value, Utc::now()).map_err(|_| bad())?,
            ),
            "label" | "label!" => NetworkFilter::Label(
                crate::engine::container::prune::LabelFilter::parse(value, key == "label!")
                    .ok_or_else(bad)?,
            ),
            _ => return Err(bad()),
        })
    }

    fn matches(&self, n: &NetworkRecord) -> bool {
        match self {
            NetworkFilter::Name(x) => n.name.contains(x.as_str()),
            NetworkFilter::Id(x) => n.id.starts_with(x.as_str()),
            NetworkFilter::Driver(d) => &n.driver == d,
            NetworkFilter::Until(t) => n.created.is_none_or(|c| c < *t),
            NetworkFilter::Label(l) => l.matches(&n.labels),
        }
    }
}

fn aborted(e: EngineError) -> StoreError {
    StoreError::Aborted(Box::new(e))
}

fn not_found(name: &str) -> EngineError {
    EngineError::Invalid(format!(
        "network {name} not found: see `berth network ls`, or create it with `berth network create {name}`"
    ))
}

/// The default network, as it is before anything is attached to it.
fn default_network() -> NetworkRecord {
    NetworkRecord {
        name: DEFAULT_NETWORK.into(),
        id: hex::encode(sha2_like(DEFAULT_NETWORK)),
        driver: "bridge".into(),
        created: None,
        subnet: "10.88.0.0/16".into(),
        gateway: "10.88.0.1".into(),
        bridge: "berth0".into(),
        ..Default::default()
    }
}

/// A fixed 32-byte id for the default network (the same on every machine, as docker's is not,
/// but stable across commands without writing anything).
fn sha2_like(name: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut h: u64 = 0xcbf29ce484222325;
    for (i, slot) in out.iter_mut().enumerate() {
        for b in name.bytes().chain([i as u8]) {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
        *slot = (h >> 24) as u8;
    }
    out
}

/// The name `name` means: podman's default name is an alias of ours.
fn canonical(name: &str) -> &str {
    if name == DEFAULT_ALIAS {
        DEFAULT_NETWORK
    } else {
        name
    }
}

fn with_default(mut nets: Vec<NetworkRecord>) -> Vec<NetworkRecord> {
    if !nets.iter().any(|n| n.name == DEFAULT_NETWORK) {
        nets.push(default_network());
        nets.sort_by(|a, b| a.name.cmp(&b.name));
    }
    nets
}

/// Find a network among `nets` by name, full id or unique id prefix.
fn pick<'a>(nets: &'a [NetworkRecord], name: &str) -> Option<&'a NetworkRecord> {
    let name = canonical(name);
    nets.iter().find(|n| n.name == name).or_else(|| {
        let hits: Vec<_> = nets
            .iter()
            .filter(|n| name.len() >= 3 && n.id.starts_with(name))
            .collect();
        (hits.len() == 1).then(|| hits[0])
    })
}

fn parse_kv(items: &[String]) -> BTreeMap<String, String> {
    items
        .iter()
        .map(|l| match l.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (l.clone(), String::new()),
        })
        .collect()
}

fn subnet_of(n: &NetworkRecord) -> Option<Subnet> {
    n.subnet.parse().ok()
}

/// Allocate `c`'s endpoint on `net` (lowest free address unless `ip` is asked for).
fn allocate(
    net: &mut NetworkRecord,
    id: &str,
    name: &str,
    opts: &AttachOptions,
) -> std::result::Result<Endpoint, EngineError> {
    let subnet = subnet_of(net).ok_or_else(|| {
        EngineError::Invalid(format!(
            "network {} has an unreadable subnet {:?}: remove and recreate it",
            net.name, net.subnet
        ))
    })?;
    let gateway: Ipv4Addr = net.gateway.parse().unwrap_or(subnet.first_host());
    let used: Vec<Ipv4Addr> = net
        .endpoints
        .iter()
        .filter(|(cid, _)| cid.as_str() != id)
        .filter_map(|(_, e)| e.ip.parse().ok())
        .collect();
    for alias in &opts.aliases {
        if let Some((_, other)) = net
            .endpoints
            .iter()
            .find(|(cid, e)| cid.as_str() != id && (e.aliases.contains(alias) || &e.name == alias))
        {
            return Err(EngineError::Invalid(format!(
                "network alias {alias:?} is already used on network {} by container {}: choose another alias",
                net.name, other.name
            )));
        }
    }
    let ip = match &opts.ip {
        Some(want) => {
            let ip: Ipv4Addr = want.parse().map_err(|_| {
                EngineError::Invalid(format!("invalid --ip {want:?}: give an IPv4 address"))
            })?;
            if !subnet.contains(ip)
                || ip == gateway
                || u32::from(ip) == subnet.first()
                || u32::from(ip) == subnet.last()
            {
                return Err(EngineError::Invalid(format!(
                    "--ip {ip} is not a usable address of network {} ({}, gateway {gateway}): pick a host address inside the subnet",
                    net.name, net.subnet
                )));
            }
            if used.contains(&ip) {
                return Err(EngineError::Invalid(format!(
                    "--ip {ip} is already in use on network {}: pick another address or leave --ip out",
                    net.name
                )));
            }
            ip
        }
        None => {
            let range = net.ip_range.parse().unwrap_or(subnet);
            ipam::lowest_free(&subnet, &range, gateway, &used).ok_or_else(|| {
                EngineError::Invalid(format!(
                    "network {} has no free address left in {}: remove containers from it or create a network with a larger --subnet",
                    net.name, net.subnet
                ))
            })?
        }
    };
    let mac = match &opts.mac {
        Some(m) => {
            ipam::parse_mac(m).ok_or_else(|| {
                EngineError::Invalid(format!(
                    "invalid --mac-address {m:?}: give a unicast MAC such as 02:42:ac:11:00:02"
                ))
            })?;
            m.to_lowercase()
        }
        None => ipam::mac_for(ip),
    };
    let ep = Endpoint {
        name: name.to_string(),
        ip: ip.to_string(),
        mac,
        aliases: opts.aliases.clone(),
    };
    net.endpoints.insert(id.to_string(), ep.clone());
    Ok(ep)
}

impl Engine {
    /// Every network, the default one included, sorted by name.
    pub fn all_networks(&self) -> Result<Vec<NetworkRecord>> {
        Ok(with_default(self.store.networks()?))
    }

    /// The network named (or with the id) `name`; a damaged one is an error naming its file.
    pub fn find_network(&self, name: &str) -> Result<NetworkRecord> {
        let net = self.find_network_even_damaged(name)?;
        match &net.damaged {
            Some(why) => Err(EngineError::Invalid(format!("network {}: {why}", net.name))),
            None => Ok(net),
        }
    }

    fn find_network_even_damaged(&self, name: &str) -> Result<NetworkRecord> {
        let nets = self.all_networks()?;
        pick(&nets, name).cloned().ok_or_else(|| not_found(name))
    }

    pub fn list_networks(&self, filters: &[NetworkFilter]) -> Result<Vec<NetworkRecord>> {
        Ok(self
            .all_networks()?
            .into_iter()
            .filter(|n| filters.iter().all(|f| f.matches(n)))
            .collect())
    }

    /// Create a network; refuses a taken name, an overlapping subnet and a gateway or range
    /// outside the subnet.
    pub fn create_network(&self, opts: &NetworkOptions) -> Result<NetworkRecord> {
        let driver = opts.driver.clone().unwrap_or_else(|| "bridge".into());
        if driver != "bridge" {
            return Err(EngineError::Invalid(format!(
                "unsupported network driver {driver:?}: berth networks use the bridge driver (-d bridge)"
            )));
        }
        if let Some(n) = &opts.name {
            if !super::container::valid_name(n) || n == DEFAULT_ALIAS {
                return Err(EngineError::Invalid(format!(
                    "invalid network name {n:?}: use [a-zA-Z0-9][a-zA-Z0-9_.-]* (and not {DEFAULT_ALIAS})"
                )));
            }
        }
        let invalid = |flag: &str, v: &str, why: String| {
            EngineError::Invalid(format!("invalid {flag} {v:?}: {why}"))
        };
        let subnet: Option<Subnet> = match &opts.subnet {
            Some(s) => Some(s.parse().map_err(|e| invalid("--subnet", s, e))?),
            None => None,
        };
        if subnet.is_none() && (opts.gateway.is_some() || opts.ip_range.is_some()) {
            return Err(EngineError::Invalid(
                "--gateway and --ip-range need --subnet: give the subnet they belong to".into(),
            ));
        }
        let gateway: Option<Ipv4Addr> = match &opts.gateway {
            Some(g) => {
                let ip: Ipv4Addr = g
                    .parse()
                    .map_err(|_| invalid("--gateway", g, "not an IPv4 address".into()))?;
                let s = subnet.expect("checked above");
                if !s.contains(ip) || u32::from(ip) == s.first() || u32::from(ip) == s.last() {
                    return Err(invalid(
                        "--gateway",
                        g,
                        format!("it is not a host address of the subnet {s}"),
                    ));
                }
                Some(ip)
            }
            None => None,
        };
        let ip_range: Option<Subnet> = match &opts.ip_range {
            Some(r) => {
                let range: Subnet = r.parse().map_err(|e| invalid("--ip-range", r, e))?;
                let s = subnet.expect("checked above");
                if !s.covers(&range) {
                    return Err(invalid(
                        "--ip-range",
                        r,
                        format!("it is not inside the subnet {s}"),
                    ));
                }
                Some(range)
            }
            None => None,
        };
        let labels = parse_kv(&opts.labels);
        let options = parse_kv(&opts.opts);
        let rec = self
            .store
            .create_network(|existing| {
                let existing = with_default(existing.to_vec());
                let name = match &opts.name {
                    Some(n) => {
                        if existing.iter().any(|e| &e.name == n) {
                            return Err(aborted(EngineError::Invalid(format!(
                                "network name {n} is already used: choose another name or remove that network (`berth network rm {n}`)"
                            ))));
                        }
                        n.clone()
                    }
                    None => (0..)
                        .map(|i| format!("berth{i}"))
                        .find(|n| !existing.iter().any(|e| &e.name == n))
                        .expect("an unused name"),
                };
                let taken: Vec<Subnet> = existing.iter().filter_map(subnet_of).collect();
                let subnet = match subnet {
                    Some(s) => {
                        if let Some(other) = existing
                            .iter()
                            .find(|e| subnet_of(e).is_some_and(|t| t.overlaps(&s)))
                        {
                            return Err(aborted(EngineError::Invalid(format!(
                                "subnet {s} overlaps network {} ({}): choose a subnet that does not overlap",
                                other.name, other.subnet
                            ))));
                        }
                        s
                    }
                    None => ipam::auto_subnet(&taken).ok_or_else(|| {
                        aborted(EngineError::Invalid(
                            "no free 10.89.N.0/24 subnet left: give one with --subnet".into(),
                        ))
                    })?,
                };
                let bridge = (0..)
                    .map(|i| format!("berth{i}"))
                    .find(|b| !existing.iter().any(|e| &e.bridge == b))
                    .expect("an unused bridge name");
                Ok(NetworkRecord {
                    name,
                    id: hex::encode(rand::random::<[u8; 32]>()),
                    driver: driver.clone(),
                    created: Some(Utc::now()),
                    subnet: subnet.to_string(),
                    gateway: gateway.unwrap_or(subnet.first_host()).to_string(),
                    ip_range: ip_range.map(|r| r.to_string()).unwrap_or_default(),
                    internal: opts.internal,
                    ipv6: opts.ipv6,
                    labels: labels.clone(),
                    options: options.clone(),
                    bridge,
                    endpoints: BTreeMap::new(),
                    damaged: None,
                })
            })
            .map_err(EngineError::unwrap_store)?;
        Ok(rec)
    }

    /// docker's `network inspect` object.
    pub fn inspect_network(&self, n: &NetworkRecord) -> Value {
        let containers: serde_json::Map<String, Value> = n
            .endpoints
            .iter()
            .map(|(id, e)| {
                let prefix = n.subnet.split_once('/').map(|x| x.1).unwrap_or("24");
                (
                    id.clone(),
                    json!({
                        "Name": e.name,
                        "EndpointID": id,
                        "MacAddress": e.mac,
                        "IPv4Address": format!("{}/{prefix}", e.ip),
                        "IPv6Address": "",
                        "Aliases": e.aliases,
                    }),
                )
            })
            .collect();
        let mut config = json!({"Subnet": n.subnet, "Gateway": n.gateway});
        if !n.ip_range.is_empty() {
            config["IPRange"] = json!(n.ip_range);
        }
        let mut options: serde_json::Map<String, Value> = n
            .options
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        options.insert("com.docker.network.bridge.name".into(), json!(n.bridge));
        json!({
            "Name": n.name,
            "Id": n.id,
            "Created": n.created.map(|c| c.to_rfc3339()).unwrap_or_else(|| "0001-01-01T00:00:00Z".into()),
            "Scope": "local",
            "Driver": n.driver,
            "EnableIPv6": n.ipv6,
            "IPAM": {"Driver": "default", "Options": {}, "Config": [config]},
            "Internal": n.internal,
            "Attachable": false,
            "Ingress": false,
            "Containers": containers,
            "Options": options,
            "Labels": n.labels,
        })
    }

    /// Remove a network. In use: refused, or with `force` its containers are removed first.
    /// The default network cannot be removed.
    pub fn remove_network(&self, name: &str, force: bool) -> Result<String> {
        let net = self.find_network_even_damaged(name)?;
        if net.name == DEFAULT_NETWORK {
            return Err(EngineError::Invalid(format!(
                "network {DEFAULT_NETWORK} is the default network and cannot be removed"
            )));
        }
        let users: Vec<Container> = self
            .list_containers()?
            .into_iter()
            .filter(|c| net.endpoints.contains_key(&c.record.id))
            .collect();
        if let Some(c) = users.first() {
            if !force {
                return Err(EngineError::Invalid(format!(
                    "network {} is in use by container {}: remove the container first or use `berth network rm -f`",
                    net.name, c.record.name
                )));
            }
        }
        for c in &users {
            self.force_remove_container(c)?;
        }
        self.store
            .remove_network(&net.name, |_| Ok(()))
            .map_err(EngineError::unwrap_store)?;
        if net.damaged.is_none() {
            crate::network::bridge::network_removed(self, &net);
        }
        Ok(net.name)
    }

    /// Remove every network (but the default) no container is attached to; their names.
    pub fn prune_networks(&self, filters: &[NetworkFilter]) -> Result<Vec<String>> {
        let mut removed = Vec::new();
        for n in self.list_networks(filters)? {
            if n.name == DEFAULT_NETWORK || !n.endpoints.is_empty() {
                continue;
            }
            let gone = self
                .store
                .remove_network(&n.name, |now| {
                    if now.endpoints.is_empty() {
                        Ok(())
                    } else {
                        Err(StoreError::Aborted("in use".into()))
                    }
                })
                .is_ok_and(|r| r.is_some());
            if gone {
                removed.push(n.name);
            }
        }
        Ok(removed)
    }

    /// Give container `id` (named `name`) an endpoint on each of `networks`, the first taking
    /// `opts`' address. All or nothing: an error leaves no allocation behind.
    pub fn attach_networks(
        &self,
        id: &str,
        name: &str,
        networks: &[String],
        opts: &AttachOptions,
    ) -> Result<()> {
        if opts.ip.is_some() && networks.len() > 1 {
            return Err(EngineError::Invalid(
                "--ip applies to one network only: join one network at create and add others with `berth network connect --ip`".into(),
            ));
        }
        self.store
            .update_networks(|nets| {
                if !nets.iter().any(|n| n.name == DEFAULT_NETWORK) {
                    nets.push(default_network());
                }
                let mut seen = Vec::new();
                for wanted in networks {
                    let idx = {
                        let found = pick(nets, wanted).ok_or_else(|| aborted(not_found(wanted)))?;
                        let name = found.name.clone();
                        nets.iter()
                            .position(|n| n.name == name)
                            .expect("found above")
                    };
                    if seen.contains(&idx) {
                        continue;
                    }
                    seen.push(idx);
                    allocate(&mut nets[idx], id, name, opts).map_err(aborted)?;
                }
                Ok(())
            })
            .map_err(EngineError::unwrap_store)
    }

    /// Forget container `id`'s endpoints on every network.
    pub fn release_networks(&self, id: &str) -> Result<()> {
        self.store
            .update_networks(|nets| {
                for n in nets.iter_mut() {
                    n.endpoints.remove(id);
                }
                Ok(())
            })
            .map_err(EngineError::unwrap_store)
    }

    /// The networks container `id` is attached to, in the order the container joined them
    /// (its `--network` list first), with its endpoint on each.
    pub fn container_networks(&self, c: &Container) -> Result<Vec<(NetworkRecord, Endpoint)>> {
        let nets = self.all_networks()?;
        let mut order: Vec<String> = c
            .record
            .config
            .network
            .split(',')
            .map(|n| canonical(n).to_string())
            .collect();
        for n in &nets {
            if !order.contains(&n.name) {
                order.push(n.name.clone());
            }
        }
        Ok(order
            .iter()
            .filter_map(|name| {
                let n = nets.iter().find(|n| &n.name == name || &n.id == name)?;
                let ep = n.endpoints.get(&c.record.id)?;
                Some((n.clone(), ep.clone()))
            })
            .collect())
    }

    /// The container's resolv.conf (berth's responder on its first network's gateway, the
    /// network's name as search domain) and its own addresses in /etc/hosts.
    pub fn write_network_files(
        &self,
        record: &crate::store::containers::ContainerRecord,
    ) -> Result<()> {
        let c = Container {
            record: record.clone(),
            state: Default::default(),
            damaged: None,
        };
        let nets = self.container_networks(&c)?;
        let Some((first, _)) = nets.first() else {
            return Ok(());
        };
        let dir = self.store.container_dir(&record.id).join("userdata");
        let io = |path: &std::path::Path, e: std::io::Error| EngineError::Io {
            context: format!("writing {}", path.display()),
            source: e,
        };
        // The default network has no responder: the host's resolvers stay.
        if record.config.dns.is_empty() && first.name != DEFAULT_NETWORK {
            let mut text = format!("search {}\nnameserver {}\n", first.name, first.gateway);
            if !record.config.dns_option.is_empty() {
                text.push_str(&format!("options {}\n", record.config.dns_option.join(" ")));
            }
            let path = dir.join("resolv.conf");
            std::fs::write(&path, text).map_err(|e| io(&path, e))?;
        }
        let path = dir.join("hosts");
        let mut hosts = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
        for (_, ep) in &nets {
            hosts.push_str(&format!(
                "{}\t{} {}\n",
                ep.ip, record.config.hostname, record.name
            ));
        }
        // Rootless, a network that is not --internal leads out through the pasta of the
        // rootless network namespace, which maps an address to the host's loopback.
        if self.ident.rootless && nets.iter().any(|(n, _)| !n.internal) {
            if let Some(a) = crate::network::netns::host_loopback_address(&self.paths.run_root) {
                hosts.push_str(&format!("{a}\t{}\n", crate::network::hosts::HOST_NAMES));
            }
        }
        std::fs::write(&path, hosts).map_err(|e| io(&path, e))
    }

    /// `network connect`: a new endpoint for the container, wired now when it runs.
    pub fn connect_network(
        &self,
        network: &str,
        container: &str,
        opts: &AttachOptions,
    ) -> Result<()> {
        let net = self.find_network(network)?;
        let c = self.find_container(container)?;
        if net.endpoints.contains_key(&c.record.id) {
            return Err(EngineError::Invalid(format!(
                "container {} is already connected to network {}",
                c.record.name, net.name
            )));
        }
        if !c.record.config.network.is_empty()
            && !matches!(
                crate::network::NetworkMode::parse(&c.record.config.network),
                Ok(crate::network::NetworkMode::Networks(_))
            )
        {
            return Err(EngineError::Invalid(format!(
                "container {} uses --network {}: only containers on bridge networks can be connected to another network",
                c.record.name, c.record.config.network
            )));
        }
        self.attach_networks(
            &c.record.id,
            &c.record.name,
            std::slice::from_ref(&net.name),
            opts,
        )?;
        if c.is_running() {
            let all = self.find_network(&net.name)?;
            if let Err(e) = crate::network::bridge::connect_running(self, &c, &all) {
                let _ = self.store.update_networks(|nets| {
                    if let Some(n) = nets.iter_mut().find(|n| n.name == all.name) {
                        n.endpoints.remove(&c.record.id);
                    }
                    Ok(())
                });
                return Err(e);
            }
        }
        Ok(())
    }

    /// `network disconnect`: drop the container's endpoint (and its interface, when running).
    pub fn disconnect_network(&self, network: &str, container: &str) -> Result<()> {
        let net = self.find_network(network)?;
        let c = self.find_container(container)?;
        if !net.endpoints.contains_key(&c.record.id) {
            return Err(EngineError::Invalid(format!(
                "container {} is not connected to network {}",
                c.record.name, net.name
            )));
        }
        if c.is_running() {
            crate::network::bridge::disconnect_running(self, &c, &net)?;
        }
        self.store
            .update_networks(|nets| {
                if let Some(n) = nets.iter_mut().find(|n| n.name == net.name) {
                    n.endpoints.remove(&c.record.id);
                }
                Ok(())
            })
            .map_err(EngineError::unwrap_store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(subnet: &str) -> NetworkRecord {
        NetworkRecord {
            name: "n".into(),
            subnet: subnet.into(),
            gateway: subnet.parse::<Subnet>().unwrap().first_host().to_string(),
            ..Default::default()
        }
    }

    #[test]
    fn allocate_takes_lowest_free_and_refuses_taken_or_outside_ips() {
        let mut n = net("10.89.0.0/24");
        let a = allocate(&mut n, "a", "ca", &AttachOptions::default()).unwrap();
        let b = allocate(&mut n, "b", "cb", &AttachOptions::default()).unwrap();
        assert_eq!((a.ip.as_str(), b.ip.as_str()), ("10.89.0.2", "10.89.0.3"));
        let ask = |ip: &str| AttachOptions {
            ip: Some(ip.into()),
            ..Default::default()
        };
        assert!(allocate(&mut n, "c", "cc", &ask("10.89.0.2")).is_err());
        assert!(allocate(&mut n, "c", "cc", &ask("10.90.0.2")).is_err());
        assert!(allocate(&mut n, "c", "cc", &ask("10.89.0.1")).is_err());
        assert_eq!(
            allocate(&mut n, "c", "cc", &ask("10.89.0.9")).unwrap().ip,
            "10.89.0.9"
        );
    }

    #[test]
    fn allocate_refuses_an_alias_another_container_holds() {
        let mut n = net("10.89.0.0/24");
        let alias = AttachOptions {
            aliases: vec!["db".into()],
            ..Default::default()
        };
        allocate(&mut n, "a", "ca", &alias).unwrap();
        let err = allocate(&mut n, "b", "cb", &alias).unwrap_err().to_string();
        assert!(err.contains("alias \"db\""), "{err}");
    }

    #[test]
    fn filters_match_name_substring_label_and_driver() {
        let mut n = net("10.89.0.0/24");
        n.name = "frontend".into();
        n.driver = "bridge".into();
        n.labels.insert("team".into(), "a".into());
        n.created = Some(Utc::now() - chrono::Duration::days(2));
        for (f, want) in [
            ("name=front", true),
            ("name=back", false),
            ("label=team", true),
            ("label=team=b", false),
            ("label!=team", false),
            ("driver=bridge", true),
            ("until=2000-01-01T00:00:00Z", false),
            ("until=24h", true),
        ] {
            assert_eq!(NetworkFilter::parse(f).unwrap().matches(&n), want, "{f}");
        }
        assert!(NetworkFilter::parse("bogus=1").is_err());
    }

    #[test]
    fn podman_is_an_alias_of_the_default_network() {
        let nets = with_default(Vec::new());
        assert_eq!(pick(&nets, "podman").unwrap().name, DEFAULT_NETWORK);
        assert_eq!(pick(&nets, "bridge").unwrap().subnet, "10.88.0.0/16");
    }
}
