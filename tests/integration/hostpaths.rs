//! Host shapes a new user meets that the other tests' environment hides: no runtime dir (no
//! logind) next to a root podman's private `/run/containers`, credential files the user cannot
//! read, and a Debian user's `PATH` without `/usr/sbin`, where nft and runc live.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::fixtures::{auth_registry, image};
use crate::registry::{AUTH_PASSWORD, AUTH_USER};
use crate::util::{berth_bin, Output, TestEnv, Who};

/// A Debian user's default PATH: no sbin directories.
const DEBIAN_USER_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// berth as the test user with the environment adjusted by `adjust`.
fn berth_with(env: &TestEnv, args: &[&str], adjust: impl FnOnce(&mut Command)) -> Output {
    let mut cmd = env.berth_command_of(Who::User, berth_bin(), args);
    adjust(&mut cmd);
    env.output_of(&format!("berth {}", args.join(" ")), cmd)
}

/// A directory owned by the test user (mode 0700) inside the test dir.
fn user_dir(env: &TestEnv, name: &str) -> PathBuf {
    let a = env.account(Who::User).unwrap();
    let d = env.user.home.join(name);
    fs::create_dir(&d).unwrap();
    std::os::unix::fs::chown(&d, Some(a.uid), Some(a.gid)).unwrap();
    fs::set_permissions(&d, fs::Permissions::from_mode(0o700)).unwrap();
    d
}

/// `/run/containers` as a root podman leaves it: root's, 0700. Created when missing (and then
/// removed again by [`RootPodmanDir::drop`] if still empty); an existing one is left as it is.
struct RootPodmanDir {
    created: bool,
}

impl RootPodmanDir {
    fn ensure() -> RootPodmanDir {
        let dir = Path::new("/run/containers");
        let created = match fs::create_dir(dir) {
            Ok(()) => {
                fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).unwrap();
                true
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => false,
            Err(e) => panic!("cannot create /run/containers: {e}"),
        };
        let meta = fs::metadata(dir).unwrap();
        assert!(
            meta.uid() == 0 && meta.mode() & 0o077 == 0,
            "/run/containers exists but is not root's private directory: the test needs that shape"
        );
        RootPodmanDir { created }
    }
}

impl Drop for RootPodmanDir {
    fn drop(&mut self) {
        if self.created {
            let _ = fs::remove_dir("/run/containers");
        }
    }
}

#[test]
fn without_a_runtime_dir_login_pull_and_run_keep_every_per_user_path_in_berths_own_dir() {
    let _podman = RootPodmanDir::ensure();
    let env = TestEnv::new("hostpaths-noxdg");
    let uid = env.account(Who::User).unwrap().uid;
    let tmp = user_dir(&env, "tmp");
    let own = tmp.join(format!("berth-run-{uid}"));
    // No logind: no XDG_RUNTIME_DIR (and no /run/user/UID on this host).
    assert!(
        !Path::new(&format!("/run/user/{uid}")).exists(),
        "the test user has a /run/user dir here; this test needs a host without one"
    );
    let no_xdg = |c: &mut Command| {
        c.env_remove("XDG_RUNTIME_DIR").env("TMPDIR", &tmp);
    };
    let run_root = berth_with(&env, &["info", "--format", "{{.Store.RunRoot}}"], no_xdg)
        .assert_success()
        .stdout_str();
    assert_eq!(run_root.trim(), own.display().to_string());

    let addr = &auth_registry().addr;
    berth_with(
        &env,
        &["login", "-u", AUTH_USER, "-p", AUTH_PASSWORD, addr],
        no_xdg,
    )
    .assert_success()
    .assert_stdout_contains("Login Succeeded!");
    let auth = own.join("containers/auth.json");
    let meta = fs::metadata(&auth).unwrap_or_else(|e| panic!("{}: {e}", auth.display()));
    assert_eq!((meta.uid(), meta.mode() & 0o777), (uid, 0o600));
    // Every command that reads credentials: run of a missing private image, pull.
    let private = format!("{addr}/busybox");
    berth_with(
        &env,
        &["run", "--rm", "--network", "none", &private, "true"],
        no_xdg,
    )
    .assert_success();
    berth_with(&env, &["pull", "-q", &private], no_xdg).assert_success();
    berth_with(&env, &["login", "--get-login", addr], no_xdg)
        .assert_success()
        .assert_stdout_contains(AUTH_USER);
    berth_with(&env, &["logout", addr], no_xdg).assert_success();
    env.finish();
}

