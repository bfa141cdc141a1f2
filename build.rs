//! Builds berth-shim (src/runtime/shim/shim.c), the few-kilobyte program berth runs from a
//! sealed memfd as the last step into a container and as its `--init` (src/runtime/seal.rs).
//! It is freestanding C: any C compiler that targets Linux builds it, no libc needed.

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let src = "src/runtime/shim/shim.c";
    println!("cargo:rerun-if-changed={src}");
    println!("cargo:rerun-if-env-changed=CC");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("berth-shim");
    let cc = env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let status = Command::new(&cc)
        .args([
            "-static",
            "-nostdlib",
            "-nostartfiles",
            "-ffreestanding",
            "-fno-stack-protector",
            "-fno-builtin",
            "-fno-asynchronous-unwind-tables",
            "-fno-pie",
            "-no-pie",
            "-Os",
            "-s",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-Wl,--build-id=none",
            "-Wl,-z,noexecstack",
            "-o",
        ])
        .arg(&out)
        .arg(src)
        .status()
        .unwrap_or_else(|e| {
            panic!("cannot run the C compiler `{cc}` to build berth-shim ({e}): apt-get install build-essential, or set CC")
        });
    assert!(
        status.success(),
        "`{cc}` could not build berth-shim from {src} ({status})"
    );
}
