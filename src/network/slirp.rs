//! slirp4netns: the older user-mode network stack, used when pasta is not installed. It runs
//! in the foreground as the monitor's child, says "ready" on a pipe, and publishes ports through
//! its API socket (`add_hostfwd`).

use std::fs;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::NetworkError;
use crate::store::containers::PortMapping;

/// The host's loopback as the container sees it (slirp's 10.0.2.2, with host loopback allowed).
pub const HOST_ADDRESS: &str = "10.0.2.2";
/// slirp4netns's DNS forwarder.
pub const DNS_ADDRESS: &str = "10.0.2.3";
/// The container's address: `add_hostfwd` forwards to it.
const GUEST_ADDRESS: &str = "10.0.2.100";

/// `--network slirp4netns:OPTS` (podman's names) as slirp4netns flags.
pub fn options_to_flags(opts: &[String]) -> Result<Vec<String>, NetworkError> {
    let mut flags = vec!["--mtu=65520".to_string()];
    for o in opts {
        let bad = |why: &str| {
            NetworkError::InvalidMode(format!("slirp4netns:{}", opts.join(",")), why.to_string())
        };
        let (k, v) = o.split_once('=').unwrap_or((o.as_str(), "true"));
        let on = match v {
            "true" => true,
            "false" => false,
            _ => false,
        };
        match k {
            "allow_host_loopback" if matches!(v, "true" | "false") => {
                if !on {
                    flags.push("--disable-host-loopback".into())
                }
            }
            "enable_ipv6" if matches!(v, "true" | "false") => {
                if on {
                    flags.push("--enable-ipv6".into())
                }
            }
            "mtu" if v.parse::<u32>().is_ok() => flags[0] = format!("--mtu={v}"),
            "outbound_addr" => flags.push(format!("--outbound-addr={v}")),
            "outbound_addr6" => flags.push(format!("--outbound-addr6={v}")),
            "port_handler" if v == "slirp4netns" => {}
            _ => {
                return Err(bad(&format!(
                    "unknown option {o:?}: use allow_host_loopback=true|false, enable_ipv6=true|false, mtu=N, outbound_addr=IP or port_handler=slirp4netns"
                )))
            }
        }
    }
    Ok(flags)
}

/// Whether `slirp4netns:OPTS` lets the container reach the host's loopback at 10.0.2.2 (the
/// default; the last `allow_host_loopback=` wins, as slirp4netns's flags would).
pub fn host_loopback_allowed(opts: &[String]) -> bool {
    opts.iter()
        .filter_map(|o| o.strip_prefix("allow_host_loopback"))
        .next_back()
        .is_none_or(|v| v != "=false")
}

/// A slirp4netns that has been started and may not be ready yet.
pub struct Starting {
    child: Child,
    ready: OwnedFd,
    api_dir: PathBuf,
    log_file: PathBuf,
}

/// A running slirp4netns.
pub struct Running {
    pub child: Child,
}

fn pipe() -> Result<(OwnedFd, OwnedFd), NetworkError> {
    crate::monitor::pipe().map_err(|e| NetworkError::Backend(format!("creating a pipe: {e}")))
}

