//! Published ports of a container on a bridge network (the default one or a user network), as
//! podman 5's rootlessport does it: a small forwarder process per container, forked from its
//! monitor, that owns the listening sockets in the host's network namespace (bound by the
//! monitor before the container starts, so a port in use fails the start) and relays what
//! arrives to the container's address on its first network. Rootless it first joins the
//! network namespace R of the per-user holder (the monitor is already in its user namespace
//! U), where the bridges are; the sockets bound before keep the host's namespace. As root the
//! bridges are in the host's namespace and it joins nothing.
//!
//! TCP: a thread per listener accepts, and each connection gets a connection to the container
//! and a thread per direction; a half-close (EOF one way) is passed on with shutdown(SHUT_WR).
//! UDP: a thread per listener; each client address gets its own socket towards the container
//! (so replies find their way back) and a thread that relays the replies, until the flow has
//! been idle for [`UDP_IDLE`].
//!
//! The monitor kills it (SIGKILL) when the container exits, and it dies with the monitor
//! (PR_SET_PDEATHSIG): it never outlives the container.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::store::containers::PortMapping;

/// How long a UDP flow (one client address) may be silent both ways before its socket towards
/// the container is closed.
pub const UDP_IDLE: Duration = Duration::from_secs(60);
/// How long a connection to the container may take before the client's is closed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The relay threads' stacks (a copy buffer and little else).
const STACK: usize = 128 * 1024;

/// One published port's host side, bound.
pub enum Listener {
    Tcp(TcpListener, u16),
    Udp(UdpSocket, u16),
}

impl Listener {
    fn fd(&self) -> RawFd {
        match self {
            Listener::Tcp(l, _) => l.as_raw_fd(),
            Listener::Udp(u, _) => u.as_raw_fd(),
        }
    }
}

/// Bind the host side of every mapping (host ports chosen already, at create) in this
/// process's network namespace: the port-in-use error comes before the container starts.
pub fn bind(ports: &[PortMapping]) -> Result<Vec<Listener>, super::NetworkError> {
    ports
        .iter()
        .map(|p| {
            let addr = super::ports::bind_addr(p, p.host_port);
            let r = if p.protocol == "udp" {
                UdpSocket::bind(addr).map(|u| Listener::Udp(u, p.container_port))
            } else {
                TcpListener::bind(addr).map(|l| Listener::Tcp(l, p.container_port))
            };
            r.map_err(|e| super::ports::in_use(p, p.host_port, e))
        })
        .collect()
}

/// A running forwarder, a child of the monitor.
pub struct Forwarder {
    pid: i32,
}

impl Forwarder {
    /// Fork the forwarder for `listeners` towards `target` (the container's address), in the
    /// network namespace at `netns` (rootless: the holder's R; `None`: this one). The caller
    /// (a monitor) must be single-threaded.
    pub fn spawn(
        listeners: Vec<Listener>,
        target: IpAddr,
        netns: Option<&str>,
    ) -> io::Result<Forwarder> {
        let ns = netns.map(std::fs::File::open).transpose()?;
        // SAFETY: getpid has no preconditions.
        let parent = unsafe { libc::getpid() };
        // SAFETY: fork from the single-threaded monitor; the child only relays and never
        // returns into the monitor's code.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(io::Error::last_os_error());
        }
        if pid == 0 {
            // SAFETY: the death signal, then a check that the parent did not die before it.
            unsafe {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
                if libc::getppid() != parent {
                    libc::_exit(0);
                }
            }
            super::netns::set_process_name("berth-forward");
            let mut keep: Vec<RawFd> = listeners.iter().map(Listener::fd).collect();
            if let Some(f) = &ns {
                keep.push(f.as_raw_fd());
            }
            super::netns::detach_stdio_and_close_all_but(&keep);
            if let Some(f) = &ns {
                // SAFETY: setns on a descriptor we opened, in this single-threaded child.
                if unsafe { libc::setns(f.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
                    // SAFETY: leave without the monitor's destructors.
                    unsafe { libc::_exit(1) };
                }
            }
            drop(ns);
            serve(listeners, target);
            loop {
                // SAFETY: wait for the SIGKILL that ends us.
                unsafe { libc::pause() };
            }
        }
        Ok(Forwarder { pid })
    }
}

impl Drop for Forwarder {
    /// Stop it and reap it.
    fn drop(&mut self) {
        // SAFETY: killing and reaping our own child.
        unsafe {
            libc::kill(self.pid, libc::SIGKILL);
            let mut st = 0;
            libc::waitpid(self.pid, &mut st, 0);
        }
    }
}

