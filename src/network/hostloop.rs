//! How a container reaches the host's loopback through pasta, as `host.containers.internal`
//! (and `--add-host NAME:host-gateway`), on every host shape and with every pasta.
//!
//! pasta maps one address of the container's to the host's 127.0.0.1: the gateway it copies
//! from the host, unless told otherwise. That breaks where the host's addresses cannot be
//! copied into a working route (an address with a /32 mask and a gateway outside it, or no
//! default route at all): then the container has no route to that gateway. berth therefore
//! picks, once per process, from what the installed pasta offers:
//!
//! - pasta with `--map-host-loopback` (passt 2024-08 and later): the dedicated link-local
//!   address [`HOST_LOOPBACK`] is mapped, whatever the host's addresses; podman 5.3 gives the
//!   name the same address (with `--map-guest-addr`, which reaches the host's own address
//!   instead of its loopback).
//! - an older pasta, on a host whose gateway lies in its address's subnet: the copied gateway.
//! - otherwise: addresses of berth's own (`-a 169.254.1.1 -n 24 -g 169.254.1.2`, and the
//!   interface with `-i` when the host has no default route), whose gateway pasta maps.
//!
//! The user's own `--network pasta:OPTS` win: `--no-map-gw`/`--map-host-loopback none` leave
//! the name out, `--map-host-loopback ADDR` names ADDR, `-g ADDR` (older pasta) names ADDR.

use std::ffi::CStr;
use std::net::{IpAddr, Ipv4Addr};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The address berth gives the host's loopback when it chooses one (podman's for the name).
pub const HOST_LOOPBACK: Ipv4Addr = Ipv4Addr::new(169, 254, 1, 2);
/// The container's own address when berth gives pasta addresses of its own.
pub const OWN_ADDRESS: Ipv4Addr = Ipv4Addr::new(169, 254, 1, 1);
/// Their prefix length.
pub const OWN_PREFIX: u8 = 24;

/// What the installed pasta can do, read from its `--help`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    /// `--map-host-loopback ADDR`: map an address of berth's choosing to the host's loopback.
    pub map_host_loopback: bool,
    /// `--map-guest-addr ADDR`: map an address to the host's own (not its loopback).
    pub map_guest_addr: bool,
}

/// Parse `pasta --help` (older versions print it on stderr and exit 1).
pub fn parse_features(help: &str) -> Features {
    let has = |opt: &str| {
        help.split(|c: char| c.is_whitespace() || c == ',' || c == '=')
            .any(|w| w == opt)
    };
    Features {
        map_host_loopback: has("--map-host-loopback"),
        map_guest_addr: has("--map-guest-addr"),
    }
}

/// The installed pasta's features (asked once per process; none when pasta is missing).
pub fn features() -> Features {
    static F: OnceLock<Features> = OnceLock::new();
    *F.get_or_init(|| {
        let Ok(pasta) = crate::hostpaths::helper("pasta") else {
            return Features::default();
        };
        Command::new(pasta)
            .arg("--help")
            .stdin(Stdio::null())
            .output()
            .map(|o| {
                let mut text = String::from_utf8_lossy(&o.stdout).into_owned();
                text.push_str(&String::from_utf8_lossy(&o.stderr));
                parse_features(&text)
            })
            .unwrap_or_default()
    })
}

/// The parts of the host's IPv4 setup that decide whether pasta can copy it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HostShape {
    /// The default route's gateway and interface.
    pub gateway: Option<(Ipv4Addr, String)>,
    /// Whether that gateway lies in the subnet of an address of that interface (what pasta
    /// copies: the address with its prefix, and a route via the gateway).
    pub gateway_in_subnet: bool,
    /// Without a default route: the first interface that is up and has an IPv4 address
    /// (other than loopback), for pasta's `-i`.
    pub fallback_interface: Option<String>,
}

/// The default route from /proc/net/route's text: gateway and interface.
pub fn parse_default_route(text: &str) -> Option<(Ipv4Addr, String)> {
    text.lines().skip(1).find_map(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        if f.len() < 8 || f[1] != "00000000" || f[7] != "00000000" {
            return None;
        }
        let flags = u32::from_str_radix(f[3], 16).ok()?;
        // RTF_UP and RTF_GATEWAY: a default route "dev X" without a gateway names none.
        if flags & 0x3 != 0x3 {
            return None;
        }
        let g = u32::from_str_radix(f[2], 16).ok()?;
        // /proc/net/route prints the address in host (little-endian) order.
        Some((Ipv4Addr::from(g.swap_bytes()), f[0].to_string()))
    })
}

