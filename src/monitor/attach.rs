//! The monitor's attach socket: `berth attach` connects to `containers/<id>/attach` (a
//! SOCK_SEQPACKET socket, so every message keeps its bounds) and gets the container's output
//! from then on; it may send input and window-size changes.
//!
//! ```text
//! monitor → client   [1] stdout bytes | [2] stderr bytes | [3] exit code (i32 LE)
//! client → monitor   [b'h', 0|1] hello (1: it will send stdin) | [0] stdin bytes |
//!                    [b'E'] end of stdin | [b'W'] its window changed (the monitor reads the
//!                    size from the client's message: rows u16 LE, cols u16 LE)
//! ```

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;

pub const OUT_STDOUT: u8 = 1;
pub const OUT_STDERR: u8 = 2;
pub const OUT_EXIT: u8 = 3;
pub const IN_HELLO: u8 = b'h';
pub const IN_STDIN: u8 = 0;
pub const IN_EOF: u8 = b'E';
pub const IN_WINCH: u8 = b'W';

/// The socket's name inside the container's directory.
pub const SOCKET_NAME: &str = "attach";

fn seqpacket() -> io::Result<OwnedFd> {
    // SAFETY: creating a socket we own.
    let fd = unsafe {
        libc::socket(
            libc::AF_UNIX,
            libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
            0,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a fresh descriptor.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// A sockaddr_un naming `dir/attach` through /proc/self/fd, so that the length of the store's
/// path (sun_path holds 108 bytes) never matters. Keep `dir_fd` open while it is used.
fn address(dir: &Path) -> io::Result<(OwnedFd, libc::sockaddr_un)> {
    let dir_fd = std::fs::File::open(dir)?;
    let path = format!("/proc/self/fd/{}/{SOCKET_NAME}", dir_fd.as_raw_fd());
    // SAFETY: a zeroed sockaddr_un is valid; we fill the family and a NUL-terminated path.
    let mut addr: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
    for (d, s) in addr.sun_path.iter_mut().zip(path.as_bytes()) {
        *d = *s as libc::c_char;
    }
    Ok((dir_fd.into(), addr))
}

/// The monitor's listening socket in the container directory `dir`.
pub fn listen(dir: &Path) -> io::Result<OwnedFd> {
    let _ = std::fs::remove_file(dir.join(SOCKET_NAME));
    let sock = seqpacket()?;
    let (_dir, addr) = address(dir)?;
    // SAFETY: bind/listen on our socket with a valid address.
    unsafe {
        if libc::bind(
            sock.as_raw_fd(),
            &addr as *const libc::sockaddr_un as *const libc::sockaddr,
            std::mem::size_of::<libc::sockaddr_un>() as libc::socklen_t,
        ) < 0
            || libc::listen(sock.as_raw_fd(), 8) < 0
        {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(sock)
}

/// Connect to the monitor of the container whose directory is `dir`.
pub fn connect(dir: &Path) -> io::Result<OwnedFd> {
    let sock = seqpacket()?;
    let (_dir, addr) = address(dir)?;
    // SAFETY: connect with a valid address.
    let rc = unsafe {
        libc::connect(
            sock.as_raw_fd(),
            &addr as *const libc::sockaddr_un as *const libc::sockaddr,
            std::mem::size_of::<libc::sockaddr_un>() as libc::socklen_t,
        )
    };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    // The client waits in poll; blocking sends are simpler for it.
    // SAFETY: fcntl flag change on our socket.
    unsafe {
        let fl = libc::fcntl(sock.as_raw_fd(), libc::F_GETFL);
        libc::fcntl(sock.as_raw_fd(), libc::F_SETFL, fl & !libc::O_NONBLOCK);
    }
    Ok(sock)
}

/// Accept one client, if one is waiting.
pub fn accept(listener: RawFd) -> Option<OwnedFd> {
    // SAFETY: accept4 on our listening socket.
    let fd = unsafe {
        libc::accept4(
            listener,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
        )
    };
    // SAFETY: a fresh descriptor.
    (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Send one message: a tag and its bytes.
pub fn send(fd: RawFd, tag: u8, data: &[u8]) -> io::Result<()> {
    let mut msg = Vec::with_capacity(data.len() + 1);
    msg.push(tag);
    msg.extend_from_slice(data);
    // SAFETY: sending a buffer we own; MSG_NOSIGNAL so a gone peer is an error, not SIGPIPE.
    let n = unsafe {
        libc::send(
            fd,
            msg.as_ptr() as *const libc::c_void,
            msg.len(),
            libc::MSG_NOSIGNAL,
        )
    };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Receive one message into `buf`: `Some((tag, len))`, `None` at end-of-file.
pub fn recv(fd: RawFd, buf: &mut [u8]) -> io::Result<Option<(u8, usize)>> {
    // SAFETY: receiving into a buffer we own.
    let n = unsafe { libc::recv(fd, buf.as_mut_ptr() as *mut libc::c_void, buf.len(), 0) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    if n == 0 {
        return Ok(None);
    }
    let n = n as usize;
    let tag = buf[0];
    buf.copy_within(1..n, 0);
    Ok(Some((tag, n - 1)))
}

/// A connected `berth attach`.
pub struct Client {
    pub fd: OwnedFd,
    /// It sends stdin (said in its hello).
    pub stdin: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_keep_their_bounds_and_tags_over_a_long_store_path() {
        let dir = tempfile::tempdir().unwrap();
        // Longer than sun_path: the /proc/self/fd address keeps it short.
        let deep = dir.path().join("x".repeat(120));
        std::fs::create_dir(&deep).unwrap();
        let listener = listen(&deep).unwrap();
        let client = connect(&deep).unwrap();
        let server = loop {
            if let Some(s) = accept(listener.as_raw_fd()) {
                break s;
            }
        };
        send(client.as_raw_fd(), IN_HELLO, &[1]).unwrap();
        send(client.as_raw_fd(), IN_STDIN, b"abc").unwrap();
        let mut buf = vec![0u8; 64];
        let mut got = Vec::new();
        while got.len() < 2 {
            match recv(server.as_raw_fd(), &mut buf) {
                Ok(Some((t, n))) => got.push((t, buf[..n].to_vec())),
                Ok(None) => break,
                Err(_) => std::thread::yield_now(),
            }
        }
        assert_eq!(got, vec![(IN_HELLO, vec![1]), (IN_STDIN, b"abc".to_vec())]);
        drop(client);
        assert!(matches!(recv(server.as_raw_fd(), &mut buf), Ok(None)));
    }
}
