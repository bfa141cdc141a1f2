//! berth's one integration-test binary. It runs the real `berth` as an unprivileged user (and
//! as root, with a private store) against loopback docker-registry instances that hold images
//! the harness builds itself, offline, from Debian's busybox-static. Needs root: see
//! scripts/test.sh.

mod fixtures;
mod registry;
mod util;

mod cli;
mod containers;
mod harness;
mod images;
mod info;
mod pull;
mod store;
