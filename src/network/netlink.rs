//! A small rtnetlink client: just the requests user networks need (bridges, veth pairs,
//! addresses, routes), so the start path never runs `ip`.
//!
//! A netlink socket acts on the network namespace it was created in; [`Netlink::open_in`]
//! creates one inside another namespace by switching this thread there for the `socket()`
//! call only (setns of a network namespace affects the calling thread alone).

use std::io;
use std::net::Ipv4Addr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

const RTM_NEWLINK: u16 = 16;
const RTM_DELLINK: u16 = 17;
const RTM_GETLINK: u16 = 18;
const RTM_NEWADDR: u16 = 20;
const RTM_NEWROUTE: u16 = 24;
const NLMSG_ERROR: u16 = 2;

const NLM_F_REQUEST: u16 = 1;
const NLM_F_ACK: u16 = 4;
const NLM_F_EXCL: u16 = 0x200;
const NLM_F_CREATE: u16 = 0x400;

const IFLA_ADDRESS: u16 = 1;
const IFLA_IFNAME: u16 = 3;
const IFLA_MTU: u16 = 4;
const IFLA_MASTER: u16 = 10;
const IFLA_LINKINFO: u16 = 18;
const IFLA_NET_NS_FD: u16 = 28;
const IFLA_INFO_KIND: u16 = 1;
const IFLA_INFO_DATA: u16 = 2;
const VETH_INFO_PEER: u16 = 1;

const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
const IFA_BROADCAST: u16 = 4;

const RTA_GATEWAY: u16 = 5;
const RTA_OIF: u16 = 4;

const IFF_UP: u32 = 1;

/// A request body under construction: a fixed header followed by attributes.
struct Msg(Vec<u8>);

impl Msg {
    fn new(fixed: &[u8]) -> Msg {
        Msg(fixed.to_vec())
    }

    fn attr(&mut self, ty: u16, data: &[u8]) -> &mut Msg {
        let len = 4 + data.len();
        self.0.extend_from_slice(&(len as u16).to_ne_bytes());
        self.0.extend_from_slice(&ty.to_ne_bytes());
        self.0.extend_from_slice(data);
        while self.0.len() % 4 != 0 {
            self.0.push(0);
        }
        self
    }

    fn str_attr(&mut self, ty: u16, s: &str) -> &mut Msg {
        let mut d = s.as_bytes().to_vec();
        d.push(0);
        self.attr(ty, &d)
    }

    /// A nested attribute whose content is built by `f`.
    fn nest(&mut self, ty: u16, f: impl FnOnce(&mut Msg)) -> &mut Msg {
        let mut inner = Msg(Vec::new());
        f(&mut inner);
        self.attr(ty, &inner.0)
    }
}

fn ifinfomsg(index: i32, flags: u32, change: u32) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[0] = libc::AF_UNSPEC as u8;
    b[4..8].copy_from_slice(&index.to_ne_bytes());
    b[8..12].copy_from_slice(&flags.to_ne_bytes());
    b[12..16].copy_from_slice(&change.to_ne_bytes());
    b
}

/// Run `f` in the network namespace `netns`, on a short-lived thread (setns of a network
/// namespace moves the calling thread only, and a process that has joined another user
/// namespace could not switch back to the one it came from).
pub fn in_netns<T: Send>(netns: RawFd, f: impl FnOnce() -> io::Result<T> + Send) -> io::Result<T> {
    std::thread::scope(|s| {
        s.spawn(|| {
            // SAFETY: setns on a valid descriptor; only this thread moves.
            if unsafe { libc::setns(netns, libc::CLONE_NEWNET) } != 0 {
                return Err(io::Error::last_os_error());
            }
            f()
        })
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("the namespace thread panicked")))
    })
}

/// A NETLINK_ROUTE socket.
pub struct Netlink {
    fd: OwnedFd,
    seq: u32,
}

impl Netlink {
    /// A socket in this thread's network namespace.
    pub fn open() -> io::Result<Netlink> {
        // SAFETY: plain socket(2).
        let fd = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                libc::NETLINK_ROUTE,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: fd is a new descriptor we own.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(Netlink { fd, seq: 1 })
    }

    /// A socket acting on the network namespace `netns`.
    pub fn open_in(netns: RawFd) -> io::Result<Netlink> {
        in_netns(netns, Netlink::open)
    }

