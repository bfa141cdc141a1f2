//! cgroups. Today: the freezer that `pause`/`unpause` use. The limit backends (systemd, cgroupfs
//! v2, cgroupfs v1, none) join this module with their own issue.

pub mod freezer;
