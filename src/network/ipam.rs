//! IPv4 address management for user networks: subnets, overlap checks, and the lowest free
//! address of a range.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// An IPv4 prefix, e.g. 10.89.0.0/24 (the address is kept as given, network bits only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subnet {
    pub addr: Ipv4Addr,
    pub prefix: u8,
}

impl Subnet {
    pub fn new(addr: Ipv4Addr, prefix: u8) -> Subnet {
        let mask = Self::mask_of(prefix);
        Subnet {
            addr: Ipv4Addr::from(u32::from(addr) & mask),
            prefix,
        }
    }

    fn mask_of(prefix: u8) -> u32 {
        if prefix == 0 {
            0
        } else {
            u32::MAX << (32 - prefix as u32)
        }
    }

    pub fn mask(&self) -> u32 {
        Self::mask_of(self.prefix)
    }

    pub fn first(&self) -> u32 {
        u32::from(self.addr)
    }

    pub fn last(&self) -> u32 {
        self.first() | !self.mask()
    }

    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        u32::from(ip) & self.mask() == self.first()
    }

    /// Whether the two prefixes share any address.
    pub fn overlaps(&self, other: &Subnet) -> bool {
        self.first() <= other.last() && other.first() <= self.last()
    }

    /// Whether all of `inner` lies inside this prefix.
    pub fn covers(&self, inner: &Subnet) -> bool {
        self.first() <= inner.first() && inner.last() <= self.last()
    }

    /// The conventional gateway: the first host address.
    pub fn first_host(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.first() + 1)
    }
}

impl FromStr for Subnet {
    type Err = String;

    fn from_str(s: &str) -> Result<Subnet, String> {
        let (a, p) = s.split_once('/').ok_or_else(|| {
            format!("{s:?} is not in CIDR form: write it as ADDRESS/PREFIX, e.g. 10.89.0.0/24")
        })?;
        let addr: Ipv4Addr = a
            .parse()
            .map_err(|_| format!("{a:?} is not an IPv4 address"))?;
        let prefix: u8 = p
            .parse()
            .ok()
            .filter(|p| (8..=30).contains(p))
            .ok_or_else(|| {
                format!("prefix /{p} is not usable: give a prefix between /8 and /30")
            })?;
        Ok(Subnet::new(addr, prefix))
    }
}

impl fmt::Display for Subnet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// The lowest address of `range` (inside `subnet`) that is neither the network, broadcast nor
/// gateway address nor in `used`.
pub fn lowest_free(
    subnet: &Subnet,
    range: &Subnet,
    gateway: Ipv4Addr,
    used: &[Ipv4Addr],
) -> Option<Ipv4Addr> {
    let lo = range.first().max(subnet.first() + 1);
    let hi = range.last().min(subnet.last() - 1);
    (lo..=hi)
        .map(Ipv4Addr::from)
        .find(|ip| *ip != gateway && !used.contains(ip))
}

/// podman's automatic subnets for new networks: 10.89.N.0/24, the first that overlaps none of
/// `taken`.
pub fn auto_subnet(taken: &[Subnet]) -> Option<Subnet> {
    (0..=255u8)
        .map(|n| Subnet::new(Ipv4Addr::new(10, 89, n, 0), 24))
        .find(|s| !taken.iter().any(|t| t.overlaps(s)))
}

/// A locally administered MAC derived from the address (as podman and docker do), so a
/// container's MAC is stable across restarts.
pub fn mac_for(ip: Ipv4Addr) -> String {
    let o = ip.octets();
    format!("02:42:{:02x}:{:02x}:{:02x}:{:02x}", o[0], o[1], o[2], o[3])
}

/// Parse `aa:bb:cc:dd:ee:ff` into bytes.
pub fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 6 {
        return None;
    }
    let mut out = [0u8; 6];
    for (i, p) in parts.iter().enumerate() {
        if p.len() != 2 {
            return None;
        }
        out[i] = u8::from_str_radix(p, 16).ok()?;
    }
    // A multicast MAC cannot be a host's address.
    (out[0] & 1 == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnet_parse_normalises_host_bits_and_refuses_bad_prefixes() {
        let s: Subnet = "10.89.3.7/24".parse().unwrap();
        assert_eq!(s.to_string(), "10.89.3.0/24");
        for bad in [
            "10.0.0.0",
            "10.0.0.0/33",
            "10.0.0/24",
            "10.0.0.0/31",
            "x/24",
        ] {
            assert!(bad.parse::<Subnet>().is_err(), "{bad}");
        }
    }

    #[test]
    fn overlap_and_cover_follow_the_prefixes() {
        let a: Subnet = "10.89.0.0/16".parse().unwrap();
        let b: Subnet = "10.89.5.0/24".parse().unwrap();
        let c: Subnet = "10.90.0.0/24".parse().unwrap();
        assert!(a.overlaps(&b) && b.overlaps(&a));
        assert!(!a.overlaps(&c));
        assert!(a.covers(&b) && !b.covers(&a));
    }

    #[test]
    fn lowest_free_skips_gateway_used_and_broadcast() {
        let s: Subnet = "10.89.0.0/30".parse().unwrap();
        let gw = s.first_host();
        assert_eq!(
            lowest_free(&s, &s, gw, &[]),
            Some(Ipv4Addr::new(10, 89, 0, 2))
        );
        assert_eq!(
            lowest_free(&s, &s, gw, &[Ipv4Addr::new(10, 89, 0, 2)]),
            None
        );
        let wide: Subnet = "10.89.0.0/28".parse().unwrap();
        let range: Subnet = "10.89.0.8/30".parse().unwrap();
        assert_eq!(
            lowest_free(&wide, &range, gw, &[]),
            Some(Ipv4Addr::new(10, 89, 0, 8))
        );
    }

    #[test]
    fn auto_subnet_takes_the_first_10_89_n_free_of_overlaps() {
        let taken: Vec<Subnet> = vec![
            "10.89.0.0/24".parse().unwrap(),
            "10.89.1.0/25".parse().unwrap(),
        ];
        assert_eq!(auto_subnet(&taken).unwrap().to_string(), "10.89.2.0/24");
    }

    #[test]
    fn macs_are_stable_and_parse_back() {
        let m = mac_for(Ipv4Addr::new(10, 89, 0, 2));
        assert_eq!(m, "02:42:0a:59:00:02");
        assert_eq!(parse_mac(&m), Some([2, 0x42, 10, 0x59, 0, 2]));
        assert_eq!(parse_mac("01:00:00:00:00:00"), None);
        assert_eq!(parse_mac("zz:00:00:00:00:00"), None);
    }
}
