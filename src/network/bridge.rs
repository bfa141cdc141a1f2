//! Wiring containers into user networks at start: the bridge per network (in the rootless
//! network namespace, or the host's as root), a veth pair per container and network whose
//! container end is eth0, eth1…, addresses, the default route, NAT and isolation rules, and the
//! network's DNS responder; and taking it down again with the last container.

use std::fs;
use std::io::Write;
use std::net::Ipv4Addr;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use super::netlink::{in_netns, Netlink};
use super::netns;
use crate::engine::container::Container;
use crate::engine::{Engine, EngineError, Result};
use crate::network::ipam::{parse_mac, Subnet};
use crate::runtime::process::SpawnHooks;
use crate::store::lock::FileLock;
use crate::store::networks::{Endpoint, NetworkRecord};

/// A container's networks, prepared before its process exists.
pub struct Plan {
    nets: Vec<(NetworkRecord, Endpoint)>,
    /// The namespace holding the bridges: the holder's (rootless) or ours (root).
    bridge_netns: String,
    id: String,
    run_root: PathBuf,
    store_root: PathBuf,
    lock: Option<FileLock>,
    /// Rootless: the monitor has joined the holder's user namespace, and the container is
    /// made in it (no namespace of its own: its ids are the holder's, mapped like berth's).
    pub rootless: bool,
}

fn users_dir(run_root: &std::path::Path) -> PathBuf {
    netns::state_dir(run_root).join("users")
}

fn lock(run_root: &std::path::Path) -> std::result::Result<FileLock, String> {
    let dir = netns::state_dir(run_root);
    fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    FileLock::exclusive(&dir.join("lock")).map_err(|e| format!("locking {}: {e}", dir.display()))
}

/// For a container on user networks: start what it needs (the holder, rootless) and, rootless,
/// move this monitor into the holder's user namespace. `None` for other network modes.
pub fn prepare(engine: &Engine, c: &Container) -> std::result::Result<Option<Plan>, String> {
    if !matches!(
        super::NetworkMode::parse(&c.record.config.network),
        Ok(super::NetworkMode::Networks(_))
    ) {
        return Ok(None);
    }
    let nets = engine.container_networks(c).map_err(|e| e.to_string())?;
    if nets.is_empty() {
        return Ok(None);
    }
    let run_root = engine.paths.run_root.clone();
    let guard = lock(&run_root)?;
    let rootless = engine.ident.rootless;
    let bridge_netns = if rootless {
        let holder = netns::ensure_holder(&run_root, &engine.ident)?;
        netns::join_userns(&holder.userns_path())
            .map_err(|e| format!("joining the rootless network namespace: {e}"))?;
        holder.netns_path()
    } else {
        "/proc/self/ns/net".to_string()
    };
    // Mark the container as a user of its networks before anything is wired, so a concurrent
    // last-container teardown keeps the holder.
    let users = users_dir(&run_root);
    let _ = fs::create_dir_all(&users);
    // SAFETY: getpid has no preconditions.
    let me = unsafe { libc::getpid() };
    netns::write_pidfile(&users.join(&c.record.id), me).map_err(|e| e.to_string())?;
    Ok(Some(Plan {
        nets,
        bridge_netns,
        id: c.record.id.clone(),
        run_root,
        store_root: engine.store.root().to_path_buf(),
        lock: Some(guard),
        rootless,
    }))
}

fn exists_ok(r: std::io::Result<()>) -> std::io::Result<()> {
    match r {
        Err(e) if e.raw_os_error() == Some(libc::EEXIST) => Ok(()),
        other => other,
    }
}

/// The MTU of bridges and veths in the rootless network namespace: that of the link to the
/// outside there (pasta's tap, slirp4netns --mtu=65520), as rootless docker has it. With 1500
/// a container's TCP to the outside went through pasta at a tenth of the speed or less.
pub const ROOTLESS_MTU: u32 = 65520;

