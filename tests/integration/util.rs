//! The harness: test users, a private HOME/XDG tree per test, running berth as the user,
//! and checking that a test leaked no process and no mount.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

pub const USER: &str = "berthtest";
pub const USER_NO_RANGE: &str = "berthnorange";

#[derive(Clone, Copy, Debug)]
pub struct Account {
    pub uid: u32,
    pub gid: u32,
}

fn lookup(name: &str) -> Option<Account> {
    let out = Command::new("id").args(["-u", name]).output().ok()?;
    let uid = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
    let out = Command::new("id").args(["-g", name]).output().ok()?;
    let gid = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
    Some(Account { uid, gid })
}

fn ensure_line(file: &str, prefix: &str, line: &str) {
    let text = fs::read_to_string(file).unwrap_or_default();
    if !text.lines().any(|l| l.starts_with(prefix)) {
        let mut t = text;
        if !t.is_empty() && !t.ends_with('\n') {
            t.push('\n');
        }
        t.push_str(line);
        t.push('\n');
        fs::write(file, t).unwrap();
    }
}

fn remove_lines(file: &str, prefix: &str) {
    let text = fs::read_to_string(file).unwrap_or_default();
    let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with(prefix)).collect();
    fs::write(
        file,
        kept.join("\n") + if kept.is_empty() { "" } else { "\n" },
    )
    .unwrap();
}

/// The test users, created once per process (under a lock so parallel test binaries agree).
pub fn accounts() -> (Account, Account) {
    static ACCOUNTS: OnceLock<(Account, Account)> = OnceLock::new();
    *ACCOUNTS.get_or_init(|| {
        assert!(
            rustix::process::geteuid().is_root(),
            "the integration tests need root to create the test users: run `sudo scripts/test.sh`"
        );
        let lock = fs::File::create("/tmp/berth-it-users.lock").unwrap();
        rustix::fs::flock(&lock, rustix::fs::FlockOperation::LockExclusive).unwrap();
        for name in [USER, USER_NO_RANGE] {
            if lookup(name).is_none() {
                let st = Command::new("useradd")
                    .args(["-m", "-s", "/bin/sh", name])
                    .status()
                    .unwrap();
                assert!(st.success(), "useradd {name} failed");
            }
        }
        for f in ["/etc/subuid", "/etc/subgid"] {
            ensure_line(f, &format!("{USER}:"), &format!("{USER}:300000:65536"));
            // useradd may have given the no-range user a range: it must have none.
            remove_lines(f, &format!("{USER_NO_RANGE}:"));
        }
        (lookup(USER).unwrap(), lookup(USER_NO_RANGE).unwrap())
    })
}

pub fn berth_bin() -> &'static str {
    env!("CARGO_BIN_EXE_berth")
}

/// Let the test users reach the binary inside the (root-owned) checkout.
fn open_path_to_binary() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let mut p = Path::new(berth_bin()).parent().map(Path::to_path_buf);
        while let Some(dir) = p {
            if let Ok(m) = fs::metadata(&dir) {
                let mode = m.permissions().mode();
                if mode & 0o001 == 0 {
                    let _ = fs::set_permissions(&dir, fs::Permissions::from_mode(mode | 0o011));
                }
            }
            p = dir.parent().map(Path::to_path_buf);
        }
    });
}

pub struct TestEnv {
    pub dir: PathBuf,
    pub home: PathBuf,
    pub user: Account,
    pub no_range: Account,
    finished: bool,
}

pub struct Out(pub Output);

impl Out {
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    fn describe(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code(),
            self.stdout(),
            self.stderr()
        )
    }
    #[track_caller]
    pub fn ok(self) -> Out {
        assert_eq!(self.code(), 0, "berth failed: {}", self.describe());
        self
    }
    #[track_caller]
    pub fn fails(self, code: i32, needle: &str) -> Out {
        assert_eq!(self.code(), code, "unexpected exit: {}", self.describe());
        assert!(
            self.stderr().contains(needle),
            "stderr lacks {needle:?}: {}",
            self.describe()
        );
        self
    }
}

