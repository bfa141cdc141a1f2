//! berth's one integration-test binary: it runs the real `berth` as an unprivileged user
//! against a loopback docker-registry holding images the harness builds itself.

mod fixtures;
mod registry;
mod util;

mod cli;
mod images;
mod info;
mod pull;
mod store;
