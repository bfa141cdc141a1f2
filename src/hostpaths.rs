//! Where berth looks on the host, decided in one place:
//!
//! - the per-user **runtime dir** ([`runtime_dir`]): every per-user path berth computes (its run
//!   root with sockets, locks and namespace holders, the login file `auth.json`, the user's
//!   systemd bus) comes from this one rule, podman's: `$XDG_RUNTIME_DIR` when it is a directory
//!   of ours, else `/run/user/UID` when it is ours, else berth's own private
//!   `${TMPDIR:-/tmp}/berth-run-UID`. Never a system path such as `/run/containers`, which a
//!   root podman leaves behind as root's private directory.
//! - the **helper programs** berth runs ([`helper`]): nft, newuidmap, pasta, fuse-overlayfs,
//!   runc… are found in berth.conf's `helper_binaries_dir`, then `PATH`, then the standard
//!   system directories (a Debian user's `PATH` has no `/usr/sbin`, where nft and runc live).

use std::ffi::OsString;
use std::fs;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use thiserror::Error;

/// The uid berth runs as outside its user namespace (inside, `getuid()` is 0): per-user paths
/// are named after that one.
pub fn host_uid() -> u32 {
    let uid = rustix::process::getuid().as_raw();
    let Ok(map) = fs::read_to_string("/proc/self/uid_map") else {
        return uid;
    };
    map.lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace().map(|n| n.parse::<u32>().ok());
            Some((f.next()??, f.next()??, f.next()??))
        })
        .find(|(inside, _, count)| uid >= *inside && uid - inside < *count)
        .map_or(uid, |(inside, outside, _)| outside + (uid - inside))
}

/// The per-user runtime dir, as [`runtime_dir`] chose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeDir {
    /// The session's: `$XDG_RUNTIME_DIR` or `/run/user/UID`, shared with other programs, so
    /// berth keeps to `berth/` and `containers/` inside it.
    Session(PathBuf),
    /// berth's own private `${TMPDIR:-/tmp}/berth-run-UID`: its run root itself.
    Private(PathBuf),
    /// root without a session dir: the system's `/run`.
    System,
}

#[derive(Debug, Error)]
#[error("cannot use {} as your runtime dir: {reason}", path.display())]
pub struct RuntimeDirError {
    pub path: PathBuf,
    pub reason: String,
}

impl RuntimeDir {
    /// berth's run root under it (what `info` reports as `runRoot`).
    pub fn run_root(&self) -> PathBuf {
        match self {
            RuntimeDir::Session(d) => d.join("berth"),
            RuntimeDir::Private(d) => d.clone(),
            RuntimeDir::System => PathBuf::from("/run/berth"),
        }
    }

    /// The login file podman and berth share (containers/image's default): `containers/auth.json`
    /// in the runtime dir; as root without one, `/run/containers/0/auth.json`.
    pub fn auth_file(&self, uid: u32) -> PathBuf {
        match self {
            RuntimeDir::Session(d) | RuntimeDir::Private(d) => d.join("containers/auth.json"),
            RuntimeDir::System => PathBuf::from(format!("/run/containers/{uid}/auth.json")),
        }
    }

    /// The user's systemd bus socket (only a session dir has one).
    pub fn user_bus(&self) -> Option<PathBuf> {
        match self {
            RuntimeDir::Session(d) => Some(d.join("bus")),
            _ => None,
        }
    }
}

/// The runtime dir of the user `uid` (the host uid; 0 is root) for this process.
pub fn runtime_dir(uid: u32) -> Result<RuntimeDir, RuntimeDirError> {
    runtime_dir_from(
        |k| std::env::var_os(k),
        uid,
        rustix::process::geteuid().as_raw(),
    )
}

