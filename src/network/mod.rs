//! Container networking: which network a container joins (`--network`), and the backends that
//! give it one.

pub mod bridge;
pub mod dns;
pub mod forward;
pub mod hostloop;
pub mod hosts;
pub mod ipam;
pub mod netlink;
pub mod netns;
pub mod pasta;
pub mod ports;
pub mod slirp;

use std::fmt;
use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum NetworkError {
    #[error("invalid --network {0:?}: {1}")]
    InvalidMode(String, String),
    #[error("invalid --publish {0:?}: {1}")]
    InvalidPublish(String, String),
    #[error("cannot publish port {port}: it is in use ({why}); choose another host port (or leave it out for a random one)")]
    PortInUse { port: String, why: String },
    #[error("cannot publish port {port}: a rootless container may only use host ports from {floor} up (net.ipv4.ip_unprivileged_port_start); use a higher host port, or lower that sysctl as root")]
    PrivilegedPort { port: String, floor: u16 },
    #[error("no network backend for a rootless container: install pasta (apt-get install passt) or slirp4netns (apt-get install slirp4netns), or use --network none")]
    NoBackend,
    #[error("{0}, or choose another --network")]
    Missing(#[from] crate::hostpaths::HelperError),
    #[error("invalid --add-host {0:?}: {1}")]
    InvalidAddHost(String, String),
    #[error("{0}")]
    Backend(String),
}

/// The default network's name (docker's; `podman` is accepted for it too).
pub const DEFAULT_NETWORK: &str = "bridge";

/// The network a container gets without `--network`: the default bridge network, as docker's
/// and podman 5's. As root its bridge is in the host's namespace; rootless it is in the per-user
/// network namespace ([`netns`]), which reaches the outside through one shared pasta (slirp4netns
/// when pasta is missing), so neither is started per container. The one place that choice is
/// made.
pub fn default_mode(rootless: bool) -> Result<NetworkMode, NetworkError> {
    if rootless {
        // A broken berth.conf is its own error, not "nothing installed".
        if let Err(crate::hostpaths::HelperError::Config(e)) = crate::hostpaths::helper("pasta") {
            return Err(NetworkError::Backend(e));
        }
        // The rootless namespace needs one of them to reach the outside.
        if default_backend().is_none() {
            return Err(NetworkError::NoBackend);
        }
    }
    Ok(NetworkMode::Networks(vec![DEFAULT_NETWORK.to_string()]))
}

/// The program that connects the rootless network namespace (and so the default network) to the
/// outside on this host (`info`'s networkBackend): "pasta", "slirp4netns" or none.
pub fn default_backend() -> Option<&'static str> {
    if crate::hostpaths::has_helper("pasta") {
        Some("pasta")
    } else if crate::hostpaths::has_helper("slirp4netns") {
        Some("slirp4netns")
    } else {
        None
    }
}

/// Where a container reaches the host's loopback and by what means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostReach {
    pub address: String,
    pub method: String,
}

/// What `--network` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkMode {
    /// Only a loopback interface.
    None,
    /// The host's network namespace.
    Host,
    /// pasta (from passt), with its extra options.
    Pasta(Vec<String>),
    /// slirp4netns, with its `key=value` options.
    Slirp4netns(Vec<String>),
    /// Another container's network namespace (`container:NAME`).
    Container(String),
    /// A network namespace bind-mounted at a path (`ns:PATH`).
    Path(PathBuf),
    /// User-defined (or the default) networks, by name, in order.
    Networks(Vec<String>),
}