/// Whether `gw` is inside `addr/prefix` (and the prefix leaves room for both).
pub fn in_subnet(addr: Ipv4Addr, prefix: u8, gw: Ipv4Addr) -> bool {
    if prefix == 0 || prefix >= 32 {
        return false;
    }
    let mask = u32::MAX << (32 - prefix);
    u32::from(addr) & mask == u32::from(gw) & mask
}

/// IPv4 addresses with their prefix length, per interface that is up.
fn interface_addresses() -> Vec<(String, Ipv4Addr, u8)> {
    let mut out = Vec::new();
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `head` with a list freed below with freeifaddrs.
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return out;
    }
    let mut cur = head;
    while !cur.is_null() {
        // SAFETY: `cur` is a node of the list getifaddrs returned, not yet freed.
        let ifa = unsafe { &*cur };
        cur = ifa.ifa_next;
        if ifa.ifa_addr.is_null()
            || ifa.ifa_netmask.is_null()
            || ifa.ifa_flags & libc::IFF_UP as u32 == 0
            // SAFETY: ifa_addr points to a sockaddr of at least sa_family's size.
            || i32::from(unsafe { (*ifa.ifa_addr).sa_family }) != libc::AF_INET
        {
            continue;
        }
        // SAFETY: AF_INET addresses (and their masks) are sockaddr_in.
        let (addr, mask) = unsafe {
            (
                (*(ifa.ifa_addr as *const libc::sockaddr_in))
                    .sin_addr
                    .s_addr,
                (*(ifa.ifa_netmask as *const libc::sockaddr_in))
                    .sin_addr
                    .s_addr,
            )
        };
        // SAFETY: ifa_name is a NUL-terminated string owned by the list.
        let name = unsafe { CStr::from_ptr(ifa.ifa_name) }
            .to_string_lossy()
            .into_owned();
        out.push((
            name,
            Ipv4Addr::from(u32::from_be(addr)),
            u32::from_be(mask).count_ones() as u8,
        ));
    }
    // SAFETY: `head` came from getifaddrs and is freed once.
    unsafe { libc::freeifaddrs(head) };
    out
}

/// The shape of `route` (/proc/net/route's text) with these interface addresses.
pub fn shape_of(route: &str, addrs: &[(String, Ipv4Addr, u8)]) -> HostShape {
    let gateway = parse_default_route(route);
    let gateway_in_subnet = gateway.as_ref().is_some_and(|(gw, dev)| {
        addrs
            .iter()
            .any(|(d, a, p)| d == dev && in_subnet(*a, *p, *gw))
    });
    let fallback_interface = if gateway.is_none() {
        addrs
            .iter()
            .find(|(_, a, _)| !a.is_loopback())
            .map(|(d, _, _)| d.clone())
    } else {
        None
    };
    HostShape {
        gateway,
        gateway_in_subnet,
        fallback_interface,
    }
}

/// This host's shape, read now (the network namespace berth runs in).
pub fn host_shape() -> HostShape {
    let route = std::fs::read_to_string("/proc/net/route").unwrap_or_default();
    shape_of(&route, &interface_addresses())
}

/// How the container reaches the host's loopback through pasta.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostLoopback {
    /// berth maps [`HOST_LOOPBACK`] with `--map-host-loopback`.
    Dedicated,
    /// pasta copies the host's addresses and maps the gateway it copied (an older pasta).
    CopiedGateway(Ipv4Addr),
    /// berth gives pasta its own addresses, whose gateway [`HOST_LOOPBACK`] pasta maps; with
    /// the interface to use when the host has no default route.
    OwnAddresses(Option<String>),
    /// The user's `--network pasta:` options name the address.
    UserOption(IpAddr),
}

impl HostLoopback {
    /// The address the container's /etc/hosts gives the host.
    pub fn address(&self) -> IpAddr {
        match self {
            HostLoopback::Dedicated | HostLoopback::OwnAddresses(_) => HOST_LOOPBACK.into(),
            HostLoopback::CopiedGateway(g) => (*g).into(),
            HostLoopback::UserOption(a) => *a,
        }
    }

    /// What berth adds to pasta's command line for it.
    pub fn pasta_args(&self) -> Vec<String> {
        match self {
            HostLoopback::Dedicated => {
                vec!["--map-host-loopback".into(), HOST_LOOPBACK.to_string()]
            }
            HostLoopback::OwnAddresses(iface) => {
                let mut a: Vec<String> = vec![
                    "-a".into(),
                    OWN_ADDRESS.to_string(),
                    "-n".into(),
                    OWN_PREFIX.to_string(),
                    "-g".into(),
                    HOST_LOOPBACK.to_string(),
                ];
                if let Some(i) = iface {
                    a.extend(["-i".into(), i.clone()]);
                }
                a
            }
            HostLoopback::CopiedGateway(_) | HostLoopback::UserOption(_) => Vec::new(),
        }
    }

