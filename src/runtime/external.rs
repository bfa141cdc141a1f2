//! `--runtime PATH`: hand the container to an external OCI runtime (crun, runc). berth mounts the
//! image itself — inside the rootless user namespace, where the runtime then runs too, as
//! podman does — writes the bundle's config.json with the user resolved to numeric ids, and
//! execs `RUNTIME --root STATE run --bundle BUNDLE ID` as the monitor's child.

use std::ffi::CString;
use std::io::{self, Write};
use std::os::fd::RawFd;
use std::path::PathBuf;

use serde_json::{json, Value};

use super::process::{SpawnError, Spawned};
use super::rootfs::{self, RootfsSpec};
use super::user;
use super::userns::{self, Identity};

pub struct ExternalSpec {
    pub runtime: PathBuf,
    /// The runtime's own state directory (`--root`).
    pub state_root: PathBuf,
    /// Directory that receives config.json.
    pub bundle: PathBuf,
    pub id: String,
    pub rootfs: RootfsSpec,
    /// The rootless user namespace to create and run the runtime in.
    pub userns: Option<Identity>,
    pub stdio: [RawFd; 3],
    /// docker's `user[:group]`, resolved against the image's passwd/group once it is mounted.
    pub user: String,
    /// The OCI config, without user namespace (the runtime already runs inside ours).
    pub config: Value,
}

/// Start the runtime; its pid is what the monitor waits for.
pub fn spawn(spec: &ExternalSpec) -> Result<Spawned, SpawnError> {
    // SAFETY: the monitor is single-threaded; the child only execs or exits.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(SpawnError::Setup(format!(
            "starting {}: {}",
            spec.runtime.display(),
            io::Error::last_os_error()
        )));
    }
    if pid == 0 {
        let err = child(spec).unwrap_err();
        let _ = writeln!(
            io::stderr(),
            "berth: handing the container to {}: {err}",
            spec.runtime.display()
        );
        // SAFETY: leave without the monitor's destructors.
        unsafe { libc::_exit(125) };
    }
    Ok(Spawned { pid, console: None })
}

fn child(spec: &ExternalSpec) -> io::Result<std::convert::Infallible> {
    // SAFETY: prctl on ourselves.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
    for (i, fd) in spec.stdio.iter().enumerate() {
        // SAFETY: dup2 onto 0..2.
        if unsafe { libc::dup2(*fd, i as RawFd) } < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    match &spec.userns {
        Some(ident) => userns::enter(ident).map_err(io::Error::other)?,
        None => {
            rustix::thread::unshare(rustix::thread::UnshareFlags::NEWNS).map_err(io::Error::from)?
        }
    }
    rootfs::mount_image_only(&spec.rootfs)?;
    let text = |p: &str| {
        rootfs::read_in_root(&spec.rootfs.mountpoint, p)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    let u = user::resolve(&spec.user, &text("/etc/passwd"), &text("/etc/group"))
        .map_err(io::Error::other)?;
    let mut config = spec.config.clone();
    config["process"]["user"] = json!({"uid": u.uid, "gid": u.gid, "additionalGids": u.groups});
    let env = config["process"]["env"].as_array_mut();
    if let Some(env) = env {
        if !env
            .iter()
            .any(|e| e.as_str().is_some_and(|s| s.starts_with("HOME=")))
        {
            env.push(json!(format!("HOME={}", u.home)));
        }
    }
    std::fs::create_dir_all(&spec.bundle)?;
    std::fs::write(
        spec.bundle.join("config.json"),
        serde_json::to_vec_pretty(&config).expect("config serializes"),
    )?;
    std::fs::create_dir_all(&spec.state_root)?;
    let c = |s: &str| CString::new(s).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL));
    let runtime = c(&spec.runtime.to_string_lossy())?;
    let mut args = vec![
        runtime.clone(),
        c("--root")?,
        c(&spec.state_root.to_string_lossy())?,
    ];
    // berth gives the container no cgroup of the runtime's making (cgroups are berth's job);
    // crun otherwise refuses hybrid cgroup hosts outright.
    if spec.runtime.file_name().is_some_and(|n| n == "crun") {
        args.push(c("--cgroup-manager=disabled")?);
    }
    args.extend([
        c("run")?,
        c("--bundle")?,
        c(&spec.bundle.to_string_lossy())?,
        c(&spec.id)?,
    ]);
    let mut argv: Vec<*const libc::c_char> = args.iter().map(|a| a.as_ptr()).collect();
    argv.push(std::ptr::null());
    // SAFETY: NULL-terminated argv of valid strings; the environment is ours. `runtime` is a
    // path ([`crate::hostpaths::program`] found it), not a name to look up in PATH.
    unsafe { libc::execv(runtime.as_ptr(), argv.as_ptr()) };
    Err(io::Error::last_os_error())
}
