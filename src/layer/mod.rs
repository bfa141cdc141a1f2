//! Layer tarballs: decompression, rootless-safe unpacking, whiteouts.

pub mod compress;
pub mod unpack;
