//! The `none` backend: a rootless container on a host where berth can make no cgroup. Limits
//! are never dropped silently: `run`/`create` warn once (with why and what to do), or refuse
//! in strict mode (`--cgroup-strict`, or `cgroups = "strict"` in berth.conf).

use std::path::Path;

use super::CgroupError;

/// The one-line warning a run with limits gets when its container has no cgroup.
pub fn warning(why: &str) -> String {
    format!("WARNING: resource limits are not applied: {why}")
}

/// The error in strict mode.
pub fn strict_error(why: &str) -> CgroupError {
    CgroupError::Unavailable(format!(
        "cgroups are required (--cgroup-strict or cgroups = \"strict\" in berth.conf) but none is usable: {why}"
    ))
}

/// What `update` and friends say about a container without a cgroup.
pub fn no_limits() -> CgroupError {
    CgroupError::Unavailable(
        "the container has no cgroup (it was created without a usable cgroup backend), so its limits cannot change: recreate it as root or on a cgroup v2 host with a systemd user session".into(),
    )
}

/// Whether berth.conf in `config_dir` asks for strict cgroups (`cgroups = "strict"`).
pub fn strict_in_config(config_dir: &Path) -> Result<bool, CgroupError> {
    let config =
        crate::config::load(config_dir).map_err(|e| CgroupError::Invalid(e.to_string()))?;
    Ok(config.cgroups == crate::config::CgroupsMode::Strict)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_mode_comes_from_berth_conf() {
        let d = tempfile::tempdir().unwrap();
        assert!(!strict_in_config(d.path()).unwrap());
        std::fs::write(d.path().join("berth.conf"), "cgroups = \"strict\"\n").unwrap();
        assert!(strict_in_config(d.path()).unwrap());
        std::fs::write(d.path().join("berth.conf"), "cgroups = 3\n").unwrap();
        assert!(strict_in_config(d.path()).is_err());
    }

    #[test]
    fn the_warning_is_one_line_naming_the_reason() {
        let w = warning("this host has cgroup v1");
        assert!(!w.contains('\n'));
        assert!(w.contains("cgroup v1"));
    }
}
