//! berth: a rootless, daemonless container engine.
//!
//! Dependencies point one way: `cli → engine → {image, registry, store, layer, mount, runtime}`.
//! Nothing below `engine` prints to the terminal.

pub mod cgroups;
pub mod cli;
pub mod config;
pub mod debug;
pub mod engine;
pub mod events;
pub mod hostpaths;
pub mod image;
pub mod layer;
pub mod monitor;
pub mod mount;
pub mod network;
pub mod registry;
pub mod runtime;
pub mod store;
pub mod timing;
