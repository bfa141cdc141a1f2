//! pasta (from passt): a user-mode network stack for the container's namespace, with the
//! published ports forwarded from the host by pasta itself.
//!
//! Started against the container's namespaces while the container mounts its rootfs; pasta
//! configures the interface, address and routes (`--config-net`), then forks into the
//! background and its first process exits: that exit is the "ready" signal. The background pid
//! comes from `--pid FILE`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::hostloop::{self, HostLoopback};
use super::NetworkError;
use crate::store::containers::PortMapping;

/// A pasta that has been started and not yet waited for.
pub struct Starting {
    child: Child,
    pid_file: PathBuf,
    log_file: PathBuf,
    /// As root: where the container's network namespace is bind-mounted for pasta.
    netns_mount: Option<PathBuf>,
}

/// pasta's `-t`/`-u` spec for one mapping: `[ADDR/]HOST_PORT:CONTAINER_PORT`.
fn forward_spec(p: &PortMapping) -> String {
    let ports = format!("{}:{}", p.host_port, p.container_port);
    if p.host_ip.is_empty() {
        ports
    } else {
        format!("{}/{ports}", p.host_ip)
    }
}

/// pasta's arguments for the namespaces of `pid` (before the user's `--network pasta:OPTS`);
/// `host` is how the container reaches the host's loopback (the address its /etc/hosts names).
pub fn args(
    pid: i32,
    ports: &[PortMapping],
    pid_file: &Path,
    opts: &[String],
    netns: &Path,
    host: Option<&HostLoopback>,
) -> Vec<String> {
    let mut a: Vec<String> = vec!["--config-net".into(), "--quiet".into()];
    if let Some(h) = host {
        a.extend(h.pasta_args());
    }
    for (flag, proto) in [("-t", "tcp"), ("-u", "udp")] {
        let specs: Vec<String> = ports
            .iter()
            .filter(|p| p.protocol == proto)
            .map(forward_spec)
            .collect();
        if specs.is_empty() {
            a.extend([flag.to_string(), "none".into()]);
        } else {
            for s in specs {
                a.extend([flag.to_string(), s]);
            }
        }
    }
    // No forwarding from the container's loopback to the host's unless asked for: `auto`
    // would scan and follow the host's bound ports.
    if !opts.iter().any(|o| o == "-T" || o.starts_with("--tcp-ns")) {
        a.extend(["-T".into(), "none".into()]);
    }
    if !opts.iter().any(|o| o == "-U" || o.starts_with("--udp-ns")) {
        a.extend(["-U".into(), "none".into()]);
    }
    a.extend(opts.iter().cloned());
    a.extend([
        "--pid".into(),
        pid_file.display().to_string(),
        "--netns".into(),
        netns.display().to_string(),
    ]);
    // A bind-mounted namespace file (root) goes away once pasta is up: pasta must not take that
    // as the container's end (the container's exit is the monitor's to report).
    if !netns.starts_with("/proc") {
        a.push("--no-netns-quit".into());
    }
    // A rootless container's network namespace belongs to its user namespace, which pasta must
    // join to configure it.
    if Path::new(&format!("/proc/{pid}/ns/user")).exists()
        && fs::read_link(format!("/proc/{pid}/ns/user")).ok()
            != fs::read_link("/proc/self/ns/user").ok()
    {
        a.extend(["--userns".into(), format!("/proc/{pid}/ns/user")]);
    }
    // As root pasta would otherwise drop to "nobody", who cannot open the namespaces.
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        a.extend(["--runas".into(), "0".into()]);
    }
    a
}

