//! `BERTH_TIMING=FILE`: append a monotonic timestamp (milliseconds) with a label at the steps
//! of a container start, from every process involved (CLI, monitor, container), to FILE — for
//! the benchmark write-up and for finding where a start spends its time.

use std::sync::OnceLock;

fn target() -> Option<&'static std::ffi::CString> {
    static FILE: OnceLock<Option<std::ffi::CString>> = OnceLock::new();
    FILE.get_or_init(|| {
        std::env::var_os("BERTH_TIMING")
            .and_then(|v| std::ffi::CString::new(v.into_encoded_bytes()).ok())
    })
    .as_ref()
}

/// Append `label` with the time on CLOCK_MONOTONIC, when enabled.
pub fn mark(label: &str) {
    let Some(file) = target() else {
        return;
    };
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime into a valid timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    let ms = ts.tv_sec as f64 * 1000.0 + ts.tv_nsec as f64 / 1e6;
    // SAFETY: getpid has no preconditions.
    let pid = unsafe { libc::getpid() };
    let line = format!("berth-timing {ms:.3} {pid} {label}\n");
    // Inside a container (after pivot_root) the file's path is gone: write through the
    // descriptor kept from an earlier mark, if it still is that file.
    if !append_line(file, &line, true) {
        let fd = KEPT.load(std::sync::atomic::Ordering::Relaxed);
        if fd >= 0 && same_file(fd, KEPT_ID.load(std::sync::atomic::Ordering::Relaxed)) {
            // SAFETY: a write of our buffer to a descriptor checked to be the timing file.
            unsafe { libc::write(fd, line.as_ptr() as *const libc::c_void, line.len()) };
        }
    }
}

/// A descriptor of the timing file (close-on-exec, numbered high), and its device and inode.
static KEPT: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);
static KEPT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn file_id(st: &libc::stat) -> u64 {
    (st.st_dev << 40) ^ st.st_ino
}

fn same_file(fd: i32, id: u64) -> bool {
    // SAFETY: fstat into a zeroed stat we own.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    (unsafe { libc::fstat(fd, &mut st) } == 0) && file_id(&st) == id
}

/// Append `line` to `file` (made 0600 when missing) with one O_APPEND write, so that lines of
/// several processes never interleave. Best effort: nothing is reported; false when the file
/// could not be opened. With `keep`, a descriptor of the file is kept for [`mark`].
pub(crate) fn append_line(file: &std::ffi::CStr, line: &str, keep: bool) -> bool {
    // SAFETY: open/write/fcntl/fstat/close of a path, buffer and descriptors we own.
    unsafe {
        let fd = libc::open(
            file.as_ptr(),
            libc::O_WRONLY | libc::O_APPEND | libc::O_CREAT | libc::O_CLOEXEC,
            0o600,
        );
        if fd < 0 {
            return false;
        }
        libc::write(fd, line.as_ptr() as *const libc::c_void, line.len());
        let mut st: libc::stat = std::mem::zeroed();
        let kept = KEPT.load(std::sync::atomic::Ordering::Relaxed);
        if keep && libc::fstat(fd, &mut st) == 0 && !(kept >= 0 && same_file(kept, file_id(&st))) {
            let high = libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 900);
            if high >= 0 {
                // Only if it is still ours: a daemon's fork may have closed it since, and the
                // number may name another file now.
                if kept >= 0 && same_file(kept, KEPT_ID.load(std::sync::atomic::Ordering::Relaxed))
                {
                    libc::close(kept);
                }
                KEPT.store(high, std::sync::atomic::Ordering::Relaxed);
                KEPT_ID.store(file_id(&st), std::sync::atomic::Ordering::Relaxed);
            }
        }
        libc::close(fd);
        true
    }
}
