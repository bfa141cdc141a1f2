//! A hostile image attacks berth from inside a default container, rootless and as root; every
//! test here asserts that the attack fails. The threat model is SECURITY.md. The attacks are
//! `hostile.c`, built static into the `hostile` test image (see fixtures.rs).
//!
//! - `binary`: berth's own processes seen from the container (its executable, environment,
//!   descriptors, ptrace), with `exec` and `--init`;
//! - `terminal`: the user's terminal never enters a container (TIOCSTI, /dev/tty), and what
//!   descriptors each way in gives a container;
//! - `mounts`: mounts over /proc, /sys and /dev/pts, and the masked paths;
//! - `defaults`: podman's capability set and ping without NET_RAW;
//! - `limits`: seccomp with no_new_privs off, `--pids-limit` without cgroups, `--ulimit`;
//! - `probes`: attacks that were already blocked, kept blocked.

mod binary;
mod defaults;
mod limits;
mod mounts;
mod probes;
mod terminal;

use std::collections::BTreeMap;

use crate::fixtures::image;
use crate::util::{TestEnv, Who};

/// The hostile image, pulled for `who`.
pub fn hostile(env: &TestEnv, who: Who) -> String {
    let img = image("hostile");
    env.berth_as(who, &["pull", "-q", &img]).assert_success();
    img
}

/// `key=value` lines of hostile's report; a key seen again (one block per process) keeps
/// every value.
pub fn report(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines() {
        if let Some((k, v)) = line.split_once('=') {
            m.entry(k.trim().to_string())
                .or_default()
                .push(v.trim().to_string());
        }
    }
    m
}

/// The one value of `key`.
pub fn value<'a>(r: &'a BTreeMap<String, Vec<String>>, key: &str, text: &str) -> &'a str {
    match r.get(key).map(Vec::as_slice) {
        Some([v]) => v,
        other => panic!("{key}: expected one value, got {other:?} in\n{text}"),
    }
}