impl TestEnv {
    pub fn new(name: &str) -> TestEnv {
        let (user, no_range) = accounts();
        open_path_to_binary();
        let base = Path::new("/tmp/berth-it");
        fs::create_dir_all(base).unwrap();
        fs::set_permissions(base, fs::Permissions::from_mode(0o711)).unwrap();
        let dir = base.join(format!("{name}-{:08x}", rand::random::<u32>()));
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o711)).unwrap();
        let home = dir.join("home");
        for sub in [
            "home",
            "home/.config",
            "home/.local/share",
            "home/run",
            "nr",
            "nr/.config",
            "nr/.local/share",
            "nr/run",
        ] {
            let p = dir.join(sub);
            fs::create_dir_all(&p).unwrap();
            let owner = if sub.starts_with("nr") {
                no_range
            } else {
                user
            };
            std::os::unix::fs::chown(&p, Some(owner.uid), Some(owner.gid)).unwrap();
            fs::set_permissions(&p, fs::Permissions::from_mode(0o700)).unwrap();
        }
        TestEnv {
            dir,
            home,
            user,
            no_range,
            finished: false,
        }
    }

    /// The rootless store of the test user.
    pub fn store(&self) -> PathBuf {
        self.home.join(".local/share/berth")
    }

    pub fn command_as(&self, who: Option<Account>, home: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(berth_bin());
        c.args(args).env_clear().current_dir(&self.dir);
        c.env(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        )
        .env("LANG", "C.UTF-8");
        c.env("HOME", home)
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_RUNTIME_DIR", home.join("run"))
            .env("BERTH_TEST_DIR", &self.dir);
        if let Some(a) = who {
            // std drops root's supplementary groups (setgroups(0)) before switching uid.
            c.uid(a.uid).gid(a.gid);
        }
        c.stdin(Stdio::null());
        c
    }

    pub fn berth(&self, args: &[&str]) -> Out {
        Out(self
            .command_as(Some(self.user), &self.home, args)
            .output()
            .unwrap())
    }

    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command_as(Some(self.user), &self.home, args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    pub fn berth_no_range(&self, args: &[&str]) -> Out {
        Out(self
            .command_as(Some(self.no_range), &self.dir.join("nr"), args)
            .output()
            .unwrap())
    }

    /// As root, with the store inside the test dir.
    pub fn berth_as_root(&self, args: &[&str]) -> Out {
        let root = self.dir.join("rootstore");
        let run = self.dir.join("rootrun");
        let mut full = vec![
            "--root",
            root.to_str().unwrap(),
            "--runroot",
            run.to_str().unwrap(),
        ];
        full.extend_from_slice(args);
        Out(self
            .command_as(None, &self.dir.join("roothome"), &full)
            .output()
            .unwrap())
    }

    /// Write a file in the test user's config dir.
    pub fn user_config(&self, rel: &str, text: &str) {
        let p = self.home.join(".config").join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, text).unwrap();
        let mut d = Some(p.as_path());
        while let Some(x) = d {
            if !x.starts_with(self.home.join(".config")) {
                break;
            }
            std::os::unix::fs::chown(x, Some(self.user.uid), Some(self.user.gid)).unwrap();
            d = x.parent();
        }
    }

    fn processes(&self) -> Vec<u32> {
        let needle = format!("BERTH_TEST_DIR={}", self.dir.display());
        let mut pids = Vec::new();
        for e in fs::read_dir("/proc").unwrap().flatten() {
            let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            if let Ok(env) = fs::read(e.path().join("environ")) {
                if env.split(|b| *b == 0).any(|kv| kv == needle.as_bytes()) {
                    pids.push(pid);
                }
            }
        }
        pids
    }

    fn mounts(&self) -> Vec<String> {
        let prefix = self.dir.display().to_string();
        fs::read_to_string("/proc/self/mountinfo")
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split(' ').nth(4).map(String::from))
            .filter(|m| m.starts_with(&prefix))
            .collect()
    }

    /// Every test ends here: nothing may be left running or mounted.
    pub fn finish(mut self) {
        let procs = self.processes();
        let mounts = self.mounts();
        self.finished = true;
        self.cleanup();
        assert!(procs.is_empty(), "leaked processes: {procs:?}");
        assert!(mounts.is_empty(), "leaked mounts: {mounts:?}");
    }

    fn cleanup(&mut self) {
        for pid in self.processes() {
            let _ = rustix::process::kill_process(
                rustix::process::Pid::from_raw(pid as i32).unwrap(),
                rustix::process::Signal::Kill,
            );
        }
        let mut mounts = self.mounts();
        mounts.sort_by_key(|m| std::cmp::Reverse(m.len()));
        for m in mounts {
            let _ = rustix::mount::unmount(m.as_str(), rustix::mount::UnmountFlags::DETACH);
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        if !self.finished {
            self.cleanup();
        }
    }
}

/// Start of the test user's subordinate uid range, as /etc/subuid has it.
pub fn subid_start() -> u32 {
    accounts();
    let text = fs::read_to_string("/etc/subuid").unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{USER}:")))
        .expect("test user has a range");
    line.split(':').nth(1).unwrap().parse().unwrap()
}

/// Host uid that image uid `n` maps to for the test user (podman's layout: 0 is the user,
/// n >= 1 is subid_start + n - 1).
pub fn host_uid(n: u32) -> u32 {
    subid_start() + n - 1
}

pub fn owner(p: &Path) -> (u32, u32, u32) {
    let m = fs::symlink_metadata(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    (m.uid(), m.gid(), m.mode() & 0o7777)
}