/// Start a relay thread per listener (in this process's current network namespace, where
/// `target` is reachable), then return.
pub fn serve(listeners: Vec<Listener>, target: IpAddr) {
    for l in listeners {
        let spawned = match l {
            Listener::Tcp(l, port) => thread(move || accept_loop(l, SocketAddr::new(target, port))),
            Listener::Udp(u, port) => {
                thread(move || udp_loop(Arc::new(u), SocketAddr::new(target, port), UDP_IDLE))
            }
        };
        if spawned.is_err() {
            // SAFETY: a forwarder that cannot relay every port ends; the monitor sees it.
            unsafe { libc::_exit(1) };
        }
    }
}

fn thread(body: impl FnOnce() + Send + 'static) -> io::Result<()> {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(body)
        .map(|_| ())
}

fn accept_loop(l: TcpListener, target: SocketAddr) {
    loop {
        match l.accept() {
            Ok((client, _)) => {
                let _ = thread(move || relay_tcp(client, target));
            }
            Err(e) if e.raw_os_error() == Some(libc::EINTR) => {}
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Copy `from` to `to` until EOF, then pass the half-close on; on an error both go down, so
/// the other direction's thread ends too.
fn pump(mut from: &TcpStream, mut to: &TcpStream) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) => {
                let _ = to.shutdown(Shutdown::Write);
                return;
            }
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}

/// One TCP connection: connect to the container, then relay both ways.
fn relay_tcp(client: TcpStream, target: SocketAddr) {
    let Ok(server) = TcpStream::connect_timeout(&target, CONNECT_TIMEOUT) else {
        return; // the client's connection closes: nothing listens in the container
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (c, s) = (Arc::new(client), Arc::new(server));
    let (c2, s2) = (c.clone(), s.clone());
    if thread(move || pump(&c2, &s2)).is_err() {
        return;
    }
    pump(&s, &c);
}

/// Milliseconds since `epoch`, for the flows' last-activity stamps.
fn since(epoch: Instant) -> u64 {
    epoch.elapsed().as_millis() as u64
}

struct Flow {
    sock: Arc<UdpSocket>,
    last: Arc<AtomicU64>,
}

/// Relay datagrams arriving on `listener` to `target`, each client address through a socket
/// of its own whose replies go back to that client, until it has been idle for `idle`.
pub fn udp_loop(listener: Arc<UdpSocket>, target: SocketAddr, idle: Duration) {
    relay_udp(listener, target, idle, Arc::default());
}

type Flows = Arc<Mutex<HashMap<SocketAddr, Flow>>>;

fn relay_udp(listener: Arc<UdpSocket>, target: SocketAddr, idle: Duration, flows: Flows) {
    let epoch = Instant::now();
    let mut buf = vec![0u8; 65536];
    loop {
        let (n, client) = match listener.recv_from(&mut buf) {
            Ok(x) => x,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        let existing = flows
            .lock()
            .unwrap()
            .get(&client)
            .map(|f| (f.sock.clone(), f.last.clone()));
        let (sock, last) = match existing {
            Some(x) => x,
            None => match new_flow(&listener, &flows, client, target, idle, epoch) {
                Some(x) => x,
                None => continue,
            },
        };
        last.store(since(epoch), Ordering::Relaxed);
        let _ = sock.send(&buf[..n]);
    }
}

/// A socket towards `target` for `client`, and the thread that relays its replies and ends
/// the flow when idle.
fn new_flow(
    listener: &Arc<UdpSocket>,
    flows: &Flows,
    client: SocketAddr,
    target: SocketAddr,
    idle: Duration,
    epoch: Instant,
) -> Option<(Arc<UdpSocket>, Arc<AtomicU64>)> {
    let local: SocketAddr = match target {
        SocketAddr::V4(_) => "0.0.0.0:0".parse().unwrap(),
        SocketAddr::V6(_) => "[::]:0".parse().unwrap(),
    };
    let sock = UdpSocket::bind(local).ok()?;
    sock.connect(target).ok()?;
    // Wake up often enough to notice the idle limit.
    sock.set_read_timeout(Some((idle / 4).max(Duration::from_millis(10))))
        .ok()?;
    let sock = Arc::new(sock);
    let last = Arc::new(AtomicU64::new(since(epoch)));
    flows.lock().unwrap().insert(
        client,
        Flow {
            sock: sock.clone(),
            last: last.clone(),
        },
    );
    let (listener, flows2, sock2, last2) =
        (listener.clone(), flows.clone(), sock.clone(), last.clone());
    let started = thread(move || {
        let mut buf = vec![0u8; 65536];
        loop {
            match sock2.recv(&mut buf) {
                Ok(n) => {
                    last2.store(since(epoch), Ordering::Relaxed);
                    let _ = listener.send_to(&buf[..n], client);
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                            | io::ErrorKind::ConnectionRefused
                    ) =>
                {
                    let quiet = since(epoch).saturating_sub(last2.load(Ordering::Relaxed));
                    if quiet >= idle.as_millis() as u64 {
                        // Under the lock, so a datagram arriving now makes a new flow.
                        let mut f = flows2.lock().unwrap();
                        if since(epoch).saturating_sub(last2.load(Ordering::Relaxed))
                            >= idle.as_millis() as u64
                        {
                            f.remove(&client);
                            return;
                        }
                    }
                }
                Err(_) => {
                    flows2.lock().unwrap().remove(&client);
                    return;
                }
            }
        }
    });
    if started.is_err() {
        flows.lock().unwrap().remove(&client);
        return None;
    }
    Some((sock, last))
}

/// The number of live UDP flows of a relay (for the tests).
#[cfg(test)]
fn flow_count(flows: &Flows) -> usize {
    flows.lock().unwrap().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_relay_carries_both_ways_and_passes_the_half_close_on() {
        // The "container": echoes what it reads, then says bye once the client has finished.
        let server = TcpListener::bind("127.0.0.1:0").unwrap();
        let target = server.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut s, _) = server.accept().unwrap();
            let mut got = Vec::new();
            s.read_to_end(&mut got).unwrap(); // returns only on the relayed half-close
            s.write_all(&got).unwrap();
            s.write_all(b" bye").unwrap();
        });
        let front = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = front.local_addr().unwrap().port();
        serve(vec![Listener::Tcp(front, target.port())], target.ip());
        let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        c.write_all(b"hello").unwrap();
        c.shutdown(Shutdown::Write).unwrap();
        let mut answer = String::new();
        c.read_to_string(&mut answer).unwrap();
        assert_eq!(answer, "hello bye");
    }

    #[test]
    fn tcp_relay_closes_the_client_when_nothing_listens_in_the_container() {
        let gone = TcpListener::bind("127.0.0.1:0").unwrap();
        let target = gone.local_addr().unwrap();
        drop(gone);
        let front = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = front.local_addr().unwrap().port();
        serve(vec![Listener::Tcp(front, target.port())], target.ip());
        let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut buf = [0u8; 8];
        assert!(matches!(c.read(&mut buf), Ok(0) | Err(_)));
    }

    #[test]
    fn udp_relay_answers_each_client_and_forgets_idle_flows() {
        let echo = UdpSocket::bind("127.0.0.1:0").unwrap();
        let target = echo.local_addr().unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 512];
            loop {
                let (n, from) = echo.recv_from(&mut buf).unwrap();
                let mut reply = b"echo:".to_vec();
                reply.extend_from_slice(&buf[..n]);
                echo.send_to(&reply, from).unwrap();
            }
        });
        let front = Arc::new(UdpSocket::bind("127.0.0.1:0").unwrap());
        let front_addr = front.local_addr().unwrap();
        let flows: Flows = Arc::default();
        {
            let (front, flows) = (front.clone(), flows.clone());
            std::thread::spawn(move || relay_udp(front, target, Duration::from_millis(300), flows));
        }
        let ask = |c: &UdpSocket, what: &str| {
            c.send_to(what.as_bytes(), front_addr).unwrap();
            let mut buf = [0u8; 512];
            let n = c.recv(&mut buf).unwrap();
            String::from_utf8_lossy(&buf[..n]).into_owned()
        };
        let a = UdpSocket::bind("127.0.0.1:0").unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").unwrap();
        for c in [&a, &b] {
            c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        }
        assert_eq!(ask(&a, "one"), "echo:one");
        assert_eq!(ask(&b, "two"), "echo:two");
        assert_eq!(ask(&a, "three"), "echo:three");
        assert_eq!(flow_count(&flows), 2);
        let deadline = Instant::now() + Duration::from_secs(5);
        while flow_count(&flows) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(flow_count(&flows), 0, "idle flows were not expired");
        // A client that comes back after its flow expired gets a new one.
        assert_eq!(ask(&a, "again"), "echo:again");
    }
}
