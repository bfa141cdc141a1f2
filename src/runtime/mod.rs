//! Namespaces and identity: entering the rootless user namespace berth works in.

pub mod userns;