/// [`runtime_dir`] with the environment and the effective uid (the owner the directories must
/// have as this process sees them, 0 inside the user namespace) given.
pub fn runtime_dir_from(
    env: impl Fn(&str) -> Option<OsString>,
    uid: u32,
    euid: u32,
) -> Result<RuntimeDir, RuntimeDirError> {
    let env = |k: &str| env(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    let ours = |d: &Path| {
        fs::metadata(d).is_ok_and(|m| m.is_dir() && m.uid() == euid && m.mode() & 0o022 == 0)
    };
    if let Some(dir) = env("XDG_RUNTIME_DIR") {
        if ours(&dir) {
            return Ok(RuntimeDir::Session(dir));
        }
        // `su`/`sudo` keep the caller's variable: a directory that is not ours is not our
        // runtime dir (podman refuses it; berth uses the next in line).
        crate::debug::note(&format!(
            "XDG_RUNTIME_DIR={} is not a directory of yours writable only by you: not using it",
            dir.display()
        ));
    }
    if uid == 0 {
        return Ok(RuntimeDir::System);
    }
    let session = PathBuf::from(format!("/run/user/{uid}"));
    if ours(&session) {
        return Ok(RuntimeDir::Session(session));
    }
    let tmp = env("TMPDIR").unwrap_or_else(|| PathBuf::from("/tmp"));
    let private = tmp.join(format!("berth-run-{uid}"));
    let fail = |reason: String| RuntimeDirError {
        path: private.clone(),
        reason,
    };
    match fs::DirBuilder::new().mode(0o700).create(&private) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(fail(e.to_string())),
    }
    // Not followed through a symlink: another user could have planted one to read or swap
    // our state.
    let meta = fs::symlink_metadata(&private).map_err(|e| fail(e.to_string()))?;
    if !meta.is_dir() || meta.uid() != euid || meta.permissions().mode() & 0o077 != 0 {
        return Err(fail(
            "it is not a private directory owned by you; set XDG_RUNTIME_DIR to a directory of yours"
                .into(),
        ));
    }
    Ok(RuntimeDir::Private(private))
}

/// The directories searched after `PATH`: where distributions install helpers (nft and runc
/// are in `/usr/sbin` on Debian, which a user's `PATH` lacks).
pub const SYSTEM_DIRS: [&str; 6] = [
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

/// A helper berth needs and cannot find.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum HelperError {
    #[error("{name} is not installed (looked in helper_binaries_dir, PATH and {}): {}", SYSTEM_DIRS.join(" "), install_hint(.package))]
    Missing {
        name: String,
        package: Option<&'static str>,
    },
    #[error("{} does not exist or is not an executable file", .0.display())]
    NotExecutable(PathBuf),
    #[error("{0}")]
    Config(String),
}

pub fn install_hint(package: &Option<&'static str>) -> String {
    match package {
        Some(p) => format!("install the {p} package (apt-get install {p})"),
        None => "install it or add its directory to helper_binaries_dir in berth.conf".into(),
    }
}

/// The Debian package that installs `helper`.
pub fn package_of(helper: &str) -> Option<&'static str> {
    Some(match helper {
        "nft" => "nftables",
        "newuidmap" | "newgidmap" => "uidmap",
        "pasta" => "passt",
        "slirp4netns" => "slirp4netns",
        "fuse-overlayfs" => "fuse-overlayfs",
        "runc" => "runc",
        "crun" => "crun",
        "ip" => "iproute2",
        _ => return None,
    })
}

static HELPER_DIRS: OnceLock<Result<Vec<PathBuf>, String>> = OnceLock::new();

/// Read `helper_binaries_dir` from the berth.conf in `config_dir` (once per process; done when
/// the engine resolves its paths, before any fork, so children find it ready).
pub fn init_helper_dirs(config_dir: &Path) {
    HELPER_DIRS.get_or_init(|| {
        crate::config::load(config_dir)
            .map(|c| c.helper_binaries_dir)
            .map_err(|e| e.to_string())
    });
}

/// berth's config directory: `~/.config/berth` for a user, `/etc/berth` for root.
pub fn config_dir(rootless: bool) -> Option<PathBuf> {
    if rootless {
        directories::BaseDirs::new().map(|b| b.config_dir().join("berth"))
    } else {
        Some(PathBuf::from("/etc/berth"))
    }
}

