//! `BERTH_DEBUG=FILE`: append notes about things berth tried and let go (best-effort steps that
//! the kernel refused) to FILE, from every process involved, including the container's set-up
//! child, whose stderr is no longer the user's. Unset, notes cost nothing.

use std::sync::OnceLock;

fn target() -> Option<&'static std::ffi::CString> {
    static FILE: OnceLock<Option<std::ffi::CString>> = OnceLock::new();
    FILE.get_or_init(|| {
        std::env::var_os("BERTH_DEBUG")
            .filter(|v| !v.is_empty())
            .and_then(|v| std::ffi::CString::new(v.into_encoded_bytes()).ok())
    })
    .as_ref()
}

/// Read `BERTH_DEBUG` now: processes that enter a container wipe the environment they
/// inherited (runtime/seal.rs) and must still know where their notes go.
pub fn init() {
    let _ = target();
}

/// Append `message` (one line) when `BERTH_DEBUG` names a file.
pub fn note(message: &str) {
    if let Some(file) = target() {
        // SAFETY: getpid has no preconditions.
        let pid = unsafe { libc::getpid() };
        let line = format!("berth-debug {pid} {}\n", message.replace('\n', " "));
        crate::timing::append_line(file, &line, false);
    }
}
