//! A hostile image attacks berth from inside a default container, rootless and as root; every
//! test here asserts that the attack fails. The threat model is SECURITY.md.
//!
//! - `binary`: berth's own processes seen from the container (its executable, environment,
//!   descriptors, ptrace), with `exec` and `--init`;
//! - `terminal`: the user's terminal never enters a container (TIOCSTI, /dev/tty);
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