    /// How it works, in a line (`info`'s hostContainersInternal.method).
    pub fn method(&self) -> String {
        match self {
            HostLoopback::Dedicated => format!(
                "pasta --map-host-loopback {HOST_LOOPBACK}: a dedicated address pasta maps to the host's loopback"
            ),
            HostLoopback::CopiedGateway(g) => format!(
                "pasta maps the gateway it copies from the host ({g}) to the host's loopback; this pasta has no --map-host-loopback (passt before 2024-08)"
            ),
            HostLoopback::OwnAddresses(iface) => format!(
                "pasta with berth's addresses (-a {OWN_ADDRESS}/{OWN_PREFIX} -g {HOST_LOOPBACK}{}), whose gateway it maps to the host's loopback: {}",
                iface.as_ref().map(|i| format!(" -i {i}")).unwrap_or_default(),
                if iface.is_some() {
                    "the host has no IPv4 default route to copy"
                } else {
                    "the host's gateway is outside its address's subnet, so a copied route would not work, and this pasta has no --map-host-loopback"
                }
            ),
            HostLoopback::UserOption(a) => {
                format!("the --network pasta options given map {a} to the host's loopback")
            }
        }
    }
}

/// The value of option `names` (`-g X`, `--gateway X`, `--gateway=X`) in pasta's options.
fn option_value<'a>(opts: &'a [String], names: &[&str]) -> Option<&'a str> {
    let mut last = None;
    let mut it = opts.iter();
    while let Some(o) = it.next() {
        if names.contains(&o.as_str()) {
            last = it.next().map(String::as_str);
        } else if let Some((k, v)) = o.split_once('=') {
            if names.contains(&k) {
                last = Some(v);
            }
        }
    }
    last
}

/// How a container with pasta options `opts` reaches the host's loopback with this pasta on
/// a host of this shape; `None` when it cannot (or the options say it must not).
pub fn plan(opts: &[String], f: Features, shape: &HostShape) -> Option<HostLoopback> {
    if opts.iter().any(|o| o == "--no-map-gw") {
        return None;
    }
    if let Some(v) = option_value(opts, &["--map-host-loopback"]) {
        return v.parse().ok().map(HostLoopback::UserOption);
    }
    let own_addresses = [
        "-a",
        "--address",
        "-n",
        "--netmask",
        "-g",
        "--gateway",
        "-i",
    ]
    .iter()
    .any(|n| option_value(opts, &[n]).is_some());
    if own_addresses {
        // The user set pasta's addresses: with --map-host-loopback the dedicated address still
        // works; an older pasta maps the gateway the user gave, or the host's it copied.
        if f.map_host_loopback {
            return Some(HostLoopback::Dedicated);
        }
        if let Some(g) = option_value(opts, &["-g", "--gateway"]) {
            return g.parse().ok().map(HostLoopback::UserOption);
        }
        return shape
            .gateway
            .as_ref()
            .map(|(g, _)| HostLoopback::CopiedGateway(*g));
    }
    match &shape.gateway {
        Some(_) if f.map_host_loopback => Some(HostLoopback::Dedicated),
        Some((g, _)) if shape.gateway_in_subnet => Some(HostLoopback::CopiedGateway(*g)),
        Some(_) => Some(HostLoopback::OwnAddresses(None)),
        // Without a default route pasta needs the interface named; without one, pasta cannot
        // run at all.
        None => shape
            .fallback_interface
            .clone()
            .map(|i| HostLoopback::OwnAddresses(Some(i))),
    }
}

/// The plan for this host and its pasta.
pub fn host_plan(opts: &[String]) -> Option<HostLoopback> {
    plan(opts, features(), &host_shape())
}

