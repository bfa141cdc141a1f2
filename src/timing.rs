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
    append_line(file, &line);
}

/// Append `line` to `file` (made 0600 when missing) with one O_APPEND write, so that lines of
/// several processes never interleave. Best effort: nothing is reported.
pub(crate) fn append_line(file: &std::ffi::CStr, line: &str) {
    // SAFETY: open/write/close of a path and buffer we own.
    unsafe {
        let fd = libc::open(
            file.as_ptr(),
            libc::O_WRONLY | libc::O_APPEND | libc::O_CREAT | libc::O_CLOEXEC,
            0o600,
        );
        if fd >= 0 {
            libc::write(fd, line.as_ptr() as *const libc::c_void, line.len());
            libc::close(fd);
        }
    }
}
