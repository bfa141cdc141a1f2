//! berth's one integration-test binary. It runs the real `berth` as an unprivileged user (and
//! as root, with a private store) against loopback docker-registry instances that hold images
//! the harness builds itself, offline, from Debian's busybox-static. Needs root: see
//! scripts/test.sh.

mod fixtures;
mod registry;
mod util;

mod archive;
mod badinput;
mod cgroups;
mod cli;
mod closedpipe;
mod containers;
mod datamove;
mod defaultbridge;
mod escape;
mod events;
mod exec;
mod filesystems;
mod harness;
mod history;
mod holder;
mod hostpaths;
mod images;
mod info;
mod inspectkeys;
mod layerinput;
mod lifecycle;
mod login;
mod network;
mod networks;
mod prune;
mod pull;
mod push;
mod run;
mod store;
mod storerobust;
mod top;
mod userfiles;
mod volumes;
