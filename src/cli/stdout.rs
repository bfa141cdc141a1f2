//! Command output to a reader that may go away. `berth ps | head -1` closes the pipe after one
//! line: like docker and podman (Go programs die of SIGPIPE on a write to a closed stdout),
//! berth then ends quietly by SIGPIPE — exit status 141 in the shell, no message — but only
//! once the command's own work is done, so `berth rm a b c | head -0` still removes all three.
//! Streaming commands (`logs -f`, `events`, `stats`) stop at the first failed write.
//!
//! Rust ignores SIGPIPE, so a closed pipe shows up as EPIPE: `outln!`/`out!` record it instead
//! of panicking as `println!` does, a panic hook catches any `println!`/`eprintln!` left in
//! library code, and `main` turns the record (or a BrokenPipe error that reached it while stdout
//! or stderr is a broken pipe) into the SIGPIPE exit.

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

static CLOSED: AtomicBool = AtomicBool::new(false);
static OTHER: Mutex<Option<io::Error>> = Mutex::new(None);

/// Write command output; after a failure nothing more is written.
pub fn write(args: fmt::Arguments) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        failed(e);
    }
}

/// Record a failed write to stdout: a closed reader, or another error (a full disk behind
/// `> file`) that main reports once.
pub fn failed(e: io::Error) {
    if e.kind() != io::ErrorKind::BrokenPipe {
        let mut other = OTHER.lock().unwrap_or_else(|p| p.into_inner());
        other.get_or_insert(e);
    }
    CLOSED.store(true, Ordering::Relaxed);
}

/// Whether a write to stdout has failed (stop producing output that no one reads).
pub fn closed() -> bool {
    CLOSED.load(Ordering::Relaxed)
}

/// A write error other than a closed pipe, to report.
pub fn take_error() -> Option<io::Error> {
    OTHER.lock().unwrap_or_else(|p| p.into_inner()).take()
}

/// Whether `fd` is a pipe or socket whose reader has gone (poll reports POLLERR for the write
/// end of a pipe without readers).
pub fn is_broken(fd: i32) -> bool {
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLOUT,
        revents: 0,
    };
    // SAFETY: polling one descriptor without waiting.
    let n = unsafe { libc::poll(&mut p, 1, 0) };
    n == 1 && p.revents & (libc::POLLERR | libc::POLLHUP) != 0
}

/// Whether `e` is a BrokenPipe that came from our own stdout or stderr going away.
pub fn is_our_broken_pipe(e: &anyhow::Error) -> bool {
    let pipe = e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<crate::engine::EngineError>()
                .is_some_and(|ee| matches!(ee, crate::engine::EngineError::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe))
    });
    pipe && (is_broken(1) || is_broken(2))
}

/// End the process the way a writer to a closed pipe ends: killed by SIGPIPE.
pub fn die_of_sigpipe() -> ! {
    // SAFETY: restoring the default action, unblocking and raising the signal; _exit only if
    // the signal somehow did not end us.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGPIPE);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(libc::SIGPIPE);
        libc::_exit(128 + libc::SIGPIPE)
    }
}

/// Make a `println!`/`eprintln!` that hits a closed pipe (a panic in std) end the process as
/// above instead of printing a panic.
pub fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.starts_with("failed printing to std") && msg.contains("Broken pipe") {
            die_of_sigpipe();
        }
        default(info);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    #[test]
    fn a_pipe_without_readers_is_broken_and_one_with_a_reader_is_not() {
        let (r, w) = rustix::pipe::pipe().unwrap();
        assert!(!is_broken(w.as_raw_fd()));
        drop(r);
        assert!(is_broken(w.as_raw_fd()));
    }
}