fn helper_dirs() -> Result<&'static [PathBuf], HelperError> {
    HELPER_DIRS
        .get_or_init(|| match config_dir(host_uid() != 0) {
            Some(dir) => crate::config::load(&dir)
                .map(|c| c.helper_binaries_dir)
                .map_err(|e| e.to_string()),
            None => Ok(Vec::new()),
        })
        .as_deref()
        .map_err(|e| HelperError::Config(e.clone()))
}

/// The helper program `name`, searched in berth.conf's `helper_binaries_dir`, `PATH` and
/// [`SYSTEM_DIRS`], in that order (containers.conf's order, plus the system directories).
pub fn helper(name: &str) -> Result<PathBuf, HelperError> {
    let path = std::env::var_os("PATH");
    find_in(name, helper_dirs()?, path.as_deref()).ok_or_else(|| HelperError::Missing {
        name: name.to_string(),
        package: package_of(name),
    })
}

/// A program the user gave as a name (found as [`helper`] finds one) or as a path (`--runtime
/// /opt/crun`, used as it is).
pub fn program(name_or_path: &str) -> Result<PathBuf, HelperError> {
    if name_or_path.contains('/') {
        let p = PathBuf::from(name_or_path);
        return match is_executable(&p) {
            true => Ok(p),
            false => Err(HelperError::NotExecutable(p)),
        };
    }
    helper(name_or_path)
}

/// Whether `name` is found where [`helper`] looks.
pub fn has_helper(name: &str) -> bool {
    helper(name).is_ok()
}