#[test]
fn an_unreadable_credentials_file_is_skipped_with_a_debug_note_unless_the_user_named_it() {
    let env = TestEnv::new("hostpaths-unreadable");
    let addr = &auth_registry().addr;
    let private = format!("{addr}/busybox");
    // The first file podman and berth read, $XDG_RUNTIME_DIR/containers/auth.json, is root's
    // (a `sudo podman login` with the variable kept)...
    let root_only = env.user.runtime.join("containers");
    fs::create_dir(&root_only).unwrap();
    fs::set_permissions(&root_only, fs::Permissions::from_mode(0o700)).unwrap();
    let unreadable = root_only.join("auth.json");
    fs::write(&unreadable, "{\"auths\":{}}\n").unwrap();
    // ...and the user's own credentials are in the next one.
    use base64::Engine;
    let secret =
        base64::engine::general_purpose::STANDARD.encode(format!("{AUTH_USER}:{AUTH_PASSWORD}"));
    env.user_config(
        "containers/auth.json",
        &format!("{{\"auths\":{{\"{addr}\":{{\"auth\":\"{secret}\"}}}}}}\n"),
    );
    let notes = env.dir.join("debug.log");
    fs::write(&notes, "").unwrap();
    fs::set_permissions(&notes, fs::Permissions::from_mode(0o666)).unwrap();
    berth_with(&env, &["pull", "-q", &private], |c| {
        c.env("BERTH_DEBUG", &notes);
    })
    .assert_success();
    let said = fs::read_to_string(&notes).unwrap();
    assert!(
        said.lines()
            .any(|l| l.contains("skipping the credentials file")
                && l.contains(&unreadable.display().to_string())),
        "no debug note about {}: {said}",
        unreadable.display()
    );
    // The same file named by the user is an error: one line naming it, exit 125.
    let file = unreadable.to_str().unwrap();
    for named in [
        vec!["pull", "-q", "--authfile", file, &private],
        vec!["login", "--get-login", "--authfile", file, addr],
    ] {
        let out = berth_with(&env, &named, |_| {});
        assert_eq!(out.code(), 125, "{named:?}: {}", out.stderr_str());
        let err = out.stderr_str();
        assert!(
            err.contains(file) && err.trim().lines().count() == 1,
            "{named:?}: {err}"
        );
    }
    let out = berth_with(&env, &["pull", "-q", &private], |c| {
        c.env("REGISTRY_AUTH_FILE", &unreadable);
    });
    assert_eq!(out.code(), 125, "{}", out.stderr_str());
    assert!(out.stderr_str().contains(file), "{}", out.stderr_str());
    env.finish();
}

#[test]
fn a_debian_users_path_still_finds_nft_and_runc_in_the_system_dirs() {
    let _ = fs::set_permissions("/dev/net/tun", fs::Permissions::from_mode(0o666));
    let env = TestEnv::new("hostpaths-sbin");
    let img = image("busybox");
    let debian = |c: &mut Command| {
        c.env("PATH", DEBIAN_USER_PATH);
    };
    berth_with(&env, &["pull", "-q", &img], debian).assert_success();
    berth_with(&env, &["network", "create", "sbin-net"], debian).assert_success();
    // nft (in /usr/sbin) sets up the user network's rules.
    let out = berth_with(
        &env,
        &[
            "run",
            "--rm",
            "--network",
            "sbin-net",
            &img,
            "echo",
            "on-net",
        ],
        debian,
    )
    .assert_success();
    assert_eq!(out.stdout_str(), "on-net\n");
    // runc is in /usr/sbin too (Debian's runc package).
    if Path::new("/usr/sbin/runc").exists() && !Path::new("/usr/bin/runc").exists() {
        let out = berth_with(
            &env,
            &[
                "run",
                "--rm",
                "--runtime",
                "runc",
                &img,
                "sh",
                "-c",
                "exit 7",
            ],
            debian,
        );
        assert_eq!(out.code(), 7, "{}", out.stderr_str());
    }
    berth_with(&env, &["network", "rm", "sbin-net"], debian).assert_success();
    env.finish();
}

#[test]
fn helper_binaries_dir_in_berth_conf_is_searched_first_and_a_missing_helper_names_its_package() {
    let _ = fs::set_permissions("/dev/net/tun", fs::Permissions::from_mode(0o666));
    let env = TestEnv::new("hostpaths-helperdir");
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    // A wrapper nft that says it ran, then runs the real one.
    let helpers = env.dir.join("helpers");
    fs::create_dir(&helpers).unwrap();
    fs::set_permissions(&helpers, fs::Permissions::from_mode(0o755)).unwrap();
    let log = env.dir.join("nft-calls.log");
    fs::write(&log, "").unwrap();
    fs::set_permissions(&log, fs::Permissions::from_mode(0o666)).unwrap();
    let real = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("nft is installed");
    let wrapper = helpers.join("nft");
    fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho called >> {}\nexec {real} \"$@\"\n",
            log.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755)).unwrap();
    env.user_config(
        "berth/berth.conf",
        &format!("helper_binaries_dir = [\"{}\"]\n", helpers.display()),
    );
    env.berth(&["network", "create", "wrapped-net"])
        .assert_success();
    env.berth(&["run", "--rm", "--network", "wrapped-net", &img, "true"])
        .assert_success();
    assert!(
        fs::read_to_string(&log).unwrap().contains("called"),
        "berth did not run the nft of helper_binaries_dir"
    );
    env.berth(&["network", "rm", "wrapped-net"])
        .assert_success();
    // A helper found nowhere (crun is not installed here): one line, its package, 125.
    if !Path::new("/usr/bin/crun").exists() && !Path::new("/usr/sbin/crun").exists() {
        let out = env.berth(&["run", "--rm", "--runtime", "crun", &img, "true"]);
        assert_eq!(out.code(), 125, "{}", out.stderr_str());
        let err = out.stderr_str();
        assert!(
            err.contains("apt-get install crun")
                && err.contains("helper_binaries_dir")
                && err.trim().lines().count() == 1,
            "{err}"
        );
    }
    env.finish();
}
