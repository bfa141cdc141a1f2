//! Compiled programs cached on disk, so a `berth run` does not recompile the default profile.
//!
//! `<dir>/seccomp/<key>.bpf`, where the key is the sha256 of everything the program depends on:
//! the compiler version, the native architecture, the kernel version (`minKernel`), the bounding
//! capability set and the profile bytes. A file is trusted only when its header names the same
//! key and a sha256 of its payload matches, and the payload is a valid program; anything else
//! (a torn write from an older berth, a flipped bit) is recompiled and replaced.

use std::fs;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{kernel_version, Arch, Profile, Program, SeccompError};
use crate::runtime::caps::CapSet;
use crate::store::atomic::write_atomic;

/// Bumped whenever the compiler's output for the same input changes.
const COMPILER_VERSION: u32 = 2;
const MAGIC: &[u8; 8] = b"BERTHBPF";
const HEADER_LEN: usize = 8 + 4 + 32 + 32;

/// How [`load_cached_traced`] got its program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Read from a valid cache file.
    Hit,
    /// No cache file: compiled and stored.
    Miss,
    /// The cache file was invalid: compiled and replaced.
    Rebuilt,
    /// The profile disables seccomp: nothing to compile.
    Disabled,
}

/// The cache key of (profile, capabilities, arch, kernel).
pub fn cache_key(profile_src: &[u8], bounding: CapSet, arch: Arch, kernel: (u32, u32)) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"berth-seccomp\0");
    h.update(COMPILER_VERSION.to_le_bytes());
    h.update(arch.scmp_name().as_bytes());
    h.update(b"\0");
    h.update(kernel.0.to_le_bytes());
    h.update(kernel.1.to_le_bytes());
    h.update(bounding.bits().to_le_bytes());
    h.update(profile_src);
    h.finalize().into()
}

/// The cache file of `key` under `cache_dir`.
pub fn cache_path(cache_dir: &Path, key: &[u8; 32]) -> PathBuf {
    cache_dir
        .join("seccomp")
        .join(format!("{}.bpf", hex::encode(key)))
}

/// Parse, resolve and compile `profile_src` for a container with bounding set `bounding` on this
/// machine. `None`: the profile disables seccomp.
pub fn compile(profile_src: &[u8], bounding: CapSet) -> Result<Option<Program>, SeccompError> {
    compile_for(profile_src, bounding, Arch::native()?, kernel_version())
}

fn compile_for(
    profile_src: &[u8],
    bounding: CapSet,
    arch: Arch,
    kernel: (u32, u32),
) -> Result<Option<Program>, SeccompError> {
    let profile = Profile::parse(profile_src)?;
    if profile.is_disabled() {
        return Ok(None);
    }
    let filter = profile.resolve(bounding, arch, kernel)?;
    Program::compile(&filter).map(Some)
}

/// The program for `profile_src` and the bounding set `bounding`, from `<cache_dir>/seccomp/` or
/// compiled (and then stored). `None`: the profile disables seccomp. Call in the parent.
pub fn load_cached(
    cache_dir: &Path,
    profile_src: &[u8],
    bounding: CapSet,
) -> Result<Option<Program>, SeccompError> {
    load_cached_traced(cache_dir, profile_src, bounding).map(|(p, _)| p)
}

/// [`load_cached`], also saying whether the cache served it.
pub fn load_cached_traced(
    cache_dir: &Path,
    profile_src: &[u8],
    bounding: CapSet,
) -> Result<(Option<Program>, CacheOutcome), SeccompError> {
    let arch = Arch::native()?;
    let kernel = kernel_version();
    let key = cache_key(profile_src, bounding, arch, kernel);
    let path = cache_path(cache_dir, &key);
    let outcome = match fs::read(&path) {
        Ok(bytes) => match decode(&bytes, &key) {
            Some(p) => return Ok((Some(p), CacheOutcome::Hit)),
            None => CacheOutcome::Rebuilt,
        },
        Err(_) => CacheOutcome::Miss,
    };
    let Some(program) = compile_for(profile_src, bounding, arch, kernel)? else {
        return Ok((None, CacheOutcome::Disabled));
    };
    let dir = path.parent().expect("cache path has a parent");
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .and_then(|_| write_atomic(&path, &encode(&program, &key), 0o600))
        .map_err(|source| SeccompError::CacheWrite {
            path: path.clone(),
            source,
        })?;
    Ok((Some(program), outcome))
}

fn encode(program: &Program, key: &[u8; 32]) -> Vec<u8> {
    let payload = program.to_bytes();
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&COMPILER_VERSION.to_le_bytes());
    out.extend_from_slice(key);
    out.extend_from_slice(&Sha256::digest(&payload));
    out.extend_from_slice(&payload);
    out
}

fn decode(bytes: &[u8], key: &[u8; 32]) -> Option<Program> {
    if bytes.len() < HEADER_LEN
        || &bytes[..8] != MAGIC
        || bytes[8..12] != COMPILER_VERSION.to_le_bytes()
        || &bytes[12..44] != key
    {
        return None;
    }
    let payload = &bytes[HEADER_LEN..];
    if Sha256::digest(payload).as_slice() != &bytes[44..76] {
        return None;
    }
    Program::from_bytes(payload).ok()
}