/// Start pasta for the container whose init is `pid`; `dir` holds its pid and log files.
pub fn start(
    pid: i32,
    ports: &[PortMapping],
    opts: &[String],
    dir: &Path,
) -> Result<Starting, NetworkError> {
    let program = crate::hostpaths::helper("pasta")?;
    let pid_file = dir.join("pasta.pid");
    let log_file = dir.join("pasta.log");
    let _ = fs::remove_file(&pid_file);
    let log = fs::File::create(&log_file)
        .map_err(|e| NetworkError::Backend(format!("creating {}: {e}", log_file.display())))?;
    // As root, this pasta cannot open /proc/PID/ns/net (it sandboxes itself first) but opens a
    // bind-mounted namespace file, as `ip netns` makes them.
    // SAFETY: geteuid has no preconditions.
    let netns_mount = if unsafe { libc::geteuid() } == 0 {
        let at = dir.join("netns");
        fs::File::create(&at)
            .and_then(|_| {
                crate::runtime::rootfs::mount(
                    Some(Path::new(&format!("/proc/{pid}/ns/net"))),
                    &at,
                    None,
                    libc::MS_BIND,
                    None,
                )
            })
            .map_err(|e| {
                NetworkError::Backend(format!(
                    "binding the container's network namespace for pasta at {}: {e}",
                    at.display()
                ))
            })?;
        Some(at)
    } else {
        None
    };
    let netns = netns_mount
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("/proc/{pid}/ns/net")));
    let host = hostloop::host_plan(opts);
    let child = Command::new(program)
        .args(args(pid, ports, &pid_file, opts, &netns, host.as_ref()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(|e| {
            unbind(netns_mount.as_deref());
            NetworkError::Backend(format!("starting pasta: {e}"))
        })?;
    Ok(Starting {
        child,
        pid_file,
        log_file,
        netns_mount,
    })
}

/// Remove the namespace file bound for pasta (it holds its own reference once started).
fn unbind(at: Option<&Path>) {
    if let Some(at) = at {
        let _ = rustix::mount::unmount(at, rustix::mount::UnmountFlags::DETACH);
        let _ = fs::remove_file(at);
    }
}

/// What a backend wrote to its log, without the noise of a missing syslog.
pub(crate) fn log_tail(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("Failed to send") && !l.contains("Changing to nobody")
        })
        .collect();
    lines.join("; ")
}

impl Starting {
    /// Wait until pasta has configured the namespace; the pid of the pasta left running.
    pub fn wait(mut self) -> Result<i32, NetworkError> {
        let status = self.child.wait();
        unbind(self.netns_mount.take().as_deref());
        let status =
            status.map_err(|e| NetworkError::Backend(format!("waiting for pasta: {e}")))?;
        if !status.success() {
            let why = log_tail(&self.log_file);
            return Err(NetworkError::Backend(format!(
                "pasta could not set up the container's network ({status}): {}",
                if why.is_empty() { "no message" } else { &why }
            )));
        }
        let text = fs::read_to_string(&self.pid_file).unwrap_or_default();
        text.trim().parse().map_err(|_| {
            NetworkError::Backend(format!(
                "pasta started but wrote no pid to {}",
                self.pid_file.display()
            ))
        })
    }

    /// Give up on a pasta that is still starting (the container failed meanwhile).
    pub fn abandon(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        unbind(self.netns_mount.take().as_deref());
        if let Some(pid) = fs::read_to_string(&self.pid_file)
            .ok()
            .and_then(|t| t.trim().parse::<i32>().ok())
        {
            // SAFETY: signalling the pasta we started.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_forward_published_ports_and_nothing_else() {
        let ports = vec![
            PortMapping {
                host_ip: String::new(),
                host_port: 8080,
                container_port: 80,
                protocol: "tcp".into(),
            },
            PortMapping {
                host_ip: "127.0.0.1".into(),
                host_port: 5353,
                container_port: 53,
                protocol: "udp".into(),
            },
        ];
        let ns = Path::new("/proc/1/ns/net");
        let a = args(1, &ports, Path::new("/x/pasta.pid"), &[], ns, None).join(" ");
        assert!(a.contains("-t 8080:80"), "{a}");
        assert!(a.contains("-u 127.0.0.1/5353:53"), "{a}");
        assert!(a.contains("-T none") && a.contains("-U none"), "{a}");
        assert!(!a.contains("-t none"), "{a}");
        let a = args(
            1,
            &[],
            Path::new("/x/pasta.pid"),
            &["-T".into(), "8080".into()],
            ns,
            None,
        )
        .join(" ");
        assert!(a.contains("-t none -u none"), "{a}");
        assert!(!a.contains("-T none") && a.contains("-T 8080"), "{a}");
    }

    #[test]
    fn args_carry_how_the_host_loopback_is_reached() {
        let ns = Path::new("/proc/1/ns/net");
        let pid = Path::new("/x/pasta.pid");
        let a = args(1, &[], pid, &[], ns, Some(&HostLoopback::Dedicated)).join(" ");
        assert!(a.contains("--map-host-loopback 169.254.1.2"), "{a}");
        let own = HostLoopback::OwnAddresses(Some("eth0".into()));
        let a = args(1, &[], pid, &[], ns, Some(&own)).join(" ");
        assert!(
            a.contains("-a 169.254.1.1 -n 24 -g 169.254.1.2 -i eth0"),
            "{a}"
        );
        let copied = HostLoopback::CopiedGateway("192.0.2.1".parse().unwrap());
        let a = args(1, &[], pid, &[], ns, Some(&copied)).join(" ");
        assert!(
            !a.contains("-g ") && !a.contains("--map-host-loopback"),
            "{a}"
        );
    }
}
