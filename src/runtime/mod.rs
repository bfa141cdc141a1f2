//! Namespaces and identity, and creating containers: the rootless user namespace berth works
//! in, the container's rootfs, its user and command, and the clone/sync/exec sequence.

pub mod caps;
pub mod enter;
pub mod exec;
pub mod external;
pub mod holder;
pub mod mountpolicy;
pub mod process;
pub mod rlimits;
pub mod rootfs;
pub mod seal;
pub mod seccomp;
pub mod user;
pub mod userns;
