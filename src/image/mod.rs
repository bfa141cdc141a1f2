//! Image references, short-name resolution (registries.conf), manifests and platform selection.

pub mod manifest;
pub mod reference;
pub mod registries;