/// The bridge of `net` in the namespace `nl` acts on, with the gateway address, up.
fn ensure_bridge(nl: &mut Netlink, net: &NetworkRecord, mtu: Option<u32>) -> std::io::Result<()> {
    let subnet: Subnet = net.subnet.parse().map_err(std::io::Error::other)?;
    let gw: Ipv4Addr = net.gateway.parse().map_err(std::io::Error::other)?;
    exists_ok(nl.add_bridge(&net.bridge, mtu))?;
    exists_ok(nl.add_addr(&net.bridge, gw, subnet.prefix))?;
    nl.set_link(&net.bridge, None, None, true)
}

/// Run `nft -f -` with `script` in the network namespace at `netns_path`.
fn nft(netns_path: &str, script: &str) -> std::result::Result<(), String> {
    let ns = fs::File::open(netns_path).map_err(|e| e.to_string())?;
    let fd = ns.as_raw_fd();
    let mut cmd = Command::new(crate::hostpaths::helper("nft").map_err(|e| e.to_string())?);
    cmd.args(["-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // SAFETY: only setns between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setns(fd, libc::CLONE_NEWNET) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().map_err(|e| format!("running nft: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(script.as_bytes());
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "nft: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Apply berth's table (`script`, which replaces it whole) in the namespace at `netns_path`,
/// unless it is exactly what was applied there last: a container whose networks' rules are
/// unchanged (every start on the default network after the first) spawns no nft.
fn apply_rules(
    run_root: &std::path::Path,
    netns_path: &str,
    script: &str,
) -> std::result::Result<(), String> {
    let applied = netns::applied_path(run_root);
    if fs::read_to_string(&applied).is_ok_and(|s| s == script) {
        return Ok(());
    }
    // Whatever happens next, the table may no longer be what the file says.
    netns::forget_applied(run_root);
    nft(netns_path, script)?;
    let _ = fs::write(&applied, script);
    Ok(())
}

/// berth's nftables table of the store whose run root is `run_root`: `berth_` and a hash of
/// the path, so two stores on one host (root's and a test's) never replace each other's rules.
fn table(run_root: &std::path::Path) -> String {
    let mut h: u32 = 0x811c9dc5;
    for b in run_root.as_os_str().as_encoded_bytes() {
        h ^= *b as u32;
        h = h.wrapping_mul(0x01000193);
    }
    format!("berth_{h:08x}")
}

fn delete_table(t: &str) -> String {
    format!("table ip {t} {{}}\ndelete table ip {t}\n")
}

/// The nftables table `t` for `nets`: forwarding only within a network and outward (never
/// between two of berth's bridges; not at all out of an --internal network), and masquerade
/// of outward traffic.
fn rules(t: &str, nets: &[NetworkRecord]) -> String {
    let mut s = delete_table(t);
    s.push_str(&format!("table ip {t} {{\n"));
    s.push_str(" chain forward {\n  type filter hook forward priority -10; policy accept;\n");
    for n in nets {
        let b = &n.bridge;
        if n.internal {
            s.push_str(&format!("  iifname \"{b}\" oifname != \"{b}\" drop\n"));
            s.push_str(&format!("  oifname \"{b}\" iifname != \"{b}\" drop\n"));
        } else {
            s.push_str(&format!(
                "  iifname \"{b}\" oifname != \"{b}\" oifname \"berth*\" drop\n"
            ));
        }
    }
    s.push_str(
        " }\n chain postrouting {\n  type nat hook postrouting priority 100; policy accept;\n",
    );
    for n in nets.iter().filter(|n| !n.internal) {
        s.push_str(&format!(
            "  ip saddr {} oifname != \"{}\" masquerade\n",
            n.subnet, n.bridge
        ));
    }
    s.push_str(" }\n}\n");
    s
}

/// The bridge-side name of container `id`'s veth on `net`: by network, not by position, so
/// `network disconnect` finds it (vb, 8 of the id, the bridge's number: within IFNAMSIZ).
fn host_end(id: &str, net: &NetworkRecord) -> String {
    let n = net.bridge.trim_start_matches(|c: char| !c.is_ascii_digit());
    format!("vb{}{n}", &id[..8.min(id.len())])
}

/// Wire container `id` into `net`: its bridge (made if missing), a veth whose container end is
/// `ifname` with the endpoint's MAC and address, and (`route`) the default route through the
/// network's gateway. `mtu`: of the bridge and veth (rootless: [`ROOTLESS_MTU`]).
#[allow(clippy::too_many_arguments)]
fn wire_one(
    outer: &mut Netlink,
    inner: &mut Netlink,
    ctr_ns: std::os::fd::RawFd,
    id: &str,
    net: &NetworkRecord,
    ep: &Endpoint,
    ifname: &str,
    route: bool,
    mtu: Option<u32>,
) -> std::result::Result<(), String> {
    let what =
        |step: &str, e: std::io::Error| format!("connecting to network {}: {step}: {e}", net.name);
    ensure_bridge(outer, net, mtu).map_err(|e| what("bridge", e))?;
    let host_end = host_end(id, net);
    let _ = outer.del_link(&host_end);
    outer
        .add_veth(&host_end, ifname, ctr_ns, mtu)
        .map_err(|e| what("veth", e))?;
    outer
        .set_link(&host_end, Some(&net.bridge), None, true)
        .map_err(|e| what("attaching the veth", e))?;
    let subnet: Subnet = net
        .subnet
        .parse()
        .map_err(|e: String| what("subnet", std::io::Error::other(e)))?;
    let ip: Ipv4Addr = ep
        .ip
        .parse()
        .map_err(|_| what("address", std::io::Error::other(ep.ip.clone())))?;
    inner
        .set_link(ifname, None, parse_mac(&ep.mac), true)
        .map_err(|e| what("interface", e))?;
    inner
        .add_addr(ifname, ip, subnet.prefix)
        .map_err(|e| what("address", e))?;
    if route && !net.internal {
        let gw: Ipv4Addr = net
            .gateway
            .parse()
            .map_err(|_| what("gateway", std::io::Error::other(net.gateway.clone())))?;
        inner
            .add_default_route(ifname, gw)
            .map_err(|e| what("route", e))?;
    }
    Ok(())
}

/// Whether no interface is attached to `bridge` (another store on the host may use the same
/// default bridge as root). `ns` is our own namespace there, where /sys shows its links.
fn bridge_is_empty(ns: &str, bridge: &str) -> bool {
    if ns != "/proc/self/ns/net" {
        return true;
    }
    fs::read_dir(format!("/sys/class/net/{bridge}/brif"))
        .map(|mut d| d.next().is_none())
        .unwrap_or(true)
}

/// Turn on IPv4 forwarding in the bridges' namespace. As root that is the host's setting: the
/// value found is saved (once) so the last container's teardown puts it back.
fn enable_forwarding(run_root: &std::path::Path, ns: std::os::fd::RawFd, host: bool) {
    const KEY: &str = "/proc/sys/net/ipv4/ip_forward";
    let saved = netns::state_dir(run_root).join("ip_forward.saved");
    let _ = in_netns(ns, || {
        let now = fs::read_to_string(KEY)?;
        if now.trim() != "1" {
            if host && !saved.exists() {
                fs::write(&saved, now.trim())?;
            }
            fs::write(KEY, "1")?;
        }
        Ok(())
    });
}

/// Put back the host's IPv4 forwarding setting `enable_forwarding` changed, if it did.
fn restore_forwarding(run_root: &std::path::Path) {
    let saved = netns::state_dir(run_root).join("ip_forward.saved");
    if let Ok(v) = fs::read_to_string(&saved) {
        let _ = fs::write("/proc/sys/net/ipv4/ip_forward", v.trim());
        let _ = fs::remove_file(&saved);
    }
}

impl Plan {
    fn wire(&mut self, pid: i32) -> std::result::Result<(), String> {
        let bridge_ns = fs::File::open(&self.bridge_netns)
            .map_err(|e| format!("opening {}: {e}", self.bridge_netns))?;
        let ctr_ns = fs::File::open(format!("/proc/{pid}/ns/net"))
            .map_err(|e| format!("opening the container's network namespace: {e}"))?;
        let mut outer = Netlink::open_in(bridge_ns.as_raw_fd())
            .map_err(|e| format!("netlink in the bridge namespace: {e}"))?;
        let mut inner = Netlink::open_in(ctr_ns.as_raw_fd())
            .map_err(|e| format!("netlink in the container: {e}"))?;
        enable_forwarding(&self.run_root, bridge_ns.as_raw_fd(), !self.rootless);
        inner
            .set_link("lo", None, None, true)
            .map_err(|e| format!("bringing up lo: {e}"))?;
        for (i, (net, ep)) in self.nets.iter().enumerate() {
            wire_one(
                &mut outer,
                &mut inner,
                ctr_ns.as_raw_fd(),
                &self.id,
                net,
                ep,
                &format!("eth{i}"),
                i == 0,
                self.rootless.then_some(ROOTLESS_MTU),
            )?;
        }
        let active = active_networks(&self.store_root, &self.run_root, &self.nets, self.rootless);
        apply_rules(
            &self.run_root,
            &self.bridge_netns,
            &rules(&table(&self.run_root), &active),
        )?;
        // docker's default bridge network has no name resolution: its containers use the
        // host's resolvers (and podman's likewise has dns_enabled false).
        for (net, _) in self
            .nets
            .iter()
            .filter(|(n, _)| n.name != crate::engine::network::DEFAULT_NETWORK)
        {
            super::dns::ensure(&self.run_root, &self.store_root, net, &self.bridge_netns)?;
        }
        Ok(())
    }
}

impl Plan {
    /// Where the forwarder of published ports connects: the container's address on its first
    /// network, and (rootless) the namespace holding the bridges, which it joins first.
    pub fn forward_target(&self) -> Option<(std::net::IpAddr, Option<String>)> {
        let (_, ep) = self.nets.first()?;
        let ip = ep.ip.parse().ok()?;
        Some((ip, self.rootless.then(|| self.bridge_netns.clone())))
    }
}

impl SpawnHooks for Plan {
    fn after_maps(&mut self, pid: i32) -> std::result::Result<(), String> {
        let r = self.wire(pid);
        self.lock = None;
        r
    }
}

fn read_networks(store_root: &std::path::Path) -> Vec<NetworkRecord> {
    let dir = store_root.join("networks");
    let mut out = Vec::new();
    for e in fs::read_dir(&dir).into_iter().flatten().flatten() {
        if let Some(n) = fs::read(e.path())
            .ok()
            .and_then(|b| serde_json::from_slice::<NetworkRecord>(&b).ok())
        {
            out.push(n);
        }
    }
    out
}

/// Container ids wired now (their marker names a live monitor).
fn live_users(run_root: &std::path::Path) -> Vec<String> {
    let dir = users_dir(run_root);
    let mut out = Vec::new();
    for e in fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if netns::read_pidfile(&e.path()).is_some() {
            out.push(name);
        } else {
            let _ = fs::remove_file(e.path());
        }
    }
    out
}

/// Whether network `name`'s bridge (and its rules) stays with no container on it: rootless,
/// the default network's, in R between containers, so that a container start only adds a veth
/// and the table does not change with every container on it.
fn bridge_stays(rootless: bool, name: &str) -> bool {
    rootless && name == crate::engine::network::DEFAULT_NETWORK
}

/// The networks with at least one wired container (plus `extra`, and those whose bridge
/// stays), by name.
fn active_networks(
    store_root: &std::path::Path,
    run_root: &std::path::Path,
    extra: &[(NetworkRecord, Endpoint)],
    rootless: bool,
) -> Vec<NetworkRecord> {
    let users = live_users(run_root);
    let mut nets: Vec<NetworkRecord> = read_networks(store_root)
        .into_iter()
        .filter(|n| {
            bridge_stays(rootless, &n.name) || n.endpoints.keys().any(|id| users.contains(id))
        })
        .collect();
    for (n, _) in extra {
        if !nets.iter().any(|x| x.name == n.name) {
            nets.push(n.clone());
        }
    }
    nets.sort_by(|a, b| a.name.cmp(&b.name));
    nets
}

/// The container's process has exited: stop the DNS responders and bridges no running
/// container uses any more (whether or not their network still lists this container: `rm`
/// may have released its endpoints already). Rootless, the holder and its pasta stay (the
/// next container only adds a veth), and so does the default network's bridge; as root, with
/// the last container berth's nft table goes. Every process is gone when this returns; what
/// is left (see [`Leftover`]) the caller finishes once it has reported the exit.
pub fn container_stopped(engine: &Engine, c: &Container) -> Option<Leftover> {
    let run_root = &engine.paths.run_root;
    let marker = users_dir(run_root).join(&c.record.id);
    if !marker.exists() {
        return None;
    }
    let Ok(_guard) = lock(run_root) else {
        let _ = fs::remove_file(&marker);
        return None;
    };
    let rootless = engine.ident.rootless;
    let live: Vec<String> = live_users(run_root)
        .into_iter()
        .filter(|id| id != &c.record.id)
        .collect();
    let store_root = engine.store.root();
    let nets = read_networks(store_root);
    let used = |name: &str| {
        bridge_stays(rootless, name)
            || nets
                .iter()
                .find(|n| n.name == name)
                .is_some_and(|n| n.endpoints.keys().any(|id| live.contains(id)))
    };
    for name in super::dns::recorded(run_root) {
        if !used(&name) {
            super::dns::stop(run_root, &name);
        }
    }
    let bridge_netns = if rootless {
        netns::read_pidfile(&netns::state_dir(run_root).join("holder.pid"))
            .map(|pid| format!("/proc/{pid}/ns/net"))
    } else {
        Some("/proc/self/ns/net".to_string())
    };
    let mut later = Leftover {
        netns: None,
        links: Vec::new(),
        marker: marker.clone(),
    };
    if let Some(ns) = &bridge_netns {
        // The container's veth ends go with its namespace, but not at once (and on every
        // network: `rm` may have released its endpoints already). Those on networks whose
        // bridge goes now are taken out first, so the bridge is seen empty; the others (the
        // rootless default network's, whose bridge stays) once the exit is reported, since
        // deleting an interface waits for the kernel's RCU grace period.
        let (after, unused): (Vec<&NetworkRecord>, Vec<&NetworkRecord>) =
            nets.iter().partition(|n| used(&n.name));
        later.links = after.iter().map(|n| host_end(&c.record.id, n)).collect();
        later.netns = Some(ns.clone());
        if !unused.is_empty() {
            if let Ok(f) = fs::File::open(ns) {
                if let Ok(mut nl) = Netlink::open_in(f.as_raw_fd()) {
                    for n in &unused {
                        let _ = nl.del_link(&host_end(&c.record.id, n));
                    }
                    for n in unused {
                        if bridge_is_empty(ns, &n.bridge) {
                            let _ = nl.del_link(&n.bridge);
                        }
                    }
                }
            }
        }
        if live.is_empty() && !rootless {
            restore_forwarding(run_root);
            netns::forget_applied(run_root);
            let _ = nft(ns, &delete_table(&table(run_root)));
        } else {
            let active = active_networks(store_root, run_root, &[], rootless);
            let _ = apply_rules(run_root, ns, &rules(&table(run_root), &active));
        }
    }
    Some(later)
}

/// The end of a stopped container's network teardown, once its exit is reported: its veth
/// ends on networks whose bridge stays, then its marker (so `wait_torn_down` waits for this).
#[must_use = "finish() removes the container's marker"]
pub struct Leftover {
    netns: Option<String>,
    links: Vec<String>,
    marker: PathBuf,
}

impl Leftover {
    pub fn finish(self) {
        if let (Some(ns), false) = (&self.netns, self.links.is_empty()) {
            if let Ok(f) = fs::File::open(ns) {
                if let Ok(mut nl) = Netlink::open_in(f.as_raw_fd()) {
                    for l in &self.links {
                        let _ = nl.del_link(l);
                    }
                }
            }
        }
        let _ = fs::remove_file(&self.marker);
    }
}

/// Stop the rootless network namespace (`system migrate`, `system reset`): the DNS responders,
/// pasta (or slirp4netns) and the holder, with R and its bridges. The next container on a
/// bridge network starts them again. Containers still wired into R lose their network.
pub fn stop_rootless_namespace(run_root: &std::path::Path) {
    let Ok(_guard) = lock(run_root) else {
        return;
    };
    for name in super::dns::recorded(run_root) {
        super::dns::stop(run_root, &name);
    }
    netns::stop_holder(run_root);
}

/// Wait (at most 30 s) until the network teardown of container `id`'s last run has finished:
/// its marker is gone or names a dead monitor. `stop` and `rm` call this after the container
/// has exited, so no responder, pasta or holder outlives the command that ended the last user.
pub fn wait_torn_down(run_root: &std::path::Path, id: &str) {
    let marker = users_dir(run_root).join(id);
    // SAFETY: getpid has no preconditions.
    let me = unsafe { libc::getpid() };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while let Some(pid) = netns::read_pidfile(&marker) {
        if pid == me || std::time::Instant::now() >= deadline {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// As root: take a removed network's bridge out of the host (the last container's teardown
/// normally has; this covers a network whose bridge outlived a crash).
pub fn network_removed(engine: &Engine, net: &NetworkRecord) {
    if engine.ident.rootless {
        return;
    }
    if let Ok(f) = fs::File::open("/proc/self/ns/net") {
        if let Ok(mut nl) = Netlink::open_in(f.as_raw_fd()) {
            let _ = nl.del_link(&net.bridge);
        }
    }
}

/// Run `body` in a forked child (joining the holder's user namespace is irreversible, and
/// setns wants a single-threaded process), with the networks lock held; its error comes back
/// through a pipe.
fn in_child(
    engine: &Engine,
    body: impl FnOnce(&str) -> std::result::Result<(), String>,
) -> std::result::Result<(), String> {
    let run_root = engine.paths.run_root.clone();
    let rootless = engine.ident.rootless;
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills two new descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(format!("pipe: {}", std::io::Error::last_os_error()));
    }
    // SAFETY: new descriptors we own.
    let (r, w) = unsafe {
        use std::os::fd::FromRawFd;
        (fs::File::from_raw_fd(fds[0]), fs::File::from_raw_fd(fds[1]))
    };
    // SAFETY: fork from the single-threaded CLI; the child only does its work and _exits.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(format!("fork: {}", std::io::Error::last_os_error()));
    }
    if pid == 0 {
        drop(r);
        let result = (|| {
            let _guard = lock(&run_root)?;
            let bridge_netns = if rootless {
                let pid = netns::read_pidfile(&netns::state_dir(&run_root).join("holder.pid"))
                    .ok_or("the rootless network namespace is not running")?;
                netns::join_userns(&format!("/proc/{pid}/ns/user"))
                    .map_err(|e| format!("joining the rootless network namespace: {e}"))?;
                format!("/proc/{pid}/ns/net")
            } else {
                "/proc/self/ns/net".to_string()
            };
            body(&bridge_netns)
        })();
        let mut w = w;
        let code = match result {
            Ok(()) => 0,
            Err(m) => {
                let _ = w.write_all(m.as_bytes());
                1
            }
        };
        // SAFETY: leave without the parent's destructors.
        unsafe { libc::_exit(code) };
    }
    drop(w);
    let mut msg = String::new();
    let _ = std::io::Read::read_to_string(&mut { r }, &mut msg);
    let mut st = 0;
    // SAFETY: reaping our child.
    unsafe { libc::waitpid(pid, &mut st, 0) };
    if libc::WIFEXITED(st) && libc::WEXITSTATUS(st) == 0 {
        Ok(())
    } else if msg.is_empty() {
        Err("the helper process failed".into())
    } else {
        Err(msg)
    }
}

/// The container's /etc/hosts, rewritten in place (it is bind-mounted: the inode must stay).
fn edit_hosts(
    engine: &Engine,
    c: &Container,
    edit: impl FnOnce(&mut Vec<String>),
) -> std::io::Result<()> {
    let path = engine
        .store
        .container_dir(&c.record.id)
        .join("userdata")
        .join("hosts");
    let text = fs::read_to_string(&path)?;
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    edit(&mut lines);
    let mut out = lines.join("\n");
    out.push('\n');
    let mut f = fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&path)?;
    f.write_all(out.as_bytes())
}

/// `network connect` on a running container: a veth into its network namespace (the next free
/// ethN), the network's bridge, nft rules and responder as at start, and its /etc/hosts line.
/// The endpoint is in the network's record already (the responder reads it from there).
pub fn connect_running(engine: &Engine, c: &Container, net: &NetworkRecord) -> Result<()> {
    let ep = net.endpoints.get(&c.record.id).cloned().ok_or_else(|| {
        EngineError::Invalid(format!(
            "container {} has no endpoint on {}",
            c.record.name, net.name
        ))
    })?;
    let pid = c.state.pid;
    let id = c.record.id.clone();
    let rootless = engine.ident.rootless;
    let run_root = engine.paths.run_root.clone();
    let store_root = engine.store.root().to_path_buf();
    let failed = |m: String| {
        EngineError::Invalid(format!(
            "connecting container {} to network {}: {m}",
            c.record.name, net.name
        ))
    };
    in_child(engine, |bridge_netns| {
        let bridge_ns = fs::File::open(bridge_netns).map_err(|e| e.to_string())?;
        let ctr_ns = fs::File::open(format!("/proc/{pid}/ns/net"))
            .map_err(|e| format!("opening the container's network namespace: {e}"))?;
        let mut outer = Netlink::open_in(bridge_ns.as_raw_fd()).map_err(|e| e.to_string())?;
        let mut inner = Netlink::open_in(ctr_ns.as_raw_fd()).map_err(|e| e.to_string())?;
        let ifname = (0..)
            .map(|i| format!("eth{i}"))
            .find(|n| matches!(inner.link_index(n), Ok(None)))
            .expect("a free interface name");
        // Its first network: a container that had none yet gets the default route too.
        let route = matches!(inner.link_index("eth0"), Ok(None));
        wire_one(
            &mut outer,
            &mut inner,
            ctr_ns.as_raw_fd(),
            &id,
            net,
            &ep,
            &ifname,
            route,
            rootless.then_some(ROOTLESS_MTU),
        )?;
        let active = active_networks(
            &store_root,
            &run_root,
            &[(net.clone(), ep.clone())],
            rootless,
        );
        apply_rules(&run_root, bridge_netns, &rules(&table(&run_root), &active))?;
        if net.name != crate::engine::network::DEFAULT_NETWORK {
            super::dns::ensure(&run_root, &store_root, net, bridge_netns)?;
        }
        Ok(())
    })
    .map_err(failed)?;
    let line = format!("{}\t{} {}", ep.ip, c.record.config.hostname, c.record.name);
    edit_hosts(engine, c, |l| l.push(line))
        .map_err(|e| failed(format!("updating its /etc/hosts: {e}")))
}

/// `network disconnect` on a running container: its veth on the network goes (both ends), the
/// network's responder and bridge too when no other running container uses it, and its
/// /etc/hosts line. The caller then drops the endpoint from the network's record.
pub fn disconnect_running(engine: &Engine, c: &Container, net: &NetworkRecord) -> Result<()> {
    let ep = net.endpoints.get(&c.record.id).cloned().unwrap_or_default();
    let id = c.record.id.clone();
    let rootless = engine.ident.rootless;
    let keep_bridge = bridge_stays(rootless, &net.name);
    let run_root = engine.paths.run_root.clone();
    let store_root = engine.store.root().to_path_buf();
    let failed = |m: String| {
        EngineError::Invalid(format!(
            "disconnecting container {} from network {}: {m}",
            c.record.name, net.name
        ))
    };
    in_child(engine, |bridge_netns| {
        let bridge_ns = fs::File::open(bridge_netns).map_err(|e| e.to_string())?;
        let mut outer = Netlink::open_in(bridge_ns.as_raw_fd()).map_err(|e| e.to_string())?;
        match outer.del_link(&host_end(&id, net)) {
            Err(e) if e.raw_os_error() != Some(libc::ENODEV) => {
                return Err(format!("removing its interface: {e}"))
            }
            _ => {}
        }
        let live = live_users(&run_root);
        let others = net
            .endpoints
            .keys()
            .any(|other| other != &id && live.contains(other));
        if !others {
            super::dns::stop(&run_root, &net.name);
            if !keep_bridge && bridge_is_empty(bridge_netns, &net.bridge) {
                let _ = outer.del_link(&net.bridge);
            }
        }
        let mut active = active_networks(&store_root, &run_root, &[], rootless);
        if !others && !keep_bridge {
            active.retain(|n| n.name != net.name);
        }
        apply_rules(&run_root, bridge_netns, &rules(&table(&run_root), &active))
    })
    .map_err(failed)?;
    let prefix = format!("{}\t", ep.ip);
    edit_hosts(engine, c, |l| {
        if let Some(i) = l.iter().rposition(|x| x.starts_with(&prefix)) {
            l.remove(i);
        }
    })
    .map_err(|e| failed(format!("updating its /etc/hosts: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(name: &str, bridge: &str, internal: bool) -> NetworkRecord {
        NetworkRecord {
            name: name.into(),
            bridge: bridge.into(),
            subnet: "10.89.3.0/24".into(),
            internal,
            ..Default::default()
        }
    }

    #[test]
    fn rootless_rules_keep_the_default_network_so_they_do_not_change_per_container() {
        let store = tempfile::tempdir().unwrap();
        let run = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(store.path().join("networks")).unwrap();
        let mut user = net("zeta", "berth5", false);
        user.endpoints.insert("c1".into(), Endpoint::default());
        for n in [net("bridge", "berth0", false), user] {
            std::fs::write(
                store
                    .path()
                    .join("networks")
                    .join(format!("{}.json", n.name)),
                serde_json::to_vec(&n).unwrap(),
            )
            .unwrap();
        }
        // No container is wired (c1's marker is missing): as root nothing is active; rootless
        // the default network stays, whatever else comes and goes.
        let names = |keep: bool, extra: &[(NetworkRecord, Endpoint)]| -> Vec<String> {
            active_networks(store.path(), run.path(), extra, keep)
                .into_iter()
                .map(|n| n.name)
                .collect()
        };
        assert!(names(false, &[]).is_empty());
        assert_eq!(names(true, &[]), ["bridge"]);
        // Sorted by name, so the same set always makes the same script.
        let extra = [(net("alpha", "berth7", false), Endpoint::default())];
        assert_eq!(names(true, &extra), ["alpha", "bridge"]);
    }

    #[test]
    fn host_end_fits_ifnamsiz_and_differs_per_network() {
        let id = "0123456789abcdef0123456789abcdef";
        let a = host_end(id, &net("a", "berth1", false));
        let b = host_end(id, &net("b", "berth12345", false));
        assert_eq!(a, "vb012345671");
        assert!(b.len() <= 15, "{b}");
        assert_ne!(a, b);
    }

    #[test]
    fn each_store_gets_its_own_table_and_internal_networks_get_no_masquerade() {
        let t1 = table(std::path::Path::new("/run/user/1000/berth"));
        let t2 = table(std::path::Path::new("/tmp/x/run/berth"));
        assert!(t1.starts_with("berth_") && t1 != t2);
        let r = rules(&t1, &[net("a", "berth1", false), net("i", "berth2", true)]);
        assert!(r.starts_with(&format!("table ip {t1} {{}}\ndelete table ip {t1}\n")));
        assert!(r.contains("iifname \"berth1\" oifname != \"berth1\" oifname \"berth*\" drop"));
        assert!(r.contains("iifname \"berth2\" oifname != \"berth2\" drop"));
        assert_eq!(r.matches("masquerade").count(), 1);
    }
}