    /// Send one request and wait for its acknowledgement; replies other than the ack are
    /// returned (for GET requests).
    fn request(&mut self, ty: u16, flags: u16, body: &[u8]) -> io::Result<Vec<Vec<u8>>> {
        self.seq += 1;
        let seq = self.seq;
        let len = 16 + body.len();
        let mut buf = Vec::with_capacity(len);
        buf.extend_from_slice(&(len as u32).to_ne_bytes());
        buf.extend_from_slice(&ty.to_ne_bytes());
        buf.extend_from_slice(&(flags | NLM_F_REQUEST | NLM_F_ACK).to_ne_bytes());
        buf.extend_from_slice(&seq.to_ne_bytes());
        buf.extend_from_slice(&0u32.to_ne_bytes());
        buf.extend_from_slice(body);
        // SAFETY: sending our buffer on our socket (to the kernel: a zeroed sockaddr_nl).
        let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        addr.nl_family = libc::AF_NETLINK as u16;
        let n = unsafe {
            libc::sendto(
                self.fd.as_raw_fd(),
                buf.as_ptr().cast(),
                buf.len(),
                0,
                (&addr as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as u32,
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        let mut replies = Vec::new();
        let mut rbuf = vec![0u8; 65536];
        loop {
            // SAFETY: receiving into our buffer.
            let n =
                unsafe { libc::recv(self.fd.as_raw_fd(), rbuf.as_mut_ptr().cast(), rbuf.len(), 0) };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            let mut off = 0usize;
            let n = n as usize;
            while off + 16 <= n {
                let mlen = u32::from_ne_bytes(rbuf[off..off + 4].try_into().unwrap()) as usize;
                let mty = u16::from_ne_bytes(rbuf[off + 4..off + 6].try_into().unwrap());
                let mseq = u32::from_ne_bytes(rbuf[off + 8..off + 12].try_into().unwrap());
                if mlen < 16 || off + mlen > n {
                    return Err(io::Error::other("malformed netlink reply"));
                }
                if mseq == seq {
                    if mty == NLMSG_ERROR {
                        let err = i32::from_ne_bytes(rbuf[off + 16..off + 20].try_into().unwrap());
                        return if err == 0 {
                            Ok(replies)
                        } else {
                            Err(io::Error::from_raw_os_error(-err))
                        };
                    }
                    replies.push(rbuf[off + 16..off + mlen].to_vec());
                }
                off += (mlen + 3) & !3;
            }
        }
    }

    /// The index of the interface `name`, if there is one.
    pub fn link_index(&mut self, name: &str) -> io::Result<Option<i32>> {
        let mut m = Msg::new(&ifinfomsg(0, 0, 0));
        m.str_attr(IFLA_IFNAME, name);
        match self.request(RTM_GETLINK, 0, &m.0) {
            Ok(replies) => Ok(replies
                .first()
                .filter(|r| r.len() >= 8)
                .map(|r| i32::from_ne_bytes(r[4..8].try_into().unwrap()))),
            Err(e) if e.raw_os_error() == Some(libc::ENODEV) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn need_index(&mut self, name: &str) -> io::Result<i32> {
        self.link_index(name)?
            .ok_or_else(|| io::Error::other(format!("interface {name} does not exist")))
    }

    /// Create a bridge named `name` (EEXIST when it is there already), with MTU `mtu` (None:
    /// the kernel's default).
    pub fn add_bridge(&mut self, name: &str, mtu: Option<u32>) -> io::Result<()> {
        let mut m = Msg::new(&ifinfomsg(0, 0, 0));
        m.str_attr(IFLA_IFNAME, name);
        if let Some(mtu) = mtu {
            m.attr(IFLA_MTU, &mtu.to_ne_bytes());
        }
        m.nest(IFLA_LINKINFO, |li| {
            li.str_attr(IFLA_INFO_KIND, "bridge");
        });
        self.request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &m.0)
            .map(drop)
    }

    /// Create a veth pair: `name` here, `peer` created directly in the namespace `peer_netns`,
    /// both with MTU `mtu` (None: the kernel's default).
    pub fn add_veth(
        &mut self,
        name: &str,
        peer: &str,
        peer_netns: RawFd,
        mtu: Option<u32>,
    ) -> io::Result<()> {
        let mut m = Msg::new(&ifinfomsg(0, 0, 0));
        m.str_attr(IFLA_IFNAME, name);
        if let Some(mtu) = mtu {
            m.attr(IFLA_MTU, &mtu.to_ne_bytes());
        }
        m.nest(IFLA_LINKINFO, |li| {
            li.str_attr(IFLA_INFO_KIND, "veth")
                .nest(IFLA_INFO_DATA, |d| {
                    d.nest(VETH_INFO_PEER, |p| {
                        p.0.extend_from_slice(&ifinfomsg(0, 0, 0));
                        p.str_attr(IFLA_IFNAME, peer)
                            .attr(IFLA_NET_NS_FD, &(peer_netns as u32).to_ne_bytes());
                        if let Some(mtu) = mtu {
                            p.attr(IFLA_MTU, &mtu.to_ne_bytes());
                        }
                    });
                });
        });
        self.request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &m.0)
            .map(drop)
    }

    /// Set `name`'s master (attach it to a bridge), MAC address and bring it up, in one request.
    pub fn set_link(
        &mut self,
        name: &str,
        master: Option<&str>,
        mac: Option<[u8; 6]>,
        up: bool,
    ) -> io::Result<()> {
        let idx = self.need_index(name)?;
        let master = master.map(|m| self.need_index(m)).transpose()?;
        let (flags, change) = if up { (IFF_UP, IFF_UP) } else { (0, 0) };
        let mut m = Msg::new(&ifinfomsg(idx, flags, change));
        if let Some(mi) = master {
            m.attr(IFLA_MASTER, &(mi as u32).to_ne_bytes());
        }
        if let Some(mac) = mac {
            m.attr(IFLA_ADDRESS, &mac);
        }
        self.request(RTM_NEWLINK, 0, &m.0).map(drop)
    }

    /// Delete the interface `name` (a veth takes its peer with it); absent is fine.
    pub fn del_link(&mut self, name: &str) -> io::Result<()> {
        let Some(idx) = self.link_index(name)? else {
            return Ok(());
        };
        let m = Msg::new(&ifinfomsg(idx, 0, 0));
        match self.request(RTM_DELLINK, 0, &m.0) {
            Err(e) if e.raw_os_error() == Some(libc::ENODEV) => Ok(()),
            other => other.map(drop),
        }
    }

    /// Add `ip/prefix` to `name` (EEXIST when it has it).
    pub fn add_addr(&mut self, name: &str, ip: Ipv4Addr, prefix: u8) -> io::Result<()> {
        let idx = self.need_index(name)?;
        let mut fixed = [0u8; 8];
        fixed[0] = libc::AF_INET as u8;
        fixed[1] = prefix;
        fixed[4..8].copy_from_slice(&(idx as u32).to_ne_bytes());
        let bcast = u32::from(ip) | (u32::MAX.checked_shr(prefix as u32).unwrap_or(0));
        let mut m = Msg::new(&fixed);
        m.attr(IFA_LOCAL, &ip.octets())
            .attr(IFA_ADDRESS, &ip.octets())
            .attr(IFA_BROADCAST, &Ipv4Addr::from(bcast).octets());
        self.request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &m.0)
            .map(drop)
    }

    /// A default route through `gateway` on `dev`.
    pub fn add_default_route(&mut self, dev: &str, gateway: Ipv4Addr) -> io::Result<()> {
        let idx = self.need_index(dev)?;
        // rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags.
        let mut fixed = [0u8; 12];
        fixed[0] = libc::AF_INET as u8;
        fixed[4] = libc::RT_TABLE_MAIN;
        fixed[5] = libc::RTPROT_BOOT;
        fixed[6] = libc::RT_SCOPE_UNIVERSE;
        fixed[7] = libc::RTN_UNICAST;
        let mut m = Msg::new(&fixed);
        m.attr(RTA_GATEWAY, &gateway.octets())
            .attr(RTA_OIF, &(idx as u32).to_ne_bytes());
        self.request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &m.0)
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_length_prefixed_and_padded_to_four_bytes() {
        let mut m = Msg(Vec::new());
        m.str_attr(IFLA_IFNAME, "br0");
        assert_eq!(m.0.len(), 8);
        assert_eq!(u16::from_ne_bytes([m.0[0], m.0[1]]), 8);
        m.attr(IFLA_MASTER, &[1, 2, 3, 4, 5]);
        assert_eq!(m.0.len(), 8 + 12);
        assert_eq!(u16::from_ne_bytes([m.0[8], m.0[9]]), 9);
    }

    #[test]
    fn link_index_finds_loopback_in_our_namespace() {
        let mut nl = Netlink::open().unwrap();
        assert_eq!(nl.link_index("lo").unwrap(), Some(1));
        assert_eq!(nl.link_index("berthnone9").unwrap(), None);
    }
}
