//! The monitor's loop: copy the container's output to the log (and to an attached terminal while
//! one is there), copy attached input to the container, and wait for the container to exit.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use super::attach::{self, Client};
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
    /// The attach socket `berth attach` connects to.
    pub listener: Option<OwnedFd>,
}

/// Work the monitor does on a schedule while the container runs (healthchecks): started in
/// a child process so that the loop keeps pumping output meanwhile.
pub trait Periodic {
    /// When to start the next run; `None` while one is under way.
    fn next_due(&self) -> Option<std::time::Instant>;
    /// Start a run; returns a pidfd of the process doing it.
    fn start(&mut self) -> Option<OwnedFd>;
    /// The run's process has exited: reap it and schedule the next.
    fn finished(&mut self);
}

/// What a polled descriptor is.
#[derive(Clone, Copy)]
enum Kind {
    Source(usize),
    Pid,
    Alive,
    Stdin,
    Listener,
    Client(usize),
    Periodic,
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
    mut periodic: Option<&mut dyn Periodic>,
    mut on_detach: impl FnMut(bool),
) -> Outcome {
    let mut running_job: Option<OwnedFd> = None;
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
    let mut clients: Vec<Client> = Vec::new();
    loop {
        let mut fds: Vec<libc::pollfd> = Vec::new();
        let mut kinds: Vec<Kind> = Vec::new();
        for (i, s) in io.sources.iter().enumerate() {
            if s.open {
                fds.push(pollfd(s.raw()));
                kinds.push(Kind::Source(i));
            }
        }
        if let Some(p) = &pidfd {
            fds.push(pollfd(p.as_raw_fd()));
            kinds.push(Kind::Pid);
        }
        if let Some(a) = &attached {
            fds.push(pollfd(a.alive.as_raw_fd()));
            kinds.push(Kind::Alive);
            if let (Some(fd), Some(_)) = (a.stdin, &io.container_stdin) {
                fds.push(pollfd(fd));
                kinds.push(Kind::Stdin);
            }
        }
        if let Some(l) = &io.listener {
            fds.push(pollfd(l.as_raw_fd()));
            kinds.push(Kind::Listener);
        }
        for (i, c) in clients.iter().enumerate() {
            fds.push(pollfd(c.fd.as_raw_fd()));
            kinds.push(Kind::Client(i));
        }
        if let Some(job) = &running_job {
            fds.push(pollfd(job.as_raw_fd()));
            kinds.push(Kind::Periodic);
        }
        let due = periodic.as_ref().and_then(|p| p.next_due());
        let until = |t: std::time::Instant| {
            t.saturating_duration_since(std::time::Instant::now())
                .as_millis()
                .min(i32::MAX as u128) as i32
        };
        let mut timeout = match (pidfd.is_some(), shrunk) {
            (false, _) => 100,
            (true, false) => until(shrink_at),
            (true, true) => -1,
        };
        if let Some(d) = due {
            let t = until(d);
            timeout = if timeout < 0 { t } else { timeout.min(t) };
        }
        // SAFETY: polling an array of valid pollfds.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
        if n < 0 {
            continue;
        }
        if !shrunk && std::time::Instant::now() >= shrink_at {
            shrunk = true;
            super::shrink();
        }
        if let (Some(p), Some(d)) = (periodic.as_mut(), due) {
            if running_job.is_none() && std::time::Instant::now() >= d {
                running_job = p.start();
            }
        }
        let mut exited = false;
        let mut gone_clients: Vec<usize> = Vec::new();
        let mut gone_sources: Vec<usize> = Vec::new();
        for (p, kind) in fds.iter().zip(kinds.iter()) {
            if p.revents == 0 {
                continue;
            }
            match *kind {
                Kind::Pid => exited = true,
                Kind::Periodic => {
                    running_job = None;
                    if let Some(p) = periodic.as_mut() {
                        p.finished();
                    }
                }
                Kind::Listener => {
                    if let Some(fd) = io
                        .listener
                        .as_ref()
                        .and_then(|l| attach::accept(l.as_raw_fd()))
                    {
                        clients.push(Client { fd, stdin: false });
                    }
                }
                Kind::Client(i) => {
                    if !client_message(&mut clients[i], &mut io, &mut buf) {
                        gone_clients.push(i);
                    }
                }
                Kind::Alive => {
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
                Kind::Stdin => {
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
                Kind::Source(i) => {
                    let src = &mut io.sources[i];
                    if pump(src, &mut buf, log, attached.as_ref(), &clients) == Pumped::ReaderGone {
                        gone_sources.push(i);
                    }
                }
            }
        }
        for i in gone_clients.into_iter().rev() {
            clients.remove(i);
        }
        // The attached `run`'s reader went away (`berth run IMAGE yes | head -2`): as in a shell
        // pipeline, the container's own next write to that stream fails (EPIPE; EIO on a
        // terminal, which is hung up), so the container ends instead of writing for no one.
        for i in gone_sources.into_iter().rev() {
            io.sources.remove(i);
            if io.tty {
                io.console = None;
                io.container_stdin = None;
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
                while src.open
                    && pump(src, &mut buf, log, attached.as_ref(), &clients) == Pumped::More
                {
                }
            }
            let code = super::exit_code(status).to_le_bytes();
            for c in &clients {
                let _ = attach::send(c.fd.as_raw_fd(), attach::OUT_EXIT, &code);
            }
            return Outcome {
                status,
                detached_at_some_point: detached,
            };
        }
    }
}

/// Handle one message from an attach client; false when it is gone.
fn client_message(c: &mut Client, io: &mut Io, buf: &mut [u8]) -> bool {
    let (tag, n) = match attach::recv(c.fd.as_raw_fd(), buf) {
        Ok(Some(m)) => m,
        Ok(None) => return false,
        Err(e) => return e.kind() == std::io::ErrorKind::WouldBlock,
    };
    match tag {
        attach::IN_HELLO => c.stdin = n > 0 && buf[0] == 1,
        attach::IN_STDIN if c.stdin => {
            if let Some(cin) = &io.container_stdin {
                if write_all_fd(cin.as_raw_fd(), &buf[..n]).is_err() && !io.tty {
                    io.container_stdin = None;
                }
            }
        }
        attach::IN_EOF if c.stdin && !io.tty => io.container_stdin = None,
        attach::IN_WINCH if n >= 4 => {
            if let Some(console) = io.console {
                let ws = libc::winsize {
                    ws_row: u16::from_le_bytes([buf[0], buf[1]]),
                    ws_col: u16::from_le_bytes([buf[2], buf[3]]),
                    ws_xpixel: 0,
                    ws_ypixel: 0,
                };
                // SAFETY: TIOCSWINSZ with a valid winsize on the master we own.
                unsafe { libc::ioctl(console, libc::TIOCSWINSZ, &ws) };
            }
        }
        _ => {}
    }
    true
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

#[derive(Debug, PartialEq, Eq)]
enum Pumped {
    /// More may follow right away.
    More,
    /// Nothing more for now (or the source ended).
    Idle,
    /// The attached CLI's stdout or stderr for this stream is a pipe whose reader is gone.
    ReaderGone,
}

/// Read once from `src`; log and forward.
fn pump(
    src: &mut Source,
    buf: &mut [u8],
    log: &mut Option<LogWriter>,
    attached: Option<&Attached>,
    clients: &[Client],
) -> Pumped {
    match read_fd(src.raw(), buf) {
        Ok(0) => {
            src.open = false;
            Pumped::Idle
        }
        Ok(n) => {
            let data = &buf[..n];
            if let Some(l) = log.as_mut() {
                if l.write(src.stream, data).is_err() {
                    *log = None;
                }
            }
            let mut reader_gone = false;
            if let Some(a) = attached {
                let fd = match src.stream {
                    Stream::Stdout => a.stdout,
                    Stream::Stderr => a.stderr,
                };
                reader_gone = write_all_fd(fd, data)
                    .is_err_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe);
            }
            let tag = match src.stream {
                Stream::Stdout => attach::OUT_STDOUT,
                Stream::Stderr => attach::OUT_STDERR,
            };
            for c in clients {
                // A client that cannot keep up loses output rather than stalling the container.
                let _ = attach::send(c.fd.as_raw_fd(), tag, data);
            }
            if reader_gone {
                Pumped::ReaderGone
            } else {
                Pumped::More
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Pumped::Idle,
        // EIO from a pty master once the last slave closed.
        Err(_) => {
            src.open = false;
            Pumped::Idle
        }
    }
}