/// Start slirp4netns for the container whose init is `pid`; `dir` holds its API socket and log.
pub fn start(pid: i32, opts: &[String], dir: &Path) -> Result<Starting, NetworkError> {
    let program = crate::hostpaths::helper("slirp4netns")?;
    let flags = options_to_flags(opts)?;
    let (ready_r, ready_w) = pipe()?;
    let log_file = dir.join("slirp4netns.log");
    let log = fs::File::create(&log_file)
        .map_err(|e| NetworkError::Backend(format!("creating {}: {e}", log_file.display())))?;
    let _ = fs::remove_file(dir.join("slirp.sock"));
    let mut cmd = Command::new(program);
    cmd.arg("--configure")
        .args(flags)
        .arg("--ready-fd=3")
        // Relative: the store's path may be longer than a socket address allows.
        .arg("--api-socket=slirp.sock")
        .current_dir(dir);
    let own_userns = fs::read_link("/proc/self/ns/user").ok();
    if fs::read_link(format!("/proc/{pid}/ns/user")).ok() != own_userns {
        cmd.arg(format!("--userns-path=/proc/{pid}/ns/user"));
    }
    cmd.arg("--netns-type=path")
        .arg(format!("/proc/{pid}/ns/net"))
        .arg("tap0")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log);
    let w = ready_w.as_raw_fd();
    // SAFETY: between fork and exec only dup2 (async-signal-safe) runs; dup2 clears
    // close-on-exec on the copy, so slirp4netns inherits exactly fd 3.
    unsafe {
        cmd.pre_exec(move || {
            if libc::dup2(w, 3) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd
        .spawn()
        .map_err(|e| NetworkError::Backend(format!("starting slirp4netns: {e}")))?;
    drop(ready_w);
    Ok(Starting {
        child,
        ready: ready_r,
        api_dir: dir.to_path_buf(),
        log_file,
    })
}

impl Starting {
    /// Wait for slirp4netns to configure the namespace, then publish `ports` through its API.
    pub fn wait(mut self, ports: &[PortMapping]) -> Result<Running, NetworkError> {
        let mut byte = [0u8; 1];
        let got = fs::File::from(
            self.ready
                .try_clone()
                .map_err(|e| NetworkError::Backend(format!("waiting for slirp4netns: {e}")))?,
        )
        .read(&mut byte)
        .unwrap_or(0);
        if got != 1 {
            let _ = self.child.kill();
            let _ = self.child.wait();
            let why = super::pasta::log_tail(&self.log_file);
            return Err(NetworkError::Backend(format!(
                "slirp4netns could not set up the container's network: {}",
                if why.is_empty() { "no message" } else { &why }
            )));
        }
        let running = Running { child: self.child };
        for p in ports {
            if let Err(e) = add_hostfwd(&self.api_dir, p) {
                let mut running = running;
                running.stop();
                return Err(e);
            }
        }
        Ok(running)
    }

    /// Give up on a slirp4netns that is still starting.
    pub fn abandon(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One `add_hostfwd` request on the API socket in `dir`.
fn add_hostfwd(dir: &Path, p: &PortMapping) -> Result<(), NetworkError> {
    let fail = |why: String| {
        NetworkError::Backend(format!(
            "slirp4netns could not publish port {}/{}: {why}",
            p.host_port, p.protocol
        ))
    };
    // Reach the socket through a short path: the directory's own may be too long for an
    // address.
    let d = fs::File::open(dir).map_err(|e| fail(e.to_string()))?;
    let path = format!("/proc/self/fd/{}/slirp.sock", d.as_raw_fd());
    let mut s = UnixStream::connect(&path).map_err(|e| fail(e.to_string()))?;
    let host_addr = if p.host_ip.is_empty() {
        "0.0.0.0"
    } else {
        &p.host_ip
    };
    let req = serde_json::json!({
        "execute": "add_hostfwd",
        "arguments": {
            "proto": p.protocol,
            "host_addr": host_addr,
            "host_port": p.host_port,
            "guest_addr": GUEST_ADDRESS,
            "guest_port": p.container_port,
        }
    });
    s.write_all(req.to_string().as_bytes())
        .map_err(|e| fail(e.to_string()))?;
    let _ = s.shutdown(std::net::Shutdown::Write);
    let mut reply = String::new();
    s.read_to_string(&mut reply)
        .map_err(|e| fail(e.to_string()))?;
    let v: serde_json::Value =
        serde_json::from_str(&reply).map_err(|_| fail(format!("unexpected reply {reply:?}")))?;
    if let Some(err) = v.get("error") {
        return Err(fail(
            err.get("desc")
                .and_then(|d| d.as_str())
                .unwrap_or("refused")
                .to_string(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_map_to_slirp_flags_and_unknown_ones_are_refused() {
        assert_eq!(options_to_flags(&[]).unwrap(), vec!["--mtu=65520"]);
        let f = options_to_flags(&[
            "allow_host_loopback=false".into(),
            "mtu=1500".into(),
            "enable_ipv6=true".into(),
        ])
        .unwrap();
        assert_eq!(
            f,
            vec!["--mtu=1500", "--disable-host-loopback", "--enable-ipv6"]
        );
        assert!(options_to_flags(&["bogus=1".into()]).is_err());
        assert!(options_to_flags(&["mtu=big".into()]).is_err());
    }
}