impl NetworkMode {
    /// Parse `--network`'s value as docker and podman spell it.
    pub fn parse(s: &str) -> Result<NetworkMode, NetworkError> {
        let bad = |why: &str| NetworkError::InvalidMode(s.to_string(), why.to_string());
        let (kind, rest) = match s.split_once(':') {
            Some((k, r)) => (k, Some(r)),
            None => (s, None),
        };
        let opts = |r: Option<&str>| -> Vec<String> {
            r.map(|r| {
                r.split(',')
                    .filter(|o| !o.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
        };
        Ok(match kind {
            "" => return Err(bad("it is empty: name a network or a mode such as none or host")),
            "none" | "host" if rest.is_some() => {
                return Err(bad("this mode takes no options"));
            }
            "none" => NetworkMode::None,
            "host" => NetworkMode::Host,
            "pasta" => NetworkMode::Pasta(opts(rest)),
            "slirp4netns" => NetworkMode::Slirp4netns(opts(rest)),
            "container" => match rest {
                Some(name) if !name.is_empty() => NetworkMode::Container(name.to_string()),
                _ => return Err(bad("name the container, as container:NAME")),
            },
            "ns" => match rest {
                Some(path) if path.starts_with('/') => NetworkMode::Path(PathBuf::from(path)),
                _ => return Err(bad("give an absolute path, as ns:/run/netns/NAME")),
            },
            _ if rest.is_some() => {
                return Err(bad(
                    "unknown mode: use none, host, pasta, slirp4netns, container:NAME, ns:PATH or a network name",
                ))
            }
            _ => {
                let names: Vec<String> = s.split(',').map(str::to_string).collect();
                if names.iter().any(|n| n.is_empty()) {
                    return Err(bad("an empty network name in the list"));
                }
                NetworkMode::Networks(names)
            }
        })
    }

    /// The address at which the container reaches the host's loopback
    /// (`host.containers.internal`, `--add-host NAME:host-gateway`), when the mode has one.
    pub fn host_address(&self, rootless: bool) -> Option<String> {
        self.host_reach(rootless).map(|r| r.address)
    }

    /// The address at which the container reaches the host's loopback, and how (`info`).
    /// Rootless, bridge networks lead out through the pasta of the rootless network namespace,
    /// which maps an address to the host's loopback.
    pub fn host_reach(&self, rootless: bool) -> Option<HostReach> {
        match self {
            NetworkMode::Networks(_) if rootless => hostloop::outward_plan().map(|p| HostReach {
                address: p.address().to_string(),
                method: format!(
                    "{} (in the rootless network namespace of bridge networks)",
                    p.method()
                ),
            }),
            NetworkMode::Pasta(opts) => hostloop::host_plan(opts).map(|p| HostReach {
                address: p.address().to_string(),
                method: p.method(),
            }),
            NetworkMode::Slirp4netns(o) if slirp::host_loopback_allowed(o) => Some(HostReach {
                address: slirp::HOST_ADDRESS.to_string(),
                method: format!(
                    "slirp4netns maps {} to the host's loopback",
                    slirp::HOST_ADDRESS
                ),
            }),
            NetworkMode::Host => Some(HostReach {
                address: "127.0.0.1".to_string(),
                method: "the host's network namespace: its own loopback".to_string(),
            }),
            _ => None,
        }
    }

    /// Whether the container gets a network namespace of its own.
    pub fn new_netns(&self) -> bool {
        !matches!(
            self,
            NetworkMode::Host | NetworkMode::Container(_) | NetworkMode::Path(_)
        )
    }
}

impl fmt::Display for NetworkMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let with = |f: &mut fmt::Formatter<'_>, k: &str, o: &[String]| {
            if o.is_empty() {
                write!(f, "{k}")
            } else {
                write!(f, "{k}:{}", o.join(","))
            }
        };
        match self {
            NetworkMode::None => write!(f, "none"),
            NetworkMode::Host => write!(f, "host"),
            NetworkMode::Pasta(o) => with(f, "pasta", o),
            NetworkMode::Slirp4netns(o) => with(f, "slirp4netns", o),
            NetworkMode::Container(n) => write!(f, "container:{n}"),
            NetworkMode::Path(p) => write!(f, "ns:{}", p.display()),
            NetworkMode::Networks(n) => write!(f, "{}", n.join(",")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_reads_every_mode_docker_and_podman_accept() {
        assert_eq!(NetworkMode::parse("none").unwrap(), NetworkMode::None);
        assert_eq!(NetworkMode::parse("host").unwrap(), NetworkMode::Host);
        assert_eq!(
            NetworkMode::parse("pasta:-T,8080").unwrap(),
            NetworkMode::Pasta(vec!["-T".into(), "8080".into()])
        );
        assert_eq!(
            NetworkMode::parse("slirp4netns:allow_host_loopback=true").unwrap(),
            NetworkMode::Slirp4netns(vec!["allow_host_loopback=true".into()])
        );
        assert_eq!(
            NetworkMode::parse("container:web").unwrap(),
            NetworkMode::Container("web".into())
        );
        assert_eq!(
            NetworkMode::parse("ns:/run/netns/x").unwrap(),
            NetworkMode::Path("/run/netns/x".into())
        );
        assert_eq!(
            NetworkMode::parse("a,b").unwrap(),
            NetworkMode::Networks(vec!["a".into(), "b".into()])
        );
    }

    #[test]
    fn parse_refuses_malformed_modes_with_the_fix() {
        for bad in ["", "container:", "ns:rel/path", "none:x", "bogus:x", "a,,b"] {
            assert!(NetworkMode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn display_gives_back_what_parse_read() {
        for s in [
            "none",
            "host",
            "pasta",
            "pasta:-T,80",
            "container:web",
            "ns:/x",
            "a,b",
        ] {
            assert_eq!(NetworkMode::parse(s).unwrap().to_string(), s);
        }
    }
}
