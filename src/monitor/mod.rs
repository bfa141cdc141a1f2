//! The per-container monitor: a double-forked copy of berth that creates the container (so it is
//! the container's parent and can collect its exit status), owns the container's stdio, writes
//! the log, forwards to an attached `berth run` while there is one, records the exit in the
//! container's state, and removes `--rm` containers. The CLI that started it may exit at any
//! time; the monitor lives exactly as long as the container.

pub mod attach;
pub mod log;
pub mod supervise;

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// Messages the monitor sends to the CLI that started it, one line each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// The container runs with this host pid.
    Started(i32),
    /// It could not start: docker's exit code and the reason.
    Failed(i32, String),
    /// It exited with this code (128+N for signal N).
    Exited(i32),
    /// The user detached with the detach keys.
    Detached,
}

impl Report {
    pub fn encode(&self) -> String {
        match self {
            Report::Started(pid) => format!("S{pid}\n"),
            Report::Failed(code, msg) => format!("F{code}\t{}\n", msg.replace('\n', " ")),
            Report::Exited(code) => format!("X{code}\n"),
            Report::Detached => "D\n".into(),
        }
    }

    pub fn decode(line: &str) -> Option<Report> {
        let (tag, rest) = line.split_at_checked(1)?;
        match tag {
            "S" => rest.parse().ok().map(Report::Started),
            "F" => {
                let (code, msg) = rest.split_once('\t')?;
                Some(Report::Failed(code.parse().ok()?, msg.to_string()))
            }
            "X" => rest.parse().ok().map(Report::Exited),
            "D" => Some(Report::Detached),
            _ => None,
        }
    }
}

/// Exit code as docker reports it from a wait status.
pub fn exit_code(status: libc::c_int) -> i32 {
    if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else if libc::WIFSIGNALED(status) {
        128 + libc::WTERMSIG(status)
    } else {
        255
    }
}

/// Docker's `--detach-keys` syntax: "ctrl-p,ctrl-q", "a,ctrl-@", "" (disabled).
pub fn parse_detach_keys(s: &str) -> Result<Vec<u8>, String> {
    if s.is_empty() {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|k| {
            if let Some(c) = k.strip_prefix("ctrl-") {
                let b = match c.as_bytes() {
                    [b] if b.is_ascii_alphabetic() => b.to_ascii_lowercase() - b'a' + 1,
                    [b'@'] => 0,
                    [b'['] => 27,
                    [b'\\'] => 28,
                    [b']'] => 29,
                    [b'^'] => 30,
                    [b'_'] => 31,
                    _ => return Err(format!("invalid detach key {k:?}")),
                };
                Ok(b)
            } else if k.len() == 1 {
                Ok(k.as_bytes()[0])
            } else {
                Err(format!(
                    "invalid detach key {k:?}: use a letter or ctrl-<letter>, e.g. ctrl-p,ctrl-q"
                ))
            }
        })
        .collect()
}

/// Finds the detach sequence in a byte stream that may split it across reads.
#[derive(Debug)]
pub struct DetachMatcher {
    keys: Vec<u8>,
    matched: usize,
}

impl DetachMatcher {
    pub fn new(keys: Vec<u8>) -> Self {
        DetachMatcher { keys, matched: 0 }
    }

    /// Feed input; returns the bytes to pass on and whether the sequence completed. Bytes of a
    /// partial match are held back until it is clear they are not the sequence.
    pub fn feed(&mut self, input: &[u8]) -> (Vec<u8>, bool) {
        let mut out = Vec::with_capacity(input.len());
        if self.keys.is_empty() {
            out.extend_from_slice(input);
            return (out, false);
        }
        for &b in input {
            if b == self.keys[self.matched] {
                self.matched += 1;
                if self.matched == self.keys.len() {
                    self.matched = 0;
                    return (out, true);
                }
            } else {
                out.extend_from_slice(&self.keys[..self.matched]);
                self.matched = 0;
                if b == self.keys[0] {
                    self.matched = 1;
                } else {
                    out.push(b);
                }
            }
        }
        (out, false)
    }
}

/// Give the terminal `pty` the size of ours (the attached CLI's stdin or stdout, which the
/// monitor shares), or docker's 80x24 when there is no terminal to copy.
pub fn set_window_size(pty: RawFd, attached: bool) {
    // SAFETY: TIOCGWINSZ/TIOCSWINSZ with a valid winsize struct.
    unsafe {
        let mut ws: libc::winsize = std::mem::zeroed();
        let copied = attached
            && (libc::ioctl(0, libc::TIOCGWINSZ, &mut ws) == 0
                || libc::ioctl(1, libc::TIOCGWINSZ, &mut ws) == 0)
            && ws.ws_row > 0;
        if !copied {
            ws = libc::winsize {
                ws_row: 24,
                ws_col: 80,
                ws_xpixel: 0,
                ws_ypixel: 0,
            };
        }
        libc::ioctl(pty, libc::TIOCSWINSZ, &ws);
    }
}

