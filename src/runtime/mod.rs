//! Namespaces and identity: entering the rootless user namespace berth works in.

pub mod caps;
pub mod seccomp;
pub mod userns;