/// The plan for the pasta that connects the rootless network namespace of user networks to
/// the outside; none when slirp4netns does (berth starts it without host loopback).
pub fn outward_plan() -> Option<HostLoopback> {
    if crate::hostpaths::has_helper("pasta") {
        host_plan(&[])
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD_HELP: &str = "  --no-map-gw\t\tDon't map gateway address to host\n  -4, --ipv4-only\tEnable IPv4 operation only\n";
    const NEW_HELP: &str = "  --map-host-loopback ADDR\tTranslate ADDR to refer to host\n    can be specified zero to two times (for IPv4 and IPv6)\n  --map-guest-addr ADDR\tTranslate ADDR to guest's address on host side\n  --no-map-gw\t\tDon't map gateway address to host\n";

    #[test]
    fn features_come_from_the_options_pasta_lists() {
        assert_eq!(parse_features(OLD_HELP), Features::default());
        assert_eq!(
            parse_features(NEW_HELP),
            Features {
                map_host_loopback: true,
                map_guest_addr: true
            }
        );
        // A mention inside other words is not the option.
        assert!(!parse_features("see --map-host-loopbackish").map_host_loopback);
    }

    const ROUTE: &str =
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n\
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";

    fn addrs(a: &str, p: u8) -> Vec<(String, Ipv4Addr, u8)> {
        vec![
            ("lo".into(), Ipv4Addr::LOCALHOST, 8),
            ("eth0".into(), a.parse().unwrap(), p),
        ]
    }

    #[test]
    fn the_host_shape_says_whether_pasta_can_copy_the_route() {
        let gw: Ipv4Addr = "192.0.2.1".parse().unwrap();
        assert_eq!(parse_default_route(ROUTE), Some((gw, "eth0".into())));
        let s = shape_of(ROUTE, &addrs("192.0.2.2", 24));
        assert!(
            s.gateway_in_subnet && s.fallback_interface.is_none(),
            "{s:?}"
        );
        // An address with a /32 mask and a gateway outside it (cloud hosts).
        let s = shape_of(ROUTE, &addrs("203.0.113.7", 32));
        assert!(s.gateway.is_some() && !s.gateway_in_subnet, "{s:?}");
        // No default route: pasta must be told the interface.
        let no_default = ROUTE.lines().take(1).chain(ROUTE.lines().skip(2));
        let no_default: String = no_default.map(|l| format!("{l}\n")).collect();
        let s = shape_of(&no_default, &addrs("192.0.2.2", 24));
        assert_eq!(s.gateway, None);
        assert_eq!(s.fallback_interface.as_deref(), Some("eth0"));
        // A default route without a gateway ("default dev tun0") names none.
        let dev_only = ROUTE.replace("010200C0\t0003", "00000000\t0001");
        assert_eq!(parse_default_route(&dev_only), None);
        assert!(in_subnet(
            "10.0.2.15".parse().unwrap(),
            24,
            "10.0.2.2".parse().unwrap()
        ));
        assert!(!in_subnet(gw, 32, gw));
    }

    #[test]
    fn the_plan_uses_the_dedicated_address_when_pasta_has_it_else_what_works() {
        let new = parse_features(NEW_HELP);
        let old = Features::default();
        let copyable = shape_of(ROUTE, &addrs("192.0.2.2", 24));
        let slash32 = shape_of(ROUTE, &addrs("203.0.113.7", 32));
        let gw: Ipv4Addr = "192.0.2.1".parse().unwrap();
        let p = plan(&[], new, &copyable).unwrap();
        assert_eq!(p, HostLoopback::Dedicated);
        assert_eq!(p.address(), IpAddr::from(HOST_LOOPBACK));
        assert_eq!(p.pasta_args(), ["--map-host-loopback", "169.254.1.2"]);
        assert_eq!(
            plan(&[], old, &copyable),
            Some(HostLoopback::CopiedGateway(gw))
        );
        let p = plan(&[], old, &slash32).unwrap();
        assert_eq!(p, HostLoopback::OwnAddresses(None));
        assert_eq!(p.address(), IpAddr::from(HOST_LOOPBACK));
        assert_eq!(
            p.pasta_args().join(" "),
            "-a 169.254.1.1 -n 24 -g 169.254.1.2"
        );
        let lone = HostShape {
            fallback_interface: Some("eth0".into()),
            ..Default::default()
        };
        for f in [old, new] {
            let p = plan(&[], f, &lone).unwrap();
            assert!(p.pasta_args().ends_with(&["-i".into(), "eth0".into()]));
            assert_eq!(plan(&[], f, &HostShape::default()), None);
        }
    }

    #[test]
    fn the_users_pasta_options_decide_when_they_touch_the_mapping() {
        let o = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let new = parse_features(NEW_HELP);
        let old = Features::default();
        let shape = shape_of(ROUTE, &addrs("203.0.113.7", 32));
        for f in [old, new] {
            assert_eq!(plan(&o(&["--no-map-gw"]), f, &shape), None);
            assert_eq!(plan(&o(&["--map-host-loopback", "none"]), f, &shape), None);
            assert_eq!(
                plan(&o(&["--map-host-loopback=10.9.9.9"]), f, &shape),
                Some(HostLoopback::UserOption("10.9.9.9".parse().unwrap()))
            );
        }
        let gw = o(&["-a", "10.1.1.2", "-g", "10.1.1.1"]);
        assert_eq!(
            plan(&gw, old, &shape),
            Some(HostLoopback::UserOption("10.1.1.1".parse().unwrap()))
        );
        assert_eq!(plan(&gw, new, &shape), Some(HostLoopback::Dedicated));
        assert!(plan(&o(&["-T", "8080"]), old, &shape)
            .unwrap()
            .pasta_args()
            .contains(&"-g".to_string()));
    }
}