pub(crate) fn set_nonblocking(fd: RawFd) {
    // SAFETY: fcntl flag changes on a descriptor we hold.
    unsafe {
        let fl = libc::fcntl(fd, libc::F_GETFL);
        libc::fcntl(fd, libc::F_SETFL, fl | libc::O_NONBLOCK);
    }
}

pub(crate) fn read_fd(fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        // SAFETY: reading into a valid buffer.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr() as *mut libc::c_void, buf.len()) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

pub(crate) fn write_all_fd(fd: RawFd, mut data: &[u8]) -> io::Result<()> {
    while !data.is_empty() {
        // SAFETY: writing from a valid buffer.
        let n = unsafe { libc::write(fd, data.as_ptr() as *const libc::c_void, data.len()) };
        if n < 0 {
            let e = io::Error::last_os_error();
            match e.kind() {
                io::ErrorKind::Interrupted => continue,
                io::ErrorKind::WouldBlock => {
                    let mut p = libc::pollfd {
                        fd,
                        events: libc::POLLOUT,
                        revents: 0,
                    };
                    // SAFETY: polling one descriptor.
                    unsafe { libc::poll(&mut p, 1, 1000) };
                    continue;
                }
                _ => return Err(e),
            }
        }
        data = &data[n as usize..];
    }
    Ok(())
}

pub(crate) fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 into a two-element array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fresh descriptors we own.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

pub(crate) fn pidfd_open(pid: i32) -> io::Result<OwnedFd> {
    // SAFETY: pidfd_open on our child.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a descriptor we own.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// One stream the monitor reads from the container.
pub struct Source {
    pub fd: OwnedFd,
    pub stream: log::Stream,
    pub open: bool,
}

impl Source {
    pub fn raw(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// Give back what the monitor inherited from the CLI and will not use again, so that a
/// long-running monitor stays small: freed heap goes back to the kernel, and the pages of
/// executable code are dropped from our page tables (they are read-only copies of the binary
/// and fault back in on use, so only the code the loop runs stays resident). Writable and
/// relocated mappings are left alone: dropping them would lose their contents.
pub fn shrink() {
    // SAFETY: malloc_trim only returns free memory.
    unsafe { libc::malloc_trim(0) };
    let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else {
        return;
    };
    // The stack below where we are now held the CLI's deeper frames; it is zero-filled again if
    // ever reached. A margin stays for the loop's own frames.
    let here = &maps as *const String as usize;
    let margin = 256 * 1024;
    for line in maps.lines() {
        let mut f = line.split_whitespace();
        let (Some(range), Some(perms), Some(_off), Some(_dev), Some(inode)) =
            (f.next(), f.next(), f.next(), f.next(), f.next())
        else {
            continue;
        };
        let Some((a, b)) = range.split_once('-') else {
            continue;
        };
        let (Ok(a), Ok(b)) = (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16)) else {
            continue;
        };
        if line.ends_with("[stack]") && here > a + margin && here < b {
            let end = (here - margin) & !4095;
            // SAFETY: anonymous stack pages below our frames and the margin: unused.
            unsafe { libc::madvise(a as *mut libc::c_void, end - a, libc::MADV_DONTNEED) };
            continue;
        }
        if perms != "r-xp" || inode == "0" {
            continue;
        }
        // SAFETY: the range is an executable, never-written file mapping of this process; its
        // pages are re-read from the file when next used.
        unsafe { libc::madvise(a as *mut libc::c_void, b - a, libc::MADV_DONTNEED) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_round_trip_through_their_line_encoding() {
        for r in [
            Report::Started(42),
            Report::Failed(127, "sh: not found".into()),
            Report::Exited(137),
            Report::Detached,
        ] {
            let line = r.encode();
            assert_eq!(Report::decode(line.trim_end()), Some(r));
        }
    }

    #[test]
    fn detach_keys_parse_dockers_syntax() {
        assert_eq!(parse_detach_keys("ctrl-p,ctrl-q").unwrap(), vec![16, 17]);
        assert_eq!(parse_detach_keys("a,ctrl-@").unwrap(), vec![b'a', 0]);
        assert!(parse_detach_keys("ctrl-pp").is_err());
        assert!(parse_detach_keys("").unwrap().is_empty());
    }

    #[test]
    fn detach_sequence_is_found_across_reads_and_partial_matches_pass_through() {
        let mut m = DetachMatcher::new(vec![16, 17]);
        assert_eq!(m.feed(b"ab\x10"), (b"ab".to_vec(), false));
        assert_eq!(m.feed(b"x"), (b"\x10x".to_vec(), false));
        assert_eq!(m.feed(b"\x10"), (vec![], false));
        assert_eq!(m.feed(b"\x11rest"), (vec![], true));
        let mut none = DetachMatcher::new(vec![]);
        assert_eq!(none.feed(b"\x10\x11"), (b"\x10\x11".to_vec(), false));
    }

    #[test]
    fn wait_statuses_map_to_docker_exit_codes() {
        assert_eq!(exit_code(3 << 8), 3);
        assert_eq!(exit_code(libc::SIGKILL), 137);
    }
}
