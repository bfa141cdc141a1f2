//! The monitor's loop: copy the container's output to the log (and to an attached terminal while
//! one is there), copy attached input to the container, and wait for the container to exit.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use super::log::{LogWriter, Stream};
use super::{pidfd_open, read_fd, set_nonblocking, write_all_fd, DetachMatcher, Source};

/// Where an attached `berth run` wants the output and gives input.
pub struct Attached {
    /// Input to forward (the CLI's stdin), when `-i`.
    pub stdin: Option<RawFd>,
    pub stdout: RawFd,
    pub stderr: RawFd,
    /// Closes (POLLHUP) when the CLI goes away: stop forwarding then.
    pub alive: OwnedFd,
    pub detach: DetachMatcher,
}

pub struct Io {
    /// Container output: stdout and stderr pipes, or the pty master (once).
    pub sources: Vec<Source>,
    /// Where input for the container goes: its stdin pipe or the pty master.
    pub container_stdin: Option<OwnedFd>,
    /// With a tty the same master is read for output and written for input: closing our copy
    /// of "stdin" on EOF must not close the terminal.
    pub tty: bool,
    /// The terminal's master side, resized when the attached CLI says its window changed.
    pub console: Option<RawFd>,
}

/// How the loop ended.
pub struct Outcome {
    /// The raw wait status.
    pub status: libc::c_int,
    /// The user detached (the container keeps running, the monitor keeps logging).
    pub detached_at_some_point: bool,
}

/// Run until the container `pid` (our child) exits. `on_detach` is called once when the user
/// detaches or the attached CLI goes away.
pub fn supervise(
    pid: i32,
    mut io: Io,
    mut attached: Option<Attached>,
    log: &mut Option<LogWriter>,
    mut on_detach: impl FnMut(bool),
) -> Outcome {
    let pidfd = pidfd_open(pid).ok();
    for s in &io.sources {
        set_nonblocking(s.raw());
    }
    let mut buf = vec![0u8; 64 * 1024];
    let mut detached = false;
    // A container that is still running after a second will likely run for long: only then
    // is it worth giving back the memory inherited from the CLI (short-lived containers would
    // pay for the page faults of shrinking and gain nothing).
    let shrink_at = std::time::Instant::now() + std::time::Duration::from_secs(1);
    let mut shrunk = false;
    loop {
        let mut fds: Vec<libc::pollfd> = Vec::new();
        let mut kinds: Vec<u8> = Vec::new();
        for (i, s) in io.sources.iter().enumerate() {
            if s.open {
                fds.push(pollfd(s.raw()));
                kinds.push(i as u8);
            }
        }
        if let Some(p) = &pidfd {
            fds.push(pollfd(p.as_raw_fd()));
            kinds.push(b'p');
        }
        if let Some(a) = &attached {
            fds.push(pollfd(a.alive.as_raw_fd()));
            kinds.push(b'a');
            if let (Some(fd), Some(_)) = (a.stdin, &io.container_stdin) {
                fds.push(pollfd(fd));
                kinds.push(b'i');
            }
        }
        let timeout = match (pidfd.is_some(), shrunk) {
            (false, _) => 100,
            (true, false) => shrink_at
                .saturating_duration_since(std::time::Instant::now())
                .as_millis() as i32,
            (true, true) => -1,
        };
        // SAFETY: polling an array of valid pollfds.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
        if n < 0 {
            continue;
        }
        if !shrunk && std::time::Instant::now() >= shrink_at {
            shrunk = true;
            super::shrink();
        }
        let mut exited = false;
        for (p, kind) in fds.iter().zip(kinds.iter()) {
            if p.revents == 0 {
                continue;
            }
            match *kind {
                b'p' => exited = true,
                b'a' => {
                    // The CLI writes "W" when its window changed; end-of-file when it is gone.
                    let alive = attached.as_ref().map(|a| a.alive.as_raw_fd());
                    match alive.map(|fd| read_fd(fd, &mut buf)) {
                        Some(Ok(n)) if n > 0 => {
                            if let Some(c) = io.console {
                                super::set_window_size(c, true);
                            }
                        }
                        _ => {
                            detach(&mut attached, &mut on_detach, false);
                            detached = true;
                        }
                    }
                }
                b'i' => {
                    let Some(a) = attached.as_mut() else { continue };
                    let Some(fd) = a.stdin else { continue };
                    match read_fd(fd, &mut buf) {
                        Ok(0) | Err(_) => {
                            a.stdin = None;
                            // EOF on the input closes the container's stdin (not a terminal's).
                            if !io.tty {
                                io.container_stdin = None;
                            }
                        }
                        Ok(n) => {
                            let (pass, hit) = if io.tty {
                                a.detach.feed(&buf[..n])
                            } else {
                                (buf[..n].to_vec(), false)
                            };
                            if let Some(cin) = &io.container_stdin {
                                if write_all_fd(cin.as_raw_fd(), &pass).is_err() && !io.tty {
                                    io.container_stdin = None;
                                }
                            }
                            if hit {
                                detach(&mut attached, &mut on_detach, true);
                                detached = true;
                            }
                        }
                    }
                }
                i => {
                    let src = &mut io.sources[i as usize];
                    pump(src, &mut buf, log, attached.as_ref());
                }
            }
        }
        if !exited && pidfd.is_none() {
            // SAFETY: peeking at our child's state without reaping it.
            let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
            // SAFETY: as above.
            let rc = unsafe {
                libc::waitid(
                    libc::P_PID,
                    pid as libc::id_t,
                    &mut info,
                    libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
                )
            };
            // SAFETY: reading the pid the kernel filled in.
            exited = rc == 0 && unsafe { info.si_pid() } == pid;
        }
        if exited {
            let mut status = 0;
            // SAFETY: reaping our child.
            unsafe { libc::waitpid(pid, &mut status, 0) };
            // What the container wrote just before it exited is still in the pipes.
            for src in io.sources.iter_mut() {
                while src.open && pump(src, &mut buf, log, attached.as_ref()) {}
            }
            return Outcome {
                status,
                detached_at_some_point: detached,
            };
        }
    }
}

fn detach(attached: &mut Option<Attached>, on_detach: &mut impl FnMut(bool), by_keys: bool) {
    if attached.take().is_some() {
        on_detach(by_keys);
    }
}

fn pollfd(fd: RawFd) -> libc::pollfd {
    libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    }
}

/// Read once from `src`; log and forward. Returns whether more may follow right away.
fn pump(
    src: &mut Source,
    buf: &mut [u8],
    log: &mut Option<LogWriter>,
    attached: Option<&Attached>,
) -> bool {
    match read_fd(src.raw(), buf) {
        Ok(0) => {
            src.open = false;
            false
        }
        Ok(n) => {
            let data = &buf[..n];
            if let Some(l) = log.as_mut() {
                if l.write(src.stream, data).is_err() {
                    *log = None;
                }
            }
            if let Some(a) = attached {
                let fd = match src.stream {
                    Stream::Stdout => a.stdout,
                    Stream::Stderr => a.stderr,
                };
                let _ = write_all_fd(fd, data);
            }
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => false,
        // EIO from a pty master once the last slave closed.
        Err(_) => {
            src.open = false;
            false
        }
    }
}