/// The first executable `name` in `configured`, then `path_env`'s directories, then
/// [`SYSTEM_DIRS`].
pub fn find_in(
    name: &str,
    configured: &[PathBuf],
    path_env: Option<&std::ffi::OsStr>,
) -> Option<PathBuf> {
    if name.is_empty() || name.contains('/') {
        return None;
    }
    let from_path: Vec<PathBuf> = path_env
        .map(|p| std::env::split_paths(p).collect())
        .unwrap_or_default();
    configured
        .iter()
        .chain(from_path.iter().filter(|d| d.is_absolute()))
        .cloned()
        .chain(SYSTEM_DIRS.iter().map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

pub fn is_executable(p: &Path) -> bool {
    fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: Vec<(&'static str, OsString)>) -> impl Fn(&str) -> Option<OsString> {
        move |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    }

    fn euid() -> u32 {
        rustix::process::geteuid().as_raw()
    }

    fn private_dir(parent: &Path, name: &str) -> PathBuf {
        let d = parent.join(name);
        fs::DirBuilder::new().mode(0o700).create(&d).unwrap();
        d
    }

    #[test]
    fn an_owned_xdg_runtime_dir_is_the_session_dir_and_holds_run_root_and_auth_file() {
        let t = tempfile::tempdir().unwrap();
        let xdg = private_dir(t.path(), "xdg");
        let rd = runtime_dir_from(
            env(vec![("XDG_RUNTIME_DIR", xdg.clone().into())]),
            4242,
            euid(),
        )
        .unwrap();
        assert_eq!(rd, RuntimeDir::Session(xdg.clone()));
        assert_eq!(rd.run_root(), xdg.join("berth"));
        assert_eq!(rd.auth_file(4242), xdg.join("containers/auth.json"));
        assert_eq!(rd.user_bus(), Some(xdg.join("bus")));
    }

    #[test]
    fn without_a_usable_session_dir_every_per_user_path_is_under_the_private_tmpdir_fallback() {
        let t = tempfile::tempdir().unwrap();
        let tmp = private_dir(t.path(), "tmp");
        let shared = t.path().join("shared");
        fs::create_dir(&shared).unwrap();
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o777)).unwrap();
        // A uid with no /run/user dir on any test host.
        let uid = 4_000_000_007;
        for xdg in [None, Some(t.path().join("missing")), Some(shared.clone())] {
            let mut vars = vec![("TMPDIR", tmp.clone().into_os_string())];
            vars.extend(xdg.map(|x| ("XDG_RUNTIME_DIR", x.into_os_string())));
            let rd = runtime_dir_from(env(vars), uid, euid()).unwrap();
            let private = tmp.join(format!("berth-run-{uid}"));
            assert_eq!(rd, RuntimeDir::Private(private.clone()));
            assert_eq!(rd.run_root(), private);
            assert_eq!(rd.auth_file(uid), private.join("containers/auth.json"));
            assert_eq!(rd.user_bus(), None);
            let mode = fs::metadata(&private).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700);
        }
    }

    #[test]
    fn a_fallback_dir_someone_else_could_use_is_refused() {
        let t = tempfile::tempdir().unwrap();
        let tmp = private_dir(t.path(), "tmp");
        let uid = 4_000_000_008;
        let planted = tmp.join(format!("berth-run-{uid}"));
        fs::create_dir(&planted).unwrap();
        fs::set_permissions(&planted, fs::Permissions::from_mode(0o777)).unwrap();
        let e = runtime_dir_from(env(vec![("TMPDIR", tmp.into())]), uid, euid()).unwrap_err();
        assert_eq!(e.path, planted);
        assert!(e.to_string().contains("XDG_RUNTIME_DIR"), "{e}");
    }

    #[test]
    fn root_without_a_session_dir_uses_the_system_paths_podman_uses() {
        let rd = runtime_dir_from(env(vec![]), 0, euid()).unwrap();
        assert_eq!(rd, RuntimeDir::System);
        assert_eq!(rd.run_root(), PathBuf::from("/run/berth"));
        assert_eq!(
            rd.auth_file(0),
            PathBuf::from("/run/containers/0/auth.json")
        );
    }

    fn exe(dir: &Path, name: &str) -> PathBuf {
        let p = dir.join(name);
        fs::write(&p, "#!/bin/sh\n").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
        p
    }

    #[test]
    fn helpers_are_found_in_configured_dirs_first_then_path() {
        let t = tempfile::tempdir().unwrap();
        let conf = private_dir(t.path(), "conf");
        let path = private_dir(t.path(), "path");
        let in_path = exe(&path, "berth-test-helper");
        assert_eq!(
            find_in("berth-test-helper", &[], Some(path.as_os_str())),
            Some(in_path)
        );
        let configured = exe(&conf, "berth-test-helper");
        assert_eq!(
            find_in("berth-test-helper", &[conf], Some(path.as_os_str())),
            Some(configured)
        );
        // Not executable: not a helper.
        fs::write(t.path().join("plain"), "").unwrap();
        assert_eq!(find_in("plain", &[t.path().into()], None), None);
        // A name with a slash is a path, not a helper to search for.
        assert_eq!(
            find_in("path/berth-test-helper", &[t.path().into()], None),
            None
        );
    }

    #[test]
    fn helpers_outside_path_are_found_in_the_system_dirs() {
        // sh is in /bin or /usr/bin on every Linux host; an empty PATH still finds it.
        let found = find_in("sh", &[], Some(std::ffi::OsStr::new(""))).unwrap();
        assert!(
            SYSTEM_DIRS.iter().any(|d| found.starts_with(d)),
            "{found:?}"
        );
    }

    #[test]
    fn a_missing_helper_is_one_line_naming_it_and_its_package() {
        let e = HelperError::Missing {
            name: "nft".into(),
            package: package_of("nft"),
        }
        .to_string();
        assert!(e.starts_with("nft is not installed"), "{e}");
        assert!(e.contains("apt-get install nftables"), "{e}");
        assert!(!e.contains('\n'), "{e}");
        for (h, p) in [
            ("newuidmap", "uidmap"),
            ("newgidmap", "uidmap"),
            ("pasta", "passt"),
            ("slirp4netns", "slirp4netns"),
            ("fuse-overlayfs", "fuse-overlayfs"),
            ("runc", "runc"),
            ("crun", "crun"),
        ] {
            assert_eq!(package_of(h), Some(p), "{h}");
        }
    }
}
