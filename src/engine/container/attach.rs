//! `berth attach`: connect to a running container's monitor and relay its output, our input,
//! our window size and our signals, until the container exits or the user detaches.

use std::os::fd::AsRawFd;
use std::time::Duration;

use super::super::{Engine, EngineError, Result};
use super::start::{RawMode, SignalFd};
use super::Container;
use crate::monitor::attach;
use crate::monitor::{read_fd, write_all_fd, DetachMatcher};

#[derive(Debug, Clone)]
pub struct AttachOptions {
    /// Forward our stdin (docker's default; `--no-stdin` turns it off). Only a container created
    /// with `-i` reads it.
    pub stdin: bool,
    /// Forward the signals we receive (non-tty containers; `--sig-proxy`).
    pub sig_proxy: bool,
    pub detach_keys: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttachOutcome {
    Exited(i32),
    Detached,
    /// Our stdout or stderr is a pipe whose reader has gone.
    OutputClosed,
}

fn io_err(context: &str) -> impl FnOnce(std::io::Error) -> EngineError + '_ {
    move |source| EngineError::Io {
        context: context.to_string(),
        source,
    }
}

fn send_window_size(sock: i32) {
    // SAFETY: TIOCGWINSZ into a zeroed winsize.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    if unsafe { libc::ioctl(0, libc::TIOCGWINSZ, &mut ws) } == 0 && ws.ws_row > 0 {
        let mut m = ws.ws_row.to_le_bytes().to_vec();
        m.extend_from_slice(&ws.ws_col.to_le_bytes());
        let _ = attach::send(sock, attach::IN_WINCH, &m);
    }
}

impl Engine {
    pub fn attach_container(&self, c: &Container, opts: &AttachOptions) -> Result<AttachOutcome> {
        let stopped = || {
            EngineError::Invalid(format!(
                "you cannot attach to a stopped container {}: start it first (`berth start -a {}`)",
                c.record.name, c.record.name
            ))
        };
        if !c.is_running() {
            return Err(stopped());
        }
        let sock = match attach::connect(&self.store.container_dir(&c.record.id)) {
            Ok(s) => s,
            // The container has exited and its monitor is winding down (its state says
            // exited a moment later): that is a stopped container, not a broken monitor.
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(libc::ECONNREFUSED) | Some(libc::ENOENT)
                ) && super::process_start_time(c.state.pid) != Some(c.state.pid_start) =>
            {
                return Err(stopped())
            }
            Err(e) => return Err(io_err("connecting to the container's monitor")(e)),
        };
        self.emit_container(&c.record, "attach", &[]);
        let s = sock.as_raw_fd();
        let tty = c.record.config.tty;
        let stdin = opts.stdin && c.record.config.open_stdin;
        attach::send(s, attach::IN_HELLO, &[u8::from(stdin)])
            .map_err(io_err("talking to the container's monitor"))?;
        let _raw = if tty && stdin {
            RawMode::enable()
        } else {
            None
        };
        if tty {
            send_window_size(s);
        }
        let signals = SignalFd::new().map_err(io_err("watching signals"))?;
        let mut detach = DetachMatcher::new(if tty {
            opts.detach_keys.clone()
        } else {
            vec![]
        });
        let mut buf = vec![0u8; 70 * 1024];
        let mut stdin_open = stdin;
        loop {
            let mut fds = vec![
                libc::pollfd {
                    fd: s,
                    events: libc::POLLIN,
                    revents: 0,
                },
                libc::pollfd {
                    fd: signals.fd.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            // Our stdout, for POLLERR only: a reader that went away ends the attach even while
            // the container is quiet.
            fds.push(libc::pollfd {
                fd: 1,
                events: 0,
                revents: 0,
            });
            if stdin_open {
                fds.push(libc::pollfd {
                    fd: 0,
                    events: libc::POLLIN,
                    revents: 0,
                });
            }
            // SAFETY: polling valid descriptors.
            if unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, -1) } < 0 {
                continue;
            }
            if fds[0].revents != 0 {
                match attach::recv(s, &mut buf) {
                    // Our reader went away (`berth attach c | head -1`): an observer that
                    // cannot show anything more leaves, and the container goes on.
                    Ok(Some((tag @ (attach::OUT_STDOUT | attach::OUT_STDERR), n))) => {
                        let fd = if tag == attach::OUT_STDOUT { 1 } else { 2 };
                        if let Err(e) = write_all_fd(fd, &buf[..n]) {
                            if e.kind() == std::io::ErrorKind::BrokenPipe {
                                return Ok(AttachOutcome::OutputClosed);
                            }
                        }
                    }
                    Ok(Some((attach::OUT_EXIT, n))) if n >= 4 => {
                        // The monitor says the exit before it records it; like docker's attach,
                        // return once the container's state says exited (so a following `rm`
                        // or `start` sees a stopped container).
                        self.wait_for_exit(&c.record.id, Some(Duration::from_secs(10)))?;
                        return Ok(AttachOutcome::Exited(i32::from_le_bytes([
                            buf[0], buf[1], buf[2], buf[3],
                        ])));
                    }
                    Ok(Some(_)) => {}
                    // The monitor went away without a word: the container's state says how.
                    Ok(None) | Err(_) => {
                        let state = self.live_state(&c.record.id)?;
                        return Ok(AttachOutcome::Exited(state.exit_code));
                    }
                }
            }
            if fds[1].revents != 0 {
                if let Some(sig) = signals.read() {
                    if sig == libc::SIGWINCH {
                        send_window_size(s);
                    } else if opts.sig_proxy && !tty {
                        // SAFETY: signalling the container's init.
                        unsafe { libc::kill(c.state.pid, sig) };
                    } else if !tty {
                        return Ok(AttachOutcome::Detached);
                    }
                }
            }
            if fds[2].revents & libc::POLLERR != 0 {
                return Ok(AttachOutcome::OutputClosed);
            }
            if stdin_open && fds.get(3).is_some_and(|p| p.revents != 0) {
                match read_fd(0, &mut buf) {
                    Ok(0) | Err(_) => {
                        stdin_open = false;
                        let _ = attach::send(s, attach::IN_EOF, &[]);
                    }
                    Ok(n) => {
                        let (pass, hit) = detach.feed(&buf[..n]);
                        if !pass.is_empty() {
                            let _ = attach::send(s, attach::IN_STDIN, &pass);
                        }
                        if hit {
                            return Ok(AttachOutcome::Detached);
                        }
                    }
                }
            }
        }
    }
}
